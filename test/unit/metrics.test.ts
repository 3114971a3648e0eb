import { CoverageTally } from '../../lambda/reconciler/coverage/tally';
import { METRICS_NAMESPACE } from '../../lambda/reconciler/observability/names';
import { publishCoverageMetrics, publishRunMetrics, regionTotals } from '../../lambda/reconciler/observability/metrics';
import type { Outcome } from '../../lambda/reconciler/model';
import type { ScanConfigurationOutcome } from '../../lambda/reconciler/scan-configuration/outcome';
import { summarize } from '../../lambda/reconciler/run/summary';
import { emitted } from '../support/emf';

const region = 'eu-west-1';
const outcomes: Outcome[] = [
  { kind: 'COMPLIANT', accountId: '111111111111', region, state: 'ACTIVATED' },
  { kind: 'COMPLIANT', accountId: '222222222222', region, state: 'DEACTIVATED' },
  { kind: 'ACTIVATE', accountId: '333333333333', region, from: 'DEACTIVATED', to: 'ACTIVATED' },
  { kind: 'SKIPPED', accountId: '444444444444', region, reason: 'EC2_SCANNING_NOT_ENABLED', detail: 'DISABLED' },
  { kind: 'SKIPPED', accountId: '555555555555', region, reason: 'NOT_INSPECTOR_MEMBER' },
  { kind: 'FAILED', accountId: '666666666666', region, reason: 'UPDATE_FAILED', desired: 'ACTIVATED' },
];
const guardrail = {
  limit: 50,
  wouldDeactivate: 0,
  tripped: false,
  forced: false,
  usedThisRun: 0,
  remaining: { thisRun: 50 },
};
const summaryOf = (dryRun: boolean) =>
  summarize({ runId: 'r', dryRun, regions: [{ region, outcomes }], guardrail, queue: { sent: 1, undelivered: 0 } });

/** metric name → { value, dimensions } across all EMF documents. */
function byName(documents: Record<string, unknown>[]) {
  const result: Record<string, { value: unknown; dimensions: Record<string, unknown> }[]> = {};
  for (const doc of documents) {
    const aws = doc._aws as {
      CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
    };
    for (const directive of aws.CloudWatchMetrics) {
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      const names = directive.Dimensions.flat();
      const dimensions = Object.fromEntries(names.map((name) => [name, doc[name]]));
      for (const metric of directive.Metrics)
        (result[metric.Name] ??= []).push({ value: doc[metric.Name], dimensions });
    }
  }
  return result;
}

