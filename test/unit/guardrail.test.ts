import type { DeactivationBudget } from '../../lambda/reconciler/guardrail/ledger';
import { applyGuardrail } from '../../lambda/reconciler/guardrail/limits';
import type { SliceSample } from '../../lambda/reconciler/guardrail/projection';
import type { Outcome } from '../../lambda/reconciler/model';
import type { ScanConfigurationOutcome } from '../../lambda/reconciler/scan-configuration/outcome';
import { inSlice, type SliceWindow, sliceWindow } from '../../lambda/reconciler/scan-configuration/slice';

const deactivate = (accountId: string, region = 'us-east-1'): Outcome => ({
  kind: 'DEACTIVATE',
  accountId,
  region,
  from: 'ACTIVATED',
  to: 'DEACTIVATED',
});
const activate = (accountId: string): Outcome => ({
  kind: 'ACTIVATE',
  accountId,
  region: 'us-east-1',
  from: 'DEACTIVATED',
  to: 'ACTIVATED',
});

/** A budget of `perRun` for a run that has used none, and no daily ledger. */
const perRunOnly = (perRun: number): DeactivationBudget => ({ perRun: { limit: perRun, used: 0 } });

describe('applyGuardrail', () => {
  it('lets deactivations through up to the limit', () => {
    const outcomes = [deactivate('111111111111'), deactivate('222222222222')];
    const { outcomes: after, verdict } = applyGuardrail(outcomes, perRunOnly(2), false);
    expect(after).toEqual(outcomes);
    expect(verdict).toEqual({
      limit: 2,
      wouldDeactivate: 2,
      tripped: false,
      forced: false,
      usedThisRun: 0,
      remaining: { thisRun: 0 },
    });
  });

  it('holds back every deactivation past the limit but lets activations through', () => {
    const outcomes = [deactivate('111111111111'), deactivate('222222222222'), activate('333333333333')];
    const { outcomes: after, verdict } = applyGuardrail(outcomes, perRunOnly(1), false);
    expect(after.map((o) => [o.kind, 'reason' in o ? o.reason : undefined])).toEqual([
      ['SKIPPED', 'DEACTIVATION_HELD_BY_GUARDRAIL'],
      ['SKIPPED', 'DEACTIVATION_HELD_BY_GUARDRAIL'],
      ['ACTIVATE', undefined],
    ]);
    expect(verdict).toMatchObject({ limit: 1, wouldDeactivate: 2, tripped: true, forced: false });
    expect(verdict.remaining).toEqual({ thisRun: 1 });
    expect(verdict.heldBecause).toMatch(/maxDeactivationsPerRun \(1\)/);
    // The function's invocation and the CLI each have their own way to force.
    expect(after[0]).toMatchObject({
      detail: expect.stringContaining('invoke with "force": true, or --force in the CLI, to apply'),
    });
  });

  it('applies them all when forced, and says it was forced', () => {
    const outcomes = [deactivate('111111111111'), deactivate('222222222222')];
    const { outcomes: after, verdict } = applyGuardrail(outcomes, perRunOnly(1), true);
    expect(after).toEqual(outcomes);
    expect(verdict).toMatchObject({ limit: 1, wouldDeactivate: 2, tripped: false, forced: true });
  });

  it('counts an account once however many regions deactivate it', () => {
    const outcomes = [deactivate('111111111111', 'us-east-1'), deactivate('111111111111', 'eu-west-1')];
    expect(applyGuardrail(outcomes, perRunOnly(1), false).verdict).toMatchObject({
      wouldDeactivate: 1,
      tripped: false,
    });
  });

  it('with a limit of zero, holds back any deactivation', () => {
    expect(applyGuardrail([deactivate('111111111111')], perRunOnly(0), false).verdict.tripped).toBe(true);
  });

  it('counts what earlier attempts of the same run deactivated against the per-run limit', () => {
    const budget: DeactivationBudget = { perRun: { limit: 3, used: 2 }, perDay: { limit: 100, used: 2 } };
    const { verdict } = applyGuardrail([deactivate('111111111111'), deactivate('222222222222')], budget, false);
    expect(verdict).toMatchObject({ tripped: true, usedThisRun: 2, remaining: { thisRun: 1, today: 98 } });
    expect(verdict.heldBecause).toMatch(
      /maxDeactivationsPerRun \(3\) leaves this run after its earlier attempts deactivated 2 \(1\)/,
    );
  });

  it('holds deactivations past the rolling daily limit, naming it, though the run is within its own', () => {
    const budget: DeactivationBudget = { perRun: { limit: 50, used: 0 }, perDay: { limit: 100, used: 99 } };
    const { outcomes, verdict } = applyGuardrail(
      [deactivate('111111111111'), deactivate('222222222222')],
      budget,
      false,
    );
    expect(outcomes.every((o) => o.kind === 'SKIPPED')).toBe(true);
    expect(verdict).toMatchObject({
      tripped: true,
      dailyLimit: 100,
      usedToday: 99,
      remaining: { thisRun: 50, today: 1 },
    });
    expect(verdict.heldBecause).toMatch(/maxDeactivationsPerDay \(100\) leaves after 99 in the last 24 hours \(1\)/);
  });

  it('holds every deactivation when the ledger could not be read, and says why', () => {
    const budget: DeactivationBudget = {
      perRun: { limit: 50, used: 0 },
      perDay: { limit: 100, used: 0 },
      unavailable: 'SSM parameter /l: AccessDeniedException: no',
    };
    const { verdict } = applyGuardrail([deactivate('111111111111')], budget, false);
    expect(verdict.tripped).toBe(true);
    expect(verdict.heldBecause).toMatch(/ledger could not be read \(SSM parameter \/l: AccessDeniedException: no\)/);
  });

  it('says the ledger is unavailable even when the run has nothing to deactivate, with nothing left to deactivate', () => {
    const budget: DeactivationBudget = {
      perRun: { limit: 50, used: 0 },
      perDay: { limit: 100, used: 0 },
      unavailable: 'SSM parameter /l: the deactivation ledger is missing',
    };
    const { verdict } = applyGuardrail([], budget, false);
    expect(verdict).toMatchObject({
      tripped: false,
      ledgerUnavailable: 'SSM parameter /l: the deactivation ledger is missing',
      remaining: { thisRun: 0, today: 0 },
    });
  });

  it('reports what is left after the run applies its deactivations', () => {
    const budget: DeactivationBudget = { perRun: { limit: 10, used: 0 }, perDay: { limit: 20, used: 5 } };
    const { verdict } = applyGuardrail([deactivate('111111111111'), deactivate('222222222222')], budget, false);
    expect(verdict).toMatchObject({ tripped: false, remaining: { thisRun: 8, today: 13 } });
  });
});

