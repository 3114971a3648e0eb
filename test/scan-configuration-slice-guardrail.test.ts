import type { PolicySource } from '../lambda/reconciler/aws/policy-store';
import type { GuardrailVerdict } from '../lambda/reconciler/guardrail/limits';
import type { Policy, PolicyRule } from '../lambda/reconciler/policy/schema';
import { reconcile } from '../lambda/reconciler/run/reconcile';
import type { Dependencies, ReconcileRequest } from '../lambda/reconciler/run/types';
import { inSlice, sliceWindow } from '../lambda/reconciler/scan-configuration/slice';
import { SimulatedOrganization } from '../local/simulated-organization';
import { InMemoryDirectory, InMemoryInspector, InMemoryLedger, InMemoryQueue } from './support/in-memory';
import { scanPolicy } from './support/scan-policy';

/*
 * The guardrail in scheduled runs, each of which reads only its slice of the day's scan configuration: a
 * narrowing the policy makes across the organization is held whole on the first run that sees it (red team
 * 26 #1), and a narrowing of a few accounts is not held even when its accounts share one slice.
 */

const REGIONS = ['us-east-1', 'eu-west-1'];
const HOUR = 3600;

function world(rules: readonly (Partial<PolicyRule> & { name: string })[]) {
  const organization = SimulatedOrganization.generate({
    accounts: 1000,
    regions: REGIONS,
    depth: 2,
    unitsPerLevel: 2,
    closed: 0.02,
    nonMembers: 0.02,
    ec2ScanningOff: 0.02,
    seed: 26,
  });
  // Every account individually on the VM scanner, hybrid: what a policy switching it off would narrow.
  for (const region of REGIONS) {
    for (const account of organization.accounts) {
      const state = organization.inspectorAccount(region, account.id);
      if (state) state.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true };
    }
  }
  const inspectors = new Map(REGIONS.map((region) => [region, new InMemoryInspector(organization, region)]));
  const ledger = new InMemoryLedger();
  let now = new Date('2026-12-05T10:00:00Z');
  const policy: Policy = { ...scanPolicy({ rules }), regions: REGIONS };
  const source: PolicySource = { load: async () => policy };
  const deps: Dependencies = {
    policy: source,
    directory: new InMemoryDirectory(organization),
    inspectorFor: (region) => inspectors.get(region) as InMemoryInspector,
    queue: new InMemoryQueue(),
    ledger,
    now: () => now,
  };
  const base: ReconcileRequest = {
    runId: 'run',
    dryRun: false,
    force: false,
    ownAccountId: organization.delegatedAdminAccountId,
    defaultRegion: 'us-east-1',
  };
  /** The hourly scheduled run at `at`, as the handler asks it. */
  const scheduled = (at: Date): ReconcileRequest => {
    now = at;
    return {
      ...base,
      runId: `scheduled ${at.toISOString()}`,
      guardrailRun: `schedule ${at.toISOString()}`,
      scanConfigurationReads: { window: sliceWindow(at, HOUR) },
    };
  };
  const scanWrites = () =>
    [...inspectors.values()].flatMap((inspector) =>
      inspector.writes.filter((write) => write.operation === 'updateScanConfiguration'),
    );
  /** Accounts whose VM scanner is off in some region. */
  const switchedOff = () =>
    organization.accounts.filter((account) =>
      REGIONS.some((region) => {
        const state = organization.inspectorAccount(region, account.id);
        return state?.ec2Configuration?.vmScannerActivated === false;
      }),
    );
  const eligible = (id: string) =>
    id !== organization.delegatedAdminAccountId &&
    organization.account(id)?.state === 'ACTIVE' &&
    REGIONS.every((region) => {
      const state = organization.inspectorAccount(region, id);
      return state?.member === true && state.ec2ScanStatus === 'ENABLED';
    });
  return { organization, ledger, deps, base, scheduled, scanWrites, switchedOff, eligible };
}

const hourly = (from: string, count: number) =>
  Array.from({ length: count }, (_, index) => new Date(Date.parse(from) + index * HOUR * 1000));

