import { runFindingsScenario } from '../../bench/findings';
import { buildFunction, type DeployedFunction } from '../../local/bundle';

/** The findings benchmark's harness at a size a test can afford: what it counts and checks must hold here too. */

let fn: DeployedFunction;

beforeAll(() => {
  fn = buildFunction({ securityHubFindings: true });
});

describe('findings benchmark scenario', () => {
  it('refuses a bundle built without securityHubFindings: it would measure nothing', async () => {
    const without = { ...fn, environment: { ...fn.environment, SECURITY_HUB_FINDINGS: '' } };
    await expect(
      runFindingsScenario(without, {
        accounts: 10,
        regions: 1,
        latencyMs: 0,
        ratePerSecond: 1000,
        exceptionEvery: 100,
        repeats: 1,
      }),
    ).rejects.toThrow(/securityHubFindings/);
  });

  it('imports every exception once, then makes exactly the lower bound of Security Hub calls and no import; none with the findings off', async () => {
    // 300 accounts: EC2 scanning off in accounts 50, 150 and 250, in both regions.
    const result = await runFindingsScenario(fn, {
      accounts: 300,
      regions: 2,
      // A latency of its own, so that the step's span is never 0 when its one read a region lands in one millisecond.
      latencyMs: 1,
      ratePerSecond: 1000,
      exceptionEvery: 100,
      repeats: 1,
    });

    expect(result.exceptions).toBe(6);
    expect(result.firstRun.securityHub).toEqual({
      // Per region one page of open findings, and one look-up of the 3 new exceptions among the archived.
      GetFindings: { calls: 4, lowerBound: 4, throttled: 0 },
      BatchImportFindings: { calls: 2, lowerBound: 2, throttled: 0 },
    });
    expect(result.steadyOn[0]?.securityHub).toEqual({
      GetFindings: { calls: 2, lowerBound: 2, throttled: 0 },
      BatchImportFindings: { calls: 0, lowerBound: 0, throttled: 0 },
    });
    expect(result.steadyOff[0]?.securityHub).toBeUndefined();
    // The step's span is measured where it ran, and not where it did not.
    expect(result.steadyOn[0]?.findingsStepSeconds).toBeGreaterThan(0);
    expect(result.steadyOff[0]?.findingsStepSeconds).toBeUndefined();
    expect(result.steadyOn[0]?.toFirstSecurityHubCallMs).toBeGreaterThanOrEqual(0);
    expect(result.steadyOff[0]?.toFirstSecurityHubCallMs).toBeUndefined();
    for (const run of [result.firstRun, ...result.steadyOff, ...result.steadyOn]) {
      expect(run.afterReconcileSeconds).toBeGreaterThan(0);
      expect(run.afterReconcileSeconds).toBeLessThan(run.wallSeconds + 5);
    }
    expect(result.callsWhileOff).toBe(0);
    for (const run of [result.firstRun, ...result.steadyOff, ...result.steadyOn]) {
      expect(run.unexpectedCalls).toEqual({});
      expect(run.callRatio).toBe(1);
      expect(run.totals).toMatchObject({ skipped: 6, failed: 0, activated: 0 });
    }
    expect(result.findingsMatchExceptions).toBe(true);
    expect(result.responseViolations).toBe(0);
  });
});