const narrowing = (accountId: string, region = 'us-east-1'): ScanConfigurationOutcome => ({
  kind: 'UPDATE',
  accountId,
  region,
  observed: { scanMode: 'EC2_HYBRID', vmScanner: 'ACTIVATED', pending: false },
  write: 'MEMBER',
  changes: [{ setting: 'vmScanner', from: 'ACTIVATED', to: 'DEACTIVATED', rule: 'off', enforcement: 'enforce' }],
});

/** Account ids (12 digits) in and out of an hourly window. */
function idsAround(window: SliceWindow): { inside: string[]; outside: string[] } {
  const inside: string[] = [];
  const outside: string[] = [];
  for (let n = 100000000000; inside.length < 60 || outside.length < 60; n++) {
    (inSlice(String(n), { window }) ? inside : outside).push(String(n));
  }
  return { inside, outside };
}

describe('applyGuardrail in a run that read a slice of the scan configuration', () => {
  const window = sliceWindow(new Date('2026-12-05T10:00:00Z'), 3600);
  const { inside, outside } = idsAround(window);
  const sample = (cap: number): SliceSample => ({ window, cap });
  const budget: DeactivationBudget = { perRun: { limit: 50, used: 0 }, perDay: { limit: 100, used: 0 } };

  it('holds 3 narrowings in an hourly slice of a policy that narrows 1,000 accounts: about 72 across the organization', () => {
    const scan = inside.slice(0, 3).map((id) => narrowing(id));
    const { scanConfiguration, verdict } = applyGuardrail([], budget, false, scan, sample(1000));
    expect(verdict).toMatchObject({
      tripped: true,
      wouldDeactivate: 3,
      projected: { narrowedInSlice: 3, narrowedAcrossOrganization: 72, deactivations: 72, cap: 1000 },
      remaining: { thisRun: 50, today: 100 },
    });
    expect(verdict.heldBecause).toBe(
      "would narrow 3 accounts in this run's slice, about 72 across the organization (the slice is 1/24 of the day), more than guardrails.maxDeactivationsPerRun (50) leaves this run (50)",
    );
    expect(scanConfiguration.every((o) => o.kind === 'SKIPPED' && o.reason === 'NARROWING_HELD_BY_GUARDRAIL')).toBe(
      true,
    );
  });

  it('never projects past the accounts the policy narrows: 3 of a 3-account rule go through', () => {
    const scan = inside.slice(0, 3).map((id) => narrowing(id));
    const { scanConfiguration, verdict } = applyGuardrail([], budget, false, scan, sample(3));
    expect(verdict).toMatchObject({ tripped: false, projected: { narrowedAcrossOrganization: 3, deactivations: 3 } });
    expect(scanConfiguration).toEqual(scan);
  });

  it('lets 2 narrowings in a slice through (about 48, within 50)', () => {
    const scan = inside.slice(0, 2).map((id) => narrowing(id));
    expect(applyGuardrail([], budget, false, scan, sample(1000)).verdict).toMatchObject({
      tripped: false,
      projected: { deactivations: 48 },
      remaining: { thisRun: 48, today: 98 },
    });
  });

  it('counts as they are the narrowings it read for another reason, and deep inspection deactivations', () => {
    // Outside the slice: read because the run deactivates their deep inspection.
    const scan = [...outside.slice(0, 10).map((id) => narrowing(id)), narrowing(inside[0] as string)];
    const deep = outside.slice(0, 10).map((id) => deactivate(id));
    const { verdict } = applyGuardrail(deep, budget, false, scan, sample(1000));
    expect(verdict).toMatchObject({
      wouldDeactivate: 11,
      projected: { narrowedInSlice: 1, narrowedAcrossOrganization: 34, deactivations: 34 },
      tripped: false,
    });
  });

  it("counts an administrator configuration's narrowing as every account it may reach, not scaled", () => {
    const admin: ScanConfigurationOutcome = {
      ...narrowing('100000000000'),
      write: 'ADMINISTRATOR',
      mayReach: inside.slice(0, 40),
    } as ScanConfigurationOutcome;
    const scan = [admin, ...inside.slice(0, 5).map((id) => narrowing(id))];
    const { verdict } = applyGuardrail([], budget, false, scan, sample(1000));
    expect(verdict.projected).toMatchObject({ narrowedInSlice: 0, deactivations: 41 });
  });

  it('a run that reads everything counts exactly and says nothing of a projection', () => {
    const scan = inside.slice(0, 3).map((id) => narrowing(id));
    const { verdict } = applyGuardrail([], budget, false, scan);
    expect(verdict).toMatchObject({ tripped: false, wouldDeactivate: 3 });
    expect(verdict.projected).toBeUndefined();
  });
});

