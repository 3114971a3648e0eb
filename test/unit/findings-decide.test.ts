import { desiredOfRule, exceptionsByRegion, verdictOf } from '../../lambda/reconciler/findings/decide';
import { type RuleException, SCAN_CONFIGURATION_EXCEPTION_REASONS } from '../../lambda/reconciler/findings/exception';
import { scanConfigurationVerdictOf } from '../../lambda/reconciler/findings/scan-configuration-verdict';
import {
  SCAN_CONFIGURATION_FAILURE_REASONS,
  SCAN_CONFIGURATION_SKIP_REASONS,
  type ScanConfigurationOutcome,
  type ScanSettingChange,
} from '../../lambda/reconciler/scan-configuration/outcome';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILURE_REASONS, type Outcome, SKIP_REASONS } from '../../lambda/reconciler/model';
import { validatePolicy } from '../../lambda/reconciler/policy/schema';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const region = 'eu-west-1';
const TODAY = '2026-11-24';

const policy = validatePolicy(
  {
    version: 2,
    default: 'ACTIVATED',
    warnBeforeExpiryDays: 14,
    rules: [
      { name: 'sandbox off', accounts: [B], deepInspection: 'DEACTIVATED' },
      { name: 'trial', accounts: [C], deepInspection: 'ACTIVATED', enforcement: 'report' },
      {
        name: 'temporary',
        accounts: ['444444444444'],
        deepInspection: 'DEACTIVATED',
        expires: '2026-12-01',
        owner: 'team-a',
      },
      { name: 'hands off', accounts: ['555555555555'], deepInspection: 'UNMANAGED' },
    ],
  },
  'test',
);

const skipped = (
  reason: Extract<Outcome, { kind: 'SKIPPED' }>['reason'],
  rule = 'default',
  detail?: string,
): Outcome => ({
  kind: 'SKIPPED',
  accountId: A,
  region,
  rule,
  reason,
  ...(detail === undefined ? {} : { detail }),
});
const failed = (
  reason: Extract<Outcome, { kind: 'FAILED' }>['reason'],
  desired?: 'ACTIVATED' | 'DEACTIVATED',
): Outcome => ({
  kind: 'FAILED',
  accountId: A,
  region,
  rule: 'default',
  reason,
  ...(desired === undefined ? {} : { desired }),
  observed: 'DEACTIVATED',
  errorMessage: 'Simulated failure',
});