describe('publishRunMetrics', () => {
  it('publishes the run, and per region only its coverage: the other per-region counts are log lines, not metrics', () => {
    const metrics = byName(
      emitted((m) => publishRunMetrics(m, { summary: summaryOf(false), outcomes, succeeded: true, durationMs: 1234 })),
    );
    expect(metrics.RunsCompleted).toEqual([{ value: 1, dimensions: { service: 'svc' } }]);
    expect(metrics.RunDuration).toEqual([{ value: 1234, dimensions: { service: 'svc' } }]);
    expect(metrics.GuardrailTripped).toEqual([{ value: 0, dimensions: { service: 'svc' } }]);
    // One series a region, so the dashboard's search finds every region the policy has now.
    expect(metrics.DeepInspectionCoverage).toEqual([{ value: 50, dimensions: { service: 'svc', Region: region } }]);
    const perRegion = Object.values(metrics).filter((series) => series.some((s) => 'Region' in s.dimensions));
    expect(perRegion).toEqual([metrics.DeepInspectionCoverage]);
  });

  it('gives each region’s counts as one record for the log: outcomes, skips by reason, active, eligible, coverage', () => {
    expect(regionTotals({ summary: summaryOf(false), outcomes })).toEqual([
      {
        region,
        totals: {
          accounts: 6,
          compliant: 2,
          activated: 1,
          deactivated: 0,
          wouldActivate: 0,
          wouldDeactivate: 0,
          skipped: 2,
          failed: 1,
        },
        skipped: { EC2_SCANNING_NOT_ENABLED: 1, NOT_INSPECTOR_MEMBER: 1 },
        // Active after the run: compliant-and-on plus activated. Eligible: all but the two that cannot have it.
        deepInspectionActive: 2,
        eligible: 4,
        coverage: 50,
      },
    ]);
  });

  it('publishes what report-only rules would change, and the policy’s expiring rules and warnings', () => {
    const reportOnly: Outcome[] = [
      ...outcomes,
      { kind: 'WOULD_DEACTIVATE', accountId: '777777777777', region, from: 'ACTIVATED', to: 'DEACTIVATED', rule: 't' },
      { kind: 'WOULD_ACTIVATE', accountId: '888888888888', region, from: 'DEACTIVATED', to: 'ACTIVATED', rule: 't' },
    ];
    const summary = summarize({
      runId: 'r',
      dryRun: false,
      regions: [{ region, outcomes: reportOnly }],
      guardrail,
      queue: { sent: 1, undelivered: 0 },
      warnings: [
        { kind: 'EXPIRING_RULE', path: '$.rules[0].expires', message: 'expires soon' },
        { kind: 'UNKNOWN_ACCOUNT', path: '$.rules[1].accounts[0]', message: 'not in the organization' },
      ],
    });
    const metrics = byName(
      emitted((m) => publishRunMetrics(m, { summary, outcomes: reportOnly, succeeded: true, durationMs: 1 })),
    );
    const [record] = regionTotals({ summary, outcomes: reportOnly });
    expect(record?.totals).toMatchObject({ wouldActivate: 1, wouldDeactivate: 1 });
    expect(metrics.ExpiringRules).toEqual([{ value: 1, dimensions: { service: 'svc' } }]);
    expect(metrics.PolicyWarnings).toEqual([{ value: 2, dimensions: { service: 'svc' } }]);
    // A report-only account still on counts as active; both are eligible.
    expect(record).toMatchObject({ deepInspectionActive: 3, eligible: 6 });
  });

  it('does not count a run that must be marked failed as completed', () => {
    const metrics = byName(
      emitted((m) => publishRunMetrics(m, { summary: summaryOf(false), outcomes, succeeded: false, durationMs: 1 })),
    );
    expect(metrics.RunsCompleted).toBeUndefined();
    expect(metrics.DeepInspectionCoverage).toHaveLength(1);
  });

  it('publishes every run how many of its regions this account has not enabled, 0 included, so the alarm recovers', () => {
    const notEnabled: Outcome[] = [
      {
        kind: 'FAILED',
        accountId: '111111111111',
        region: 'eu-south-2',
        reason: 'REGION_NOT_ENABLED',
        desired: 'ACTIVATED',
      },
    ];
    const enabling: Outcome[] = [
      {
        kind: 'FAILED',
        accountId: '111111111111',
        region: 'me-central-1',
        reason: 'REGION_NOT_ENABLED',
        desired: 'ACTIVATED',
      },
    ];
    const summary = summarize({
      runId: 'r',
      dryRun: false,
      regions: [
        { region, outcomes },
        {
          region: 'eu-south-2',
          outcomes: notEnabled,
          error: 'not enabled',
          errorVerdict: 'PERMANENT',
          notEnabled: true,
        },
        // Being enabled is transient: the run is retried, and this alarm is not the one to tell.
        { region: 'me-central-1', outcomes: enabling, error: 'enabling', errorVerdict: 'TRANSIENT', notEnabled: true },
      ],
      guardrail,
      queue: { sent: 0, undelivered: 0 },
    });
    const all = [...outcomes, ...notEnabled, ...enabling];

    const metrics = byName(
      emitted((m) => publishRunMetrics(m, { summary, outcomes: all, succeeded: true, durationMs: 1 })),
    );
    const none = byName(
      emitted((m) => publishRunMetrics(m, { summary: summaryOf(false), outcomes, succeeded: true, durationMs: 1 })),
    );

    expect(metrics.RegionsNotEnabled).toEqual([{ value: 1, dimensions: { service: 'svc' } }]);
    expect(none.RegionsNotEnabled).toEqual([{ value: 0, dimensions: { service: 'svc' } }]);
  });

  it('publishes every run how many of its regions this account is not Inspector’s delegated administrator in, 0 included', () => {
    const failed: Outcome[] = [
      {
        kind: 'FAILED',
        accountId: '111111111111',
        region: 'eu-west-1',
        reason: 'REGION_UNREADABLE',
        desired: 'ACTIVATED',
      },
    ];
    const summary = summarize({
      runId: 'r',
      dryRun: false,
      regions: [
        { region, outcomes },
        {
          region: 'eu-west-1',
          outcomes: failed,
          error: 'not the administrator',
          errorVerdict: 'PERMANENT',
          notDelegatedAdministrator: true,
        },
      ],
      guardrail,
      queue: { sent: 0, undelivered: 0 },
    });

    const metrics = byName(
      emitted((m) =>
        publishRunMetrics(m, { summary, outcomes: [...outcomes, ...failed], succeeded: true, durationMs: 1 }),
      ),
    );
    const none = byName(
      emitted((m) => publishRunMetrics(m, { summary: summaryOf(false), outcomes, succeeded: true, durationMs: 1 })),
    );

    expect(metrics.RegionsNotDelegatedAdministrator).toEqual([{ value: 1, dimensions: { service: 'svc' } }]);
    expect(none.RegionsNotDelegatedAdministrator).toEqual([{ value: 0, dimensions: { service: 'svc' } }]);
  });

  it('publishes every run whether the policy asks for findings the stack does not grant, 0 included', () => {
    const notGranted = summarize({
      runId: 'r',
      dryRun: false,
      regions: [{ region, outcomes }],
      guardrail,
      queue: { sent: 0, undelivered: 0 },
      findings: { notGranted: 'the policy asks for Security Hub findings; the stack grants none' },
    });

    const metrics = byName(
      emitted((m) => publishRunMetrics(m, { summary: notGranted, outcomes, succeeded: true, durationMs: 1 })),
    );
    const none = byName(
      emitted((m) => publishRunMetrics(m, { summary: summaryOf(false), outcomes, succeeded: true, durationMs: 1 })),
    );

    expect(metrics.FindingsNotGranted).toEqual([{ value: 1, dimensions: { service: 'svc' } }]);
    expect(none.FindingsNotGranted).toEqual([{ value: 0, dimensions: { service: 'svc' } }]);
  });

  describe('the scan configuration', () => {
    const observed = (
      vmScanner: 'ACTIVATED' | 'DEACTIVATED' | 'FAILED',
      scanMode: 'EC2_SSM_AGENT_BASED' | 'EC2_HYBRID',
    ) => ({ vmScanner, scanMode, pending: false }) as const;
    const change = {
      setting: 'vmScanner',
      from: 'DEACTIVATED',
      to: 'ACTIVATED',
      rule: 'default',
      enforcement: 'enforce',
    } as const;
    const scanOutcomes: ScanConfigurationOutcome[] = [
      {
        kind: 'COMPLIANT',
        accountId: '111111111111',
        region,
        observed: observed('ACTIVATED', 'EC2_HYBRID'),
        settings: [],
      },
      {
        kind: 'UPDATE',
        accountId: '222222222222',
        region,
        observed: observed('DEACTIVATED', 'EC2_HYBRID'),
        write: 'MEMBER',
        changes: [change],
      },
      {
        kind: 'WOULD_UPDATE',
        accountId: '333333333333',
        region,
        observed: observed('DEACTIVATED', 'EC2_SSM_AGENT_BASED'),
        write: 'MEMBER',
        changes: [{ ...change, enforcement: 'report' }],
      },
      {
        kind: 'SKIPPED',
        accountId: '444444444444',
        region,
        observed: observed('ACTIVATED', 'EC2_HYBRID'),
        reason: 'NARROWING_HELD_BY_GUARDRAIL',
        changes: [{ ...change, from: 'ACTIVATED', to: 'DEACTIVATED' }],
      },
      {
        kind: 'SKIPPED',
        accountId: '555555555555',
        region,
        observed: { ...observed('ACTIVATED', 'EC2_HYBRID'), pending: true },
        reason: 'SCAN_CONFIGURATION_PENDING',
      },
      {
        kind: 'FAILED',
        accountId: '666666666666',
        region,
        observed: observed('FAILED', 'EC2_SSM_AGENT_BASED'),
        reason: 'UPDATE_FAILED',
        errorMessage: 'refused',
        changes: [change],
      },
      {
        kind: 'FAILED',
        accountId: '777777777777',
        region,
        reason: 'CONFIGURATION_UNREADABLE',
        errorMessage: 'throttled',
      },
    ];
    const managed = summarize({
      runId: 'r',
      dryRun: false,
      regions: [{ region, outcomes, scanConfiguration: { outcomes: scanOutcomes, reads: 6 } }],
      guardrail,
      queue: { sent: 1, undelivered: 0 },
    });

    it('publishes the run’s counts of outcomes and of accounts by VM scanner and scan mode as read, without a Region', () => {
      const metrics = byName(
        emitted((m) => publishRunMetrics(m, { summary: managed, outcomes, succeeded: true, durationMs: 1 })),
      );
      const run = (value: number) => [{ value, dimensions: { service: 'svc' } }];
      expect(metrics.ScanConfigurationUpdated).toEqual(run(1));
      expect(metrics.ScanConfigurationWouldUpdate).toEqual(run(1));
      expect(metrics.ScanConfigurationFailed).toEqual(run(2));
      expect(metrics.ScanConfigurationNarrowingHeld).toEqual(run(1));
      expect(metrics.ScanConfigurationPending).toEqual(run(1));
      expect(metrics.VmScannerActivatedAccounts).toEqual(run(3));
      expect(metrics.VmScannerDeactivatedAccounts).toEqual(run(2));
      expect(metrics.VmScannerFailedAccounts).toEqual(run(1));
      expect(metrics.Ec2HybridAccounts).toEqual(run(4));
      expect(metrics.Ec2SsmAgentBasedAccounts).toEqual(run(2));
      // Still one per-region series: the region's scan configuration counts are in its log line.
      const perRegion = Object.values(metrics).filter((series) => series.some((s) => 'Region' in s.dimensions));
      expect(perRegion).toEqual([metrics.DeepInspectionCoverage]);
    });

    it('publishes every count of a managed run, 0 included, so that a line falls to 0 and the alarm recovers', () => {
      const quiet = summarize({
        runId: 'r',
        dryRun: false,
        regions: [
          {
            region,
            outcomes,
            scanConfiguration: { outcomes: [scanOutcomes[0] as ScanConfigurationOutcome], reads: 1 },
          },
        ],
        guardrail,
        queue: { sent: 0, undelivered: 0 },
      });
      const metrics = byName(
        emitted((m) => publishRunMetrics(m, { summary: quiet, outcomes, succeeded: true, durationMs: 1 })),
      );
      expect(metrics.VmScannerFailedAccounts).toEqual([{ value: 0, dimensions: { service: 'svc' } }]);
      expect(metrics.ScanConfigurationFailed).toEqual([{ value: 0, dimensions: { service: 'svc' } }]);
    });

    it('publishes no scan configuration series at all when the policy manages none', () => {
      const metrics = byName(
        emitted((m) => publishRunMetrics(m, { summary: summaryOf(false), outcomes, succeeded: true, durationMs: 1 })),
      );
      expect(Object.keys(metrics).filter((name) => /ScanConfiguration|VmScanner|Ec2/.test(name))).toEqual([]);
    });

    it('puts each region’s scan configuration counts in its region totals record', () => {
      const [record] = regionTotals({ summary: managed, outcomes });
      expect(record?.scanConfiguration).toMatchObject({
        accounts: 7,
        updated: 1,
        failed: 2,
        vmScanner: { ACTIVATED: 3, DEACTIVATED: 2, FAILED: 1 },
        scanMode: { EC2_SSM_AGENT_BASED: 2, EC2_HYBRID: 4 },
        skippedByReason: { NARROWING_HELD_BY_GUARDRAIL: 1, SCAN_CONFIGURATION_PENDING: 1 },
      });
      expect(regionTotals({ summary: summaryOf(false), outcomes })[0]).not.toHaveProperty('scanConfiguration');
    });
  });

  it('publishes nothing for a dry run', () => {
    expect(
      emitted((m) => publishRunMetrics(m, { summary: summaryOf(true), outcomes, succeeded: true, durationMs: 1 })),
    ).toEqual([]);
  });
});

