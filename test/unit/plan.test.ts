import type { DeepInspectionStatus, Observation, OrganizationAccount } from '../../lambda/reconciler/model';
import {
  accountsToRead,
  desiredStateOf,
  matchRule,
  planRegion,
  type RegionObservations,
  resolveTargets,
} from '../../lambda/reconciler/plan';
import { type PolicyRule, validatePolicy } from '../../lambda/reconciler/policy/schema';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const ROOT = 'r-ab12';
const PARENT_OU = 'ou-ab12-11111111';
const CHILD_OU = 'ou-ab12-22222222';
const TODAY = '2026-11-24';

const policy = validatePolicy(
  {
    version: 1,
    default: 'ACTIVATED',
    rules: [
      { name: 'pinned on', accounts: [C], deepInspection: 'ACTIVATED' },
      { name: 'sandbox off', organizationalUnits: [PARENT_OU], deepInspection: 'DEACTIVATED' },
      { name: 'hands off', accounts: [B], deepInspection: 'UNMANAGED' },
    ],
  },
  'test',
);

const account = (id: string, ancestors: string[] = [ROOT], state = 'ACTIVE'): OrganizationAccount => ({
  id,
  state,
  ancestors,
});
const observed = (deepInspection?: DeepInspectionStatus, ec2ScanStatus = 'ENABLED'): Observation => ({
  kind: 'OBSERVED',
  ec2ScanStatus,
  ...(deepInspection === undefined ? { deepInspectionError: 'no status' } : { deepInspection }),
});
const readable = (entries: [string, Observation][]): RegionObservations => ({
  readable: true,
  observations: new Map(entries),
});

describe('desiredStateOf', () => {
  it('uses the first matching rule', () => {
    // C is pinned on by the first rule even though it sits under the sandbox OU of the second.
    expect(desiredStateOf(account(C, [ROOT, PARENT_OU]), policy, TODAY)).toEqual({
      state: 'ACTIVATED',
      rule: 'pinned on',
      enforcement: 'enforce',
    });
  });

  it('matches an OU for accounts anywhere below it', () => {
    expect(desiredStateOf(account(A, [ROOT, PARENT_OU, CHILD_OU]), policy, TODAY)).toEqual({
      state: 'DEACTIVATED',
      rule: 'sandbox off',
      enforcement: 'enforce',
    });
  });

  it('falls back to the default when no rule matches', () => {
    expect(desiredStateOf(account(A, [ROOT, CHILD_OU]), policy, TODAY)).toEqual({
      state: 'ACTIVATED',
      rule: 'default',
      enforcement: 'enforce',
    });
  });

  it('matches every account by a root id, even without resolved ancestry', () => {
    const rootPolicy = validatePolicy(
      {
        version: 1,
        default: 'ACTIVATED',
        rules: [{ name: 'all off', organizationalUnits: [ROOT], deepInspection: 'DEACTIVATED' }],
      },
      't',
    );
    expect(desiredStateOf({ id: A }, rootPolicy, TODAY)).toMatchObject({ state: 'DEACTIVATED' });
  });
});

describe('resolveTargets', () => {
  it('skips inactive accounts with their state and UNMANAGED ones, and reads only the rest', () => {
    const targets = resolveTargets([account(A), account(B), account(C, [ROOT], 'SUSPENDED')], policy, TODAY);
    expect(targets).toEqual([
      { accountId: A, rule: 'default', desired: 'ACTIVATED', enforcement: 'enforce' as const },
      { accountId: B, rule: 'hands off', skip: 'UNMANAGED' },
      { accountId: C, skip: 'ACCOUNT_NOT_ACTIVE', detail: 'SUSPENDED' },
    ]);
    expect(accountsToRead(targets)).toEqual([A]);
  });

  it('limits the run to requested accounts and reports requested ones the organization does not list', () => {
    const targets = resolveTargets([account(A), account(C)], policy, TODAY, [C, '999999999999']);
    expect(targets).toEqual([
      { accountId: C, rule: 'pinned on', desired: 'ACTIVATED', enforcement: 'enforce' as const },
      { accountId: '999999999999', skip: 'NOT_IN_ORGANIZATION' },
    ]);
  });
});

