import { buildFinding } from '../../lambda/reconciler/findings/asff';
import { FINDINGS_METRIC } from '../../lambda/reconciler/observability/names';
import { publishFindingsMetrics } from '../../lambda/reconciler/findings/metrics';
import { findingsGate, syncFindings, type SyncFindingsInput } from '../../lambda/reconciler/findings/sync';
import type { Outcome } from '../../lambda/reconciler/model';
import { validatePolicy } from '../../lambda/reconciler/policy/schema';
import { InMemorySecurityHub } from '../support/in-memory';
import { emitted } from '../support/emf';

const ADMIN = '999999999999';
const A = '111111111111';
const policy = validatePolicy({ version: 2, default: 'ACTIVATED' }, 'test');
const notMember = (region: string, accountId = A): Outcome => ({
  kind: 'SKIPPED',
  accountId,
  region,
  rule: 'default',
  reason: 'NOT_INSPECTOR_MEMBER',
});

/** A region's Security Hub in memory, set up as the test says. */
function fakeHub(options: { enabled?: boolean; failGetFindings?: Error } = {}): InMemorySecurityHub {
  const hub = new InMemorySecurityHub();
  hub.enabled = options.enabled ?? true;
  if (options.failGetFindings) hub.failGetFindings = options.failGetFindings;
  return hub;
}

const input = (overrides: Partial<SyncFindingsInput> = {}): SyncFindingsInput => ({
  outcomes: [notMember('eu-west-1'), notMember('us-east-1')],
  policy,
  scope: { regions: ['eu-west-1', 'us-east-1'], readRegions: ['eu-west-1', 'us-east-1'], wholeOrganization: true },
  dryRun: false,
  now: new Date('2026-11-24T10:00:00.000Z'),
  ownAccountId: ADMIN,
  ...overrides,
});
function hubs(options: Record<string, Parameters<typeof fakeHub>[0]> = {}) {
  const made = new Map<string, InMemorySecurityHub>();
  return {
    made,
    securityHubFor: (region: string) => {
      const hub = made.get(region) ?? fakeHub(options[region]);
      made.set(region, hub);
      return hub;
    },
  };
}

/** A run of the whole policy in its two regions that also sweeps ap-south-1, which the policy no longer names. */
const sweepingApSouth1 = input({
  scope: {
    regions: ['eu-west-1', 'us-east-1'],
    readRegions: ['eu-west-1', 'us-east-1'],
    wholeOrganization: true,
    sweepRegions: ['ap-south-1'],
  },
});

