import { COLUMNS, formatRun } from '../../cli/report';
import { runView, scanConfigurationUpdates } from '../../cli/view';
import type { Dependencies, ReconcileRequest } from '../../lambda/reconciler/run/types';
import { reconcile } from '../../lambda/reconciler/run/reconcile';
import { InMemoryDirectory, InMemoryInspector, InMemoryQueue, StaticPolicySource } from '../support/in-memory';
import { accountId, SimulatedOrganization } from '../../local/simulated-organization';

const REGIONS = ['us-east-1', 'eu-west-1'];

/** One organization, a policy with an enforced rule and a report-only rule, and a run of it. */
async function run(dryRun: boolean, failing: ReadonlySet<string> = new Set()) {
  const organization = SimulatedOrganization.generate({ accounts: 120, regions: REGIONS, activated: 0.5, seed: 4 });
  const [enforced, reported] = [...organization.units.keys()] as [string, string];
  const policy = {
    version: 2,
    default: 'ACTIVATED',
    regions: REGIONS,
    rules: [
      { name: 'off', organizationalUnits: [enforced], deepInspection: 'DEACTIVATED' },
      { name: 'trial', organizationalUnits: [reported], deepInspection: 'DEACTIVATED', enforcement: 'report' },
    ],
    guardrails: { maxDeactivationsPerRun: 1000 },
  };
  const inspectors = new Map(
    REGIONS.map((region) => [region, new InMemoryInspector(organization, region, { failingAccounts: failing })]),
  );
  const deps: Dependencies = {
    policy: new StaticPolicySource(JSON.stringify(policy)),
    directory: new InMemoryDirectory(organization),
    inspectorFor: (region) => inspectors.get(region) as InMemoryInspector,
    queue: new InMemoryQueue(),
    now: () => new Date('2026-11-21T12:00:00Z'),
  };
  const request: ReconcileRequest = {
    runId: 'run-1',
    dryRun,
    force: false,
    ownAccountId: organization.delegatedAdminAccountId,
    defaultRegion: 'us-east-1',
  };
  return { result: await reconcile(request, deps), organization };
}

/** The table's header (under the report-only group's line) and its total row, as cells. */
function parseTable(table: string) {
  const lines = table.split('\n');
  return {
    group: lines[0] ?? '',
    header: (lines[1] ?? '').split(/ {2,}/),
    dashes: [...(lines[2] ?? '').matchAll(/-+/g)].map((m) => ({
      from: m.index ?? 0,
      to: (m.index ?? 0) + m[0].length,
    })),
    total: (lines.find((line) => line.startsWith('total ')) ?? '').split(/\s+/),
  };
}

describe('plan and apply print the same words in the table and the JSON', () => {
  it('a plan counts what would change as wouldActivate/wouldDeactivate, apart from report-only rules, in both', async () => {
    const { result } = await run(true);
    const view = runView('plan', result);
    expect(Object.keys(view.totals)).toEqual([
      'accounts',
      'compliant',
      'wouldActivate',
      'wouldDeactivate',
      'reportOnlyWouldActivate',
      'reportOnlyWouldDeactivate',
      'skipped',
      'failed',
    ]);
    // The function's dry-run summary calls a planned change `activated` and a report-only one `wouldActivate`.
    expect(view.totals.wouldActivate).toBe(result.summary.totals.activated);
    expect(view.totals.wouldDeactivate).toBe(result.summary.totals.deactivated);
    expect(view.totals.reportOnlyWouldDeactivate).toBe(result.summary.totals.wouldDeactivate);
    expect(view.totals.wouldDeactivate).toBeGreaterThan(0);
    expect(view.totals.reportOnlyWouldDeactivate).toBeGreaterThan(0);
    expect(view).toMatchObject({ schemaVersion: 1, command: 'plan', written: false });

    const { header, total, group, dashes } = parseTable(formatRun(view));
    expect(header).toEqual(['region', ...Object.keys(view.totals).map((key) => COLUMNS[key as keyof typeof COLUMNS])]);
    expect(header.slice(3, 7)).toEqual(['would activate', 'would deactivate', 'would activate', 'would deactivate']);
    expect(total.slice(1).map(Number)).toEqual(Object.values(view.totals));
    // The second pair is the report-only one: its heading spans those two columns and no other.
    const label = { from: group.search(/\S/), to: group.trimEnd().length };
    expect(group.trim()).toMatch(/report-only \(never written\)/);
    expect(label.from).toBeGreaterThanOrEqual(dashes[5]?.from ?? Infinity);
    expect(label.to).toBeLessThanOrEqual(dashes[6]?.to ?? 0);
  });

  it('an apply counts what it wrote as activated/deactivated, in both', async () => {
    const { result } = await run(false);
    const view = runView('apply', result);
    expect(Object.keys(view.totals)).toEqual([
      'accounts',
      'compliant',
      'activated',
      'deactivated',
      'reportOnlyWouldActivate',
      'reportOnlyWouldDeactivate',
      'skipped',
      'failed',
    ]);
    expect(view.totals.activated).toBe(result.summary.totals.activated);
    const { header, total } = parseTable(formatRun(view));
    expect(header.slice(3, 5)).toEqual(['activated', 'deactivated']);
    expect(total.slice(1).map(Number)).toEqual(Object.values(view.totals));
  });
});

