import fc from 'fast-check';
import type { Ec2ScanConfiguration, ScanConfigurationRequest } from '../../lambda/reconciler/aws/inspector';
import {
  applyScanConfiguration,
  requestFor,
  settleScanConfiguration,
} from '../../lambda/reconciler/scan-configuration/apply';
import type { OrganizationAccount, Outcome } from '../../lambda/reconciler/model';
import type {
  ScanConfigurationOutcome,
  ScanConfigurationUpdate,
} from '../../lambda/reconciler/scan-configuration/outcome';
import { orderChanges } from '../../lambda/reconciler/scan-configuration/order';
import {
  administratorState,
  observedOf,
  planAdministrator,
  planMember,
} from '../../lambda/reconciler/scan-configuration/plan';
import { scanConfigurationScope } from '../../lambda/reconciler/scan-configuration/scope';
import {
  managedAccounts,
  readAndPlanScanConfiguration,
  scanConfigurationRun,
} from '../../lambda/reconciler/scan-configuration/step';
import { UNLIMITED } from '../../lambda/reconciler/deadline/budget';
import { inSlice, inWindow, slicePosition, sliceWindow } from '../../lambda/reconciler/scan-configuration/slice';
import { scanPolicy } from '../support/scan-policy';

const ADMIN = '999999999999';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const ROOT = 'r-ab12';
const SANDBOX = 'ou-ab12-11111111';
const TODAY = '2026-12-05';
const R = 'us-east-1';

const account = (id: string, ancestors: string[] = [ROOT], state = 'ACTIVE'): OrganizationAccount => ({
  id,
  state,
  ancestors,
});
const accounts = [account(ADMIN), account(A), account(B, [ROOT, SANDBOX]), account(C)];
const read = (
  scanMode: string,
  activated: boolean,
  status = { scanMode: 'SUCCESS', vm: 'SUCCESS' },
): Ec2ScanConfiguration => ({
  scanMode,
  scanModeStatus: status.scanMode,
  vmScanner: { activated, status: status.vm },
});
const HYBRID_OFF = read('EC2_HYBRID', false);
const HYBRID_ON = read('EC2_HYBRID', true);

describe('the verification slice', () => {
  const HOUR = 3600;

  it('places an account at a stable position in [0, 1)', () => {
    expect(slicePosition(A)).toBe(slicePosition(A));
    expect(slicePosition(A)).toBeGreaterThanOrEqual(0);
    expect(slicePosition(A)).toBeLessThan(1);
    expect(slicePosition(A)).not.toBe(slicePosition(B));
  });

  it('reads the window before the run, quantized to the period: retries of one scheduled time read the same one', () => {
    expect(sliceWindow(new Date('2026-12-05T10:17:00Z'), HOUR)).toEqual({ from: 9 / 24, to: 10 / 24 });
    expect(sliceWindow(new Date('2026-12-05T10:59:59Z'), HOUR)).toEqual({ from: 9 / 24, to: 10 / 24 });
    // The run just after midnight reads the day's last hour.
    expect(sliceWindow(new Date('2026-12-05T00:05:00Z'), HOUR)).toEqual({ from: 23 / 24, to: 0 });
    expect(inWindow(0.99, { from: 23 / 24, to: 0 })).toBe(true);
    expect(inWindow(0.5, { from: 23 / 24, to: 0 })).toBe(false);
  });

  it('reads everything when the schedule runs once a day or less often', () => {
    expect(sliceWindow(new Date('2026-12-05T10:17:00Z'), 24 * HOUR)).toEqual({ from: 0, to: 1 });
    expect(inSlice(A, { window: { from: 0, to: 1 } })).toBe(true);
    expect(inSlice(A, 'all')).toBe(true);
  });

  it('refuses a period that is not positive', () => {
    expect(() => sliceWindow(new Date(), 0)).toThrow(/must be positive/);
  });

  /** How many times a day of the schedule's consecutive runs, from `start`, reads each account. */
  function readsInADay(ids: readonly string[], period: number, startSeconds: number): number[] {
    const start = Date.UTC(2026, 11, 1) + startSeconds * 1000;
    const runs = Math.ceil((24 * HOUR) / period);
    return ids.map((id) => {
      let reads = 0;
      for (let run = 0; run < runs; run++) {
        if (inSlice(id, { window: sliceWindow(new Date(start + run * period * 1000), period) })) reads += 1;
      }
      return reads;
    });
  }
  const ids = fc.array(fc.integer({ min: 100000000000, max: 999999999999 }).map(String), {
    minLength: 1,
    maxLength: 60,
  });
  // EventBridge Scheduler's rate() may start at any second.
  const start = fc.integer({ min: 0, max: 10 * 24 * HOUR });

  it('reads every account exactly once in a day of consecutive scheduled runs, whatever the start', () => {
    // The stack's rate() periods that divide the day: minutes, hours.
    const period = fc.constantFrom(
      60,
      300,
      900,
      1800,
      HOUR,
      2 * HOUR,
      3 * HOUR,
      4 * HOUR,
      6 * HOUR,
      8 * HOUR,
      12 * HOUR,
    );
    fc.assert(
      fc.property(ids, period, start, (accountIds, seconds, from) => {
        expect(readsInADay(accountIds, seconds, from)).toEqual(accountIds.map(() => 1));
      }),
    );
  });

  it('with a period that does not divide the day, reads every account once or twice in the runs that span it', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 60, max: 12 * HOUR }), start, (accountIds, seconds, from) => {
        const reads = readsInADay(accountIds, seconds, from);
        expect(reads.every((count) => count >= 1 && count <= 2)).toBe(true);
      }),
    );
  });
});

