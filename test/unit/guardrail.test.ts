import type { DeactivationBudget } from '../../lambda/reconciler/guardrail/ledger';
import { applyGuardrail } from '../../lambda/reconciler/guardrail/limits';
import type { Outcome } from '../../lambda/reconciler/model';

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
    expect(after[0]).toMatchObject({ detail: expect.stringContaining('"force": true') });
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