describe('every list that is cut says how many more, and how to see them all', () => {
  it('lists every change, report-only change and failure in the JSON, and the first ten in the table with the rest counted', async () => {
    const { result } = await run(false, new Set(memberIds(60)));
    const view = runView('apply', result);
    const failures = view.failures.length;
    expect(failures).toBeGreaterThan(10);
    expect(view.changes.length).toBe(view.totals.activated + view.totals.deactivated);
    expect(view.reportOnly.length).toBe(view.totals.reportOnlyWouldActivate + view.totals.reportOnlyWouldDeactivate);
    expect(view.failures.length).toBe(view.totals.failed);
    const table = formatRun(view);
    expect(table).toContain(
      `Failures (${failures}; the first 10 here, ${failures - 10} more: --output json lists them all):`,
    );
    expect(table).toContain(
      `Changed (${view.changes.length}; the first 10 here, ${view.changes.length - 10} more: --output json lists them all):`,
    );
    expect(table).toContain(
      `Report-only rules would change (never written) (${view.reportOnly.length}; the first 10 here, ${view.reportOnly.length - 10} more: --output json lists them all):`,
    );
    expect(table).not.toContain('listed above');
  });

  it('says nothing of more when nothing is cut', () => {
    const view = {
      ...runView('plan', {
        summary: {
          runId: 'r',
          dryRun: true,
          totals: {
            accounts: 0,
            compliant: 0,
            activated: 0,
            deactivated: 0,
            wouldActivate: 0,
            wouldDeactivate: 0,
            skipped: 0,
            failed: 0,
          },
          regions: [],
          guardrail: {
            limit: 1,
            wouldDeactivate: 0,
            tripped: false,
            forced: false,
            usedThisRun: 0,
            remaining: { thisRun: 1 },
          },
          changes: [],
          reportOnly: [],
          failures: [],
          omitted: { changes: 0, reportOnly: 0, failures: 0, warnings: 0 },
          queue: { sent: 0, undelivered: 0 },
          warnings: [],
          deadlineReached: false,
        },
        outcomes: [
          {
            kind: 'FAILED',
            accountId: '111122223333',
            region: 'us-east-1',
            reason: 'STATUS_UNREADABLE',
            errorMessage: 'x',
          },
        ],
        undelivered: [],
        problems: [],
      }),
    };
    expect(formatRun(view)).toContain('Failures (1):');
  });
});

/** The ids of the seeded organization's first n member accounts (accountId(1) on). */
function memberIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => accountId(i + 1));
}