describe('planRegion', () => {
  const target = { accountId: A, rule: 'default', desired: 'ACTIVATED' as const, enforcement: 'enforce' as const };
  const region = 'eu-west-1';

  it.each<[string, Observation | undefined, object]>([
    ['compliant', observed('ACTIVATED'), { kind: 'COMPLIANT', state: 'ACTIVATED' }],
    ['off but wanted on', observed('DEACTIVATED'), { kind: 'ACTIVATE', from: 'DEACTIVATED', to: 'ACTIVATED' }],
    ['failed earlier, retried', observed('FAILED'), { kind: 'ACTIVATE', from: 'FAILED', to: 'ACTIVATED' }],
    ['pending', observed('PENDING'), { kind: 'SKIPPED', reason: 'DEEP_INSPECTION_PENDING' }],
    [
      'EC2 scanning off',
      observed('DEACTIVATED', 'DISABLED'),
      { kind: 'SKIPPED', reason: 'EC2_SCANNING_NOT_ENABLED', detail: 'DISABLED' },
    ],
    [
      'EC2 scanning suspending',
      observed('ACTIVATED', 'SUSPENDING'),
      { kind: 'SKIPPED', reason: 'EC2_SCANNING_NOT_ENABLED', detail: 'SUSPENDING' },
    ],
    [
      'not a member',
      { kind: 'SKIP', reason: 'NOT_INSPECTOR_MEMBER', detail: 'ACCESS_DENIED' },
      { kind: 'SKIPPED', reason: 'NOT_INSPECTOR_MEMBER', detail: 'ACCESS_DENIED' },
    ],
    [
      'Inspector itself changing the account',
      { kind: 'SKIP', reason: 'INSPECTOR_STATUS_CHANGING', detail: 'ENABLE_IN_PROGRESS: busy' },
      { kind: 'SKIPPED', reason: 'INSPECTOR_STATUS_CHANGING', detail: 'ENABLE_IN_PROGRESS: busy' },
    ],
    [
      'an isolated account',
      { kind: 'SKIP', reason: 'ACCOUNT_ISOLATED', detail: 'ACCOUNT_IS_ISOLATED: x' },
      { kind: 'SKIPPED', reason: 'ACCOUNT_ISOLATED' },
    ],
    [
      'an account an organization policy blocks',
      { kind: 'SKIP', reason: 'BLOCKED_BY_ORGANIZATION_POLICY', detail: 'BLOCKED_BY_ORGANIZATION_POLICY: x' },
      { kind: 'SKIPPED', reason: 'BLOCKED_BY_ORGANIZATION_POLICY' },
    ],
    [
      'account status unreadable',
      { kind: 'UNREADABLE', errorMessage: 'INTERNAL_ERROR' },
      { kind: 'FAILED', reason: 'STATUS_UNREADABLE', errorMessage: 'INTERNAL_ERROR', desired: 'ACTIVATED' },
    ],
    [
      'deep status unreadable',
      observed(undefined),
      { kind: 'FAILED', reason: 'STATUS_UNREADABLE', errorMessage: 'no status', ec2ScanStatus: 'ENABLED' },
    ],
    [
      'absent from both reads',
      undefined,
      {
        kind: 'FAILED',
        reason: 'STATUS_UNREADABLE',
        errorMessage: 'Inspector returned no status for this account',
      },
    ],
  ])('%s', (_name, observation, expected) => {
    const read = readable(observation === undefined ? [] : [[A, observation]]);
    expect(planRegion(region, [target], read)).toEqual([
      expect.objectContaining({ accountId: A, region, rule: 'default', ...expected }),
    ]);
  });

  it('deactivates when the policy wants it off', () => {
    const off = { accountId: A, rule: 'sandbox off', desired: 'DEACTIVATED' as const, enforcement: 'enforce' as const };
    expect(planRegion(region, [off], readable([[A, observed('ACTIVATED')]]))).toEqual([
      { kind: 'DEACTIVATE', accountId: A, region, rule: 'sandbox off', from: 'ACTIVATED', to: 'DEACTIVATED' },
    ]);
  });

  it('carries region-independent skips into every region', () => {
    const skipped = { accountId: B, rule: 'hands off', skip: 'UNMANAGED' as const };
    expect(planRegion(region, [skipped], readable([]))).toEqual([
      { kind: 'SKIPPED', accountId: B, region, rule: 'hands off', reason: 'UNMANAGED', detail: undefined },
    ]);
  });

  it('fails every account it should have read when the region is unreadable, and still skips the rest', () => {
    const targets = [target, { accountId: B, skip: 'UNMANAGED' as const }];
    const outcomes = planRegion(region, targets, {
      readable: false,
      errorMessage: 'AccessDeniedException: not the delegated admin',
    });
    expect(outcomes.map((o) => [o.accountId, o.kind, 'reason' in o ? o.reason : undefined])).toEqual([
      [A, 'FAILED', 'REGION_UNREADABLE'],
      [B, 'SKIPPED', 'UNMANAGED'],
    ]);
  });

  it('plans the delegated administrator like any other account (it is applied differently, not planned differently)', () => {
    const admin = { accountId: C, rule: 'pinned on', desired: 'ACTIVATED' as const, enforcement: 'enforce' as const };
    expect(planRegion(region, [admin], readable([[C, observed('DEACTIVATED')]]))[0]?.kind).toBe('ACTIVATE');
  });

  it('returns exactly one outcome per target, in order', () => {
    const targets = resolveTargets([account(A), account(B), account(C, [ROOT], 'CLOSED')], policy, TODAY, [
      A,
      B,
      C,
      '444444444444',
    ]);
    const outcomes = planRegion(region, targets, readable([[A, observed('DEACTIVATED')]]));
    expect(outcomes.map((o) => o.accountId)).toEqual([A, B, C, '444444444444']);
  });
});

