import { applyPlan, planRun, reconcile } from '../../lambda/reconciler/run/reconcile';
import type { Dependencies, ReconcileRequest } from '../../lambda/reconciler/run/types';
import { InMemoryDirectory, InMemoryInspector, InMemoryQueue, StaticPolicySource } from '../support/in-memory';
import { SimulatedOrganization } from '../../local/simulated-organization';

const REGIONS = ['us-east-1', 'eu-west-1'];

/** A fresh, seeded world: the same organization every call, with a failing account so the queue is used. */
function world() {
  const organization = SimulatedOrganization.generate({
    accounts: 150,
    regions: REGIONS,
    closed: 0.05,
    nonMembers: 0.05,
    ec2ScanningOff: 0.05,
    activated: 0.5,
    seed: 13,
  });
  const [unit] = [...organization.units.keys()] as [string];
  const inspectors = new Map(
    REGIONS.map((region) => [
      region,
      new InMemoryInspector(organization, region, { failingAccounts: new Set(['100000000003', '100000000004']) }),
    ]),
  );
  const queue = new InMemoryQueue();
  const deps: Dependencies = {
    policy: new StaticPolicySource(
      JSON.stringify({
        version: 2,
        default: 'ACTIVATED',
        regions: REGIONS,
        rules: [{ name: 'off', organizationalUnits: [unit], deepInspection: 'DEACTIVATED' }],
        orgPackagePaths: ['/opt/app'],
        guardrails: { maxDeactivationsPerRun: 1000 },
      }),
    ),
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
  /** `region accountId` of every account an update call named. */
  const written = () =>
    [...inspectors].flatMap(([region, inspector]) =>
      inspector.writes.flatMap((write) => write.accountIds.map((id) => `${region} ${id}`)),
    );
  return { organization, deps, request, queue, writes, written };
}

describe('reconcile as planRun then applyPlan', () => {
  it('planRun reads and plans, and writes nothing', async () => {
    const { deps, request, queue, writes } = world();
    const plan = await planRun(request, deps);
    expect(plan.regions.map((region) => region.region)).toEqual(REGIONS);
    expect(plan.regions.flatMap((region) => region.outcomes).some((o) => o.kind === 'ACTIVATE')).toBe(true);
    expect(writes()).toEqual([]);
    expect(queue.messages).toEqual([]);
  });

  it.each([false, true])(
    'applyPlan(planRun(request)) returns what reconcile(request) does (dryRun %s)',
    async (dryRun) => {
      const whole = world();
      const split = world();
      const expected = await reconcile({ ...whole.request, dryRun }, whole.deps);
      const actual = await applyPlan(
        await planRun({ ...split.request, dryRun }, split.deps),
        { ...split.request, dryRun },
        split.deps,
      );
      expect(actual).toEqual(expected);
      expect(split.writes()).toEqual(whole.writes());
      expect(split.queue.messages).toEqual(whole.queue.messages);
      expect(expected.summary.totals[dryRun ? 'activated' : 'failed']).toBeGreaterThan(0);
    },
  );

  it('applyPlan writes the plan it is given, whatever Inspector says by then', async () => {
    const { organization, deps, request, written } = world();
    const plan = await planRun(request, deps);
    const planned = plan.regions.flatMap((region) =>
      region.outcomes.flatMap((o) =>
        o.kind === 'ACTIVATE' || o.kind === 'DEACTIVATE' ? [`${o.region} ${o.accountId}`] : [],
      ),
    );
    // Between the plan and the apply every account in us-east-1 is switched off by hand.
    for (const state of organization.inspector.get('us-east-1')?.values() ?? []) state.deepInspection = 'DEACTIVATED';

    await applyPlan(plan, request, deps);

    expect(planned.length).toBeGreaterThan(10);
    expect(written().sort()).toEqual(planned.sort());
  });
});
