import type { PolicySource } from '../lambda/reconciler/aws/policy-store';
import type { Policy } from '../lambda/reconciler/policy/schema';
import { reconcile } from '../lambda/reconciler/run/reconcile';
import type { Dependencies, ReconcileRequest } from '../lambda/reconciler/run/types';
import { inSlice, sliceWindow } from '../lambda/reconciler/scan-configuration/slice';
import { SimulatedOrganization } from '../local/simulated-organization';
import { InMemoryDirectory, InMemoryInspector, type InspectorFaults, InMemoryQueue } from './support/in-memory';
import { scanPolicy } from './support/scan-policy';

const REGIONS = ['us-east-1', 'eu-west-1'];

function world(policy: Policy, faults: InspectorFaults = {}) {
  const organization = SimulatedOrganization.generate({
    accounts: 60,
    regions: REGIONS,
    depth: 2,
    unitsPerLevel: 2,
    closed: 0.05,
    nonMembers: 0.05,
    ec2ScanningOff: 0.05,
    activated: 0.5,
    seed: 5,
  });
  const inspectors = new Map(REGIONS.map((region) => [region, new InMemoryInspector(organization, region, faults)]));
  const queue = new InMemoryQueue();
  const source: PolicySource = { load: async () => ({ ...policy, regions: REGIONS }) };
  const deps: Dependencies = {
    policy: source,
    directory: new InMemoryDirectory(organization),
    inspectorFor: (region) => inspectors.get(region) as InMemoryInspector,
    queue,
    now: () => new Date('2026-12-05T12:00:00Z'),
  };
  const request: ReconcileRequest = {
    runId: 'run-1',
    dryRun: false,
    force: false,
    ownAccountId: organization.delegatedAdminAccountId,
    defaultRegion: 'us-east-1',
  };
  const scanWrites = () =>
    [...inspectors.values()].flatMap((inspector) =>
      inspector.writes.filter((write) => write.operation === 'updateScanConfiguration'),
    );
  const reads = () => [...inspectors.values()].reduce((sum, inspector) => sum + inspector.scanConfigurationReads, 0);
  /** Members Inspector has in the region with EC2 scanning ENABLED: those whose scan configuration can be held. */
  const eligible = (region: string, ids = organization.accounts.map((a) => a.id)) =>
    ids.filter((id) => {
      const state = organization.inspectorAccount(region, id);
      const account = organization.account(id);
      return (
        id !== organization.delegatedAdminAccountId &&
        account?.state === 'ACTIVE' &&
        state?.member === true &&
        state.ec2ScanStatus === 'ENABLED'
      );
    });
  return { organization, inspectors, queue, deps, request, scanWrites, reads, eligible };
}

