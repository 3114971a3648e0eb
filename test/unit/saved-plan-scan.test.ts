import { holdScanConfiguration, unseenScanConfiguration } from '../../cli/saved-plan/hold-scan';
import type { SavedPlan } from '../../cli/saved-plan/schema';
import type { ScanConfigurationOutcome } from '../../lambda/reconciler';

const R = 'us-east-1';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';
const toVm = { setting: 'vmScanner' as const, from: 'DEACTIVATED' as const, to: 'ACTIVATED' as const, rule: 'vm' };
const update = (accountId: string, changes = [toVm]): ScanConfigurationOutcome => ({
  kind: 'UPDATE',
  accountId,
  region: R,
  write: 'MEMBER',
  changes: changes.map((change) => ({ ...change, enforcement: 'enforce' as const })),
});
const saved = {
  scanConfigurationChanges: [
    { accountId: A, region: R, write: 'MEMBER', changes: [toVm] },
    { accountId: B, region: R, write: 'MEMBER', changes: [toVm] },
    { accountId: D, region: R, write: 'MEMBER', changes: [toVm] },
  ],
  scanConfigurationHeld: [{ accountId: C, region: R }],
} as unknown as SavedPlan;

describe('apply FILE and the scan configuration', () => {
  it('writes exactly the saved updates still planned the same way; anything else is left alone and said', () => {
    const seen = new Set<string>();
    const held = holdScanConfiguration(
      [
        update(A),
        update(B, [{ ...toVm, rule: 'another rule' }]),
        update(C, [{ ...toVm, to: 'DEACTIVATED' as never }]),
        { kind: 'COMPLIANT', accountId: D, region: R, settings: [] },
      ],
      saved,
      seen,
    );
    expect(held.outcomes.map((o) => [o.accountId, o.kind, 'reason' in o ? o.reason : undefined])).toEqual([
      [A, 'UPDATE', undefined],
      [B, 'SKIPPED', 'CHANGED_SINCE_PLAN'],
      [C, 'SKIPPED', 'NARROWING_HELD_BY_GUARDRAIL'],
      [D, 'COMPLIANT', undefined],
    ]);
    expect(held.drifts.map((drift) => drift.accountId)).toEqual([B]);
    expect(held.already).toEqual([{ accountId: D, region: R }]);
    expect(held.held).toEqual([{ accountId: C, region: R }]);
  });

  it('says which saved updates the fresh read no longer evaluates', () => {
    const seen = new Set<string>();
    holdScanConfiguration([update(A)], saved, seen);
    expect(unseenScanConfiguration(saved, seen).map((drift) => drift.accountId)).toEqual([B, D]);
  });
});
