import { BatchUpdateFindingsCommand, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { paceSecurityHub, SecurityHubRegion } from '../../lambda/reconciler/aws/securityhub';
import { FIELD, findingId } from '../../lambda/reconciler/findings/asff';
import { findingsGate, syncFindings, type SyncFindingsInput } from '../../lambda/reconciler/findings/sync';
import type { Outcome } from '../../lambda/reconciler/model';
import { validatePolicy } from '../../lambda/reconciler/policy/schema';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { accountId, SimulatedOrganization } from '../../local/simulated-organization';

/**
 * The findings step against the local endpoint through the real SDK client, as issue 18's "Done when"
 * scripts it: an exception appears, persists, is worked on by a person, is fixed; a region unreadable,
 * a scoped run and a plan leave the other findings alone; with the feature off nothing is called.
 */

const HOME = 'eu-west-1';
const OTHER = 'us-east-1';
const REGIONS = [HOME, OTHER];
const X = accountId(1);
const Y = accountId(2);
const Z = accountId(3);
const T1 = accountId(4);
const T2 = accountId(5);
const START = Date.parse('2026-11-24T10:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const policy = validatePolicy(
  {
    version: 2,
    default: 'ACTIVATED',
    rules: [{ name: 'trial', accounts: [T1, T2], deepInspection: 'ACTIVATED', enforcement: 'report' }],
  },
  'test',
);

let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let clients: Map<string, SecurityHubClient>;
const savedEnv = { ...process.env };

beforeEach(async () => {
  organization = SimulatedOrganization.generate({ accounts: 8, regions: REGIONS });
  endpoint = await LocalAwsEndpoint.start(organization);
  Object.assign(process.env, endpoint.environment());
  // One client per region for the whole test, as a Lambda container keeps them: its pacing holds across runs.
  clients = new Map(
    REGIONS.map((region) => [region, paceSecurityHub(new SecurityHubClient({ region, maxAttempts: 3 }))]),
  );
});

afterEach(async () => {
  for (const client of clients.values()) client.destroy();
  await endpoint.close();
  process.env = { ...savedEnv };
  // Every answer the adapter got conformed to Security Hub's model.
  if (endpoint.violations.length > 0) {
    throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
  }
});

const compliant = (accountIdValue: string, region = HOME): Outcome => ({
  kind: 'COMPLIANT',
  accountId: accountIdValue,
  region,
  rule: 'default',
  state: 'ACTIVATED',
});
const notMember = (accountIdValue: string, region = HOME): Outcome => ({
  kind: 'SKIPPED',
  accountId: accountIdValue,
  region,
  rule: 'default',
  reason: 'NOT_INSPECTOR_MEMBER',
});
const wouldActivate = (accountIdValue: string, region = HOME): Outcome => ({
  kind: 'WOULD_ACTIVATE',
  accountId: accountIdValue,
  region,
  rule: 'trial',
  from: 'DEACTIVATED',
  to: 'ACTIVATED',
});
/** Every account in both regions: X's exception in HOME as given, the report-only rule's mismatches, the rest compliant. */
const run = (x: Outcome, extra: Outcome[] = []): Outcome[] => [
  x,
  compliant(X, OTHER),
  ...[Y, Z].flatMap((id) => [compliant(id), compliant(id, OTHER)]),
  ...[T1, T2].flatMap((id) => [wouldActivate(id), wouldActivate(id, OTHER)]),
  ...extra,
];
const fullScope = { regions: REGIONS, readRegions: REGIONS, wholeOrganization: true };

async function sync(outcomes: Outcome[], at: number, overrides: Partial<SyncFindingsInput> = {}) {
  return syncFindings(
    {
      outcomes,
      policy,
      scope: fullScope,
      dryRun: false,
      now: new Date(at),
      ownAccountId: organization.delegatedAdminAccountId,
      ...overrides,
    },
    { securityHubFor: (region) => new SecurityHubRegion(clients.get(region) as SecurityHubClient) },
  );
}

/** What Security Hub holds in a region, every record state, as a person's console would list it. */
const stored = (region = HOME) =>
  endpoint.state.securityHub.findingsIn(region) as (Record<string, unknown> & {
    ProductFields: Record<string, string>;
  })[];
const xFindingId = findingId({
  kind: 'ACCOUNT',
  reason: 'NOT_INSPECTOR_MEMBER',
  accountId: X,
  region: HOME,
  severity: 'HIGH',
  status: 'FAILED',
});
const xFinding = () => endpoint.state.securityHub.finding(xFindingId) as Record<string, unknown> | undefined;
const securityHubCalls = () =>
  ['DescribeHub', 'GetFindings', 'BatchImportFindings', 'BatchUpdateFindings'].reduce(
    (sum, operation) => sum + endpoint.callCount(operation),
    0,
  );

describe('findings against the local Security Hub, as the issue scripts them', () => {
  it('an exception appears: one ACTIVE finding with the fields, in the region it is about', async () => {
    const report = await sync(run(notMember(X)), START);

    const admin = organization.delegatedAdminAccountId;
    const accountFindings = stored().filter((f) => f.ProductFields[FIELD.kind] === 'ACCOUNT');
    expect(accountFindings).toEqual([
      expect.objectContaining({
        Id: xFindingId,
        ProductArn: `arn:aws:securityhub:${HOME}:${admin}:product/${admin}/default`,
        GeneratorId: 'deep-inspection-reconciler',
        AwsAccountId: admin,
        Region: HOME,
        RecordState: 'ACTIVE',
        Compliance: { Status: 'FAILED' },
        Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${X}`, Partition: 'aws', Region: HOME }],
        FindingProviderFields: expect.objectContaining({ Severity: { Label: 'HIGH', Original: 'HIGH' } }),
        // Security Hub fills the top level from FindingProviderFields for a new finding.
        Severity: expect.objectContaining({ Label: 'HIGH' }),
        Types: ['Software and Configuration Checks/AWS Security Best Practices'],
        Workflow: { Status: 'NEW' },
        Remediation: {
          Recommendation: expect.objectContaining({
            Url: expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\//),
          }),
        },
        ProductFields: expect.objectContaining({ [FIELD.reason]: 'NOT_INSPECTOR_MEMBER', [FIELD.rule]: 'default' }),
      }),
    ]);
    // The report-only rule: one finding per region naming both its accounts, not one per account.
    for (const region of REGIONS) {
      expect(stored(region).filter((f) => f.ProductFields[FIELD.kind] === 'RULE')).toEqual([
        expect.objectContaining({
          ProductFields: expect.objectContaining({ [`${FIELD.accounts}/0`]: [T1, T2].sort().join(',') }),
        }),
      ]);
    }
    expect(report).toMatchObject({ imported: 3, archived: 0, failed: 0 });
  });

  it('the exception persists: not duplicated, not re-imported without a change; the steady state costs one read a region', async () => {
    await sync(run(notMember(X)), START);
    const before = xFinding()?.UpdatedAt;
    endpoint.resetCounters();

    const report = await sync(run(notMember(X)), START + HOUR);

    expect(endpoint.callCount('BatchImportFindings')).toBe(0);
    // GetFindings answers for Security Hub itself: no DescribeHub first.
    expect(endpoint.callCount('DescribeHub')).toBe(0);
    expect(report).toMatchObject({ imported: 0, unchanged: 3, calls: 2 });
    expect(stored().filter((f) => f.Id === xFindingId)).toHaveLength(1);
    expect(xFinding()?.UpdatedAt).toBe(before);
  });

  it("a person's workflow status and note survive the next runs, refreshes included", async () => {
    await sync(run(notMember(X)), START);
    const home = clients.get(HOME) as SecurityHubClient;
    await home.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [{ Id: xFindingId, ProductArn: xFinding()?.ProductArn as string }],
        Workflow: { Status: 'SUPPRESSED' },
        Note: { Text: 'accepted until the account is migrated', UpdatedBy: 'alice' },
      }),
    );

    await sync(run(notMember(X)), START + HOUR);
    const refreshed = await sync(run(notMember(X)), START + 8 * DAY); // due for refresh: re-imported

    expect(refreshed.imported).toBeGreaterThanOrEqual(1);
    expect(xFinding()).toMatchObject({
      Workflow: { Status: 'SUPPRESSED' },
      Note: { Text: 'accepted until the account is migrated', UpdatedBy: 'alice' },
      UpdatedAt: new Date(START + 8 * DAY).toISOString(),
      CreatedAt: new Date(START).toISOString(),
    });
  });

  it('the exception is fixed: ARCHIVED with Compliance PASSED, and no longer among the open findings', async () => {
    await sync(run(notMember(X)), START);

    const report = await sync(run(compliant(X)), START + HOUR);

    expect(report.archived).toBe(1);
    expect(xFinding()).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
    const open = await (clients.get(HOME) as SecurityHubClient).send(
      new GetFindingsCommand({ Filters: { RecordState: [{ Comparison: 'EQUALS', Value: 'ACTIVE' }] } }),
    );
    expect(open.Findings?.map((f) => f.Id)).not.toContain(xFindingId);
  });

  it('an exception that comes back keeps its history: CreatedAt and FirstObservedAt of its first import', async () => {
    await sync(run(notMember(X)), START);
    await sync(run(compliant(X)), START + HOUR);
    expect(xFinding()).toMatchObject({ RecordState: 'ARCHIVED' });
    endpoint.resetCounters();

    const report = await sync(run(notMember(X)), START + 2 * HOUR);

    expect(report.imported).toBe(1);
    expect(xFinding()).toMatchObject({
      RecordState: 'ACTIVE',
      Compliance: { Status: 'FAILED' },
      CreatedAt: new Date(START).toISOString(),
      FirstObservedAt: new Date(START).toISOString(),
      UpdatedAt: new Date(START + 2 * HOUR).toISOString(),
      LastObservedAt: new Date(START + 2 * HOUR).toISOString(),
    });
    // The look-up of the archived finding is one more read, in the region where it reopened, only then.
    expect(endpoint.callCount('GetFindings', HOME)).toBe(2);
    expect(endpoint.callCount('GetFindings', OTHER)).toBe(1);
  });

  it("a report-only rule's finding holds still while one of its accounts is in transition", async () => {
    await sync(run(notMember(X)), START);
    const ruleFinding = () => stored().find((f) => f.ProductFields[FIELD.kind] === 'RULE');
    const before = JSON.stringify(ruleFinding());
    const pending = (id: string, region = HOME): Outcome => ({
      kind: 'SKIPPED',
      accountId: id,
      region,
      rule: 'trial',
      reason: 'DEEP_INSPECTION_PENDING',
    });
    endpoint.resetCounters();

    // T1 is between states in HOME: the rule's account list there cannot be told, so its finding is left as it is.
    const outcomes = run(notMember(X)).filter((o) => !(o.accountId === T1 && o.region === HOME));
    const report = await sync([...outcomes, pending(T1)], START + HOUR);

    expect(JSON.stringify(ruleFinding())).toBe(before);
    expect(endpoint.callCount('BatchImportFindings')).toBe(0);
    expect(report).toMatchObject({ imported: 0, archived: 0, untouched: 1 });

    // Only T2 is still mismatched when T1 lands compliant: a real change, imported once.
    const settled = run(notMember(X)).map((o) => (o.accountId === T1 && o.region === HOME ? compliant(T1) : o));
    await sync(settled, START + 2 * HOUR);
    expect(ruleFinding()?.ProductFields[`${FIELD.accounts}/0`]).toBe(T2);
  });

  it('a region taken out of the policy: a complete run archives its open findings; a scoped run leaves them', async () => {
    await sync(
      run(compliant(X)).map((o) => (o.accountId === X && o.region === OTHER ? notMember(X, OTHER) : o)),
      START,
    );
    const inOther = () => stored(OTHER).filter((f) => f.RecordState === 'ACTIVE');
    expect(inOther()).toHaveLength(2); // X's and the rule's
    const homeOnly = (o: Outcome) => o.region === HOME;

    // Scoped to some accounts: OTHER is not swept.
    await sync(run(compliant(X)).filter(homeOnly), START + HOUR, {
      scope: { regions: [HOME], readRegions: [HOME], wholeOrganization: false, sweepRegions: [OTHER] },
    });
    expect(inOther()).toHaveLength(2);

    const report = await sync(run(compliant(X)).filter(homeOnly), START + 2 * HOUR, {
      scope: { regions: [HOME], readRegions: [HOME], wholeOrganization: true, sweepRegions: [OTHER] },
    });
    expect(inOther()).toEqual([]);
    expect(stored(OTHER).every((f) => (f.Compliance as { Status: string }).Status === 'PASSED')).toBe(true);
    expect(report).toMatchObject({ archived: 2, regionsSwept: [OTHER] });
  });

  it('a region swept that has no Security Hub costs one read and no warning', async () => {
    endpoint.state.securityHub.disabledRegions.add(OTHER);
    const report = await sync(
      run(notMember(X)).filter((o) => o.region === HOME),
      START,
      {
        scope: { regions: [HOME], readRegions: [HOME], wholeOrganization: true, sweepRegions: [OTHER] },
      },
    );
    expect(endpoint.callCount('GetFindings', OTHER)).toBe(1);
    expect(report.warnings).toEqual([]);
    expect(report.regionsWithoutSecurityHub).toEqual([]);
  });

  it('a region that could not be read, a run scoped to other accounts, a plan, a run cut off: the other findings untouched', async () => {
    await sync(run(notMember(X)), START);
    const snapshot = () => JSON.stringify([stored(HOME), stored(OTHER)]);
    const before = snapshot();

    // HOME could not be read: not even called; every account there is FAILED REGION_UNREADABLE.
    const unreadable = run(compliant(X)).map((o): Outcome =>
      o.region === HOME ? { kind: 'FAILED', accountId: o.accountId, region: HOME, reason: 'REGION_UNREADABLE' } : o,
    );
    endpoint.resetCounters();
    await sync(unreadable, START + HOUR, { scope: { ...fullScope, readRegions: [OTHER] } });
    expect(securityHubCalls()).toBe(endpoint.callCount('GetFindings', OTHER));
    expect(endpoint.callCount('GetFindings', HOME)).toBe(0);

    // A run scoped to Z: X (not evaluated) and the rule findings (whose account lists it cannot see) stay as they are.
    await sync([compliant(Z), compliant(Z, OTHER)], START + 2 * HOUR, {
      scope: { ...fullScope, wholeOrganization: false },
    });

    // A plan: no call at all.
    endpoint.resetCounters();
    await sync(run(compliant(X)), START + 3 * HOUR, { dryRun: true });
    expect(securityHubCalls()).toBe(0);

    // Cut off by the deadline before X was reached.
    await sync(
      run({ kind: 'FAILED', accountId: X, region: HOME, reason: 'TIMEOUT_NOT_REACHED', desired: 'ACTIVATED' }),
      START + 4 * HOUR,
    );

    expect(snapshot()).toBe(before);
    expect(xFinding()).toMatchObject({ RecordState: 'ACTIVE' });
  });

  it('with cross-region aggregation, a region syncs only its own findings', async () => {
    endpoint.state.securityHub.aggregation = { region: HOME, linked: [OTHER] };
    const onlyIn = (region: string) => ({
      scope: { regions: [region], readRegions: [region], wholeOrganization: false },
    });
    const yId = findingId({
      kind: 'ACCOUNT',
      reason: 'NOT_INSPECTOR_MEMBER',
      accountId: Y,
      region: OTHER,
      severity: 'HIGH',
      status: 'FAILED',
    });
    await sync([notMember(Y, OTHER)], START, onlyIn(OTHER));
    expect(endpoint.state.securityHub.finding(yId)).toMatchObject({ RecordState: 'ACTIVE', Region: OTHER });

    // Y is compliant in HOME, the aggregation region: its sync must not take OTHER's finding for Y as its own.
    const report = await sync([compliant(Y)], START + HOUR, onlyIn(HOME));

    expect(report).toMatchObject({ failed: 0, archived: 0, untouched: 0 });
    expect(endpoint.state.securityHub.finding(yId)).toMatchObject({ RecordState: 'ACTIVE' });
  });

  it('a region without Security Hub: one warning, the others synced, nothing thrown', async () => {
    endpoint.state.securityHub.disabledRegions.add(OTHER);
    const report = await sync(run(notMember(X)), START);
    expect(report.regionsWithoutSecurityHub).toEqual([OTHER]);
    expect(report.warnings).toEqual([expect.stringContaining(`Security Hub CSPM not enabled in ${OTHER}`)]);
    expect(report.warnings[0]).toContain('not subscribed to AWS Security Hub');
    // One call says so: GetFindings' own InvalidAccessException, no DescribeHub, no import.
    expect(endpoint.callCount('GetFindings', OTHER)).toBe(1);
    expect(endpoint.callCount('DescribeHub')).toBe(0);
    expect(endpoint.callCount('BatchImportFindings', OTHER)).toBe(0);
    expect(xFinding()).toMatchObject({ RecordState: 'ACTIVE' });
  });

  it('the feature off: zero Security Hub calls', async () => {
    for (const settings of [
      { stackGranted: false, policyAsks: false },
      { stackGranted: true, policyAsks: false },
      { stackGranted: false, policyAsks: true },
    ]) {
      if (findingsGate(settings).sync) await sync(run(notMember(X)), START);
    }
    expect(securityHubCalls()).toBe(0);
    expect(stored()).toEqual([]);
  });
});