describe('the administrator-level write', () => {
  const base = { scanConfiguration: { vmScanner: 'ACTIVATED' as const, enforcement: 'enforce' as const } };

  it('is allowed when every account is decided the default value with enforce, reaching those the default decides', () => {
    const policy = scanPolicy({
      ...base,
      rules: [{ name: 'same value', accounts: [C], vmScanner: 'ACTIVATED' }],
    });
    const scope = scanConfigurationScope(accounts, policy, TODAY, true);
    expect(scope.administrator.vmScanner).toEqual({ allowed: true, mayReach: [ADMIN, A, B] });
    expect(scope.administrator.scanMode).toBeUndefined();
  });

  it.each([
    [
      'a rule with another value',
      [{ name: 'sandbox off', organizationalUnits: [SANDBOX], vmScanner: 'DEACTIVATED' }],
      /rule "sandbox off" decides vmScanner DEACTIVATED for 222222222222/,
    ],
    [
      'an UNMANAGED rule',
      [{ name: 'hands off', accounts: [A], vmScanner: 'UNMANAGED' }],
      /rule "hands off" leaves vmScanner UNMANAGED for 111111111111/,
    ],
    [
      'a report-only rule',
      [{ name: 'trial', accounts: [A], vmScanner: 'ACTIVATED', enforcement: 'report' }],
      /rule "trial" is report-only/,
    ],
  ] as const)('is not allowed with %s, naming it', (_, rules, why) => {
    const policy = scanPolicy({ ...base, rules: rules as never });
    const write = scanConfigurationScope(accounts, policy, TODAY, true).administrator.vmScanner;
    expect(write?.allowed).toBe(false);
    expect(write).toMatchObject({ why: expect.stringMatching(why) });
  });

  it('is not allowed in a run scoped to some accounts, nor when the default is report-only', () => {
    const scoped = scanConfigurationScope(accounts, scanPolicy(base), TODAY, false).administrator.vmScanner;
    expect(scoped).toMatchObject({ allowed: false, why: expect.stringMatching(/scoped to some accounts/) });
    const report = scanPolicy({ scanConfiguration: { vmScanner: 'ACTIVATED', enforcement: 'report' } });
    expect(scanConfigurationScope(accounts, report, TODAY, true).administrator.vmScanner).toMatchObject({
      allowed: false,
      why: expect.stringMatching(/report-only/),
    });
  });

  it('is not allowed when an account the default may reach cannot be decided', () => {
    const policy = scanPolicy({
      ...base,
      rules: [{ name: 'sandbox', organizationalUnits: [SANDBOX], vmScanner: 'ACTIVATED' }],
    });
    const unknown = [...accounts.slice(0, 3), { id: C, state: 'ACTIVE' }];
    expect(scanConfigurationScope(unknown, policy, TODAY, true).administrator.vmScanner).toMatchObject({
      allowed: false,
      why: expect.stringMatching(/rule "sandbox" cannot be decided for 333333333333/),
    });
  });
});