describe('a run holding the EC2 scan configuration to the policy', () => {
  it('makes no scan configuration call when the policy manages none', async () => {
    const { deps, request, scanWrites, reads } = world(
      scanPolicy({ default: { deepInspection: 'ACTIVATED', enforcement: 'enforce' } }),
    );
    const result = await reconcile(request, deps);
    expect(reads()).toBe(0);
    expect(scanWrites()).toEqual([]);
    expect(result.summary.scanConfiguration).toBeUndefined();
    expect(result.summary.regions.every((region) => region.scanConfiguration === undefined)).toBe(true);
  });

  it('writes each member a rule moves to the VM scanner with its accountId, and the next run writes nothing', async () => {
    const unit = 'ou-ex12-00000001';
    const policy = scanPolicy({
      rules: [{ name: 'to the VM scanner', organizationalUnits: [unit], vmScanner: 'ACTIVATED' }],
    });
    const { organization, deps, request, scanWrites, eligible } = world(policy);
    const inUnit = organization.accounts.filter((a) => organization.ancestorsOf(a.id).includes(unit)).map((a) => a.id);

    const first = await reconcile(request, deps);

    const expected = REGIONS.flatMap((region) => eligible(region, inUnit).map((id) => `${region} ${id}`)).sort();
    expect(expected.length).toBeGreaterThan(10);
    const updated = first.summary.scanConfigurationChanges?.filter((entry) => entry.kind === 'UPDATE') ?? [];
    expect(updated.map((entry) => `${entry.region} ${entry.accountId}`).sort()).toEqual(expected);
    expect(updated.every((entry) => entry.write === 'MEMBER')).toBe(true);
    expect(updated[0]?.changes).toEqual([
      { setting: 'vmScanner', from: 'DEACTIVATED', to: 'ACTIVATED', rule: 'to the VM scanner' },
    ]);
    for (const region of REGIONS) {
      for (const id of eligible(region, inUnit))
        expect(organization.ec2ConfigurationOf(region, id).vmScannerActivated).toBe(true);
    }
    expect(scanWrites()).toHaveLength(expected.length);

    const before = scanWrites().length;
    const second = await reconcile({ ...request, runId: 'run-2' }, deps);
    expect(scanWrites().length).toBe(before);
    expect(second.summary.scanConfiguration).toMatchObject({ updated: 0, failed: 0, compliant: expected.length });
  });

  it("moves the organization's default with one administrator write a region; the members that inherit follow it", async () => {
    const policy = scanPolicy({ scanConfiguration: { vmScanner: 'ACTIVATED', enforcement: 'enforce' } });
    const { organization, deps, request, scanWrites, eligible } = world(policy);

    const first = await reconcile(request, deps);

    expect(scanWrites()).toEqual(REGIONS.map(() => ({ operation: 'updateScanConfiguration', accountIds: [] })));
    const admin = first.summary.scanConfigurationChanges?.filter((entry) => entry.write === 'ADMINISTRATOR') ?? [];
    expect(admin).toHaveLength(2);
    expect(admin[0]).toMatchObject({ kind: 'UPDATE', accountId: organization.delegatedAdminAccountId });
    expect(admin[0]?.mayReach).toBe(organization.accounts.filter((a) => a.state === 'ACTIVE').length);
    expect(first.summary.scanConfiguration?.skippedByReason.FOLLOWS_ADMINISTRATOR).toBe(
      eligible('us-east-1').length + eligible('eu-west-1').length,
    );
    const second = await reconcile({ ...request, runId: 'run-2' }, deps);
    expect(scanWrites()).toHaveLength(2);
    expect(second.summary.scanConfiguration).toMatchObject({ updated: 0, failed: 0 });
  });

  it('holds an administrator write that switches the VM scanner off, counting every account it may reach', async () => {
    const policy = scanPolicy({
      scanConfiguration: { vmScanner: 'DEACTIVATED', enforcement: 'enforce' },
      guardrails: { maxDeactivationsPerRun: 10, maxDeactivationsPerDay: 20 },
    });
    const { organization, deps, request, scanWrites, eligible } = world(policy);
    for (const region of REGIONS) {
      const own = organization.inspectorAccount(region, organization.delegatedAdminAccountId);
      if (own) own.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true };
    }

    const held = await reconcile(request, deps);
    // The members that inherit it are held with it, not said to follow a change that is not made.
    const members = eligible('us-east-1').length + eligible('eu-west-1').length;
    expect(held.summary.scanConfiguration?.skippedByReason.FOLLOWS_ADMINISTRATOR).toBeUndefined();
    expect(held.summary.scanConfiguration?.skippedByReason.NARROWING_HELD_BY_GUARDRAIL).toBe(2 + members);
    const member = held.summary.scanConfigurationChanges?.find(
      (entry) => entry.kind === 'SKIPPED' && entry.write === undefined,
    );
    expect(member?.detail).toMatch(/^the administrator configuration it inherits is held, so it does not change: /);

    const active = organization.accounts.filter((a) => a.state === 'ACTIVE').length;
    expect(held.summary.guardrail).toMatchObject({
      tripped: true,
      wouldDeactivate: active,
      wouldNarrowScanConfiguration: active,
    });
    expect(scanWrites()).toEqual([]);

    const forced = await reconcile({ ...request, runId: 'run-2', force: true }, deps);
    expect(forced.summary.guardrail.forced).toBe(true);
    expect(scanWrites()).toHaveLength(2);
  });

  it('counts an account once across deep inspection deactivation and a scan configuration narrowing, in any region', async () => {
    const target = '100000000003';
    const policy = scanPolicy({
      rules: [{ name: 'off', accounts: [target], deepInspection: 'DEACTIVATED', vmScanner: 'DEACTIVATED' }],
    });
    const { organization, deps, request } = world(policy);
    for (const region of REGIONS) {
      const state = organization.inspectorAccount(region, target);
      if (state) {
        state.deepInspection = 'ACTIVATED';
        state.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true };
      }
    }
    const result = await reconcile({ ...request, dryRun: true }, deps);
    expect(result.summary.guardrail.wouldDeactivate).toBe(1);
  });

  it("queues a refused update once, FAILED UPDATE_FAILED with Inspector's reason", async () => {
    const refused = '100000000007';
    const policy = scanPolicy({
      rules: [{ name: 'hybrid off', accounts: [refused], scanMode: 'EC2_SSM_AGENT_BASED' }],
    });
    const { queue, deps, request, eligible } = world(policy, { failingAccounts: new Set([refused]) });
    const regions = REGIONS.filter((region) => eligible(region, [refused]).length > 0);
    expect(regions.length).toBeGreaterThan(0);

    const result = await reconcile(request, deps);

    const failures = result.summary.scanConfigurationChanges?.filter((entry) => entry.kind === 'FAILED') ?? [];
    expect(failures.map((f) => [f.region, f.reason, f.errorMessage])).toEqual(
      regions.map((region) => [region, 'UPDATE_FAILED', 'simulated refusal']),
    );
    const messages = queue.accountMessages.filter((m) => m.scanConfiguration !== undefined);
    expect(messages.map((m) => m.deduplicationKey)).toEqual(
      regions.map((region) => `run-1 ${region} ${refused} scanConfiguration`),
    );
    expect(messages[0]?.scanConfiguration?.changes).toEqual([
      { setting: 'scanMode', from: 'EC2_HYBRID', to: 'EC2_SSM_AGENT_BASED', rule: 'hybrid off' },
    ]);
  });

  it("reads only the scheduled run's window of the day, and named accounts whatever the window", async () => {
    const policy = scanPolicy({ rules: [{ name: 'all', organizationalUnits: ['r-ex12'], vmScanner: 'ACTIVATED' }] });
    const { organization, deps, request, reads, eligible } = world(policy);
    const window = sliceWindow(new Date('2026-12-05T12:00:00Z'), 6 * 3600);
    await reconcile({ ...request, dryRun: true, scanConfigurationReads: { window } }, deps);
    const inWindow = REGIONS.flatMap((region) => eligible(region).filter((id) => inSlice(id, { window })));
    expect(inWindow.length).toBeGreaterThan(0);
    expect(inWindow.length).toBeLessThan(REGIONS.flatMap((region) => eligible(region)).length);
    expect(reads()).toBe(inWindow.length);

    const outside = eligible('us-east-1').find((id) => !inSlice(id, { window })) as string;
    const named = await reconcile(
      { ...request, dryRun: true, accountIds: [outside], scanConfigurationReads: { window } },
      deps,
    );
    expect(named.summary.scanConfigurationChanges?.map((entry) => entry.accountId)).toContain(outside);
    expect(organization.accounts.length).toBe(60);
  });
});

