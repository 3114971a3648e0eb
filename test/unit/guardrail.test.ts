import { applyGuardrail } from '../../lambda/reconciler/guardrail';
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

describe('applyGuardrail', () => {
  it('lets deactivations through up to the limit', () => {
    const outcomes = [deactivate('111111111111'), deactivate('222222222222')];
    const { outcomes: after, verdict } = applyGuardrail(outcomes, 2, false);
    expect(after).toEqual(outcomes);
    expect(verdict).toEqual({ limit: 2, wouldDeactivate: 2, tripped: false, forced: false });
  });

  it('holds back every deactivation past the limit but lets activations through', () => {
    const outcomes = [deactivate('111111111111'), deactivate('222222222222'), activate('333333333333')];
    const { outcomes: after, verdict } = applyGuardrail(outcomes, 1, false);
    expect(after.map((o) => [o.kind, 'reason' in o ? o.reason : undefined])).toEqual([
      ['SKIPPED', 'DEACTIVATION_HELD_BY_GUARDRAIL'],
      ['SKIPPED', 'DEACTIVATION_HELD_BY_GUARDRAIL'],
      ['ACTIVATE', undefined],
    ]);
    expect(verdict).toEqual({ limit: 1, wouldDeactivate: 2, tripped: true, forced: false });
    expect(after[0]).toMatchObject({ detail: expect.stringContaining('"force": true') });
  });

  it('applies them all when forced, and says it was forced', () => {
    const outcomes = [deactivate('111111111111'), deactivate('222222222222')];
    const { outcomes: after, verdict } = applyGuardrail(outcomes, 1, true);
    expect(after).toEqual(outcomes);
    expect(verdict).toEqual({ limit: 1, wouldDeactivate: 2, tripped: false, forced: true });
  });

  it('counts an account once however many regions deactivate it', () => {
    const outcomes = [deactivate('111111111111', 'us-east-1'), deactivate('111111111111', 'eu-west-1')];
    expect(applyGuardrail(outcomes, 1, false).verdict).toMatchObject({ wouldDeactivate: 1, tripped: false });
  });

  it('with a limit of zero, holds back any deactivation', () => {
    expect(applyGuardrail([deactivate('111111111111')], 0, false).verdict.tripped).toBe(true);
  });
});
