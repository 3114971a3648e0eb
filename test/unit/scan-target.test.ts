import type { OrganizationAccount } from '../../lambda/reconciler/model';
import { desiredStateOf, managesScanConfiguration, scanTargetOf } from '../../lambda/reconciler/plan';
import { validatePolicy } from '../../lambda/reconciler/policy/schema';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const ROOT = 'r-ab12';
const PLATFORM = 'ou-ab12-11111111';
const TEAM = 'ou-ab12-22222222';
const TODAY = '2026-11-24';

const account = (id: string, ancestors?: string[]): Pick<OrganizationAccount, 'id' | 'ancestors'> => ({
  id,
  ...(ancestors === undefined ? {} : { ancestors }),
});

/** The default, then each setting decided by a different rule: per-setting first match. */
const policy = validatePolicy(
  {
    version: 3,
    default: 'ACTIVATED',
    scanConfiguration: { scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: 'DEACTIVATED' },
    rules: [
      { name: 'legacy keeps its scan mode', accounts: [C], scanMode: 'UNMANAGED' },
      { name: 'platform on the VM scanner', organizationalUnits: [PLATFORM], vmScanner: 'ACTIVATED' },
      { name: 'everyone hybrid, trial', organizationalUnits: [ROOT], scanMode: 'EC2_HYBRID', enforcement: 'report' },
      { name: 'B off', accounts: [B], deepInspection: 'DEACTIVATED', vmScanner: 'DEACTIVATED' },
    ],
  },
  'test',
);

describe('scanTargetOf: each setting decided by the first matching rule that states it', () => {
  it('takes the scan mode and the VM scanner from different rules, and skips rules that state neither', () => {
    expect(scanTargetOf(account(A, [ROOT, PLATFORM, TEAM]), policy, TODAY)).toEqual({
      target: {
        scanMode: { value: 'EC2_HYBRID', rule: 'everyone hybrid, trial', enforcement: 'report' },
        vmScanner: { value: 'ACTIVATED', rule: 'platform on the VM scanner', enforcement: 'enforce' },
      },
    });
  });

  it('leaves a setting a matching rule says UNMANAGED unmanaged, even though a later rule and the default state it', () => {
    expect(scanTargetOf(account(C, [ROOT]), policy, TODAY)).toEqual({
      target: { vmScanner: { value: 'DEACTIVATED', rule: 'default', enforcement: 'enforce' } },
    });
  });

  it('decides deep inspection apart: a rule that states only scan settings does not decide it', () => {
    expect(desiredStateOf(account(A, [ROOT, PLATFORM]), policy, TODAY)).toEqual({
      state: 'ACTIVATED',
      rule: 'default',
      enforcement: 'enforce',
    });
    expect(desiredStateOf(account(B, [ROOT]), policy, TODAY)).toMatchObject({ state: 'DEACTIVATED', rule: 'B off' });
    // B's VM scanner: "B off" is the first rule that states it and matches B (the platform rule does not).
    expect(scanTargetOf(account(B, [ROOT]), policy, TODAY)).toEqual({
      target: {
        scanMode: { value: 'EC2_HYBRID', rule: 'everyone hybrid, trial', enforcement: 'report' },
        vmScanner: { value: 'DEACTIVATED', rule: 'B off', enforcement: 'enforce' },
      },
    });
  });

  it('falls back to scanConfiguration, with its enforcement, and manages nothing it leaves out', () => {
    const reportOnly = validatePolicy(
      { version: 3, default: 'ACTIVATED', scanConfiguration: { vmScanner: 'ACTIVATED', enforcement: 'report' } },
      'test',
    );
    expect(scanTargetOf(account(A, [ROOT]), reportOnly, TODAY)).toEqual({
      target: { vmScanner: { value: 'ACTIVATED', rule: 'default', enforcement: 'report' } },
    });
  });

  it('manages nothing for a policy without scan settings, version 1 and 2 included', () => {
    const v2 = validatePolicy(
      { version: 2, default: 'ACTIVATED', rules: [{ name: 'r', accounts: [A], deepInspection: 'DEACTIVATED' }] },
      'test',
    );
    expect(scanTargetOf(account(A, [ROOT]), v2, TODAY)).toEqual({ target: {} });
    expect(managesScanConfiguration(v2)).toBe(false);
    expect(managesScanConfiguration(policy)).toBe(true);
    const onlyUnmanaged = validatePolicy(
      { version: 3, default: 'ACTIVATED', rules: [{ name: 'r', accounts: [A], vmScanner: 'UNMANAGED' }] },
      'test',
    );
    expect(managesScanConfiguration(onlyUnmanaged)).toBe(false);
  });
});