describe('verdictOf: which outcomes need a person', () => {
  it.each([
    ['UPDATE_FAILED towards ACTIVATED', failed('UPDATE_FAILED', 'ACTIVATED'), 'UPDATE_FAILED', 'HIGH', 'FAILED'],
    ['UPDATE_FAILED towards DEACTIVATED', failed('UPDATE_FAILED', 'DEACTIVATED'), 'UPDATE_FAILED', 'MEDIUM', 'FAILED'],
    ['STATUS_UNREADABLE', failed('STATUS_UNREADABLE', 'ACTIVATED'), 'STATUS_UNREADABLE', 'MEDIUM', 'WARNING'],
    [
      'ORGANIZATIONAL_UNIT_UNRESOLVED',
      failed('ORGANIZATIONAL_UNIT_UNRESOLVED'),
      'ORGANIZATIONAL_UNIT_UNRESOLVED',
      'MEDIUM',
      'WARNING',
    ],
    [
      'EC2 scanning off where the policy wants ACTIVATED',
      skipped('EC2_SCANNING_NOT_ENABLED', 'default', 'DISABLED'),
      'EC2_SCANNING_NOT_ENABLED',
      'HIGH',
      'FAILED',
    ],
    [
      'not a member where the policy wants ACTIVATED',
      skipped('NOT_INSPECTOR_MEMBER'),
      'NOT_INSPECTOR_MEMBER',
      'HIGH',
      'FAILED',
    ],
    [
      'blocked by an organization policy',
      skipped('BLOCKED_BY_ORGANIZATION_POLICY'),
      'BLOCKED_BY_ORGANIZATION_POLICY',
      'HIGH',
      'FAILED',
    ],
    [
      'blocked, where the policy wants DEACTIVATED',
      skipped('BLOCKED_BY_ORGANIZATION_POLICY', 'sandbox off'),
      'BLOCKED_BY_ORGANIZATION_POLICY',
      'MEDIUM',
      'FAILED',
    ],
    ['isolated', skipped('ACCOUNT_ISOLATED'), 'ACCOUNT_ISOLATED', 'MEDIUM', 'WARNING'],
    [
      'a deactivation the guardrail held',
      skipped('DEACTIVATION_HELD_BY_GUARDRAIL', 'sandbox off'),
      'DEACTIVATION_HELD_BY_GUARDRAIL',
      'MEDIUM',
      'WARNING',
    ],
  ])('%s is an account exception', (_name, outcome, reason, severity, status) => {
    expect(verdictOf(outcome, policy)).toEqual({
      settled: true,
      exception: expect.objectContaining({ kind: 'ACCOUNT', reason, severity, status, accountId: A, region }),
    });
  });

  it.each<[string, Outcome]>([
    ['COMPLIANT', { kind: 'COMPLIANT', accountId: A, region, state: 'ACTIVATED' }],
    ['ACTIVATE', { kind: 'ACTIVATE', accountId: A, region, from: 'DEACTIVATED', to: 'ACTIVATED' }],
    ['DEACTIVATE', { kind: 'DEACTIVATE', accountId: A, region, from: 'ACTIVATED', to: 'DEACTIVATED' }],
    [
      'a report-only mismatch (a policy fact, not an account fact)',
      { kind: 'WOULD_ACTIVATE', accountId: A, region, rule: 'trial', from: 'DEACTIVATED', to: 'ACTIVATED' },
    ],
    ['UNMANAGED', skipped('UNMANAGED', 'hands off')],
    ['ACCOUNT_NOT_ACTIVE', skipped('ACCOUNT_NOT_ACTIVE', undefined, 'SUSPENDED')],
    ['NOT_IN_ORGANIZATION', skipped('NOT_IN_ORGANIZATION')],
    [
      'EC2 scanning off where the policy wants DEACTIVATED',
      skipped('EC2_SCANNING_NOT_ENABLED', 'sandbox off', 'DISABLED'),
    ],
    ['not a member where the policy wants DEACTIVATED', skipped('NOT_INSPECTOR_MEMBER', 'sandbox off')],
  ])('%s settles the pair with no exception', (_name, outcome) => {
    expect(verdictOf(outcome, policy)).toEqual({ settled: true });
  });

  it.each<[string, Outcome]>([
    ['REGION_UNREADABLE', failed('REGION_UNREADABLE', 'ACTIVATED')],
    ['TIMEOUT_NOT_REACHED', failed('TIMEOUT_NOT_REACHED', 'ACTIVATED')],
    ['DEEP_INSPECTION_PENDING', skipped('DEEP_INSPECTION_PENDING')],
    ['INSPECTOR_STATUS_CHANGING', skipped('INSPECTOR_STATUS_CHANGING')],
    ['EC2 scanning ENABLING', skipped('EC2_SCANNING_NOT_ENABLED', 'default', 'ENABLING')],
  ])('%s leaves the pair as it is', (_name, outcome) => {
    expect(verdictOf(outcome, policy)).toEqual({ settled: false, why: expect.any(String) });
  });

  it("REGION_NOT_ENABLED leaves the region's pairs as they are, by a decision of its own (docs/findings.md)", () => {
    expect(verdictOf(failed('REGION_NOT_ENABLED', 'ACTIVATED'), policy)).toEqual({
      settled: false,
      why: 'this account has not enabled the region',
    });
  });

  it("keeps Inspector's wording apart from the facts that identify the exception", () => {
    expect(verdictOf(failed('UPDATE_FAILED', 'ACTIVATED'), policy)).toMatchObject({
      exception: { desired: 'ACTIVATED', detail: 'DEACTIVATED', message: 'Simulated failure', rule: 'default' },
    });
  });

  it('reads what a rule wants by its name, the default included; UNMANAGED and unknown names want nothing', () => {
    expect(desiredOfRule(policy, 'default')).toBe('ACTIVATED');
    expect(desiredOfRule(policy, 'sandbox off')).toBe('DEACTIVATED');
    expect(desiredOfRule(policy, 'hands off')).toBeUndefined();
    expect(desiredOfRule(policy, 'no such rule')).toBeUndefined();
    expect(desiredOfRule(policy, undefined)).toBeUndefined();
  });
});