describe('planMember', () => {
  const policy = scanPolicy({
    scanConfiguration: { vmScanner: 'ACTIVATED', enforcement: 'enforce' },
    rules: [
      {
        name: 'sandbox agent only',
        organizationalUnits: [SANDBOX],
        scanMode: 'EC2_SSM_AGENT_BASED',
        vmScanner: 'DEACTIVATED',
      },
      { name: 'trial', accounts: [C], scanMode: 'EC2_SSM_AGENT_BASED', enforcement: 'report' },
    ],
  });
  const scope = scanConfigurationScope(accounts, policy, TODAY, false);
  const decision = (id: string) => scope.decisions.get(id) ?? { target: {} };
  const admin = (configuration: Ec2ScanConfiguration, follows: string[] = []) => ({
    ...('error' in configuration ? {} : { observed: observedOf(configuration) }),
    follows: new Set(follows) as never,
  });

  it('is COMPLIANT when every managed setting reads as decided', () => {
    expect(planMember(R, A, decision(A), HYBRID_ON, admin(HYBRID_ON))).toMatchObject({
      kind: 'COMPLIANT',
      settings: [{ setting: 'vmScanner', value: 'ACTIVATED', rule: 'default' }],
    });
  });

  it('writes a rule-decided member with its accountId, the scan mode always given', () => {
    expect(planMember(R, B, decision(B), HYBRID_ON, admin(HYBRID_ON))).toMatchObject({
      kind: 'UPDATE',
      write: 'MEMBER',
      changes: [
        { setting: 'scanMode', from: 'EC2_HYBRID', to: 'EC2_SSM_AGENT_BASED', rule: 'sandbox agent only' },
        { setting: 'vmScanner', from: 'ACTIVATED', to: 'DEACTIVATED', rule: 'sandbox agent only' },
      ],
    });
  });

  it('resets a default-governed member to inherit when the administrator already has what it should', () => {
    expect(planMember(R, A, decision(A), HYBRID_OFF, admin(HYBRID_ON))).toMatchObject({
      kind: 'UPDATE',
      write: 'INHERIT_FROM_ADMIN',
      changes: [{ setting: 'vmScanner', from: 'DEACTIVATED', to: 'ACTIVATED', rule: 'default' }],
    });
  });

  it('writes a default-governed member one by one when inheriting would change a setting it does not manage', () => {
    expect(planMember(R, A, decision(A), read('EC2_SSM_AGENT_BASED', false), admin(HYBRID_ON))).toMatchObject({
      kind: 'UPDATE',
      write: 'MEMBER',
    });
  });

  it('lets a default-governed member follow the administrator configuration written this run', () => {
    expect(planMember(R, A, decision(A), HYBRID_OFF, admin(HYBRID_OFF, ['vmScanner']))).toMatchObject({
      kind: 'SKIPPED',
      reason: 'FOLLOWS_ADMINISTRATOR',
      changes: [{ setting: 'vmScanner', to: 'ACTIVATED' }],
    });
  });

  it("reports a report-only rule's change and writes nothing", () => {
    expect(planMember(R, C, decision(C), HYBRID_ON, admin(HYBRID_ON))).toMatchObject({
      kind: 'WOULD_UPDATE',
      changes: [{ setting: 'scanMode', to: 'EC2_SSM_AGENT_BASED', rule: 'trial', enforcement: 'report' }],
    });
  });

  it.each([
    [
      'PENDING scan mode',
      read('EC2_HYBRID', false, { scanMode: 'PENDING', vm: 'SUCCESS' }),
      { kind: 'SKIPPED', reason: 'SCAN_CONFIGURATION_PENDING' },
    ],
    [
      'PENDING VM scanner',
      read('EC2_HYBRID', false, { scanMode: 'SUCCESS', vm: 'PENDING' }),
      { kind: 'SKIPPED', reason: 'SCAN_CONFIGURATION_PENDING' },
    ],
    [
      'an unreadable configuration',
      { error: 'AccessDeniedException: no' },
      { kind: 'FAILED', reason: 'CONFIGURATION_UNREADABLE', errorMessage: 'AccessDeniedException: no' },
    ],
    [
      'a read the deadline did not reach',
      { error: 'late', notReached: true },
      { kind: 'FAILED', reason: 'TIMEOUT_NOT_REACHED' },
    ],
    [
      'no scan mode in the answer',
      { vmScanner: { activated: false, status: 'SUCCESS' } },
      {
        kind: 'FAILED',
        reason: 'CONFIGURATION_UNREADABLE',
        errorMessage: 'GetConfiguration answered no EC2 scan mode',
      },
    ],
  ] as const)('%s: neither rewritten nor planned', (_, configuration, expected) => {
    expect(planMember(R, A, decision(A), configuration as never, admin(HYBRID_ON))).toMatchObject(expected);
  });

  it('retries a FAILED VM scanner towards the policy', () => {
    expect(
      planMember(R, A, decision(A), read('EC2_HYBRID', true, { scanMode: 'SUCCESS', vm: 'FAILED' }), admin(HYBRID_OFF)),
    ).toMatchObject({
      kind: 'UPDATE',
      changes: [{ setting: 'vmScanner', from: 'FAILED', to: 'ACTIVATED' }],
    });
  });
});