describe('syncFindings', () => {
  it('imports each region’s exceptions into that region, and counts every call', async () => {
    const deps = hubs();
    const report = await syncFindings(input(), deps);
    expect(report).toMatchObject({
      imported: 2,
      archived: 0,
      failed: 0,
      calls: 6,
      exceptions: { NOT_INSPECTOR_MEMBER: 2 },
    });
    expect([...(deps.made.get('eu-west-1')?.open.values() ?? [])]).toEqual([
      expect.objectContaining({ ProductArn: `arn:aws:securityhub:eu-west-1:${ADMIN}:product/${ADMIN}/default` }),
    ]);
  });

  it('makes no import call in a steady state: the same exceptions, open and fresh', async () => {
    const deps = hubs();
    await syncFindings(input(), deps);
    const second = await syncFindings(input({ now: new Date('2026-11-24T11:00:00.000Z') }), deps);
    expect(second).toMatchObject({ imported: 0, archived: 0, unchanged: 2, calls: 2 });
    expect(deps.made.get('eu-west-1')?.log).toEqual([
      'GetFindings',
      // A new exception may be one that comes back: its archived finding is looked up, once.
      'GetFindings ARCHIVED',
      'BatchImportFindings 1',
      'GetFindings',
    ]);
  });

  it('makes no call at all in a dry run', async () => {
    const deps = hubs();
    const report = await syncFindings(input({ dryRun: true }), deps);
    expect(deps.made.size).toBe(0);
    expect(report).toMatchObject({ dryRun: true, calls: 0, imported: 0, exceptions: { NOT_INSPECTOR_MEMBER: 2 } });
  });

  it('never calls a region the run did not evaluate or could not read', async () => {
    const deps = hubs();
    await syncFindings(
      input({ scope: { regions: ['eu-west-1', 'ap-south-1'], readRegions: ['eu-west-1'], wholeOrganization: true } }),
      deps,
    );
    expect([...deps.made.keys()]).toEqual(['eu-west-1']);
  });

  it('warns once for a region without Security Hub, and goes on with the others', async () => {
    const deps = hubs({ 'us-east-1': { enabled: false } });
    const report = await syncFindings(input(), deps);
    expect(report.regionsWithoutSecurityHub).toEqual(['us-east-1']);
    expect(report.warnings).toEqual([expect.stringMatching(/^Security Hub CSPM not enabled in us-east-1: /)]);
    expect(deps.made.get('us-east-1')?.log).toEqual(['GetFindings']);
    expect(report.imported).toBe(1);
  });

  it('reports a region whose findings could not be read, without throwing', async () => {
    const deps = hubs({
      'eu-west-1': { failGetFindings: Object.assign(new Error('denied'), { name: 'AccessDeniedException' }) },
    });
    const report = await syncFindings(input(), deps);
    expect(report.regionErrors).toEqual([{ region: 'eu-west-1', error: 'AccessDeniedException: denied' }]);
    expect(report.imported).toBe(1);
  });

  it('an import refused whole is the region’s error, as docs/findings.md says, not failed findings', async () => {
    const port = fakeHub();
    jest.spyOn(port, 'importFindings').mockResolvedValue({
      imported: [],
      failed: [],
      notReached: [],
      refusedWhole: 'AccessDeniedException: not authorized to perform securityhub:BatchImportFindings',
    });

    const report = await syncFindings(
      input({ scope: { regions: ['us-east-1'], readRegions: ['us-east-1'], wholeOrganization: true } }),
      {
        securityHubFor: () => port,
      },
    );

    expect(report.failed).toBe(0);
    expect(report.regionErrors).toEqual([
      {
        region: 'us-east-1',
        error:
          'BatchImportFindings refused: AccessDeniedException: not authorized to perform securityhub:BatchImportFindings',
      },
    ]);
    expect(report.imported).toBe(0);
  });

  it('a region outside the policy that cannot be swept (a region-deny SCP) is reported apart: no region error, no warning', async () => {
    const denied = Object.assign(new Error('explicit deny in a service control policy'), {
      name: 'AccessDeniedException',
    });
    const deps = hubs({ 'ap-south-1': { failGetFindings: denied } });
    const report = await syncFindings(sweepingApSouth1, deps);
    expect(report.sweepErrors).toEqual([
      { region: 'ap-south-1', error: 'AccessDeniedException: explicit deny in a service control policy' },
    ]);
    expect(report.regionErrors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.imported).toBe(2);
  });

  it('findings a swept region refuses to archive are reported with the sweep, not as failed findings that alarm', async () => {
    const deps = hubs();
    const swept = deps.securityHubFor('ap-south-1');
    const stale = buildFinding(
      {
        kind: 'ACCOUNT',
        reason: 'NOT_INSPECTOR_MEMBER',
        accountId: A,
        region: 'ap-south-1',
        severity: 'HIGH',
        status: 'FAILED',
      },
      { partition: 'aws', ownAccountId: ADMIN, now: '2026-11-01T00:00:00.000Z' },
    );
    swept.open.set(stale.Id, stale);
    jest.spyOn(swept, 'importFindings').mockResolvedValue({
      imported: [],
      failed: [{ id: stale.Id, errorCode: 'AccessDeniedException', errorMessage: 'explicit deny' }],
      notReached: [],
    });

    const report = await syncFindings(sweepingApSouth1, deps);

    expect(report).toMatchObject({ failed: 0, failures: [], archived: 0 });
    expect(report.sweepErrors).toEqual([
      { region: 'ap-south-1', error: '1 finding not archived: AccessDeniedException: explicit deny' },
    ]);
  });

  it('says so when the regions to sweep could not be told, and sweeps nothing', async () => {
    const deps = hubs();
    const report = await syncFindings(
      input({
        scope: {
          regions: ['eu-west-1'],
          readRegions: ['eu-west-1'],
          wholeOrganization: true,
          sweepSkipped: 'ListRegions failed',
        },
      }),
      deps,
    );
    expect(report.sweepSkipped).toBe('ListRegions failed');
    expect([...deps.made.keys()]).toEqual(['eu-west-1']);
  });

  it('starts nothing once the deadline says stop', async () => {
    const deps = hubs();
    const report = await syncFindings(input(), { ...deps, budget: { canContinue: () => false } });
    expect(report).toMatchObject({ calls: 0, regionsNotReached: ['eu-west-1', 'us-east-1'] });
  });
});