describe('exceptionsByRegion', () => {
  const mismatch = (accountId: string, to: 'ACTIVATED' | 'DEACTIVATED' = 'ACTIVATED', rule = 'trial'): Outcome => ({
    kind: to === 'ACTIVATED' ? 'WOULD_ACTIVATE' : 'WOULD_DEACTIVATE',
    accountId,
    region,
    rule,
    from: to === 'ACTIVATED' ? 'DEACTIVATED' : 'ACTIVATED',
    to,
  });

  it('counts a rule unsettled where one of its accounts is in transition or its status could not be read', () => {
    const result = exceptionsByRegion(
      [
        mismatch('900000000001'),
        { kind: 'FAILED', accountId: '900000000002', region, rule: 'trial', reason: 'STATUS_UNREADABLE' },
        { kind: 'SKIPPED', accountId: '900000000003', region, rule: 'other', reason: 'DEEP_INSPECTION_PENDING' },
        { kind: 'COMPLIANT', accountId: '900000000004', region, rule: 'default', state: 'ACTIVATED' },
      ],
      policy,
      { today: TODAY, wholeOrganization: true },
    );
    expect([...(result.get(region)?.unsettledRules ?? [])].sort()).toEqual(['other', 'trial']);
  });

  it('makes one finding per report-only rule and region, naming its accounts, sorted', () => {
    const ids = ['900000000003', '900000000001', '900000000002'];
    const result = exceptionsByRegion(
      [...ids.map((id) => mismatch(id)), { ...mismatch('900000000009'), region: 'us-east-1' }],
      policy,
      { today: TODAY, wholeOrganization: true },
    );
    const rules = result.get(region)?.exceptions.filter((e): e is RuleException => e.kind === 'RULE');
    expect(rules).toEqual([
      expect.objectContaining({
        reason: 'REPORT_ONLY_MISMATCH',
        rule: 'trial',
        accounts: ['900000000001', '900000000002', '900000000003'],
        to: 'ACTIVATED',
        severity: 'MEDIUM',
      }),
    ]);
    expect(result.get('us-east-1')?.exceptions).toEqual([
      expect.objectContaining({ reason: 'REPORT_ONLY_MISMATCH', accounts: ['900000000009'] }),
    ]);
  });

  it('makes one finding per rule within its warning window, naming the accounts it decides in the region', () => {
    const outcomes: Outcome[] = [
      { kind: 'COMPLIANT', accountId: '444444444444', region, rule: 'temporary', state: 'DEACTIVATED' },
      { kind: 'COMPLIANT', accountId: A, region, rule: 'default', state: 'ACTIVATED' },
    ];
    const within = exceptionsByRegion(outcomes, policy, { today: '2026-11-24', wholeOrganization: true });
    expect(within.get(region)?.exceptions).toEqual([
      expect.objectContaining({
        kind: 'RULE',
        reason: 'RULE_EXPIRING',
        rule: 'temporary',
        accounts: ['444444444444'],
        expires: '2026-12-01',
        owner: 'team-a',
        severity: 'LOW',
        status: 'WARNING',
      }),
    ]);
    // 15 days before: outside the 14-day window; after the last day the rule matches nothing and decides no account.
    expect(
      exceptionsByRegion(outcomes, policy, { today: '2026-11-16', wholeOrganization: true }).get(region)?.exceptions,
    ).toEqual([]);
  });

  it('settles the accounts whose outcome tells the truth, and is complete only for a whole, fully read organization', () => {
    const outcomes: Outcome[] = [
      { kind: 'COMPLIANT', accountId: A, region, state: 'ACTIVATED' },
      { ...failed('TIMEOUT_NOT_REACHED', 'ACTIVATED'), accountId: B },
      { ...skipped('DEEP_INSPECTION_PENDING'), accountId: C },
    ];
    const cutOff = exceptionsByRegion(outcomes, policy, { today: TODAY, wholeOrganization: true }).get(region);
    expect([...(cutOff?.settledAccounts ?? [])]).toEqual([A]);
    expect(cutOff?.complete).toBe(false);

    const pendingOnly = exceptionsByRegion([outcomes[0] as Outcome, outcomes[2] as Outcome], policy, {
      today: TODAY,
      wholeOrganization: true,
    }).get(region);
    expect(pendingOnly?.complete).toBe(true);

    const scoped = exceptionsByRegion([outcomes[0] as Outcome], policy, { today: TODAY, wholeOrganization: false });
    expect(scoped.get(region)?.complete).toBe(false);
  });
});