describe('an account Inspector leaves out', () => {
  const policy = scanPolicy({
    rules: [
      { name: 'to the VM scanner', accounts: [A], vmScanner: 'ACTIVATED' },
      { name: 'agent only', accounts: [B], scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: 'DEACTIVATED' },
    ],
  });

  it('says on its SKIPPED outcome what the policy decides of each setting, and by which rule, with no read', async () => {
    const run = scanConfigurationRun(policy, accounts, TODAY, { ownAccountId: ADMIN }, true);
    if (run === undefined) throw new Error('the policy manages scan configuration');
    const asked: string[][] = [];
    const { scanConfiguration } = await readAndPlanScanConfiguration(R, run, {
      inspector: {
        memberScanConfigurations: async (ids) => {
          asked.push([...ids]);
          return new Map();
        },
      },
      observations: new Map([
        [A, { kind: 'SKIP', reason: 'BLOCKED_BY_ORGANIZATION_POLICY', detail: 'an SCP denies it' }],
        [B, { kind: 'OBSERVED', ec2ScanStatus: 'DISABLED' }],
      ]),
      administrator: HYBRID_ON,
      deep: [],
      budget: UNLIMITED,
    });

    expect(asked).toEqual([[]]);
    expect(scanConfiguration.outcomes).toEqual([
      {
        kind: 'SKIPPED',
        accountId: A,
        region: R,
        reason: 'BLOCKED_BY_ORGANIZATION_POLICY',
        detail: 'an SCP denies it',
        settings: [{ setting: 'vmScanner', value: 'ACTIVATED', rule: 'to the VM scanner' }],
      },
      {
        kind: 'SKIPPED',
        accountId: B,
        region: R,
        reason: 'EC2_SCANNING_NOT_ENABLED',
        detail: 'DISABLED',
        settings: [
          { setting: 'scanMode', value: 'EC2_SSM_AGENT_BASED', rule: 'agent only' },
          { setting: 'vmScanner', value: 'DEACTIVATED', rule: 'agent only' },
        ],
      },
    ]);
  });
});

