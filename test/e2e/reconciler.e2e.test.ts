import type { RunSummary as Summary } from '../../lambda/reconciler/run/summary';
import { type LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { buildBundle, invokeBundle } from '../../local/bundle';
import { closeWorld, inOwnWorld, POLICY_PARAMETER, startWorld, type World } from '../support/function-environment';

const REGIONS = ['us-east-1', 'eu-west-1'];
const SANDBOX_OU = 'ou-ex12-00000002';
const UNMANAGED = '100000000005';
const PARAMETER = POLICY_PARAMETER;
const policy = {
  version: 1,
  default: 'ACTIVATED',
  regions: REGIONS,
  rules: [
    { name: 'legacy, hands off', accounts: [UNMANAGED], deepInspection: 'UNMANAGED' },
    { name: 'sandbox off', organizationalUnits: [SANDBOX_OU], deepInspection: 'DEACTIVATED' },
  ],
  orgPackagePaths: ['/opt/app/lib'],
  guardrails: { maxDeactivationsPerRun: 1000 },
};

let bundle: string;

// The world of the test running one after another; a concurrent test starts and closes its own.
let world: World;
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;

beforeAll(() => {
  bundle = buildBundle();
});

/** The seeded organization of `accounts` behind an endpoint of its own, the policy in place. */
function seededWorld(accounts: number): Promise<World> {
  const organization = SimulatedOrganization.generate({
    accounts,
    regions: REGIONS,
    depth: 3,
    unitsPerLevel: 2,
    closed: 0.05,
    nonMembers: 0.05,
    ec2ScanningOff: 0.05,
    activated: 0.5,
    seed: 11,
  });
  return startWorld(organization, policy);
}

const run = (event: unknown = {}, w: World = world) =>
  invokeBundle(bundle, event, w.organization.delegatedAdminAccountId, w.env) as Promise<Summary>;
const queued = (w: World = world) => (w.endpoint.state.queues.get(w.queueUrl) ?? []).map((m) => JSON.parse(m.body));

/** What the policy wants, worked out here independently of the reconciler's own planner. */
function expectedState(accountId: string, initial: string, w: World = world): string {
  if (accountId === UNMANAGED) return initial;
  return w.organization.ancestorsOf(accountId).includes(SANDBOX_OU) ? 'DEACTIVATED' : 'ACTIVATED';
}

function eligible(region: string, w: World = world) {
  return w.organization.accounts.filter((account) => {
    const state = w.organization.inspectorAccount(region, account.id);
    return account.state === 'ACTIVE' && state?.member && state.ec2ScanStatus === 'ENABLED';
  });
}

/** Inspector settles updates asynchronously: what it reads once every PENDING update has settled. */
function expectStateMatchesPolicy(initial: Map<string, Map<string, string>>, w: World = world) {
  for (const region of REGIONS) {
    const accounts = eligible(region, w);
    expect(accounts.length).toBeGreaterThan(w.organization.accounts.length * 0.7);
    const eventually = w.organization.deepInspectionStates(region, { eventually: true });
    const wrong = accounts.filter(
      (account) =>
        eventually.get(account.id) !== expectedState(account.id, initial.get(region)?.get(account.id) ?? '', w),
    );
    expect(wrong.map((a) => a.id)).toEqual([]);
  }
}

function expectCountsAddUp(summary: Summary, w: World = world) {
  for (const region of summary.regions) {
    const t = region.totals;
    expect(t.compliant + t.activated + t.deactivated + t.wouldActivate + t.wouldDeactivate + t.skipped + t.failed).toBe(
      w.organization.accounts.length,
    );
    expect(t.accounts).toBe(w.organization.accounts.length);
  }
}

const snapshot = (w: World = world) =>
  new Map(REGIONS.map((region) => [region, new Map(w.organization.deepInspectionStates(region))]));

describe('the bundled function against the local AWS endpoint', () => {
  beforeEach(async () => {
    world = await seededWorld(300);
    ({ endpoint, organization } = world);
  });

  afterEach(() => closeWorld(world));

  it('brings every account to the policy over the real wire protocols, and a second run makes zero writes', async () => {
    // Updates read PENDING until settleNow, however long a run takes on a busy machine.
    endpoint.simulation.pendingMs = Number.POSITIVE_INFINITY;
    const initial = snapshot();

    const first = await run({});

    expectCountsAddUp(first);
    expect(first.totals.activated + first.totals.deactivated).toBeGreaterThan(100);
    expectStateMatchesPolicy(initial);
    expect(REGIONS.map((r) => organization.orgPackagePaths.get(r))).toEqual([['/opt/app/lib'], ['/opt/app/lib']]);
    // 300 accounts: ListAccounts pages of 20; the batch reads in calls of at most 100.
    expect(endpoint.callCount('ListAccounts')).toBe(15);
    expect(endpoint.callCount('BatchGetAccountStatus', 'us-east-1')).toBeLessThanOrEqual(3);
    // ListAccounts' Paths place every account: no tree walk.
    expect(endpoint.callCount('ListRoots')).toBe(0);

    // Right after the apply Inspector still reads PENDING: that run writes nothing and waits.
    endpoint.resetCounters();
    const whilePending = await run({});
    expect(whilePending.totals).toMatchObject({ activated: 0, deactivated: 0, failed: 0 });
    expect(whilePending.regions[0]?.skipped.DEEP_INSPECTION_PENDING).toBeGreaterThan(50);
    expect(endpoint.writeCount()).toBe(0);

    endpoint.settleNow();
    endpoint.resetCounters();
    const second = await run({});
    expect(second.totals).toMatchObject({ activated: 0, deactivated: 0, failed: 0 });
    expect(second.regions.every((r) => r.skipped.DEEP_INSPECTION_PENDING === undefined)).toBe(true);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('report-only rules are read and reported but never written, and an expired exception no longer holds its accounts', async () => {
    const initial = snapshot();
    const exception = eligible('us-east-1').find(
      (a) => a.id !== UNMANAGED && !organization.ancestorsOf(a.id).includes(SANDBOX_OU),
    );
    if (!exception) throw new Error('no account for the exception');
    const v2 = {
      version: 2,
      default: 'ACTIVATED',
      regions: REGIONS,
      rules: [
        { name: 'lapsed exception', accounts: [exception.id], deepInspection: 'UNMANAGED', expires: '2020-01-01' },
        {
          name: 'sandbox trial',
          organizationalUnits: [SANDBOX_OU],
          deepInspection: 'DEACTIVATED',
          enforcement: 'report',
        },
      ],
      guardrails: { maxDeactivationsPerRun: 1000 },
    };
    endpoint.state.parameters.set(PARAMETER, { value: JSON.stringify(v2), version: 2 });

    const summary = await run({});

    expectCountsAddUp(summary);
    expect(summary.totals.deactivated).toBe(0);
    expect(summary.totals.wouldDeactivate).toBeGreaterThan(10);
    expect(summary.warnings).toEqual([expect.objectContaining({ kind: 'EXPIRED_RULE', path: '$.rules[0].expires' })]);
    for (const region of REGIONS) {
      const after = organization.deepInspectionStates(region, { eventually: true });
      const sandboxed = eligible(region).filter((a) => organization.ancestorsOf(a.id).includes(SANDBOX_OU));
      // On the endpoint's own state: not one account under the report-only rule was written.
      expect(sandboxed.filter((a) => after.get(a.id) !== initial.get(region)?.get(a.id))).toEqual([]);
    }
    // The lapsed exception hands its account back to the default.
    expect(organization.deepInspectionStates('us-east-1', { eventually: true }).get(exception.id)).toBe('ACTIVATED');
  });

  it('a dry run reads and plans but makes zero writes', async () => {
    const initial = JSON.stringify([...snapshot()].map(([r, m]) => [r, [...m]]));

    const summary = await run({ dryRun: true });

    expect(summary.changes.length).toBeGreaterThan(100);
    expect(endpoint.writeCount()).toBe(0);
    expect(JSON.stringify([...snapshot()].map(([r, m]) => [r, [...m]]))).toBe(initial);
    expect(queued()).toEqual([]);
  });

  it('a run scoped to a few accounts reads just them, not the organization, and brings them to the policy', async () => {
    const active = (inSandbox: boolean) =>
      organization.accounts.find(
        (account) =>
          account.state === 'ACTIVE' &&
          account.id !== UNMANAGED &&
          organization.ancestorsOf(account.id).includes(SANDBOX_OU) === inSandbox &&
          REGIONS.every((region) => eligible(region).includes(account)),
      )?.id as string;
    const ids = [active(true), active(false), '999999999999'];
    const initial = snapshot();

    const summary = await run({ accountIds: ids });

    expect(endpoint.callCount('ListAccounts')).toBe(0);
    expect(endpoint.callCount('ListAccountsForParent')).toBe(0);
    expect(endpoint.callCount('DescribeAccount')).toBe(3);
    // Each account's parent, then each OU above it once: the OU depth (3 here), not the organization's size.
    expect(endpoint.callCount('ListParents')).toBeLessThanOrEqual(2 + 2 * 3);
    for (const region of REGIONS) {
      const eventually = organization.deepInspectionStates(region, { eventually: true });
      for (const id of ids.slice(0, 2)) {
        expect(eventually.get(id)).toBe(expectedState(id, initial.get(region)?.get(id) ?? ''));
      }
    }
    expect(summary.regions.map((region) => region.totals.accounts)).toEqual(REGIONS.map(() => 3));
    expect(summary.regions.every((region) => region.totals.skipped >= 1)).toBe(true);
  });

  // Concurrent: its world is its own, and it spends most of its time waiting on the SDK's backoff, which the
  // tests that run one after another fill (*Each hooks do not run for a concurrent test).
  it.concurrent('converges with nothing lost when every third call is throttled', () =>
    inOwnWorld(
      () => seededWorld(300),
      async (own) => {
        const initial = snapshot(own);
        own.endpoint.faults.throttleEveryNth = 3;
        // Retry-After: 0, so each retry waits the SDK's own jittered backoff (up to 1 s for a throttle, 0.5 s on
        // average) rather than a whole second: the same throttles and retries, in about 10 s instead of 16. That
        // the endpoint sends Inspector's Retry-After in whole seconds is local-endpoint.test.ts's to show.
        own.endpoint.faults.throttleRetryAfterSeconds = 0;

        const summary = await run({}, own);

        expect(own.endpoint.throttled).toBeGreaterThan(10);
        expect(summary.totals.failed).toBe(0);
        expectCountsAddUp(summary, own);
        expectStateMatchesPolicy(initial, own);
      },
    ),
  );

  it('sends each account Inspector refuses to the queue with its fields, and the counts add up', async () => {
    const target = eligible('eu-west-1').find(
      (a) =>
        a.id !== organization.delegatedAdminAccountId &&
        organization.inspectorAccount('eu-west-1', a.id)?.deepInspection === 'DEACTIVATED' &&
        expectedState(a.id, '') === 'ACTIVATED',
    );
    if (!target) throw new Error('the seeded organization has no account to activate in eu-west-1');
    endpoint.state.failingUpdateAccounts.add(target.id);
    endpoint.state.failQueueEntriesOnce.add(target.id); // and the queue refuses its first attempt

    const summary = await run({});

    expectCountsAddUp(summary);
    const messages = queued();
    const forTarget = messages.filter((m) => m.accountId === target.id && m.region === 'eu-west-1');
    expect(forTarget).toEqual([
      expect.objectContaining({
        version: 2,
        scope: 'ACCOUNT',
        accountId: target.id,
        region: 'eu-west-1',
        desired: 'ACTIVATED',
        observed: 'DEACTIVATED',
        reason: 'UPDATE_FAILED',
        errorMessage: 'Simulated failure',
        ec2ScanStatus: 'ENABLED',
        runId: expect.stringMatching(/^local-/),
        timestamp: expect.any(String),
      }),
    ]);
    expect(messages).toHaveLength(summary.totals.failed);
    expect(endpoint.callCount('SendMessageBatch')).toBe(2);
  });

  it('an invalid policy fails the run with its problems and makes zero writes', async () => {
    endpoint.state.parameters.set(PARAMETER, { value: JSON.stringify({ ...policy, default: 'ON' }), version: 2 });

    await expect(run({})).rejects.toThrow(
      '$.default (line 1, column 24): "ON" is not one of ACTIVATED, DEACTIVATED, UNMANAGED',
    );

    expect(endpoint.writeCount()).toBe(0);
    expect(endpoint.callCount('ListAccounts')).toBe(0);
  });

  it('a region answering AccessDenied does not stop the other region', async () => {
    const initial = snapshot();
    endpoint.faults.deniedRegions = ['eu-west-1'];
    const eastBefore = JSON.stringify([...(initial.get('us-east-1') ?? [])]);

    await expect(run({})).rejects.toThrow(/region eu-west-1 could not be read: AccessDeniedException/);

    const eastAfter = organization.deepInspectionStates('us-east-1', { eventually: true });
    expect(JSON.stringify([...eastAfter])).not.toBe(eastBefore);
    const east = eligible('us-east-1').filter(
      (a) => eastAfter.get(a.id) !== expectedState(a.id, initial.get('us-east-1')?.get(a.id) ?? ''),
    );
    expect(east).toEqual([]);
    expect(endpoint.callCount('BatchUpdateMemberEc2DeepInspectionStatus', 'eu-west-1')).toBe(0);
    expect(new Set(queued().map((m) => `${m.region}/${m.reason}`))).toEqual(new Set(['eu-west-1/REGION_UNREADABLE']));
  });
});
