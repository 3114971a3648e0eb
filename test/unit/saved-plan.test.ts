import { readFileSync } from 'node:fs';
import type { Outcome } from '../../lambda/reconciler/model';
import { parsePolicy } from '../../lambda/reconciler/policy/schema';
import type { RunPlan } from '../../lambda/reconciler/run/types';
import { savedPlanProblems } from '../../cli/saved-plan/file';
import { holdToSavedPlan } from '../../cli/saved-plan/hold';
import { policyDigest, type SavedPlan, savedPlanSchema } from '../../cli/saved-plan/schema';
import { PLAN_SCHEMA_FILE, planJsonSchema } from '../../scripts/plan-schema';

const policy = parsePolicy('{"version": 2, "default": "ACTIVATED", "orgPackagePaths": ["/opt/app"]}', 'p');
const saved: SavedPlan = {
  planFormatVersion: 1,
  createdAt: '2026-11-21T12:00:00.000Z',
  organizationId: 'o-exampleorg1',
  partition: 'aws',
  homeRegion: 'us-east-1',
  delegatedAdministrator: '100000000000',
  policy: { source: { file: 'policy.json', tier: 'Standard' }, version: 2, sha256: policyDigest(policy) },
  scope: { regions: ['us-east-1'] },
  changes: [
    { accountId: '111111111111', region: 'us-east-1', rule: 'default', from: 'DEACTIVATED', to: 'ACTIVATED' },
    { accountId: '222222222222', region: 'us-east-1', rule: 'default', from: 'DEACTIVATED', to: 'ACTIVATED' },
    { accountId: '555555555555', region: 'us-east-1', rule: 'default', from: 'DEACTIVATED', to: 'ACTIVATED' },
  ],
  orgPackagePaths: [{ region: 'us-east-1', from: [], to: ['/opt/app'] }],
};
const activate = (accountId: string, from: 'ACTIVATED' | 'DEACTIVATED' = 'DEACTIVATED'): Outcome => ({
  accountId,
  region: 'us-east-1',
  rule: 'default',
  kind: 'ACTIVATE',
  from,
  to: 'ACTIVATED',
});
const fresh = (outcomes: Outcome[], orgPackagePaths: string[] = []): RunPlan => ({
  policy,
  warnings: [],
  regions: [{ region: 'us-east-1', outcomes, orgPackagePaths }],
});

describe('holdToSavedPlan: exactly the saved changes, each still where it was planned from', () => {
  it('keeps a change whose account is still as planned, and the package paths still as found', () => {
    const { plan, drifts } = holdToSavedPlan(
      fresh([activate('111111111111'), activate('222222222222'), activate('555555555555')]),
      saved,
    );
    expect(drifts).toEqual([]);
    expect(plan.regions[0]?.outcomes.map((o) => o.kind)).toEqual(['ACTIVATE', 'ACTIVATE', 'ACTIVATE']);
    expect(plan.regions[0]?.orgPackagePaths).toEqual([]);
  });

  it.each<[string, Outcome]>([
    [
      'now as planned',
      { accountId: '222222222222', region: 'us-east-1', rule: 'default', kind: 'COMPLIANT', state: 'ACTIVATED' },
    ],
    [
      'now pending',
      { accountId: '222222222222', region: 'us-east-1', kind: 'SKIPPED', reason: 'DEEP_INSPECTION_PENDING' },
    ],
  ])(
    'counts an account %s as already made, not as changed since the plan, and writes nothing there',
    (_what, outcome) => {
      const { plan, drifts, already } = holdToSavedPlan(
        fresh([activate('111111111111'), outcome, activate('555555555555')]),
        saved,
      );
      expect(drifts).toEqual([]);
      expect(already).toEqual([{ accountId: '222222222222', region: 'us-east-1' }]);
      expect(plan.regions[0]?.outcomes[1]).toEqual(outcome);
    },
  );

  it.each<[string, Outcome, string]>([
    [
      'the policy keeps where it was',
      { accountId: '222222222222', region: 'us-east-1', rule: 'default', kind: 'COMPLIANT', state: 'DEACTIVATED' },
      'planned DEACTIVATED → ACTIVATED by default; the policy keeps it DEACTIVATED (rule default): left alone, plan again',
    ],
    [
      'decided by another rule',
      { ...activate('222222222222'), rule: 'other' } as Outcome,
      'planned DEACTIVATED → ACTIVATED by default; now it is DEACTIVATED, to go ACTIVATED by rule other: left alone, plan again',
    ],
  ])('leaves alone and reports an account %s', (_what, outcome, message) => {
    const { plan, drifts } = holdToSavedPlan(
      fresh([activate('111111111111'), outcome, activate('555555555555')]),
      saved,
    );
    expect(drifts).toEqual([{ accountId: '222222222222', region: 'us-east-1', message }]);
    expect(plan.regions[0]?.outcomes[1]).toMatchObject({
      accountId: '222222222222',
      kind: 'SKIPPED',
      reason: 'CHANGED_SINCE_PLAN',
      detail: message,
    });
  });

  it('does not write a change the saved plan does not hold, and says so', () => {
    const { plan, drifts } = holdToSavedPlan(
      fresh([activate('111111111111'), activate('222222222222'), activate('555555555555'), activate('333333333333')]),
      saved,
    );
    expect(plan.regions[0]?.outcomes[3]).toMatchObject({ kind: 'SKIPPED', reason: 'CHANGED_SINCE_PLAN' });
    expect(drifts).toEqual([
      {
        accountId: '333333333333',
        region: 'us-east-1',
        message: 'planned no change; now it is DEACTIVATED, to go ACTIVATED by rule default: plan again to include it',
      },
    ]);
  });

  it('keeps a failure a failure, and reports a planned account no longer in the run', () => {
    const failed: Outcome = {
      accountId: '111111111111',
      region: 'us-east-1',
      kind: 'FAILED',
      reason: 'STATUS_UNREADABLE',
    };
    const { plan, drifts } = holdToSavedPlan(fresh([failed, activate('222222222222')]), saved);
    expect(plan.regions[0]?.outcomes[0]).toBe(failed);
    expect(drifts).toEqual([
      {
        accountId: '555555555555',
        region: 'us-east-1',
        message: 'planned DEACTIVATED → ACTIVATED by default; the account is no longer in the run: left alone',
      },
    ]);
  });

  it('leaves package paths alone that changed since the plan', () => {
    const { plan, drifts } = holdToSavedPlan(
      fresh([activate('111111111111'), activate('222222222222'), activate('555555555555')], ['/srv']),
      saved,
    );
    expect(plan.regions[0]?.orgPackagePaths).toBeUndefined();
    expect(drifts).toEqual([
      {
        accountId: '',
        region: 'us-east-1',
        message: 'orgPackagePaths: planned [] → ["/opt/app"]; now ["/srv"]: left alone, plan again',
      },
    ]);
  });
});