describe('scanConfigurationVerdictOf: which scan configuration outcomes need a person', () => {
  const toVm = (to: 'ACTIVATED' | 'DEACTIVATED', from?: 'ACTIVATED' | 'DEACTIVATED' | 'FAILED'): ScanSettingChange => ({
    setting: 'vmScanner',
    ...(from === undefined ? {} : { from }),
    to,
    rule: 'vm scanner ou',
    enforcement: 'enforce',
  });
  const toMode = (to: 'EC2_HYBRID' | 'EC2_SSM_AGENT_BASED'): ScanSettingChange => ({
    setting: 'scanMode',
    from: to === 'EC2_HYBRID' ? 'EC2_SSM_AGENT_BASED' : 'EC2_HYBRID',
    to,
    rule: 'default',
    enforcement: 'enforce',
  });
  const refused = (changes: ScanSettingChange[]): ScanConfigurationOutcome => ({
    kind: 'FAILED',
    accountId: A,
    region,
    reason: 'UPDATE_FAILED',
    errorMessage: 'ValidationException: no',
    write: 'MEMBER',
    changes,
  });
  const failedRead = { scanMode: 'EC2_HYBRID', vmScanner: 'FAILED', pending: false } as const;
  /** What the policy decides of the account's settings: the VM scanner on (a rule), the scan mode by the default. */
  const onTheVmScanner = [
    { setting: 'scanMode', value: 'EC2_SSM_AGENT_BASED', rule: 'default' },
    { setting: 'vmScanner', value: 'ACTIVATED', rule: 'vm scanner ou' },
  ] as const;
  /** The VM scanner off and the SSM-only scan mode: nothing an organization policy's block keeps from it. */
  const agentOnly = [
    { setting: 'scanMode', value: 'EC2_SSM_AGENT_BASED', rule: 'agent only' },
    { setting: 'vmScanner', value: 'DEACTIVATED', rule: 'agent only' },
  ] as const;
  const blocked: ScanConfigurationOutcome = {
    kind: 'SKIPPED',
    accountId: A,
    region,
    reason: 'BLOCKED_BY_ORGANIZATION_POLICY',
    settings: onTheVmScanner,
  };
  const scanningOff: ScanConfigurationOutcome = {
    kind: 'SKIPPED',
    accountId: A,
    region,
    reason: 'EC2_SCANNING_NOT_ENABLED',
    detail: 'DISABLED',
    settings: onTheVmScanner,
  };
  const deepOff = (ec2ScanningOff?: Extract<Outcome, { kind: 'SKIPPED' }>['ec2ScanningOff']): Outcome => ({
    ...(skipped('EC2_SCANNING_NOT_ENABLED', 'default', 'DISABLED') as Extract<Outcome, { kind: 'SKIPPED' }>),
    ...(ec2ScanningOff === undefined ? {} : { ec2ScanningOff }),
  });
  const disabledByPolicy = { kind: 'DISABLED_BY_POLICY', enableInRegions: [], disableInRegions: [region] } as const;

  it.each<[string, ScanConfigurationOutcome, Outcome | undefined, string, string, string]>([
    [
      'a refused move to the VM scanner',
      refused([toVm('ACTIVATED', 'DEACTIVATED')]),
      undefined,
      'SCAN_CONFIGURATION_UPDATE_FAILED',
      'HIGH',
      'FAILED',
    ],
    [
      'a refused move to EC2_HYBRID',
      refused([toMode('EC2_HYBRID')]),
      undefined,
      'SCAN_CONFIGURATION_UPDATE_FAILED',
      'HIGH',
      'FAILED',
    ],
    [
      'a refused narrowing',
      refused([toVm('DEACTIVATED', 'ACTIVATED'), toMode('EC2_SSM_AGENT_BASED')]),
      undefined,
      'SCAN_CONFIGURATION_UPDATE_FAILED',
      'MEDIUM',
      'FAILED',
    ],
    [
      'a VM scanner read FAILED that the policy wants ACTIVATED (rewritten this run)',
      {
        kind: 'UPDATE',
        accountId: A,
        region,
        observed: failedRead,
        write: 'MEMBER',
        changes: [toVm('ACTIVATED', 'FAILED')],
      },
      undefined,
      'VM_SCANNER_FAILED',
      'HIGH',
      'FAILED',
    ],
    [
      'a VM scanner read FAILED that the policy wants DEACTIVATED, held by the guardrail',
      {
        kind: 'SKIPPED',
        accountId: A,
        region,
        observed: failedRead,
        reason: 'NARROWING_HELD_BY_GUARDRAIL',
        changes: [toVm('DEACTIVATED', 'FAILED')],
      },
      undefined,
      'VM_SCANNER_FAILED',
      'MEDIUM',
      'FAILED',
    ],
    [
      'blocked by an organization policy',
      blocked,
      undefined,
      'SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY',
      'HIGH',
      'FAILED',
    ],
    [
      "EC2 scanning disabled by the organization's Inspector policy",
      scanningOff,
      deepOff(disabledByPolicy),
      'SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY',
      'MEDIUM',
      'WARNING',
    ],
  ])('%s is an account exception', (_name, outcome, deep, reason, severity, status) => {
    expect(scanConfigurationVerdictOf(outcome, deep)).toEqual({
      settled: true,
      exception: expect.objectContaining({ kind: 'ACCOUNT', reason, severity, status, accountId: A, region }),
    });
  });

  it('names, for a blocked account, the widening settings the policy wants and the rules that decide them', () => {
    const hybrid = [{ setting: 'scanMode', value: 'EC2_HYBRID', rule: 'hybrid' }] as const;
    expect(scanConfigurationVerdictOf(blocked)).toMatchObject({
      exception: { scanTarget: 'vmScanner ACTIVATED', rule: 'vm scanner ou', severity: 'HIGH', status: 'FAILED' },
    });
    expect(scanConfigurationVerdictOf({ ...blocked, settings: hybrid })).toMatchObject({
      exception: { reason: 'SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY', scanTarget: 'scanMode EC2_HYBRID' },
    });
    expect(scanConfigurationVerdictOf(scanningOff, deepOff(disabledByPolicy))).toMatchObject({
      exception: { scanTarget: 'vmScanner ACTIVATED', rule: 'vm scanner ou', severity: 'MEDIUM', status: 'WARNING' },
    });
  });

  it.each<[string, ScanConfigurationOutcome, Outcome | undefined]>([
    [
      'blocked, the policy wanting the VM scanner off and the SSM-only scan mode',
      { ...blocked, settings: agentOnly },
      undefined,
    ],
    ['blocked, the policy wanting the VM scanner off only', { ...blocked, settings: agentOnly.slice(1) }, undefined],
    [
      'EC2 scanning disabled by the Inspector policy, the policy wanting the VM scanner off',
      { ...scanningOff, settings: agentOnly },
      deepOff(disabledByPolicy),
    ],
    [
      "EC2 scanning disabled by the Inspector policy, the Inspector policy's part not known, the VM scanner wanted off",
      { ...scanningOff, settings: agentOnly },
      deepOff({ kind: 'COULD_NOT_TELL', why: 'denied' }),
    ],
  ])('%s: no exception, the account’s scan configuration findings resolved', (_name, outcome, deep) => {
    expect(scanConfigurationVerdictOf(outcome, deep)).toEqual({ settled: true });
  });

  it('names what the policy wants, the rules that decided it and Inspector’s words', () => {
    const verdict = scanConfigurationVerdictOf(refused([toVm('ACTIVATED', 'DEACTIVATED'), toMode('EC2_HYBRID')]));
    expect(verdict).toMatchObject({
      exception: {
        scanTarget: 'vmScanner ACTIVATED, scanMode EC2_HYBRID',
        rule: 'vm scanner ou, default',
        detail: 'MEMBER',
        message: 'ValidationException: no',
      },
    });
  });

  it.each<[string, ScanConfigurationOutcome, Outcome | undefined]>([
    ['compliant', { kind: 'COMPLIANT', accountId: A, region, settings: [] }, undefined],
    [
      'updated from DEACTIVATED',
      { kind: 'UPDATE', accountId: A, region, write: 'MEMBER', changes: [toVm('ACTIVATED', 'DEACTIVATED')] },
      undefined,
    ],
    [
      'a VM scanner read FAILED the policy does not manage',
      { kind: 'UPDATE', accountId: A, region, observed: failedRead, write: 'MEMBER', changes: [toMode('EC2_HYBRID')] },
      undefined,
    ],
    ['EC2 scanning off where no Inspector policy decides it', scanningOff, deepOff({ kind: 'NO_POLICY' })],
    [
      'not a member (deep inspection’s own finding tells it)',
      { kind: 'SKIPPED', accountId: A, region, reason: 'NOT_INSPECTOR_MEMBER' },
      undefined,
    ],
  ])('%s settles the account with no exception', (_name, outcome, deep) => {
    expect(scanConfigurationVerdictOf(outcome, deep)).toEqual({ settled: true });
  });

  it.each<[string, ScanConfigurationOutcome, Outcome | undefined]>([
    [
      'unreadable',
      { kind: 'FAILED', accountId: A, region, reason: 'CONFIGURATION_UNREADABLE', errorMessage: 'throttled' },
      undefined,
    ],
    [
      'not reached',
      { kind: 'FAILED', accountId: A, region, reason: 'TIMEOUT_NOT_REACHED', errorMessage: 'deadline' },
      undefined,
    ],
    ['pending', { kind: 'SKIPPED', accountId: A, region, reason: 'SCAN_CONFIGURATION_PENDING' }, undefined],
    [
      'waiting for its widening',
      { kind: 'SKIPPED', accountId: A, region, reason: 'WAITS_FOR_WIDENING', changes: [toVm('DEACTIVATED')] },
      undefined,
    ],
    ['EC2 scanning being enabled', { ...scanningOff, detail: 'ENABLING' }, deepOff()],
    [
      "EC2 scanning off, the Inspector policy's part not known",
      scanningOff,
      deepOff({ kind: 'COULD_NOT_TELL', why: 'denied' }),
    ],
    ['EC2 scanning off, deep inspection not asked', scanningOff, undefined],
  ])('%s leaves the account’s scan configuration findings as they are', (_name, outcome, deep) => {
    expect(scanConfigurationVerdictOf(outcome, deep)).toMatchObject({ settled: false });
  });

  it('settles scan configuration findings by their own stream: an account read, not one the deep inspection settles', () => {
    const byRegion = exceptionsByRegion(
      [
        { kind: 'COMPLIANT', accountId: A, region, rule: 'default', state: 'ACTIVATED' },
        { kind: 'COMPLIANT', accountId: B, region, rule: 'default', state: 'ACTIVATED' },
      ],
      policy,
      { today: TODAY, wholeOrganization: true, scanConfiguration: [blocked] },
    );
    const exceptions = byRegion.get(region);
    expect(exceptions?.scanSettledAccounts).toEqual(new Set([A]));
    expect(exceptions?.settledAccounts).toEqual(new Set([A, B]));
    expect(exceptions?.scanUnmanagedAccounts).toEqual(new Set());
    expect(exceptions?.exceptions.map((e) => e.reason)).toEqual(['SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY']);
    const unmanaged = exceptionsByRegion([], policy, { today: TODAY, wholeOrganization: true });
    expect([...unmanaged.values()]).toEqual([]);
  });

  it('has a reason for each kind of exception it makes, and only those', () => {
    expect([...SCAN_CONFIGURATION_EXCEPTION_REASONS].sort()).toEqual([
      'SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY',
      'SCAN_CONFIGURATION_UPDATE_FAILED',
      'VM_SCANNER_FAILED',
    ]);
  });
});

describe('docs/findings.md', () => {
  it('has a row for every skip and failure reason, so the table cannot fall behind the code', () => {
    const docs = readFileSync(join(__dirname, '../../docs/findings.md'), 'utf8');
    const missing = [...SKIP_REASONS, ...FAILURE_REASONS].filter((reason) => !docs.includes(`\`${reason}\``));
    expect(missing).toEqual([]);
  });

  it('has a row in the scan configuration’s table for each of its skip and failure reasons and each finding', () => {
    const docs = readFileSync(join(__dirname, '../../docs/findings.md'), 'utf8');
    const section = docs.split('### The EC2 scan configuration')[1]?.split('\n## ')[0] ?? '';
    const missing = [
      ...SCAN_CONFIGURATION_SKIP_REASONS,
      ...SCAN_CONFIGURATION_FAILURE_REASONS,
      ...SCAN_CONFIGURATION_EXCEPTION_REASONS,
    ].filter((reason) => !section.includes(`\`${reason}\``));
    expect(section).not.toBe('');
    expect(missing).toEqual([]);
  });
});