describe('the accounts whose scan configuration the policy manages', () => {
  const run = (policy: ReturnType<typeof scanPolicy>, scoped = false) => {
    const decided = scanConfigurationRun(policy, accounts, TODAY, { ownAccountId: ADMIN }, !scoped);
    if (decided === undefined) throw new Error('the policy manages scan configuration');
    return decided;
  };

  it('are those a setting is decided for, read this run or not, and the administrator where the default states one', () => {
    const policy = scanPolicy({
      scanConfiguration: { vmScanner: 'ACTIVATED', enforcement: 'enforce' },
      rules: [{ name: 'hands off', accounts: [B], vmScanner: 'UNMANAGED' }],
    });
    // A window of the day that holds none of them: nobody is read this run.
    const slice = { ...run(policy), reads: { window: { from: 0.5, to: 0.5000001 } } };
    expect([...managedAccounts(slice)].sort()).toEqual([A, C, ADMIN].sort());
  });

  it('leave out the administrator when only a rule naming others decides a setting', () => {
    const policy = scanPolicy({ rules: [{ name: 'vm scanner', accounts: [A], vmScanner: 'ACTIVATED' }] });
    expect([...managedAccounts(run(policy))]).toEqual([A]);
  });

  it('keep an account whose rule cannot be decided (its organizational units are not known)', () => {
    const policy = scanPolicy({ rules: [{ name: 'sandbox', organizationalUnits: [SANDBOX], vmScanner: 'ACTIVATED' }] });
    const unknown = [account(ADMIN), { id: A, state: 'ACTIVE' } as OrganizationAccount];
    const decided = scanConfigurationRun(policy, unknown, TODAY, { ownAccountId: ADMIN }, false);
    expect(decided === undefined ? [] : [...managedAccounts(decided)]).toEqual([A]);
  });
});

describe('planAdministrator', () => {
  const policy = scanPolicy({ scanConfiguration: { vmScanner: 'ACTIVATED', enforcement: 'enforce' } });

  it('writes the administrator configuration where allowed, saying whom it may reach', () => {
    const scope = scanConfigurationScope(accounts, policy, TODAY, true);
    const outcome = planAdministrator(R, ADMIN, HYBRID_OFF, policy, scope);
    expect(outcome).toMatchObject({
      kind: 'UPDATE',
      write: 'ADMINISTRATOR',
      changes: [{ setting: 'vmScanner', from: 'DEACTIVATED', to: 'ACTIVATED', rule: 'default' }],
      mayReach: [ADMIN, A, B, C],
    });
    expect([...administratorState(outcome, scope).follows]).toEqual(['vmScanner']);
  });

  it('does not write it where a rule decides an account otherwise, naming the rule', () => {
    const ruled = scanPolicy({ ...policy, rules: [{ name: 'legacy', accounts: [C], vmScanner: 'DEACTIVATED' }] });
    const scope = scanConfigurationScope(accounts, ruled, TODAY, true);
    const outcome = planAdministrator(R, ADMIN, HYBRID_OFF, ruled, scope);
    expect(outcome).toMatchObject({
      kind: 'SKIPPED',
      reason: 'ADMINISTRATOR_WRITE_NOT_ALLOWED',
      detail: expect.stringContaining('rule "legacy" decides vmScanner DEACTIVATED for 333333333333'),
    });
    expect([...administratorState(outcome, scope).follows]).toEqual([]);
  });

  it('reports a report-only default without writing it', () => {
    const report = scanPolicy({ scanConfiguration: { vmScanner: 'ACTIVATED', enforcement: 'report' } });
    const outcome = planAdministrator(
      R,
      ADMIN,
      HYBRID_OFF,
      report,
      scanConfigurationScope(accounts, report, TODAY, true),
    );
    expect(outcome).toMatchObject({ kind: 'WOULD_UPDATE', write: 'ADMINISTRATOR' });
  });

  it('is compliant when it already has the default', () => {
    const scope = scanConfigurationScope(accounts, policy, TODAY, true);
    expect(planAdministrator(R, ADMIN, HYBRID_ON, policy, scope)).toMatchObject({ kind: 'COMPLIANT' });
  });

  it('while its configuration is PENDING, members governed by the default follow it', () => {
    const scope = scanConfigurationScope(accounts, policy, TODAY, true);
    const pending = planAdministrator(
      R,
      ADMIN,
      read('EC2_HYBRID', true, { scanMode: 'SUCCESS', vm: 'PENDING' }),
      policy,
      scope,
    );
    expect(pending).toMatchObject({ kind: 'SKIPPED', reason: 'SCAN_CONFIGURATION_PENDING' });
    expect([...administratorState(pending, scope).follows]).toEqual(['vmScanner']);
  });
});

