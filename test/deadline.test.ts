import type { Dependencies } from '../lambda/reconciler/run/types';
import { reconcile } from '../lambda/reconciler/run/reconcile';
import { InMemoryDirectory, InMemoryInspector, InMemoryQueue, StaticPolicySource } from './support/in-memory';
import { SimulatedOrganization } from '../local/simulated-organization';

const REGION = 'eu-west-1';

/** 1 delegated administrator + 250 members, all eligible, all off: every account needs activating. */
function world() {
  const organization = SimulatedOrganization.generate({ accounts: 251, regions: [REGION], activated: 0 });
  const inspector = new InMemoryInspector(organization, REGION);
  const queue = new InMemoryQueue();
  const deps: Dependencies = {
    policy: new StaticPolicySource(JSON.stringify({ version: 1, default: 'ACTIVATED', regions: [REGION] })),
    directory: new InMemoryDirectory(organization),
    inspectorFor: () => inspector,
    queue,
  };
  const request = {
    runId: 'run',
    dryRun: false,
    force: false,
    ownAccountId: organization.delegatedAdminAccountId,
    defaultRegion: REGION,
  };
  return { organization, inspector, queue, deps, request };
}

describe('the invocation deadline', () => {
  it('with too little time left to start, makes no call that writes and reports every account as not reached', async () => {
    const { inspector, queue, deps, request } = world();

    const { summary, problems } = await reconcile({ ...request, remainingTimeMs: () => 5_000 }, deps);

    expect(inspector.writes).toEqual([]);
    expect(summary.deadlineReached).toBe(true);
    expect(summary.totals).toMatchObject({ accounts: 251, failed: 251, activated: 0 });
    expect(new Set(queue.messages.map((m) => m.reason))).toEqual(new Set(['TIMEOUT_NOT_REACHED']));
    expect(queue.messages).toHaveLength(251);
    expect(problems).toEqual([]);
  });

  it('stops between write batches once the deadline is near: applied batches count, the rest are queued as not reached', async () => {
    const { organization, inspector, queue, deps, request } = world();
    // Plenty of time when the run starts (its deadline's timers), for the read and the first write
    // batch; then the deadline is 1 s away.
    let checks = 0;
    const remainingTimeMs = () => (++checks <= 3 ? 900_000 : 1_000);

    const { summary } = await reconcile({ ...request, remainingTimeMs }, deps);

    expect(inspector.writes).toHaveLength(1);
    expect(inspector.writes[0]?.accountIds).toHaveLength(100);
    expect(summary.totals).toMatchObject({ accounts: 251, activated: 100, failed: 151 });
    expect(summary.deadlineReached).toBe(true);
    const notReached = queue.accountMessages.filter((m) => m.reason === 'TIMEOUT_NOT_REACHED').map((m) => m.accountId);
    expect(notReached).toHaveLength(151);
    expect(notReached).toContain(organization.delegatedAdminAccountId);
    // Nothing lost: every account is either activated for real or queued as not reached.
    const activated = [...organization.deepInspectionStates(REGION)]
      .filter(([, s]) => s === 'ACTIVATED')
      .map(([id]) => id);
    expect([...activated, ...notReached].sort()).toEqual(organization.accounts.map((a) => a.id).sort());
  });

  it('with time to spare, is never reached', async () => {
    const { deps, request } = world();
    const { summary } = await reconcile({ ...request, remainingTimeMs: () => 900_000 }, deps);
    expect(summary.deadlineReached).toBe(false);
    expect(summary.totals.activated).toBe(251);
  });
});