describe('scanTargetOf: expiring exceptions', () => {
  const exception = validatePolicy(
    {
      version: 3,
      default: 'ACTIVATED',
      scanConfiguration: { vmScanner: 'ACTIVATED' },
      rules: [{ name: 'until migrated', accounts: [A], vmScanner: 'DEACTIVATED', expires: TODAY }],
    },
    'test',
  );

  it('holds through its last day (UTC)', () => {
    expect(scanTargetOf(account(A), exception, TODAY)).toEqual({
      target: { vmScanner: { value: 'DEACTIVATED', rule: 'until migrated', enforcement: 'enforce' } },
    });
  });

  it('matches nothing the day after: the account goes to the default', () => {
    expect(scanTargetOf(account(A), exception, '2026-11-25')).toEqual({
      target: { vmScanner: { value: 'ACTIVATED', rule: 'default', enforcement: 'enforce' } },
    });
  });
});

describe('scanTargetOf: an account whose place in the organization is unknown', () => {
  const ouFirst = validatePolicy(
    {
      version: 3,
      default: 'ACTIVATED',
      scanConfiguration: { scanMode: 'EC2_HYBRID' },
      rules: [
        { name: 'A by id', accounts: [A], scanMode: 'EC2_SSM_AGENT_BASED' },
        { name: 'platform on the VM scanner', organizationalUnits: [PLATFORM], vmScanner: 'ACTIVATED' },
        { name: 'root hybrid', organizationalUnits: [ROOT], scanMode: 'EC2_HYBRID' },
      ],
    },
    'test',
  );

  it('is undecided at the first rule stating a setting that names an OU: neither a later rule nor the default decides it', () => {
    expect(scanTargetOf(account(B), ouFirst, TODAY)).toEqual({ undecidedAt: 'platform on the VM scanner' });
  });

  it('is decided when the account is placed', () => {
    expect(scanTargetOf(account(B, [ROOT]), ouFirst, TODAY)).toEqual({
      target: { scanMode: { value: 'EC2_HYBRID', rule: 'root hybrid', enforcement: 'enforce' } },
    });
  });

  it('is not undecided by an OU rule that states only other settings, nor for a setting decided by id first', () => {
    const scanModeOnly = validatePolicy(
      {
        version: 3,
        default: 'ACTIVATED',
        rules: [
          { name: 'A by id', accounts: [A], scanMode: 'EC2_SSM_AGENT_BASED' },
          { name: 'platform deep inspection', organizationalUnits: [PLATFORM], deepInspection: 'DEACTIVATED' },
          { name: 'platform hybrid', organizationalUnits: [PLATFORM], scanMode: 'EC2_HYBRID' },
        ],
      },
      'test',
    );
    expect(scanTargetOf(account(A), scanModeOnly, TODAY)).toEqual({
      target: { scanMode: { value: 'EC2_SSM_AGENT_BASED', rule: 'A by id', enforcement: 'enforce' } },
    });
    // Deep inspection, decided on its own, is what is undecided there.
    expect(desiredStateOf(account(A), scanModeOnly, TODAY)).toEqual({ undecidedAt: 'platform deep inspection' });
  });
});