describe('the deadline during the scan configuration reads', () => {
  it('reports the members it did not read FAILED TIMEOUT_NOT_REACHED, queues them, and writes nothing for them', async () => {
    const policy = scanPolicy({ rules: [{ name: 'all', organizationalUnits: ['r-ex12'], vmScanner: 'ACTIVATED' }] });
    const { deps, request, queue, scanWrites, eligible } = world(policy);
    let remaining = 600_000;
    // The deadline arrives as the scan configuration reads begin, in every region.
    const late: Dependencies = {
      ...deps,
      inspectorFor: (region) => {
        const inspector = deps.inspectorFor(region);
        return Object.assign(Object.create(inspector) as InMemoryInspector, {
          memberScanConfigurations: (ids: readonly string[], budget?: never) => {
            remaining = 0;
            return inspector.memberScanConfigurations(ids, budget);
          },
        });
      },
    };

    const result = await reconcile({ ...request, remainingTimeMs: () => remaining }, late);

    const notReached = REGIONS.flatMap((region) => eligible(region)).length;
    expect(result.summary.scanConfiguration?.failed).toBe(notReached);
    expect(result.summary.deadlineReached).toBe(true);
    expect(scanWrites()).toEqual([]);
    const messages = queue.accountMessages.filter((m) => m.scanConfiguration !== undefined);
    expect(messages).toHaveLength(notReached);
    expect(new Set(messages.map((m) => m.reason))).toEqual(new Set(['TIMEOUT_NOT_REACHED']));
  });
});