describe('the order rule: widening first, narrowing waits', () => {
  const update = (accountId: string, changes: [string, string][], extra: object = {}): ScanConfigurationOutcome => ({
    kind: 'UPDATE',
    accountId,
    region: R,
    write: 'MEMBER',
    changes: changes.map(([setting, to]) => ({
      setting: setting as never,
      to: to as never,
      rule: 'r',
      enforcement: 'enforce',
    })),
    ...extra,
  });
  const deactivate: Outcome = {
    kind: 'DEACTIVATE',
    accountId: A,
    region: R,
    rule: 'off',
    from: 'ACTIVATED',
    to: 'DEACTIVATED',
  };
  const activate: Outcome = {
    kind: 'ACTIVATE',
    accountId: A,
    region: R,
    rule: 'on',
    from: 'DEACTIVATED',
    to: 'ACTIVATED',
  };

  it('holds a deep inspection deactivation while the same account moves to the VM scanner', () => {
    const { deep, scan } = orderChanges([deactivate], [update(A, [['vmScanner', 'ACTIVATED']])]);
    expect(deep).toEqual([
      expect.objectContaining({
        kind: 'SKIPPED',
        reason: 'WAITS_FOR_WIDENING',
        detail: expect.stringMatching(/vmScanner → ACTIVATED reads SUCCESS/),
      }),
    ]);
    expect(scan[0]).toMatchObject({ kind: 'UPDATE' });
  });

  it('holds a VM scanner switch-off while deep inspection is activated in the same account', () => {
    const { deep, scan } = orderChanges([activate], [update(A, [['vmScanner', 'DEACTIVATED']])]);
    expect(deep).toEqual([activate]);
    expect(scan[0]).toMatchObject({
      kind: 'SKIPPED',
      reason: 'WAITS_FOR_WIDENING',
      changes: [{ setting: 'vmScanner', to: 'DEACTIVATED' }],
    });
  });

  it('writes the widening setting of one configuration alone and leaves its narrowing waiting', () => {
    const { scan } = orderChanges(
      [],
      [
        update(
          A,
          [
            ['scanMode', 'EC2_SSM_AGENT_BASED'],
            ['vmScanner', 'ACTIVATED'],
          ],
          { write: 'INHERIT_FROM_ADMIN' },
        ),
      ],
    );
    expect(scan[0]).toMatchObject({
      kind: 'UPDATE',
      write: 'MEMBER',
      changes: [{ setting: 'vmScanner', to: 'ACTIVATED' }],
      waiting: [{ setting: 'scanMode', to: 'EC2_SSM_AGENT_BASED' }],
    });
  });

  it('holds a deactivation while the account reads PENDING or could not be read; other accounts go ahead', () => {
    const pending: ScanConfigurationOutcome = {
      kind: 'SKIPPED',
      accountId: A,
      region: R,
      reason: 'SCAN_CONFIGURATION_PENDING',
    };
    const other: Outcome = { ...deactivate, accountId: B };
    const { deep } = orderChanges([deactivate, other], [pending]);
    expect(deep.map((o) => o.kind)).toEqual(['SKIPPED', 'DEACTIVATE']);
  });

  it("holds deactivations in every account the administrator configuration's widening reaches", () => {
    const admin = update(ADMIN, [['vmScanner', 'ACTIVATED']], { write: 'ADMINISTRATOR', mayReach: [ADMIN, A] });
    const { deep } = orderChanges([deactivate], [admin]);
    expect(deep[0]).toMatchObject({
      reason: 'WAITS_FOR_WIDENING',
      detail: expect.stringMatching(/administrator configuration/),
    });
  });

  it('holds an administrator narrowing while any account it reaches is being widened', () => {
    const admin = update(ADMIN, [['vmScanner', 'DEACTIVATED']], { write: 'ADMINISTRATOR', mayReach: [ADMIN, A] });
    const { scan } = orderChanges([activate], [admin]);
    expect(scan[0]).toMatchObject({
      kind: 'SKIPPED',
      reason: 'WAITS_FOR_WIDENING',
      detail: expect.stringMatching(/reaches 111111111111/),
    });
  });

  it('leaves narrowing alone when nothing widens', () => {
    const { deep, scan } = orderChanges([deactivate], [update(B, [['vmScanner', 'DEACTIVATED']])]);
    expect(deep).toEqual([deactivate]);
    expect(scan[0]).toMatchObject({ kind: 'UPDATE' });
  });
});

