import { InvocationError, PolicyError } from '../lambda/reconciler/errors/errors';
import type { AccountRegions } from '../lambda/reconciler/aws/account-regions';
import type { Dependencies, ReconcileRequest } from '../lambda/reconciler/run/types';
import { reconcile } from '../lambda/reconciler/run/reconcile';
import type { RunSummary } from '../lambda/reconciler/run/summary';
import {
  InMemoryDirectory,
  InMemoryInspector,
  InMemoryQueue,
  InMemorySecurityHub,
  type InspectorFaults,
  StaticPolicySource,
} from './support/in-memory';
import { SimulatedOrganization } from '../local/simulated-organization';

const REGIONS = ['us-east-1', 'eu-west-1'];

function world(
  options: { policy: object | string; faults?: Record<string, InspectorFaults>; accounts?: number } = {
    policy: {},
  },
) {
  const organization = SimulatedOrganization.generate({
    accounts: options.accounts ?? 120,
    regions: REGIONS,
    closed: 0.05,
    nonMembers: 0.05,
    ec2ScanningOff: 0.05,
    activated: 0.5,
    seed: 7,
  });
  const inspectors = new Map(
    REGIONS.map((region) => [region, new InMemoryInspector(organization, region, options.faults?.[region])]),
  );
  const queue = new InMemoryQueue();
  const text = typeof options.policy === 'string' ? options.policy : JSON.stringify(options.policy);
  const deps: Dependencies = {
    policy: new StaticPolicySource(text),
    directory: new InMemoryDirectory(organization),
    inspectorFor: (region) => inspectors.get(region) as InMemoryInspector,
    queue,
    now: () => new Date('2026-11-21T12:00:00Z'),
  };
  const request: ReconcileRequest = {
    runId: 'run-1',
    dryRun: false,
    force: false,
    ownAccountId: organization.delegatedAdminAccountId,
    defaultRegion: 'us-east-1',
  };
  const writes = () => [...inspectors.values()].flatMap((inspector) => inspector.writes);
  return { organization, inspectors, queue, deps, request, writes };
}

const allOn = {
  version: 1,
  default: 'ACTIVATED',
  regions: REGIONS,
  guardrails: { maxDeactivationsPerRun: 1000 },
};

function expectCountsAddUp(summary: RunSummary) {
  for (const region of summary.regions) {
    const t = region.totals;
    expect(t.compliant + t.activated + t.deactivated + t.wouldActivate + t.wouldDeactivate + t.skipped + t.failed).toBe(
      t.accounts,
    );
  }
}

