import { explain } from '../../cli/explanation';
import { formatExplanation } from '../../cli/report';
import { validatePolicy } from '../../lambda/reconciler/policy/schema';

const A = '111111111111';
const ADMIN = '999999999999';
const PLATFORM = 'ou-ab12-11111111';
const TODAY = '2026-11-24';

const policy = validatePolicy(
  {
    version: 3,
    default: 'ACTIVATED',
    scanConfiguration: { scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: 'DEACTIVATED' },
    rules: [
      { name: 'A hands off its scan mode', accounts: [A, ADMIN], scanMode: 'UNMANAGED' },
      { name: 'platform', organizationalUnits: [PLATFORM], scanMode: 'EC2_HYBRID', vmScanner: 'ACTIVATED' },
      { name: 'platform again', organizationalUnits: [PLATFORM], scanMode: 'EC2_HYBRID' },
    ],
  },
  'test',
);

const explained = (accountId: string, ancestors?: string[], administratorAccountId?: string) =>
  explain({
    accountId,
    account: { id: accountId, state: 'ACTIVE', ...(ancestors === undefined ? {} : { ancestors }) },
    policy,
    today: TODAY,
    outcomes: [{ kind: 'COMPLIANT', accountId, region: 'eu-west-1', rule: 'default', state: 'ACTIVATED' }],
    scanConfigurations: new Map([
      ['eu-west-1', { scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: { activated: false, status: 'PENDING' } }],
    ]),
    ...(administratorAccountId === undefined ? {} : { administratorAccountId }),
  });

describe('explain, version 3: each setting with the rule that decided it', () => {
  it('walks the rules per setting: a rule decides only what no rule above it decided', () => {
    const explanation = explained(A, ['r-ab12', PLATFORM]);
    expect(explanation.rules.map((rule) => `${rule.result}: ${rule.why}`)).toEqual([
      'matches: names the account: scanMode UNMANAGED',
      `matches: the account is under ${PLATFORM}: vmScanner ACTIVATED; scanMode already decided by $.rules[0]`,
      'not reached: scanMode already decided by $.rules[0]',
    ]);
    expect(explanation.scanConfiguration).toEqual({
      scanMode: {
        rule: 'A hands off its scan mode',
        text: 'not managed: UNMANAGED, by rule "A hands off its scan mode"',
      },
      vmScanner: {
        value: 'ACTIVATED',
        rule: 'platform',
        enforcement: 'enforce',
        text: 'ACTIVATED, by rule "platform"',
      },
    });
  });

  it('shows the values read beside the decision, with a status that is not SUCCESS', () => {
    const [region] = explained(A, ['r-ab12', PLATFORM]).regions;
    expect(region?.scanSettings).toEqual([
      { setting: 'scanMode', read: 'EC2_SSM_AGENT_BASED', differs: false, rule: 'A hands off its scan mode' },
      {
        setting: 'vmScanner',
        read: 'DEACTIVATED',
        status: 'PENDING',
        wanted: 'ACTIVATED',
        rule: 'platform',
        differs: true,
      },
    ]);
    expect(formatExplanation(explained(A, ['r-ab12', PLATFORM]))).toContain(
      '    against the policy: scan mode EC2_SSM_AGENT_BASED, not managed; VM scanner DEACTIVATED (PENDING), the policy wants ACTIVATED (rule "platform")',
    );
  });

  it('says an account whose place is unknown is undecided for its scan settings', () => {
    const explanation = explained('222222222222');
    expect(explanation.scanConfiguration?.vmScanner.text).toBe(
      'undecided at rule "platform": the account\'s place in the organization is not known',
    );
    expect(explanation.regions[0]?.scanSettings?.every((setting) => !setting.differs)).toBe(true);
  });

  it('decides the delegated administrator’s own settings by scanConfiguration alone, whatever a rule says', () => {
    const explanation = explained(ADMIN, ['r-ab12', PLATFORM], ADMIN);
    expect(explanation.scanConfiguration?.scanMode).toEqual({
      value: 'EC2_SSM_AGENT_BASED',
      rule: 'default',
      enforcement: 'enforce',
      // Its value is the default's; the rule that leaves it UNMANAGED for the administrator keeps it from being written.
      notWritten: {
        reason: 'ADMINISTRATOR_WRITE_NOT_ALLOWED',
        why: 'rule "A hands off its scan mode" leaves it UNMANAGED for this account',
      },
      text: 'EC2_SSM_AGENT_BASED, by the default (scanConfiguration): the delegated administrator\'s own configuration is the organization\'s default, which members inherit; but rule "A hands off its scan mode" leaves it UNMANAGED for this account, so a run does not write it (ADMINISTRATOR_WRITE_NOT_ALLOWED)',
    });
    expect(explanation.scanConfiguration?.vmScanner.value).toBe('DEACTIVATED');
  });

  it('shows no scan settings for a version 2 policy, and its rules as before', () => {
    const v2 = validatePolicy(
      {
        version: 2,
        default: 'ACTIVATED',
        rules: [
          { name: 'A off', accounts: [A], deepInspection: 'DEACTIVATED' },
          { name: 'A on', accounts: [A], deepInspection: 'ACTIVATED' },
        ],
      },
      'test',
    );
    const explanation = explain({
      accountId: A,
      account: { id: A, state: 'ACTIVE' },
      policy: v2,
      today: TODAY,
      outcomes: [],
    });
    expect(explanation.scanConfiguration).toBeUndefined();
    expect(explanation.rules.map((rule) => `${rule.result}: ${rule.why}`)).toEqual([
      'matches: names the account: DEACTIVATED',
      'not reached: an earlier rule decided',
    ]);
    expect(formatExplanation(explanation)).toContain('Decision: DEACTIVATED, by rule "A off"');
  });
});