describe('findingsGate', () => {
  it.each([
    [{ stackGranted: false, policyAsks: false }, false, false],
    [{ stackGranted: true, policyAsks: false }, false, false],
    [{ stackGranted: true, policyAsks: true }, true, false],
    [{ stackGranted: false, policyAsks: true }, false, true],
  ])('%o: sync %s, warning %s', (settings, sync, warns) => {
    const gate = findingsGate(settings);
    expect(gate.sync).toBe(sync);
    expect(gate.warning !== undefined).toBe(warns);
  });
});

describe('publishFindingsMetrics', () => {
  it('publishes the step, one metric per region without Security Hub, and open exceptions by every reason', async () => {
    const report = await syncFindings(input(), hubs({ 'us-east-1': { enabled: false } }));
    const documents = emitted((metrics) => publishFindingsMetrics(metrics, report));
    const value = (name: string, dimension?: [string, string]) =>
      documents
        .filter((doc) => name in doc && (dimension === undefined || doc[dimension[0]] === dimension[1]))
        .map((doc) => doc[name]);
    expect(value(FINDINGS_METRIC.findingsImported)).toEqual([1]);
    expect(value(FINDINGS_METRIC.securityHubNotEnabled, ['Region', 'us-east-1'])).toEqual([1]);
    // The alarm's metric: no dimension but the service's, every run.
    expect(
      documents.filter((doc) => !('Region' in doc) && !('Reason' in doc)).map((doc) => doc.RegionsWithoutSecurityHub),
    ).toEqual([1]);
    expect(value(FINDINGS_METRIC.openExceptions, ['Reason', 'NOT_INSPECTOR_MEMBER'])).toEqual([2]);
    expect(value(FINDINGS_METRIC.openExceptions, ['Reason', 'UPDATE_FAILED'])).toEqual([0]);
    // Eight deep inspection reasons, three of the scan configuration, two of rules.
    expect(value(FINDINGS_METRIC.openExceptions)).toHaveLength(13);
    expect(value(FINDINGS_METRIC.openExceptions, ['Reason', 'VM_SCANNER_FAILED'])).toEqual([0]);
  });

  it('publishes RegionsWithoutSecurityHub 0 when every region has Security Hub, so its alarm recovers', async () => {
    const report = await syncFindings(input(), hubs());
    const documents = emitted((metrics) => publishFindingsMetrics(metrics, report));
    expect(
      documents
        .filter((doc) => FINDINGS_METRIC.regionsWithoutSecurityHub in doc)
        .map((doc) => doc.RegionsWithoutSecurityHub),
    ).toEqual([0]);
    expect(documents.filter((doc) => FINDINGS_METRIC.securityHubNotEnabled in doc)).toEqual([]);
  });

  it('publishes nothing for a dry run', async () => {
    const report = await syncFindings(input({ dryRun: true }), hubs());
    expect(emitted((metrics) => publishFindingsMetrics(metrics, report))).toEqual([]);
  });
});