describe('publishCoverageMetrics', () => {
  it('publishes per region the counts, the effective coverage and each reason, and the regions below the minimum', () => {
    const tally = new CoverageTally(new Map([['111111111111', true]]), region);
    tally.add([
      { accountId: '111111111111', scanStatus: { statusCode: 'ACTIVE', reason: 'SUCCESSFUL' }, platform: 'LINUX' },
      { accountId: '111111111111', scanStatus: { statusCode: 'INACTIVE', reason: 'UNMANAGED_EC2_INSTANCE' } },
      { accountId: '111111111111', scanStatus: { statusCode: 'INACTIVE', reason: 'EC2_INSTANCE_STOPPED' } },
    ]);
    const unreadable = { ...new CoverageTally(new Map(), 'us-east-1').summary(), error: 'AccessDeniedException: no' };
    const summary = {
      runId: 'c',
      totals: { instances: 3, deepInspected: 1, fixable: 1, expected: 1, vmScannerNotScanning: 0 },
      regions: [tally.summary(), unreadable],
      minimumEffectivePercent: 90,
      regionsBelowMinimum: [region],
      deadlineReached: false,
    };

    const metrics = byName(emitted((m) => publishCoverageMetrics(m, summary)));

    const regional = { service: 'svc', Region: region };
    expect(metrics.CoverageMeasured).toEqual([{ value: 1, dimensions: { service: 'svc' } }]);
    expect(metrics.RegionsBelowCoverageMinimum).toEqual([{ value: 1, dimensions: { service: 'svc' } }]);
    expect(metrics.InstancesDeepInspected).toEqual([{ value: 1, dimensions: regional }]);
    expect(metrics.InstancesFixable).toEqual([{ value: 1, dimensions: regional }]);
    expect(metrics.InstancesExpected).toEqual([{ value: 1, dimensions: regional }]);
    expect(metrics.EffectiveCoverage).toEqual([{ value: 50, dimensions: regional }]);
    expect(metrics.InstancesNotDeepInspected).toEqual([
      { value: 1, dimensions: { ...regional, Reason: 'UNMANAGED_EC2_INSTANCE' } },
      { value: 1, dimensions: { ...regional, Reason: 'EC2_INSTANCE_STOPPED' } },
    ]);
  });
});