describe('reconcile', () => {
  it('brings every eligible account to the policy in every region, and a second run changes nothing', async () => {
    const { organization, deps, request, writes } = world({ policy: allOn });

    const first = await reconcile(request, deps);
    expect(first.summary.totals.activated).toBeGreaterThan(0);
    expectCountsAddUp(first.summary);

    const eligible = REGIONS.flatMap((region) =>
      organization.accounts
        .map((account) => ({ account, state: organization.inspectorAccount(region, account.id) }))
        .filter(
          ({ account, state }) => account.state === 'ACTIVE' && state?.member && state.ec2ScanStatus === 'ENABLED',
        ),
    );
    expect(eligible.length).toBeGreaterThan(100);
    expect(eligible.filter(({ state }) => state?.deepInspection !== 'ACTIVATED')).toEqual([]);

    const writesAfterFirst = writes().length;
    const second = await reconcile({ ...request, runId: 'run-2' }, deps);
    expect(second.summary.totals).toMatchObject({ activated: 0, deactivated: 0, failed: 0 });
    expect(writes()).toHaveLength(writesAfterFirst);
  });

  it('evaluates every account in every region exactly once', async () => {
    const { organization, deps, request } = world({ policy: allOn });
    const { summary, outcomes } = await reconcile(request, deps);
    expect(summary.regions.map((r) => r.totals.accounts)).toEqual([
      organization.accounts.length,
      organization.accounts.length,
    ]);
    expect(summary.totals.accounts).toBe(2 * organization.accounts.length);
    const keys = outcomes.map((o) => `${o.region}/${o.accountId}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a dry run reports what would change and writes nothing anywhere', async () => {
    const { organization, deps, request, writes, queue } = world({
      policy: { ...allOn, orgPackagePaths: ['/opt/app/lib'] },
      faults: { 'eu-west-1': { failingAccounts: new Set(['100000000001']) } },
    });
    const before = JSON.stringify([...organization.inspector].map(([r, m]) => [r, [...m]]));

    const { summary } = await reconcile({ ...request, dryRun: true }, deps);

    expect(summary.dryRun).toBe(true);
    expect(summary.totals.activated).toBeGreaterThan(0);
    expect(summary.changes.length).toBe(summary.totals.activated);
    expect(summary.regions.every((r) => r.orgPackagePaths?.changed === true)).toBe(true);
    expect(writes()).toEqual([]);
    expect(queue.messages).toEqual([]);
    expect(JSON.stringify([...organization.inspector].map(([r, m]) => [r, [...m]]))).toBe(before);
    expect([...organization.orgPackagePaths.values()]).toEqual([[], []]);
  });

  it('a run scoped to some accounts leaves the organization-wide package paths alone', async () => {
    const { organization, deps, request, writes } = world({ policy: { ...allOn, orgPackagePaths: ['/opt/app/lib'] } });
    const [first] = organization.accounts;

    const { summary } = await reconcile({ ...request, accountIds: [first?.id as string] }, deps);

    expect(summary.regions.every((r) => r.orgPackagePaths === undefined)).toBe(true);
    expect(writes().filter((call) => call.operation === 'UpdateOrgEc2DeepInspectionConfiguration')).toEqual([]);
    expect([...organization.orgPackagePaths.values()]).toEqual([[], []]);
  });

  it('sends each account it could not change to the queue with the documented fields', async () => {
    // Same seed, same organization: find an account the run will try to change, then make that change fail.
    const { organization } = world({ policy: allOn });
    const target = organization.accounts.find(
      (a) =>
        a.state === 'ACTIVE' &&
        organization.inspectorAccount('eu-west-1', a.id)?.deepInspection === 'DEACTIVATED' &&
        organization.inspectorAccount('eu-west-1', a.id)?.member &&
        organization.inspectorAccount('eu-west-1', a.id)?.ec2ScanStatus === 'ENABLED' &&
        a.id !== organization.delegatedAdminAccountId,
    );
    if (!target) throw new Error('the seeded organization has no account to change');
    const failing = world({
      policy: allOn,
      faults: { 'eu-west-1': { failingAccounts: new Set([target.id]) } },
    });

    const { summary } = await reconcile(failing.request, failing.deps);

    expect(failing.queue.messages).toEqual([
      {
        version: 2,
        scope: 'ACCOUNT',
        runId: 'run-1',
        // No guardrail key given: the run id keys it.
        deduplicationKey: `run-1 eu-west-1 ${target.id}`,
        timestamp: '2026-11-21T12:00:00.000Z',
        accountId: target.id,
        region: 'eu-west-1',
        desired: 'ACTIVATED',
        observed: 'DEACTIVATED',
        reason: 'UPDATE_FAILED',
        errorMessage: 'simulated failure',
        ec2ScanStatus: 'ENABLED',
        rule: 'default',
      },
    ]);
    expect(summary.totals.failed).toBe(1);
    expect(summary.failures).toEqual([
      {
        accountId: target.id,
        region: 'eu-west-1',
        desired: 'ACTIVATED',
        reason: 'UPDATE_FAILED',
        errorMessage: 'simulated failure',
        rule: 'default',
      },
    ]);
    expect(summary.queue).toEqual({ sent: 1, undelivered: 0 });
    expectCountsAddUp(summary);
  });

  it('a region that cannot be read fails its accounts, does not stop the other region, and marks the run failed', async () => {
    const denied = Object.assign(new Error('not the delegated administrator'), {
      name: 'AccessDeniedException',
    });
    const { deps, request, organization, queue } = world({
      policy: allOn,
      faults: { 'eu-west-1': { regionError: denied } },
    });

    const { summary, problems } = await reconcile(request, deps);

    const [east, west] = summary.regions;
    expect(east?.error).toBeUndefined();
    expect(east?.totals.activated).toBeGreaterThan(0);
    expect(west?.error).toBe('AccessDeniedException: not the delegated administrator');
    expect(west?.totals.accounts).toBe(organization.accounts.length);
    expect(west?.totals.failed).toBeGreaterThan(0);
    expect(west?.errorVerdict).toBe('PERMANENT');
    // Access denied heals with no retry: one message for the region, not one per account, run after run.
    expect(queue.messages).toEqual([
      {
        version: 2,
        scope: 'REGION',
        deduplicationKey: 'run-1 eu-west-1',
        runId: 'run-1',
        timestamp: '2026-11-21T12:00:00.000Z',
        region: 'eu-west-1',
        reason: 'REGION_UNREADABLE',
        errorMessage: 'AccessDeniedException: not the delegated administrator',
        accounts: west?.totals.failed,
      },
    ]);
    expect(summary.failures.filter((f) => f.region === 'eu-west-1')).toHaveLength(west?.totals.failed ?? -1);
    expect(problems).toEqual([
      {
        message: 'region eu-west-1 could not be read: AccessDeniedException: not the delegated administrator',
        verdict: 'PERMANENT',
      },
    ]);
    expectCountsAddUp(summary);
  });

  it('a region failing for a reason a retry may heal still queues each of its accounts', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const { deps, request, queue } = world({
      policy: allOn,
      faults: { 'eu-west-1': { regionError: throttled } },
    });

    const { summary, problems } = await reconcile(request, deps);

    expect(summary.regions[1]?.totals.failed).toBeGreaterThan(100);
    expect(queue.accountMessages.filter((m) => m.region === 'eu-west-1')).toHaveLength(
      summary.regions[1]?.totals.failed ?? -1,
    );
    expect(summary.regions[1]?.errorVerdict).toBe('TRANSIENT');
    expect(problems).toEqual([
      { message: 'region eu-west-1 could not be read: ThrottlingException: Rate exceeded', verdict: 'TRANSIENT' },
    ]);
  });

  describe('the delegated administrator, checked per region', () => {
    const designate =
      "this account is not Inspector's delegated administrator in eu-west-1: designate it, or remove the region from the policy";

    it.each([
      ['names another account', { administrator: '999988887777' }, 'GetDelegatedAdminAccount names 999988887777'],
      ['names none', {}, 'GetDelegatedAdminAccount names no delegated administrator there'],
    ])(
      'GetDelegatedAdminAccount %s: the region is not read, its accounts FAILED with the message, nothing queued, the other region reconciled',
      async (_case, notAdministrator, why) => {
        const { deps, request, queue, inspectors, organization } = world({
          policy: allOn,
          faults: { 'eu-west-1': { notAdministrator } },
        });
        const read = jest.spyOn(inspectors.get('eu-west-1') as InMemoryInspector, 'read');

        const { summary, outcomes, problems } = await reconcile(request, deps);

        expect(read).not.toHaveBeenCalled();
        expect(summary.regions[1]).toMatchObject({
          region: 'eu-west-1',
          error: `${designate} (${why})`,
          errorVerdict: 'PERMANENT',
          notDelegatedAdministrator: true,
        });
        const there = outcomes.filter((o) => o.region === 'eu-west-1');
        expect(there).toHaveLength(organization.accounts.length);
        expect(there.some((o) => o.kind === 'SKIPPED' && o.reason === 'NOT_INSPECTOR_MEMBER')).toBe(false);
        expect(queue.messages.filter((m) => m.region === 'eu-west-1')).toEqual([]);
        expect(problems).toEqual([
          expect.objectContaining({ verdict: 'PERMANENT', notDelegatedAdministrator: 'eu-west-1' }),
        ]);
        expect(summary.regions[0]?.totals.activated).toBeGreaterThan(0);
        expectCountsAddUp(summary);
      },
    );

    it('GetDelegatedAdminAccount denied and every member read ACCESS_DENIED: the same failure, no account NOT_INSPECTOR_MEMBER', async () => {
      const { deps, request, queue, inspectors } = world({
        policy: allOn,
        faults: { 'eu-west-1': { notAdministrator: { error: accessDenied() } } },
      });
      const update = jest.spyOn(inspectors.get('eu-west-1') as InMemoryInspector, 'updateMembers');

      const { summary, outcomes, problems } = await reconcile(request, deps);

      expect(summary.regions[1]?.error).toContain(designate);
      expect(summary.regions[1]?.error).toContain('every member read answered ACCESS_DENIED');
      expect(summary.regions[1]?.skipped.NOT_INSPECTOR_MEMBER).toBeUndefined();
      expect(outcomes.filter((o) => o.region === 'eu-west-1' && o.kind === 'FAILED').length).toBeGreaterThan(0);
      expect(update).not.toHaveBeenCalled();
      expect(queue.messages.filter((m) => m.region === 'eu-west-1')).toEqual([]);
      expect(problems).toEqual([expect.objectContaining({ notDelegatedAdministrator: 'eu-west-1' })]);
    });

    it('GetDelegatedAdminAccount denied but members answered: the region is read and reconciled as before', async () => {
      const { deps, request, inspectors } = world({ policy: allOn });
      jest
        .spyOn(inspectors.get('eu-west-1') as InMemoryInspector, 'delegatedAdministrator')
        .mockResolvedValue({ error: accessDenied() });

      const { summary, problems } = await reconcile(request, deps);

      expect(problems).toEqual([]);
      expect(summary.regions[1]?.totals.activated).toBeGreaterThan(0);
      expect(summary.regions[1]?.skipped.NOT_INSPECTOR_MEMBER).toBeGreaterThan(0);
    });

    it.each([
      ['throttled', 'ThrottlingException', 'TRANSIENT', 'client', 400],
      ['a server error', 'InternalServerException', 'TRANSIENT', 'server', 500],
    ])(
      'GetDelegatedAdminAccount %s: the region fails as a region error a retry heals, never "not the delegated administrator"',
      async (_case, name, verdict, fault, status) => {
        const { deps, request, inspectors, queue } = world({ policy: allOn });
        const inspector = inspectors.get('eu-west-1') as InMemoryInspector;
        jest.spyOn(inspector, 'delegatedAdministrator').mockResolvedValue({
          error: Object.assign(new Error('Rate exceeded'), {
            name,
            $fault: fault,
            $metadata: { httpStatusCode: status },
          }),
        });
        const update = jest.spyOn(inspector, 'updateMembers');

        const { summary, problems } = await reconcile(request, deps);

        expect(summary.regions[1]).toMatchObject({ region: 'eu-west-1', errorVerdict: verdict });
        expect(summary.regions[1]?.error).toContain(`GetDelegatedAdminAccount failed: ${name}: Rate exceeded`);
        expect(summary.regions[1]?.error).not.toContain('not Inspector');
        expect(summary.regions[1]).not.toHaveProperty('notDelegatedAdministrator');
        expect(update).not.toHaveBeenCalled();
        expect(problems).toEqual([expect.objectContaining({ verdict })]);
        expect(problems[0]).not.toHaveProperty('notDelegatedAdministrator');
        expect(queue.accountMessages.filter((m) => m.region === 'eu-west-1').length).toBe(
          summary.regions[1]?.totals.failed,
        );
        expect(summary.regions[0]?.totals.activated).toBeGreaterThan(0);
      },
    );

    it('a run scoped to some accounts, GetDelegatedAdminAccount denied, every read ACCESS_DENIED: not declared not-administrator, the accounts skipped as Inspector answered', async () => {
      const { deps, request, organization } = world({
        policy: allOn,
        faults: { 'eu-west-1': { notAdministrator: { error: accessDenied() } } },
      });
      const nonMembers = organization.accounts
        .filter((a) => a.state === 'ACTIVE' && organization.inspectorAccount('eu-west-1', a.id)?.member === false)
        .map((a) => a.id)
        .slice(0, 2);
      expect(nonMembers).toHaveLength(2);

      const { summary, outcomes, problems } = await reconcile(
        { ...request, accountIds: nonMembers, regions: ['eu-west-1'] },
        deps,
      );

      expect(problems).toEqual([]);
      expect(summary.regions[0]?.error).toBeUndefined();
      expect(outcomes.map((o) => o.kind === 'SKIPPED' && o.reason)).toEqual([
        'NOT_INSPECTOR_MEMBER',
        'NOT_INSPECTOR_MEMBER',
      ]);
    });

    it('members past Inspector’s cap of 10,000 are counted and each one’s skip says so', async () => {
      // The administrator, 10,000 members, and 3 accounts past the cap.
      const organization = SimulatedOrganization.generate({
        accounts: 10_004,
        regions: ['us-east-1'],
        activated: 1,
        seed: 3,
      });
      const past = organization.accounts.slice(-3).map((account) => account.id);
      for (const id of past) (organization.inspectorAccount('us-east-1', id) as { member: boolean }).member = false;
      const inspector = new InMemoryInspector(organization, 'us-east-1');

      const { summary, outcomes } = await reconcile(
        {
          runId: 'cap',
          dryRun: true,
          force: false,
          ownAccountId: organization.delegatedAdminAccountId,
          defaultRegion: 'us-east-1',
        },
        {
          policy: new StaticPolicySource(JSON.stringify({ version: 1, default: 'ACTIVATED' })),
          directory: new InMemoryDirectory(organization),
          inspectorFor: () => inspector,
          queue: new InMemoryQueue(),
        },
      );

      expect(summary.regions[0]?.pastInspectorMemberLimit).toBe(3);
      const skipped = outcomes.filter((o) => o.kind === 'SKIPPED' && o.reason === 'NOT_INSPECTOR_MEMBER');
      expect(skipped.map((o) => o.accountId).sort()).toEqual([...past].sort());
      for (const o of skipped)
        expect(o.kind === 'SKIPPED' && o.detail).toMatch(/^past Inspector's member limit: .*10,000/);
    });

    it('the administrator is not its own member: 9,999 members, the administrator and one non-member are under the cap', async () => {
      const organization = SimulatedOrganization.generate({
        accounts: 10_001,
        regions: ['us-east-1'],
        closed: 0,
        nonMembers: 0,
        activated: 1,
        seed: 3,
      });
      const outsider = organization.accounts.find((a) => a.id !== organization.delegatedAdminAccountId)?.id ?? '';
      (organization.inspectorAccount('us-east-1', outsider) as { member: boolean }).member = false;
      const inspector = new InMemoryInspector(organization, 'us-east-1');

      const { summary, outcomes } = await reconcile(
        {
          runId: 'cap',
          dryRun: true,
          force: false,
          ownAccountId: organization.delegatedAdminAccountId,
          defaultRegion: 'us-east-1',
        },
        {
          policy: new StaticPolicySource(JSON.stringify({ version: 1, default: 'ACTIVATED' })),
          directory: new InMemoryDirectory(organization),
          inspectorFor: () => inspector,
          queue: new InMemoryQueue(),
        },
      );

      expect(summary.regions[0]?.pastInspectorMemberLimit).toBeUndefined();
      const skipped = outcomes.filter((o) => o.kind === 'SKIPPED' && o.reason === 'NOT_INSPECTOR_MEMBER');
      expect(skipped.map((o) => o.accountId)).toEqual([outsider]);
      expect(skipped[0]?.kind === 'SKIPPED' && skipped[0].detail).not.toMatch(/member limit/);
    });

    it('under the cap, not-member skips are not called past it', async () => {
      const { deps, request } = world({ policy: allOn });
      const { summary } = await reconcile(request, deps);
      expect(summary.regions[0]?.skipped.NOT_INSPECTOR_MEMBER).toBeGreaterThan(0);
      expect(summary.regions[0]?.pastInspectorMemberLimit).toBeUndefined();
    });
  });

  describe('regions the account has not enabled', () => {
    const listed = (byRegion: Record<string, string>): AccountRegions => ({
      optStatuses: async () => ({ listed: true, byRegion: new Map(Object.entries(byRegion)) }),
    });

    it('a DISABLED region is not called, each of its accounts FAILED REGION_NOT_ENABLED, nothing queued for it, and lint says so', async () => {
      const { deps, request, organization, queue, inspectors } = world({ policy: allOn });
      const read = jest.spyOn(inspectors.get('eu-west-1') as InMemoryInspector, 'read');

      const { summary, outcomes, problems } = await reconcile(request, {
        ...deps,
        regions: listed({ 'us-east-1': 'ENABLED_BY_DEFAULT', 'eu-west-1': 'DISABLED' }),
      });

      expect(read).not.toHaveBeenCalled();
      const west = summary.regions[1];
      expect(west).toMatchObject({
        region: 'eu-west-1',
        error:
          'eu-west-1 is not enabled for this account (RegionOptStatus DISABLED): enable eu-west-1 for this account, or remove it from the policy',
        errorVerdict: 'PERMANENT',
        notEnabled: true,
      });
      // Nothing lost: every account still has exactly one outcome there.
      const there = outcomes.filter((o) => o.region === 'eu-west-1');
      expect(there).toHaveLength(organization.accounts.length);
      expect(new Set(there.map((o) => (o.kind === 'FAILED' ? o.reason : o.kind)))).toEqual(
        new Set(['REGION_NOT_ENABLED', 'SKIPPED']),
      );
      expect(queue.messages.filter((m) => m.region === 'eu-west-1')).toEqual([]);
      expect(summary.regions[0]?.totals.activated).toBeGreaterThan(0);
      expect(problems).toEqual([expect.objectContaining({ verdict: 'PERMANENT', regionNotEnabled: 'eu-west-1' })]);
      expect(summary.warnings).toContainEqual({
        kind: 'REGION_NOT_ENABLED',
        path: '$.regions[1]',
        message: west?.error,
      });
      expectCountsAddUp(summary);
    });

    it('a region being enabled is transient: not called, nothing queued for it, and the problem says to retry later', async () => {
      const { deps, request, queue } = world({ policy: allOn });

      const { problems } = await reconcile(request, {
        ...deps,
        regions: listed({ 'us-east-1': 'ENABLED_BY_DEFAULT', 'eu-west-1': 'ENABLING' }),
      });

      expect(problems).toEqual([
        {
          message:
            'region eu-west-1 could not be read: eu-west-1 is being enabled for this account (RegionOptStatus ENABLING): retry later; runs are retried until it is ENABLED',
          verdict: 'TRANSIENT',
          regionNotEnabled: 'eu-west-1',
        },
      ]);
      expect(queue.messages.filter((m) => m.region === 'eu-west-1')).toEqual([]);
    });

    it('with ListRegions denied, UnrecognizedClientException from the region names both causes, and nothing is queued for it', async () => {
      const unrecognized = Object.assign(new Error('The security token included in the request is invalid.'), {
        name: 'UnrecognizedClientException',
      });
      const { deps, request, queue } = world({ policy: allOn, faults: { 'eu-west-1': { regionError: unrecognized } } });

      const { summary } = await reconcile(request, {
        ...deps,
        regions: {
          optStatuses: async () => ({
            listed: false,
            error: 'AccessDeniedException: not authorized',
            verdict: 'PERMANENT',
          }),
        },
      });

      const west = summary.regions[1];
      expect(west?.notEnabled).toBe(true);
      expect(west?.error).toBe(
        'UnrecognizedClientException: The security token included in the request is invalid.: either eu-west-1 is not enabled for this account (enable eu-west-1 for this account, or remove it from the policy), or the credentials are session tokens of version 1 from the global STS endpoint (sts.amazonaws.com), which opt-in Regions refuse: get them from a regional STS endpoint, or make the global endpoint issue version 2 tokens (aws iam set-security-token-service-preferences --global-endpoint-token-version v2Token); ListRegions could not tell which (AccessDeniedException: not authorized)',
      );
      expect(queue.messages.filter((m) => m.region === 'eu-west-1')).toEqual([]);
    });

    it('an enabled region answering UnrecognizedClientException is the credentials, not the region: one region message', async () => {
      const unrecognized = Object.assign(new Error('The security token included in the request is invalid.'), {
        name: 'UnrecognizedClientException',
      });
      const { deps, request, queue } = world({ policy: allOn, faults: { 'eu-west-1': { regionError: unrecognized } } });

      const { summary } = await reconcile(request, {
        ...deps,
        regions: listed({ 'us-east-1': 'ENABLED_BY_DEFAULT', 'eu-west-1': 'ENABLED' }),
      });

      expect(summary.regions[1]?.notEnabled).toBeUndefined();
      expect(summary.regions[1]?.error).toContain('so it refuses the credentials');
      expect(queue.messages.filter((m) => m.region === 'eu-west-1')).toEqual([
        expect.objectContaining({ scope: 'REGION', reason: 'REGION_UNREADABLE' }),
      ]);
    });
  });

  it('holds back deactivations past the guardrail, applies activations, and says so', async () => {
    const policy = {
      version: 1,
      default: 'DEACTIVATED',
      regions: REGIONS,
      rules: [{ name: 'admin on', accounts: ['100000000000'], deepInspection: 'ACTIVATED' }],
      guardrails: { maxDeactivationsPerRun: 5 },
    };
    const { deps, request, writes } = world({ policy });

    const { summary } = await reconcile(request, deps);

    expect(summary.guardrail).toMatchObject({ limit: 5, tripped: true, forced: false });
    expect(summary.guardrail.wouldDeactivate).toBeGreaterThan(5);
    expect(summary.totals.deactivated).toBe(0);
    expect(summary.regions.some((r) => (r.skipped.DEACTIVATION_HELD_BY_GUARDRAIL ?? 0) > 0)).toBe(true);
    expect(writes().every((w) => w.operation !== 'updateMembers')).toBe(true);
  });

  it('applies deactivations past the guardrail when forced', async () => {
    const policy = {
      version: 1,
      default: 'DEACTIVATED',
      regions: REGIONS,
      guardrails: { maxDeactivationsPerRun: 5 },
    };
    const { deps, request } = world({ policy });
    const { summary } = await reconcile({ ...request, force: true }, deps);
    expect(summary.guardrail).toMatchObject({ tripped: false, forced: true });
    // Every account past the limit is deactivated, in each region where it is eligible.
    expect(summary.totals.deactivated).toBeGreaterThanOrEqual(summary.guardrail.wouldDeactivate);
    expect(summary.guardrail.wouldDeactivate).toBeGreaterThan(5);
  });

  it('changes the delegated administrator through its own configuration', async () => {
    const { deps, request, organization, inspectors } = world({
      policy: { ...allOn, default: 'DEACTIVATED', guardrails: { maxDeactivationsPerRun: 1000 } },
    });
    const admin = organization.delegatedAdminAccountId;
    const adminState = organization.inspectorAccount('us-east-1', admin);
    if (!adminState) throw new Error('the delegated administrator has no Inspector state');
    adminState.deepInspection = 'ACTIVATED';

    await reconcile({ ...request, accountIds: [admin], regions: ['us-east-1'] }, deps);

    expect(inspectors.get('us-east-1')?.writes).toEqual([{ operation: 'updateOwnAccount', accountIds: [admin] }]);
    expect(organization.inspectorAccount('us-east-1', admin)?.deepInspection).toBe('DEACTIVATED');
  });

  it('updates the organization package paths only when they differ', async () => {
    const { deps, request, organization, inspectors } = world({
      policy: { ...allOn, orgPackagePaths: ['/opt/app/lib'] },
    });
    organization.orgPackagePaths.set('eu-west-1', ['/opt/app/lib']);

    const { summary } = await reconcile(request, deps);

    expect(summary.regions.map((r) => [r.region, r.orgPackagePaths?.changed])).toEqual([
      ['us-east-1', true],
      ['eu-west-1', false],
    ]);
    expect(inspectors.get('eu-west-1')?.writes.some((w) => w.operation === 'updateOrgPackagePaths')).toBe(false);
    expect(organization.orgPackagePaths.get('us-east-1')).toEqual(['/opt/app/lib']);
  });

  it('limits a run to the requested accounts and regions', async () => {
    const { deps, request, inspectors } = world({ policy: allOn });
    const { summary } = await reconcile(
      { ...request, accountIds: ['100000000001', '100000000002'], regions: ['eu-west-1'] },
      deps,
    );
    expect(summary.regions.map((r) => [r.region, r.totals.accounts])).toEqual([['eu-west-1', 2]]);
    expect(inspectors.get('us-east-1')?.writes).toEqual([]);
  });

  it('rejects a requested region the policy does not name, before touching any account', async () => {
    const { deps, request, writes } = world({ policy: allOn });
    await expect(reconcile({ ...request, regions: ['ap-south-1'] }, deps)).rejects.toThrow(InvocationError);
    await expect(reconcile({ ...request, regions: ['ap-south-1'] }, deps)).rejects.toThrow(
      "$.regions[0]: ap-south-1 is not one of the policy's regions (us-east-1, eu-west-1)",
    );
    expect(writes()).toEqual([]);
  });

  it('an invalid policy fails the run and changes nothing', async () => {
    const { deps, request, writes, queue } = world({ policy: '{"version": 1, "default": "OFF"}' });
    await expect(reconcile(request, deps)).rejects.toThrow(PolicyError);
    expect(writes()).toEqual([]);
    expect(queue.messages).toEqual([]);
  });

  it('uses the default region when the policy names none', async () => {
    const { deps, request } = world({ policy: { version: 1, default: 'ACTIVATED' } });
    const { summary } = await reconcile(request, deps);
    expect(summary.regions.map((r) => r.region)).toEqual(['us-east-1']);
  });

  it('names in its summary the policy it ran with, and its version', async () => {
    const { deps, request } = world({ policy: allOn });
    const versioned = {
      load: async () => ({ ...(await deps.policy.load()), origin: 'SSM parameter /p version 7' }),
    };
    const { summary } = await reconcile(request, { ...deps, policy: versioned });
    expect(summary.policy).toBe('SSM parameter /p version 7');
  });
});

describe('the findings step', () => {
  /** A world whose policy asks for findings, with a report-only rule over two accounts it would activate; a Security Hub per region. */
  function findingsWorld(faults?: Record<string, InspectorFaults>) {
    const base = world({ policy: allOn, ...(faults ? { faults } : {}) });
    const trial = base.organization.accounts
      .filter((account) => {
        const state = base.organization.inspectorAccount('us-east-1', account.id);
        return (
          account.state === 'ACTIVE' &&
          state?.member &&
          state.ec2ScanStatus === 'ENABLED' &&
          state.deepInspection === 'DEACTIVATED'
        );
      })
      .slice(0, 2)
      .map((account) => account.id);
    const policy = {
      version: 2,
      default: 'ACTIVATED',
      regions: REGIONS,
      rules: [{ name: 'trial', accounts: trial, deepInspection: 'ACTIVATED', enforcement: 'report' }],
      guardrails: { maxDeactivationsPerRun: 1000 },
      findings: { securityHub: true },
    };
    const hubs = new Map(REGIONS.map((region) => [region, new InMemorySecurityHub()]));
    const hub = (region: string) => hubs.get(region) as InMemorySecurityHub;
    const deps: Dependencies = {
      ...base.deps,
      policy: new StaticPolicySource(JSON.stringify(policy)),
      findings: { stackGranted: true, loadSecurityHub: async () => hub },
    };
    return { ...base, deps, hub, trial, policy };
  }

  it('after the queue, makes each region’s open findings exactly the run’s exceptions there', async () => {
    const { deps, request, hub } = findingsWorld();

    const { summary, findings } = await reconcile(request, deps);

    const exceptions = Object.values(
      summary.findings && 'exceptions' in summary.findings ? summary.findings.exceptions : {},
    );
    const total = exceptions.reduce((sum, count) => sum + count, 0);
    expect(total).toBeGreaterThan(5);
    expect(hub('us-east-1').open.size + hub('eu-west-1').open.size).toBe(total);
    expect(summary.findings).toMatchObject({ dryRun: false, imported: total, archived: 0, failed: 0 });
    // The rule's mismatches are one finding a region, not one an account.
    expect(
      [...hub('us-east-1').open.values()].filter((f) => f.ProductFields['DeepInspectionReconciler/Kind'] === 'RULE'),
    ).toHaveLength(1);
    for (const region of REGIONS)
      expect(hub(region).log).toEqual([
        'GetFindings',
        'GetFindings ARCHIVED',
        expect.stringMatching(/^BatchImportFindings \d+$/),
      ]);
    expect(findings?.calls).toBe(6);
  });

  it('never calls Security Hub in a region it could not read, and leaves that region’s findings as they are', async () => {
    const denied = Object.assign(new Error('not the delegated administrator'), { name: 'AccessDeniedException' });
    const { deps, request, hub } = findingsWorld({ 'eu-west-1': { regionError: denied } });

    const { summary } = await reconcile(request, deps);

    expect(hub('eu-west-1').calls).toBe(0);
    expect(hub('us-east-1').open.size).toBeGreaterThan(0);
    expect(summary.regions[1]?.error).toBeDefined();
  });

  it('a run scoped by accounts changes no other account’s finding and no rule finding', async () => {
    const { deps, request, hub, trial } = findingsWorld();
    await reconcile(request, deps);
    const before = REGIONS.map((region) => JSON.stringify([...hub(region).open]));
    for (const region of REGIONS) hub(region).log.length = 0;

    // One of the rule's two accounts: a rule finding naming it alone would replace the one naming both.
    await reconcile({ ...request, runId: 'run-2', accountIds: [trial[0] as string] }, deps);

    expect(REGIONS.map((region) => JSON.stringify([...hub(region).open]))).toEqual(before);
    for (const region of REGIONS) expect(hub(region).log).toEqual(['GetFindings']);
  });

  it('a run of the whole policy sweeps the enabled regions the policy no longer names; a scoped run does not', async () => {
    const { deps, request, hub, trial, policy } = findingsWorld();
    await reconcile(request, deps);
    // us-east-1's findings, as a region later taken out of the policy; ap-south-1 enabled, without findings.
    const removed = new InMemorySecurityHub();
    for (const finding of hub('us-east-1').open.values()) removed.open.set(finding.Id, finding);
    const elsewhere = new InMemorySecurityHub();
    const hubFor = (region: string) =>
      region === 'us-east-1' ? removed : region === 'ap-south-1' ? elsewhere : hub(region);
    const enabled = {
      optStatuses: async () =>
        ({
          listed: true,
          byRegion: new Map([
            ['eu-west-1', 'ENABLED_BY_DEFAULT'],
            ['us-east-1', 'ENABLED_BY_DEFAULT'],
            ['ap-south-1', 'ENABLED'],
            ['me-south-1', 'DISABLED'],
          ]),
        }) as const,
    };
    const narrowed = {
      ...deps,
      policy: new StaticPolicySource(JSON.stringify({ ...policy, regions: ['eu-west-1'] })),
      regions: enabled,
      findings: { stackGranted: true, loadSecurityHub: async () => hubFor },
    };
    const openBefore = removed.open.size;
    expect(openBefore).toBeGreaterThan(0);

    await reconcile({ ...request, runId: 'scoped', accountIds: [trial[0] as string] }, narrowed);
    await reconcile({ ...request, runId: 'one region', regions: ['eu-west-1'] }, narrowed);
    expect(removed.calls + elsewhere.calls).toBe(0);

    const { summary } = await reconcile({ ...request, runId: 'whole' }, narrowed);

    expect(removed.open.size).toBe(0);
    expect(removed.archived.size).toBe(openBefore);
    // A region not enabled (me-south-1) is never called; one read where nothing is open.
    expect(elsewhere.log).toEqual(['GetFindings']);
    expect(summary.findings).toMatchObject({ archived: openBefore, regionsSwept: ['us-east-1', 'ap-south-1'] });
  });

  it('a run of the whole policy whose ListRegions failed sweeps nothing, and its summary says why', async () => {
    const { deps, request } = findingsWorld();
    const { summary } = await reconcile(request, {
      ...deps,
      regions: {
        optStatuses: async () => ({ listed: false, error: 'AccessDeniedException: denied', verdict: 'PERMANENT' }),
      },
    });
    expect(summary.findings).toMatchObject({
      regionsSwept: [],
      sweepSkipped: expect.stringContaining('ListRegions failed (AccessDeniedException: denied)'),
    });
  });

  it('a dry run counts the exceptions and makes no Security Hub call', async () => {
    const { deps, request, hub } = findingsWorld();

    const { summary } = await reconcile({ ...request, dryRun: true }, deps);

    expect(hub('us-east-1').calls + hub('eu-west-1').calls).toBe(0);
    expect(summary.findings).toMatchObject({ dryRun: true, calls: 0, imported: 0 });
  });

  it('the stack not granting it: no call, and the summary says why', async () => {
    const { deps, request, hub } = findingsWorld();

    const { summary, findings } = await reconcile(request, {
      ...deps,
      findings: { stackGranted: false, loadSecurityHub: async () => hub },
    });

    expect(hub('us-east-1').calls + hub('eu-west-1').calls).toBe(0);
    expect(findings).toBeUndefined();
    expect(summary.findings).toEqual({
      notGranted: expect.stringContaining('does not grant Security Hub permissions'),
    });
  });

  it('without a findings port (the CLI), no call and no findings in the summary, whatever the policy says', async () => {
    const { deps, request, hub } = findingsWorld();
    const { findings: _port, ...withoutFindings } = deps;

    const { summary } = await reconcile(request, withoutFindings);

    expect(hub('us-east-1').calls + hub('eu-west-1').calls).toBe(0);
    expect(summary.findings).toBeUndefined();
  });

  it('asks for Security Hub once a run, just before the step, and never with the findings off in the stack or the policy', async () => {
    const { deps, request, hub } = findingsWorld();
    const load = jest.fn(async () => hub);
    const findings = (stackGranted: boolean) => ({ stackGranted, loadSecurityHub: load });
    const policyOff = { load: async () => ({ ...(await deps.policy.load()), findings: { securityHub: false } }) };

    await reconcile(request, { ...deps, findings: findings(false) });
    await reconcile(request, { ...deps, policy: policyOff, findings: findings(true) });
    expect(load).not.toHaveBeenCalled();

    const { summary } = await reconcile(request, { ...deps, findings: findings(true) });
    expect(load).toHaveBeenCalledTimes(1);
    expect(summary.findings).toMatchObject({ failed: 0, calls: 6 });

    // A plan makes no Security Hub call: nothing to load either.
    await reconcile({ ...request, dryRun: true }, { ...deps, findings: findings(true) });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('a Security Hub client that cannot be loaded fails no run: each region says so, as a refused call would', async () => {
    const { deps, request } = findingsWorld();
    const broken = new Error('Cannot find module ./aws/securityhub');

    const { summary, findings } = await reconcile(request, {
      ...deps,
      findings: { stackGranted: true, loadSecurityHub: async () => Promise.reject(broken) },
    });

    expect(summary.regions.every((region) => region.error === undefined)).toBe(true);
    expect(findings?.regionErrors.map((e) => e.region).sort()).toEqual([...REGIONS].sort());
    expect(findings?.warnings).toEqual(
      REGIONS.map((region) => expect.stringContaining(`${region} could not be synced: Error: Cannot find module`)),
    );
  });
});

function accessDenied(): Error {
  return Object.assign(new Error('You do not have sufficient access to perform this action.'), {
    name: 'AccessDeniedException',
  });
}