describe('an account whose place in the organization is unknown', () => {
  const unplaced: OrganizationAccount = { id: A, state: 'ACTIVE', ancestryUnresolved: 'ChildNotFoundException: gone' };

  it('is never decided by an OU rule, a later rule or the default: it fails with its own reason', () => {
    const [target] = resolveTargets([unplaced], policy, TODAY);
    expect(target).toEqual({
      accountId: A,
      rule: 'sandbox off',
      undecided: "the account's place in the organization could not be found: ChildNotFoundException: gone",
    });
    expect(accountsToRead([target as never])).toEqual([]);
    expect(planRegion('eu-west-1', [target as never], readable([]))).toEqual([
      {
        kind: 'FAILED',
        accountId: A,
        region: 'eu-west-1',
        rule: 'sandbox off',
        reason: 'ORGANIZATIONAL_UNIT_UNRESOLVED',
        errorMessage: "the account's place in the organization could not be found: ChildNotFoundException: gone",
      },
    ]);
  });

  it('is still decided by an account rule that comes before any OU rule', () => {
    const [target] = resolveTargets([{ ...unplaced, id: C }], policy, TODAY);
    expect(target).toEqual({ accountId: C, rule: 'pinned on', desired: 'ACTIVATED', enforcement: 'enforce' as const });
  });
});

describe('report-only rules and expiring exceptions', () => {
  const v2 = validatePolicy(
    {
      version: 2,
      default: 'ACTIVATED',
      rules: [
        { name: 'exception', accounts: [A], deepInspection: 'UNMANAGED', expires: '2026-11-30' },
        { name: 'trial off', organizationalUnits: [PARENT_OU], deepInspection: 'DEACTIVATED', enforcement: 'report' },
      ],
    },
    'test',
  );

  it('a report-only mismatch is WOULD_*, never a change', () => {
    const targets = resolveTargets([account(B, [ROOT, PARENT_OU])], v2, TODAY);
    expect(targets).toEqual([{ accountId: B, rule: 'trial off', desired: 'DEACTIVATED', enforcement: 'report' }]);
    expect(planRegion('eu-west-1', targets, readable([[B, observed('ACTIVATED')]]))).toEqual([
      {
        kind: 'WOULD_DEACTIVATE',
        accountId: B,
        region: 'eu-west-1',
        rule: 'trial off',
        from: 'ACTIVATED',
        to: 'DEACTIVATED',
      },
    ]);
  });

  it('a report-only account already as the rule wants is simply compliant', () => {
    const targets = resolveTargets([account(B, [ROOT, PARENT_OU])], v2, TODAY);
    expect(planRegion('eu-west-1', targets, readable([[B, observed('DEACTIVATED')]]))[0]?.kind).toBe('COMPLIANT');
  });

  it('an exception matches through its last day, and after it the account goes to the next rule', () => {
    const under = account(A, [ROOT, PARENT_OU]);
    expect(desiredStateOf(under, v2, '2026-11-30')).toMatchObject({ state: 'UNMANAGED', rule: 'exception' });
    expect(desiredStateOf(under, v2, '2026-12-01')).toMatchObject({ state: 'DEACTIVATED', rule: 'trial off' });
    expect(desiredStateOf(account(A), v2, '2026-12-01')).toMatchObject({ state: 'ACTIVATED', rule: 'default' });
  });

  it('explains each rule’s match: by account, by OU, by root; expired; not named', () => {
    const under = account(A, [ROOT, PARENT_OU]);
    expect(matchRule(v2.rules[0] as PolicyRule, under, TODAY)).toEqual({ matches: true, by: 'account' });
    expect(matchRule(v2.rules[0] as PolicyRule, under, '2026-12-01')).toEqual({ matches: false, why: 'expired' });
    expect(matchRule(v2.rules[1] as PolicyRule, under, TODAY)).toEqual({
      matches: true,
      by: 'organizationalUnit',
      id: PARENT_OU,
    });
    expect(matchRule(v2.rules[1] as PolicyRule, account(C), TODAY)).toEqual({ matches: false, why: 'notNamed' });
  });
});