describe('applying scan configuration updates', () => {
  const update = (accountId: string, to: string, write = 'MEMBER'): ScanConfigurationUpdate => ({
    kind: 'UPDATE',
    accountId,
    region: R,
    write: write as never,
    observed: { scanMode: 'EC2_HYBRID', vmScanner: 'ACTIVATED', pending: false },
    changes: [{ setting: 'vmScanner', from: 'ACTIVATED', to: to as never, rule: 'r', enforcement: 'enforce' }],
  });

  it('sends the scan mode read when only the VM scanner changes, and no accountId for the administrator', () => {
    expect(requestFor(update(A, 'DEACTIVATED'))).toEqual({
      accountId: A,
      scanMode: 'EC2_HYBRID',
      activateVMScanner: false,
    });
    expect(requestFor(update(ADMIN, 'DEACTIVATED', 'ADMINISTRATOR'))).toEqual({
      scanMode: 'EC2_HYBRID',
      activateVMScanner: false,
    });
    expect(requestFor(update(A, 'ACTIVATED', 'INHERIT_FROM_ADMIN'))).toEqual({ accountId: A, inherit: true });
  });

  it('writes widening before narrowing, and settles a refusal as FAILED UPDATE_FAILED with the reason', async () => {
    const sent: string[] = [];
    const inspector = {
      updateScanConfiguration: async (request: ScanConfigurationRequest) => {
        sent.push(request.accountId ?? ADMIN);
        return request.accountId === C
          ? { ok: false as const, errorMessage: 'ValidationException: refused' }
          : { ok: true as const };
      },
    };
    const outcomes = await applyScanConfiguration(inspector, [
      update(A, 'DEACTIVATED'),
      update(B, 'ACTIVATED'),
      update(C, 'ACTIVATED'),
    ]);
    expect(sent).toEqual([B, C, A]);
    expect(outcomes.map((o) => o.kind)).toEqual(['UPDATE', 'UPDATE', 'FAILED']);
    expect(outcomes[2]).toMatchObject({
      reason: 'UPDATE_FAILED',
      errorMessage: 'ValidationException: refused',
      write: 'MEMBER',
    });
  });

  it('settles a write the deadline did not reach as TIMEOUT_NOT_REACHED', () => {
    expect(
      settleScanConfiguration(update(A, 'ACTIVATED'), { ok: false, errorMessage: 'late', notReached: true }),
    ).toMatchObject({
      kind: 'FAILED',
      reason: 'TIMEOUT_NOT_REACHED',
    });
  });
});