describe('explain says what a run does with the scan configuration it reads', () => {
  it('a VM scanner that reads FAILED is not as the policy wants: the run writes it again', () => {
    const explanation = explain({
      accountId: A,
      account: { id: A, state: 'ACTIVE', ancestors: ['r-ab12', PLATFORM] },
      policy,
      today: TODAY,
      outcomes: [{ kind: 'COMPLIANT', accountId: A, region: 'eu-west-1', rule: 'default', state: 'ACTIVATED' }],
      scanConfigurations: new Map([
        ['eu-west-1', { scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: { activated: true, status: 'FAILED' } }],
      ]),
    });
    expect(explanation.regions[0]?.scanSettings?.[1]).toEqual({
      setting: 'vmScanner',
      read: 'ACTIVATED',
      status: 'FAILED',
      wanted: 'ACTIVATED',
      rule: 'platform',
      differs: true,
    });
    const text = formatExplanation(explanation);
    expect(text).not.toContain('as the policy wants');
    expect(text).toContain(
      'VM scanner ACTIVATED (FAILED): Inspector could not apply it; the policy wants ACTIVATED (rule "platform"): a run writes it again',
    );
  });

  it('a report-only rule’s VM scanner that reads FAILED is not written', () => {
    const reportOnly = validatePolicy(
      {
        version: 3,
        default: 'UNMANAGED',
        rules: [{ name: 'pilots', accounts: [A], vmScanner: 'ACTIVATED', enforcement: 'report' }],
      },
      'test',
    );
    const text = formatExplanation(
      explain({
        accountId: A,
        account: { id: A, state: 'ACTIVE' },
        policy: reportOnly,
        today: TODAY,
        outcomes: [{ kind: 'SKIPPED', accountId: A, region: 'eu-west-1', reason: 'UNMANAGED', detail: '' }],
        scanConfigurations: new Map([
          ['eu-west-1', { scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: { activated: true, status: 'FAILED' } }],
        ]),
      }),
    );
    expect(text).toContain(
      'VM scanner ACTIVATED (FAILED): Inspector could not apply it; the policy wants ACTIVATED (rule "pilots"): report-only, never written',
    );
  });

  it('a rule naming the administrator: its own configuration is not written from a rule (ADMINISTRATOR_WRITE_NOT_ALLOWED)', () => {
    const adminRule = validatePolicy(
      {
        version: 3,
        default: 'UNMANAGED',
        rules: [{ name: 'admin on VM', accounts: [ADMIN], vmScanner: 'ACTIVATED' }],
      },
      'test',
    );
    const explanation = explain({
      accountId: ADMIN,
      account: { id: ADMIN, state: 'ACTIVE' },
      policy: adminRule,
      today: TODAY,
      outcomes: [{ kind: 'SKIPPED', accountId: ADMIN, region: 'eu-west-1', reason: 'UNMANAGED', detail: '' }],
      scanConfigurations: new Map([
        ['eu-west-1', { scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: { activated: false, status: 'SUCCESS' } }],
      ]),
      administratorAccountId: ADMIN,
    });
    expect(explanation.scanConfiguration?.vmScanner).toMatchObject({ value: 'ACTIVATED', rule: 'admin on VM' });
    expect(explanation.scanConfiguration?.vmScanner.text).toContain('ADMINISTRATOR_WRITE_NOT_ALLOWED');
    expect(explanation.scanConfiguration?.vmScanner.text).not.toMatch(/^not managed/);
    expect(formatExplanation(explanation)).toContain(
      'VM scanner DEACTIVATED, the policy wants ACTIVATED (rule "admin on VM"): a run does not write it (ADMINISTRATOR_WRITE_NOT_ALLOWED)',
    );
    // The scan mode no rule states for it stays not managed.
    expect(explanation.scanConfiguration?.scanMode.text).toMatch(/^not managed: scanConfiguration leaves it out/);
  });

  it('a rule naming the administrator with another value than the default: the default is not written either', () => {
    const explanation = explained(ADMIN, ['r-ab12', PLATFORM], ADMIN);
    // "A hands off its scan mode" leaves the administrator's scan mode UNMANAGED: the default is not written.
    expect(explanation.scanConfiguration?.scanMode).toMatchObject({ value: 'EC2_SSM_AGENT_BASED', rule: 'default' });
    expect(explanation.scanConfiguration?.scanMode.text).toContain(
      'rule "A hands off its scan mode" leaves it UNMANAGED for this account',
    );
    expect(explanation.scanConfiguration?.scanMode.text).toContain('ADMINISTRATOR_WRITE_NOT_ALLOWED');
    // "platform" decides the VM scanner ACTIVATED for it, where the default says DEACTIVATED.
    expect(explanation.scanConfiguration?.vmScanner.text).toContain(
      'rule "platform" decides ACTIVATED for this account',
    );
  });
});