describe('applyGuardrail holding the administrator configuration', () => {
  const admin: ScanConfigurationOutcome = {
    ...narrowing('100000000000'),
    write: 'ADMINISTRATOR',
    changes: [{ setting: 'vmScanner', from: 'ACTIVATED', to: 'DEACTIVATED', rule: 'default', enforcement: 'enforce' }],
    mayReach: ['100000000000', '100000000001', '100000000002'],
  } as ScanConfigurationOutcome;
  const follower = (accountId: string, region = 'us-east-1'): ScanConfigurationOutcome => ({
    kind: 'SKIPPED',
    accountId,
    region,
    reason: 'FOLLOWS_ADMINISTRATOR',
    detail: 'the administrator configuration it inherits is being changed (or is under way): a later run verifies it',
    changes: [{ setting: 'vmScanner', from: 'ACTIVATED', to: 'DEACTIVATED', rule: 'default', enforcement: 'enforce' }],
  });

  it('holds the members that were to follow it, in its region, saying so', () => {
    const scan = [admin, follower('100000000001'), follower('100000000002', 'eu-west-1')];
    const { scanConfiguration } = applyGuardrail([], perRunOnly(1), false, scan);
    expect(scanConfiguration.map((o) => [o.accountId, o.region, o.kind, 'reason' in o ? o.reason : undefined])).toEqual(
      [
        ['100000000000', 'us-east-1', 'SKIPPED', 'NARROWING_HELD_BY_GUARDRAIL'],
        ['100000000001', 'us-east-1', 'SKIPPED', 'NARROWING_HELD_BY_GUARDRAIL'],
        // Another region's administrator configuration is not held here: its member still follows it.
        ['100000000002', 'eu-west-1', 'SKIPPED', 'FOLLOWS_ADMINISTRATOR'],
      ],
    );
    expect(scanConfiguration[1]).toMatchObject({
      detail: expect.stringMatching(
        /^the administrator configuration it inherits is held, so it does not change: would deactivate 3 accounts, more than guardrails.maxDeactivationsPerRun \(1\)/,
      ),
      changes: [
        { setting: 'vmScanner', from: 'ACTIVATED', to: 'DEACTIVATED', rule: 'default', enforcement: 'enforce' },
      ],
    });
  });

  it('leaves the members following it when forced', () => {
    const scan = [admin, follower('100000000001')];
    expect(applyGuardrail([], perRunOnly(1), true, scan).scanConfiguration).toEqual(scan);
  });
});