describe('the guardrail in scheduled runs that read a slice of the scan configuration', () => {
  it('holds a root-wide VM scanner switch-off whole on the first run, and every run after until forced', async () => {
    const { deps, base, scheduled, scanWrites, switchedOff, ledger } = world([
      { name: 'everyone off the VM scanner', organizationalUnits: ['r-ex12'], vmScanner: 'DEACTIVATED' },
    ]);

    for (const at of hourly('2026-12-05T10:00:00Z', 26)) {
      const run = await reconcile(scheduled(at), deps);
      expect({ at: at.toISOString(), tripped: run.summary.guardrail.tripped }).toEqual({
        at: at.toISOString(),
        tripped: true,
      });
      expect(run.summary.guardrail.heldBecause).toMatch(
        /would narrow \d+ accounts in this run's slice, about \d+ across the organization \(the slice is 1\/24 of the day[;)]/,
      );
      const entries = run.summary.scanConfigurationChanges ?? [];
      expect(entries.filter((entry) => entry.kind === 'UPDATE')).toEqual([]);
      const held = entries.filter(
        (entry) => entry.kind === 'SKIPPED' && entry.reason === 'NARROWING_HELD_BY_GUARDRAIL',
      );
      expect(held.length).toBeGreaterThan(20);
      expect(held[0]?.detail).toContain('invoke with "force": true, or --force in the CLI, to apply');
    }
    expect(scanWrites()).toEqual([]);
    expect(switchedOff()).toEqual([]);
    // The ledger records what was written: nothing.
    expect(ledger.entries).toEqual([]);

    // Forced by someone who means it, with the whole organization read (the CLI's apply --force): written.
    const forced = await reconcile({ ...base, runId: 'forced', force: true, scanConfigurationReads: 'all' }, deps);
    expect(forced.summary.guardrail).toMatchObject({ tripped: false, forced: true });
    expect(switchedOff().length).toBe(forced.summary.guardrail.wouldDeactivate);
    expect(switchedOff().length).toBeGreaterThan(900);
    expect(ledger.entries.map((entry) => entry.deactivations)).toEqual([switchedOff().length]);

    const after = await reconcile(scheduled(new Date('2026-12-06T12:00:00Z')), deps);
    expect(after.summary.guardrail).toMatchObject({ tripped: false, wouldDeactivate: 0 });
  });

  it('does not hold a narrowing of a 3-account OU, even when its accounts share one slice', async () => {
    const at = new Date('2026-12-05T13:00:00Z');
    const window = sliceWindow(at, HOUR);
    const unit = 'ou-ex12-00000099';
    const rules = [
      { name: 'three off the VM scanner', organizationalUnits: [unit], vmScanner: 'DEACTIVATED' as const },
    ];
    const { organization, deps, scheduled, scanWrites, switchedOff, eligible, ledger } = world(rules);
    const three = organization.accounts.filter((a) => eligible(a.id) && inSlice(a.id, { window })).slice(0, 3);
    expect(three).toHaveLength(3);
    organization.units.set(unit, { id: unit, name: 'three', parentId: organization.rootId });
    for (const account of three) Object.assign(account, { parentId: unit });

    const verdicts = new Map<string, GuardrailVerdict>();
    for (const time of hourly('2026-12-05T10:00:00Z', 24)) {
      const run = await reconcile(scheduled(time), deps);
      verdicts.set(time.toISOString(), run.summary.guardrail);
    }
    expect([...verdicts].filter(([, verdict]) => verdict.tripped)).toEqual([]);
    // The run whose slice holds all 3: 72 projected, capped at the 3 the policy narrows.
    expect(verdicts.get(at.toISOString())).toMatchObject({
      wouldDeactivate: 3,
      projected: { narrowedInSlice: 3, narrowedAcrossOrganization: 3, deactivations: 3, cap: 3 },
    });
    expect(switchedOff().map((a) => a.id)).toEqual(three.map((a) => a.id));
    expect(scanWrites()).toHaveLength(3 * REGIONS.length);
    expect(ledger.entries.map((entry) => entry.deactivations)).toEqual([3]);
  });

  it('counts a run naming its accounts exactly, whatever the slice', async () => {
    const { organization, deps, scheduled, eligible, switchedOff } = world([
      { name: 'everyone off the VM scanner', organizationalUnits: ['r-ex12'], vmScanner: 'DEACTIVATED' },
    ]);
    const at = new Date('2026-12-05T10:00:00Z');
    const named = organization.accounts
      .filter((a) => eligible(a.id) && inSlice(a.id, { window: sliceWindow(at, HOUR) }))
      .slice(0, 5)
      .map((a) => a.id);
    const run = await reconcile({ ...scheduled(at), accountIds: named }, deps);
    expect(run.summary.guardrail).toMatchObject({ tripped: false, wouldDeactivate: 5 });
    expect(run.summary.guardrail.projected).toBeUndefined();
    expect(switchedOff().map((a) => a.id)).toEqual(named);
  });
});