describe('savedPlanProblems: a plan applies only where and while it holds', () => {
  const at = (iso: string) => new Date(iso);

  it('accepts a plan of this policy, organization and partition, made within the day', () => {
    expect(
      savedPlanProblems(saved, {
        now: at('2026-11-22T11:59:00Z'),
        partition: 'aws',
        organizationId: 'o-exampleorg1',
        policy: parsePolicy('\uFEFF{"version": 2, "orgPackagePaths": ["/opt/app"],  "default": "ACTIVATED"}', 'q'),
      }),
    ).toEqual([]);
  });

  it.each([
    [{ now: at('2026-11-22T12:00:01Z') }, 'more than 24 hours ago: plan again'],
    [{ now: at('2026-11-21T11:00:00Z') }, 'in the future: check this machine'],
    [{ now: at('2026-11-21T13:00:00Z'), partition: 'aws-cn' }, 'planned in the aws partition; this runs in aws-cn'],
    [
      { now: at('2026-11-21T13:00:00Z'), organizationId: 'o-otherorg123' },
      'planned in organization o-exampleorg1; these credentials are in o-otherorg123',
    ],
    [
      { now: at('2026-11-21T13:00:00Z'), policy: parsePolicy('{"version": 2, "default": "DEACTIVATED"}', 'q') },
      'is not the one it was planned with sha256 ',
    ],
    [
      { now: at('2026-11-21T13:00:00Z'), policy: parsePolicy('{"version": 1, "default": "ACTIVATED"}', 'q') },
      'planned with a version 2 policy; the policy is now version 1',
    ],
  ])('refuses %j', (here, problem) => {
    expect(savedPlanProblems(saved, here).join('\n')).toContain(problem);
  });
});

describe('the plan file format', () => {
  it('docs/plan.schema.json is what the zod schema generates: run `npm run schema` after changing it', () => {
    expect(readFileSync(PLAN_SCHEMA_FILE, 'utf8')).toBe(planJsonSchema());
  });

  it('refuses unknown keys and a wrong version, so an edited plan is not applied', () => {
    expect(savedPlanSchema.safeParse(saved).success).toBe(true);
    expect(savedPlanSchema.safeParse({ ...saved, extra: 1 }).success).toBe(false);
    expect(savedPlanSchema.safeParse({ ...saved, planFormatVersion: 2 }).success).toBe(false);
  });
});
