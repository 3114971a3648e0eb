import { COVERAGE_PAGE, coverageLowerBounds, runCoverageScenario } from '../../bench/coverage';
import { runScenario } from '../../bench/scenario';
import { buildFunction, type DeployedFunction } from '../../local/bundle';

/** The benchmark's harness, at a size a test can afford: what it counts and checks must hold here too. */

let fn: DeployedFunction;

beforeAll(() => {
  fn = buildFunction();
});

describe('benchmark scenario', () => {
  it('runs the bundle with the environment the stack deploys', () => {
    expect(fn.environment.NODE_OPTIONS).toContain('--enable-source-maps');
    expect(fn.memoryMiB).toBe(1024);
  });

  it('makes exactly the lower bound of calls, converges, and then writes nothing', async () => {
    // 250 accounts: 13 pages of 20, three batches of 100 per region and read, 249 members to change.
    const result = await runScenario(fn, { accounts: 250, regions: 2, latencyMs: 0, ratePerSecond: 1000 });

    expect(result.worstCase.operations).toEqual({
      GetParameter: { calls: 2, lowerBound: 2, throttled: 0 },
      ListAccounts: { calls: 13, lowerBound: 13, throttled: 0 },
      ListRegions: { calls: 1, lowerBound: 1, throttled: 0 },
      BatchGetAccountStatus: { calls: 6, lowerBound: 6, throttled: 0 },
      BatchGetMemberEc2DeepInspectionStatus: { calls: 6, lowerBound: 6, throttled: 0 },
      GetEc2DeepInspectionConfiguration: { calls: 2, lowerBound: 2, throttled: 0 },
      GetConfiguration: { calls: 2, lowerBound: 2, throttled: 0 },
      // A policy that manages no scan configuration: no member's configuration read, none written.
      UpdateConfiguration: { calls: 0, lowerBound: 0, throttled: 0 },
      GetDelegatedAdminAccount: { calls: 2, lowerBound: 2, throttled: 0 },
      BatchUpdateMemberEc2DeepInspectionStatus: { calls: 6, lowerBound: 6, throttled: 0 },
      UpdateEc2DeepInspectionConfiguration: { calls: 2, lowerBound: 2, throttled: 0 },
      // EC2 scanning is on everywhere: no account to ask the organization's Inspector policy about.
      DescribeEffectivePolicy: { calls: 0, lowerBound: 0, throttled: 0 },
      SendMessageBatch: { calls: 0, lowerBound: 0, throttled: 0 },
    });
    expect(result.worstCase.callRatio).toBe(1);
    expect(result.worstCase.unexpectedCalls).toEqual({});
    expect(result.worstCase.totals).toEqual({
      accounts: 500,
      compliant: 0,
      activated: 500,
      deactivated: 0,
      wouldActivate: 0,
      wouldDeactivate: 0,
      skipped: 0,
      failed: 0,
    });
    expect(result.finalStateMatchesPolicy).toBe(true);
    expect(result.responseViolations).toBe(0);

    expect(result.secondRunWrites).toBe(0);
    expect(result.steadyState.totals.compliant).toBe(500);
    expect(result.steadyState.operations.BatchUpdateMemberEc2DeepInspectionStatus).toEqual({
      calls: 0,
      lowerBound: 0,
      throttled: 0,
    });
    expect(result.steadyState.callRatio).toBe(1);
    expect(result.steadyState.operations.DescribeEffectivePolicy).toEqual({ calls: 0, lowerBound: 0, throttled: 0 });
  });

  it("reports the function process's own memory and timing, not its parent's", async () => {
    const { worstCase } = await runScenario(fn, { accounts: 20, regions: 1, latencyMs: 0, ratePerSecond: 1000 });

    expect(worstCase.peakRssMiB).toBeGreaterThan(20);
    // The jest process that starts it holds far more than a 20-account run; maxRSS would report that.
    expect(worstCase.peakRssMiB * 1024 * 1024).toBeLessThan(process.memoryUsage().rss);
    expect(worstCase.wallSeconds).toBeGreaterThan(0);
    expect(worstCase.floorSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('coverage benchmark scenario', () => {
  it('makes exactly the lower bound of calls, one ListCoverage page per 200 instances a region, counts right, writes nothing', async () => {
    const result = await runCoverageScenario(fn, {
      accounts: 200,
      regions: 2,
      instances: 4_000,
      latencyMs: 0,
      ratePerSecond: 1000,
    });
    expect(result.instances).toBeGreaterThan(3_000);
    expect(result.callRatio).toBe(1);
    expect(result.calls.ListCoverage?.calls).toBe(result.calls.ListCoverage?.lowerBound);
    expect(result.calls.ListCoverage?.lowerBound).toBeGreaterThanOrEqual(Math.ceil(result.instances / COVERAGE_PAGE));
    expect(result.countsMatchGroundTruth).toBe(true);
    expect(result.writeCalls).toBe(0);
  });
});

describe('coverageLowerBounds', () => {
  it('counts the policy, the listing and ListRegions, each region’s status reads and its pages of 200 (at least one, even empty)', () => {
    expect(coverageLowerBounds(10_000, [17_600, 0])).toEqual({
      GetParameter: 1,
      ListAccounts: 500,
      ListRegions: 1,
      BatchGetAccountStatus: 200,
      BatchGetMemberEc2DeepInspectionStatus: 200,
      GetEc2DeepInspectionConfiguration: 2,
      GetConfiguration: 2,
      ListCoverage: 89,
    });
  });
});