describe('the scan configuration in plan and apply is named for what the command did', () => {
  const scanTotals = {
    accounts: 40,
    compliant: 10,
    updated: 25,
    wouldUpdate: 3,
    skipped: 2,
    failed: 0,
    byWrite: { MEMBER: 25, INHERIT_FROM_ADMIN: 0, ADMINISTRATOR: 0 },
    vmScanner: { ACTIVATED: 10, DEACTIVATED: 30, FAILED: 0 },
    scanMode: { EC2_SSM_AGENT_BASED: 0, EC2_HYBRID: 40 },
    skippedByReason: { NOT_INSPECTOR_MEMBER: 2 },
    reads: 38,
  };
  const change = { setting: 'vmScanner' as const, from: 'DEACTIVATED', to: 'ACTIVATED', rule: 'platform' };
  /** A run's result whose summary has scan configuration: one update and one report-only update. */
  const withScan = (dryRun: boolean) =>
    ({
      summary: {
        runId: 'r',
        dryRun,
        totals: {
          accounts: 0,
          compliant: 0,
          activated: 0,
          deactivated: 0,
          wouldActivate: 0,
          wouldDeactivate: 0,
          skipped: 0,
          failed: 0,
        },
        regions: [
          {
            region: 'us-east-1',
            totals: {
              accounts: 0,
              compliant: 0,
              activated: 0,
              deactivated: 0,
              wouldActivate: 0,
              wouldDeactivate: 0,
              skipped: 0,
              failed: 0,
            },
            skipped: {},
            scanConfiguration: scanTotals,
          },
        ],
        guardrail: {
          limit: 1,
          wouldDeactivate: 0,
          tripped: false,
          forced: false,
          usedThisRun: 0,
          remaining: { thisRun: 1 },
        },
        changes: [],
        reportOnly: [],
        failures: [],
        omitted: { changes: 0, reportOnly: 0, failures: 0, warnings: 0 },
        queue: { sent: 0, undelivered: 0 },
        warnings: [],
        deadlineReached: false,
        scanConfiguration: scanTotals,
        scanConfigurationChanges: [
          { accountId: '111122223333', region: 'us-east-1', kind: 'UPDATE', write: 'MEMBER', changes: [change] },
          {
            accountId: '444455556666',
            region: 'us-east-1',
            kind: 'WOULD_UPDATE',
            write: 'MEMBER',
            changes: [{ ...change, rule: 'trial' }],
          },
        ],
      },
      outcomes: [],
      undelivered: [],
      problems: [],
    }) as Parameters<typeof runView>[1];

  it('a plan says wouldUpdate and WOULD_UPDATE for what apply would write, reportOnly… for what is never written', () => {
    const view = runView('plan', withScan(true));
    expect(view.scanConfiguration).toMatchObject({ wouldUpdate: 25, reportOnlyWouldUpdate: 3 });
    expect(view.scanConfiguration).not.toHaveProperty('updated');
    expect(view.regions[0]?.scanConfiguration).toMatchObject({ wouldUpdate: 25, reportOnlyWouldUpdate: 3 });
    expect(view.regions[0]?.scanConfiguration).not.toHaveProperty('updated');
    expect(view.scanConfigurationChanges?.map((entry) => `${entry.accountId} ${entry.kind}`)).toEqual([
      '111122223333 WOULD_UPDATE',
      '444455556666 REPORT_ONLY_WOULD_UPDATE',
    ]);
    expect(scanConfigurationUpdates(view).map((entry) => entry.accountId)).toEqual(['111122223333']);
  });

  it('an apply says updated and UPDATE for what it wrote, reportOnly… for what is never written', () => {
    const view = runView('apply', withScan(false));
    expect(view.scanConfiguration).toMatchObject({ updated: 25, reportOnlyWouldUpdate: 3 });
    expect(view.scanConfiguration).not.toHaveProperty('wouldUpdate');
    expect(view.scanConfigurationChanges?.map((entry) => `${entry.accountId} ${entry.kind}`)).toEqual([
      '111122223333 UPDATE',
      '444455556666 REPORT_ONLY_WOULD_UPDATE',
    ]);
    expect(scanConfigurationUpdates(view).map((entry) => entry.accountId)).toEqual(['111122223333']);
  });

  it('the table counts the same as the JSON', () => {
    expect(formatRun(runView('plan', withScan(true)))).toContain('25 would update, 3 report-only');
    expect(formatRun(runView('apply', withScan(false)))).toContain('25 updated, 3 report-only');
  });
});
