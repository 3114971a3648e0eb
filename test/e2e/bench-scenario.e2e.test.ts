import { COVERAGE_PAGE, coverageLowerBounds, runCoverageScenario } from '../../bench/coverage';
import { runScanConfigurationScenario } from '../../bench/scan-configuration';
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

describe('scan configuration benchmark scenario', () => {
  it('makes exactly the lower bound of calls in every run, converges within a day of runs and one, and reads each member once a day', async () => {
    // 250 accounts, 2 regions, a schedule of 6 hours (4 runs a day), one member in 10 configured on its own.
    const result = await runScanConfigurationScenario(fn, {
      accounts: 250,
      regions: 2,
      latencyMs: 0,
      ratePerSecond: 1000,
      schedulePeriodSeconds: 6 * 3600,
      stragglerEvery: 10,
    });
    const runs = [result.steadyState, ...result.change, result.withoutScanConfiguration];
    for (const run of runs) {
      expect({ run: run.name, ratio: run.measurement.callRatio, unexpected: run.measurement.unexpectedCalls }).toEqual({
        run: run.name,
        ratio: 1,
        unexpected: {},
      });
      for (const count of Object.values(run.measurement.operations)) expect(count.calls).toBe(count.lowerBound);
      expect(run.deadlineReached).toBe(false);
    }
    // The steady state reads its window of the day: about a quarter of the 249 members, in each region.
    const steady = result.steadyState.measurement.operations.GetConfiguration;
    expect(steady.calls).toBeGreaterThan(2 + 2 * 30);
    expect(steady.calls).toBeLessThan(2 + 2 * 100);
    expect(result.steadyState.measurement.operations.UpdateConfiguration.calls).toBe(0);

    // Run 1 writes the administrator's configuration, once a region; the members it reads follow it.
    const [first, ...later] = result.change;
    expect(first?.scanConfiguration?.byWrite).toEqual({ MEMBER: 0, INHERIT_FROM_ADMIN: 0, ADMINISTRATOR: 2 });
    expect(first?.scanConfiguration?.skippedByReason.FOLLOWS_ADMINISTRATOR).toBeGreaterThan(0);
    // Later runs reset each individually configured member their window reads, and write nothing else.
    expect(later.every((run) => run.scanConfiguration?.byWrite.MEMBER === 0)).toBe(true);
    expect(later.every((run) => run.scanConfiguration?.byWrite.ADMINISTRATOR === 0)).toBe(true);
    expect(later.reduce((sum, run) => sum + (run.scanConfiguration?.byWrite.INHERIT_FROM_ADMIN ?? 0), 0)).toBe(
      result.stragglers * 2,
    );
    // A member the first run read while the administrator's write was made waits for its window the next day.
    expect(result.runsToConverge).toBe(4 + 1);
    expect(result.change.at(-1)?.differing).toBe(0);
    // Four consecutive windows tile the day: every member read once in each region.
    expect(result.memberReadsInADay).toBe(249 * 2);

    // A policy that manages no scan configuration: the region's own GetConfiguration alone, as before.
    expect(result.withoutScanConfiguration.measurement.operations.GetConfiguration.calls).toBe(2);
    expect(result.withoutScanConfiguration.measurement.operations.UpdateConfiguration.calls).toBe(0);
    expect(result.withoutScanConfiguration.scanConfiguration).toBeUndefined();
    expect(result.responseViolations).toBe(0);
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
