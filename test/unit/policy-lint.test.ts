import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { OrganizationAccount } from '../../lambda/reconciler/model';
import { desiredStateOf, scanTargetOf } from '../../lambda/reconciler/plan';
import { parsePolicy, validatePolicy } from '../../lambda/reconciler/policy/schema';
import { lintPolicy } from '../../lambda/reconciler/policy/lint';

const policy = validatePolicy(
  {
    version: 1,
    default: 'ACTIVATED',
    rules: [
      { name: 'pinned', accounts: ['111111111111', '999999999999'], deepInspection: 'ACTIVATED' },
      {
        name: 'sandbox',
        organizationalUnits: ['ou-ab12-11111111', 'ou-ab12-99999999', 'r-ab12'],
        deepInspection: 'DEACTIVATED',
      },
    ],
  },
  'test',
);

const TODAY = '2026-11-24';

const accounts: OrganizationAccount[] = [
  { id: '111111111111', state: 'ACTIVE', ancestors: ['r-ab12'] },
  { id: '222222222222', state: 'ACTIVE', ancestors: ['r-ab12', 'ou-ab12-11111111'] },
];

describe('lintPolicy: what the organization does not have', () => {
  it('names each account and OU a rule names that the organization does not have, with its JSON path', () => {
    expect(lintPolicy(policy, { today: TODAY, accounts })).toEqual([
      {
        kind: 'UNKNOWN_ACCOUNT',
        path: '$.rules[0].accounts[1]',
        message: 'account 999999999999 is not in the organization',
      },
      {
        kind: 'UNKNOWN_ORGANIZATIONAL_UNIT',
        path: '$.rules[1].organizationalUnits[1]',
        message: 'no account of the organization is under ou-ab12-99999999 (it does not exist, or holds no accounts)',
      },
    ]);
  });

  it('says nothing of OUs when the run did not resolve ancestry', () => {
    const unplaced = accounts.map(({ id, state }) => ({ id, state }));
    expect(lintPolicy(policy, { today: TODAY, accounts: unplaced }).map((w) => w.path)).toEqual([
      '$.rules[0].accounts[1]',
    ]);
  });
});

describe('lintPolicy: rules and their expiry', () => {
  const v2 = (rules: object[], extra: object = {}) =>
    validatePolicy({ version: 2, default: 'ACTIVATED', rules, ...extra }, 'test');
  const kinds = (warnings: { kind: string; path: string }[]) => warnings.map((w) => `${w.kind} ${w.path}`);

  it('finds a rule whose accounts and OUs earlier rules already take, by the ids alone', () => {
    const policy = v2([
      { name: 'a', accounts: ['111111111111'], organizationalUnits: ['ou-ab12-11111111'], deepInspection: 'ACTIVATED' },
      { name: 'b', accounts: ['111111111111'], deepInspection: 'DEACTIVATED' },
      {
        name: 'c',
        organizationalUnits: ['ou-ab12-11111111'],
        accounts: ['333333333333'],
        deepInspection: 'DEACTIVATED',
      },
    ]);
    const warnings = lintPolicy(policy, { today: TODAY });
    expect(kinds(warnings)).toEqual(['UNREACHABLE_RULE $.rules[1]']);
    expect(warnings[0]?.message).toBe('"b" can never match: $.rules[0] above it takes every account it names');
  });

  it('finds every rule below one that names the root', () => {
    const policy = v2([
      { name: 'all', organizationalUnits: ['r-ab12'], deepInspection: 'ACTIVATED' },
      { name: 'later', accounts: ['111111111111'], deepInspection: 'DEACTIVATED' },
    ]);
    expect(kinds(lintPolicy(policy, { today: TODAY }))).toEqual(['UNREACHABLE_RULE $.rules[1]']);
  });

  it('with the organization, sees through the OU tree: an account or OU under an earlier rule’s OU is taken', () => {
    const policy = v2([
      { name: 'parent', organizationalUnits: ['ou-ab12-11111111'], deepInspection: 'DEACTIVATED' },
      { name: 'account below', accounts: ['222222222222'], deepInspection: 'ACTIVATED' },
      { name: 'child OU', organizationalUnits: ['ou-ab12-22222222'], deepInspection: 'ACTIVATED' },
    ]);
    const tree: OrganizationAccount[] = [
      { id: '222222222222', state: 'ACTIVE', ancestors: ['r-ab12', 'ou-ab12-11111111', 'ou-ab12-22222222'] },
    ];
    expect(kinds(lintPolicy(policy, { today: TODAY }))).toEqual([]);
    expect(kinds(lintPolicy(policy, { today: TODAY, accounts: tree }))).toEqual([
      'UNREACHABLE_RULE $.rules[1]',
      'UNREACHABLE_RULE $.rules[2]',
    ]);
  });

  it('an expired rule takes nothing: it neither shadows later rules nor is shadowed, and is reported', () => {
    const policy = v2([
      {
        name: 'old exception',
        accounts: ['111111111111'],
        deepInspection: 'UNMANAGED',
        expires: '2026-11-23',
        owner: 'platform',
        reason: 'migration',
      },
      { name: 'b', accounts: ['111111111111'], deepInspection: 'DEACTIVATED' },
    ]);
    const warnings = lintPolicy(policy, { today: TODAY });
    expect(kinds(warnings)).toEqual(['EXPIRED_RULE $.rules[0].expires']);
    expect(warnings[0]?.message).toBe('expired on 2026-11-23: it matches nothing (owner platform; reason: migration)');
  });

  it.each<[string, number, string[]]>([
    ['2026-11-24', 14, ['EXPIRING_RULE $.rules[0].expires']],
    ['2026-12-08', 14, ['EXPIRING_RULE $.rules[0].expires']],
    ['2026-12-09', 14, []],
    ['2026-12-09', 30, ['EXPIRING_RULE $.rules[0].expires']],
  ])('a rule expiring on %s with warnBeforeExpiryDays %d', (expires, days, expected) => {
    const policy = v2([{ name: 'e', accounts: ['111111111111'], deepInspection: 'UNMANAGED', expires }], {
      warnBeforeExpiryDays: days,
    });
    expect(kinds(lintPolicy(policy, { today: TODAY }))).toEqual(expected);
  });

  it('a rule shadowed only by an exception that expires is reachable: no warning while the exception has time left', () => {
    const policy = v2([
      { name: 'exception', accounts: ['111111111111'], deepInspection: 'UNMANAGED', expires: '2027-03-31' },
      { name: 'after it', accounts: ['111111111111'], deepInspection: 'DEACTIVATED' },
    ]);
    expect(lintPolicy(policy, { today: TODAY })).toEqual([]);
  });

  it('says, as the exception nears its end, which rule takes its accounts over and from which day', () => {
    const policy = v2([
      {
        name: 'exception',
        accounts: ['111111111111', '222222222222'],
        deepInspection: 'UNMANAGED',
        expires: '2026-12-01',
      },
      { name: 'after it', accounts: ['111111111111'], deepInspection: 'DEACTIVATED' },
    ]);
    expect(lintPolicy(policy, { today: TODAY })).toEqual([
      {
        kind: 'EXPIRING_RULE',
        path: '$.rules[0].expires',
        message:
          'expires on 2026-12-01 (in 7 days); from 2026-12-02 $.rules[1] "after it" takes over 111111111111, the default the rest',
      },
    ]);
  });

  it('a rule that expires no later than the exception above it can never match: it is reported', () => {
    const policy = v2([
      { name: 'outer', accounts: ['111111111111'], deepInspection: 'UNMANAGED', expires: '2027-03-31' },
      {
        name: 'inner, expires first',
        accounts: ['111111111111'],
        deepInspection: 'DEACTIVATED',
        expires: '2027-03-01',
      },
      { name: 'same day', accounts: ['111111111111'], deepInspection: 'DEACTIVATED', expires: '2027-03-31' },
      { name: 'outlives it', accounts: ['111111111111'], deepInspection: 'DEACTIVATED', expires: '2027-04-30' },
    ]);
    expect(kinds(lintPolicy(policy, { today: TODAY }))).toEqual([
      'UNREACHABLE_RULE $.rules[1]',
      'UNREACHABLE_RULE $.rules[2]',
    ]);
  });

  it('a rule shadowed by several exceptions is reachable once the last of them expires; one rule that never expires still shadows it', () => {
    const expiring = [
      { name: 'first', accounts: ['111111111111'], deepInspection: 'UNMANAGED', expires: '2027-01-31' },
      { name: 'second', organizationalUnits: ['r-ab12'], deepInspection: 'UNMANAGED', expires: '2027-06-30' },
    ];
    const after = { name: 'after', accounts: ['111111111111'], deepInspection: 'DEACTIVATED' };
    expect(kinds(lintPolicy(v2([...expiring, after]), { today: TODAY }))).toEqual([]);
    const permanent = { name: 'forever', accounts: ['111111111111'], deepInspection: 'ACTIVATED' };
    expect(kinds(lintPolicy(v2([...expiring, permanent, after]), { today: TODAY }))).toEqual([
      'UNREACHABLE_RULE $.rules[3]',
    ]);
  });
});

describe('lintPolicy: the documented policies', () => {
  it('docs/policy.md’s version 2 examples, the exception and the rule after it included, pass lint --strict (no warning) outside the warning window', () => {
    const docs = readFileSync(path.join(__dirname, '..', '..', 'docs', 'policy.md'), 'utf8');
    const section = docs.split('\n## Version 2\n')[1]?.split('\n## ')[0] ?? '';
    const documents = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? ''));
    const withExceptionAndAfter = documents.filter((d) => d.version === 2 && d.rules.length > 1);
    expect(withExceptionAndAfter.length).toBeGreaterThanOrEqual(2);
    for (const document of withExceptionAndAfter) {
      expect(lintPolicy(validatePolicy(document, 'docs/policy.md'), { today: '2026-11-24' })).toEqual([]);
    }
    // The warning the page quotes is the one lint gives 14 days before the end.
    const exception = withExceptionAndAfter.find((d) => d.rules[1].accounts?.[0] === d.rules[0].accounts?.[0]);
    const [warning] = lintPolicy(validatePolicy(exception, 'docs/policy.md'), { today: '2027-03-17' });
    expect(warning?.message).toMatch(/takes over 444455556666$/);
    expect(docs.replace(/\s+/g, ' ').includes(`\`${warning?.message}\``)).toBe(true);
  });
});

describe('lintPolicy: regions this account has not enabled', () => {
  const regional = validatePolicy(
    { version: 1, default: 'ACTIVATED', regions: ['us-east-1', 'eu-south-2', 'me-central-1', 'ap-east-2'] },
    'test',
  );

  it('names each of the policy’s regions that ListRegions says is not enabled, or being enabled, with its JSON path', () => {
    const regionOptStatuses = {
      listed: true as const,
      byRegion: new Map([
        ['us-east-1', 'ENABLED_BY_DEFAULT'],
        ['eu-south-2', 'DISABLED'],
        ['me-central-1', 'ENABLING'],
        ['ap-east-2', 'ENABLED'],
      ]),
    };
    expect(lintPolicy(regional, { today: TODAY, regionOptStatuses })).toEqual([
      {
        kind: 'REGION_NOT_ENABLED',
        path: '$.regions[1]',
        message:
          'eu-south-2 is not enabled for this account (RegionOptStatus DISABLED): enable eu-south-2 for this account, or remove it from the policy',
      },
      {
        kind: 'REGION_NOT_ENABLED',
        path: '$.regions[2]',
        message:
          'me-central-1 is being enabled for this account (RegionOptStatus ENABLING): retry later; runs are retried until it is ENABLED',
      },
    ]);
  });

  it('says nothing of regions when ListRegions could not say, or was not asked (cdk synth)', () => {
    expect(lintPolicy(regional, { today: TODAY })).toEqual([]);
    expect(
      lintPolicy(regional, {
        today: TODAY,
        regionOptStatuses: { listed: false, error: 'AccessDenied', verdict: 'PERMANENT' },
      }),
    ).toEqual([]);
  });
});

describe('lintPolicy: version 3 scan settings', () => {
  const A = '111111111111';
  const B = '222222222222';
  const ADMIN = '999999999999';
  const PLATFORM = 'ou-ab12-11111111';
  const v3 = (document: object) => validatePolicy({ version: 3, default: 'ACTIVATED', ...document }, 'test');
  const kinds = (warnings: readonly { kind: string; path: string }[]) => warnings.map((w) => `${w.kind} ${w.path}`);

  it('tells a setting shadowed for every account apart from the rule’s others, which still apply', () => {
    const policy = v3({
      rules: [
        { name: 'all hybrid', organizationalUnits: ['r-ab12'], scanMode: 'EC2_HYBRID' },
        { name: 'A', accounts: [A], scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: 'ACTIVATED' },
      ],
    });
    expect(lintPolicy(policy, { today: TODAY })).toEqual([
      {
        kind: 'SHADOWED_SETTING',
        path: '$.rules[1].scanMode',
        message:
          '"A" never decides scanMode: $.rules[0] above it decides scanMode for every account it names (first match is per setting); its vmScanner still applies',
      },
    ]);
  });

  it('reports a rule unreachable only when every setting it states is shadowed, each by a rule stating it', () => {
    const policy = v3({
      rules: [
        { name: 'A deep', accounts: [A], deepInspection: 'DEACTIVATED' },
        { name: 'all VM', organizationalUnits: ['r-ab12'], vmScanner: 'ACTIVATED' },
        { name: 'A both', accounts: [A], deepInspection: 'ACTIVATED', vmScanner: 'DEACTIVATED' },
      ],
    });
    expect(lintPolicy(policy, { today: TODAY })).toEqual([
      {
        kind: 'UNREACHABLE_RULE',
        path: '$.rules[2]',
        message:
          '"A both" can never match: $.rules[0], $.rules[1] above it take every account it names, for each of deepInspection, vmScanner',
      },
    ]);
  });

  it('does not let a rule that states other settings shadow one', () => {
    const policy = v3({
      rules: [
        { name: 'all deep', organizationalUnits: ['r-ab12'], deepInspection: 'ACTIVATED' },
        { name: 'A VM', accounts: [A], vmScanner: 'ACTIVATED' },
      ],
    });
    expect(lintPolicy(policy, { today: TODAY })).toEqual([]);
  });

  it('warns of a scan setting the default already gives the same accounts: inheritance makes it moot', () => {
    const policy = v3({
      scanConfiguration: { vmScanner: 'ACTIVATED' },
      rules: [
        { name: 'A on', accounts: [A], vmScanner: 'ACTIVATED', deepInspection: 'DEACTIVATED' },
        { name: 'A trial', accounts: [B], vmScanner: 'ACTIVATED', enforcement: 'report' },
      ],
    });
    expect(lintPolicy(policy, { today: TODAY })).toEqual([
      {
        kind: 'MOOT_SCAN_SETTING',
        path: '$.rules[0].vmScanner',
        message:
          '"A on" sets vmScanner ACTIVATED (enforce), and scanConfiguration gives these accounts ACTIVATED (enforce) without it: the delegated administrator\'s configuration, which they inherit unless individually configured: it changes nothing today; remove it, or keep it to hold these accounts should the default change',
      },
    ]);
  });

  it('reports a shadowed setting once, as shadowed, not also as moot (a rule above decides it, not the default)', () => {
    const policy = v3({
      scanConfiguration: { scanMode: 'EC2_HYBRID', vmScanner: 'ACTIVATED' },
      rules: [
        { name: 'first', accounts: [A, B], vmScanner: 'DEACTIVATED' },
        { name: 'shadowed', accounts: [A], vmScanner: 'ACTIVATED', deepInspection: 'DEACTIVATED' },
      ],
    });
    expect(kinds(lintPolicy(policy, { today: TODAY }))).toEqual(['SHADOWED_SETTING $.rules[1].vmScanner']);
  });

  it('reports an unreachable rule once, not its settings as moot as well', () => {
    const policy = v3({
      scanConfiguration: { vmScanner: 'ACTIVATED' },
      rules: [
        { name: 'first', accounts: [A], vmScanner: 'DEACTIVATED' },
        { name: 'never', accounts: [A], vmScanner: 'ACTIVATED' },
      ],
    });
    expect(kinds(lintPolicy(policy, { today: TODAY }))).toEqual(['UNREACHABLE_RULE $.rules[1]']);
  });

  it('warns of UNMANAGED where nothing else manages the setting', () => {
    const policy = v3({ rules: [{ name: 'hands off', accounts: [A], scanMode: 'UNMANAGED' }] });
    expect(lintPolicy(policy, { today: TODAY })).toEqual([
      expect.objectContaining({
        kind: 'MOOT_SCAN_SETTING',
        path: '$.rules[0].scanMode',
        message: expect.stringContaining('nothing else manages scanMode for these accounts'),
      }),
    ]);
  });

  it('does not call a setting moot when it holds its accounts from a rule below that says otherwise', () => {
    const policy = v3({
      scanConfiguration: { vmScanner: 'ACTIVATED' },
      rules: [
        { name: 'A stays on', accounts: [A], vmScanner: 'ACTIVATED' },
        { name: 'platform off', organizationalUnits: [PLATFORM], vmScanner: 'DEACTIVATED' },
      ],
    });
    // Without the tree, A may be under the platform OU; with it, A is not, and the first rule is moot.
    expect(kinds(lintPolicy(policy, { today: TODAY }))).toEqual([]);
    const tree: OrganizationAccount[] = [
      { id: A, state: 'ACTIVE', ancestors: ['r-ab12'] },
      { id: B, state: 'ACTIVE', ancestors: ['r-ab12', PLATFORM] },
    ];
    expect(kinds(lintPolicy(policy, { today: TODAY, accounts: tree }))).toEqual([
      'MOOT_SCAN_SETTING $.rules[0].vmScanner',
    ]);
    const underPlatform = tree.map((account) => ({ ...account, ancestors: ['r-ab12', PLATFORM] }));
    expect(kinds(lintPolicy(policy, { today: TODAY, accounts: underPlatform }))).toEqual([]);
  });

  it('warns of a rule deciding the delegated administrator’s own scan setting otherwise than scanConfiguration', () => {
    const policy = v3({
      scanConfiguration: { scanMode: 'EC2_HYBRID', vmScanner: 'DEACTIVATED' },
      rules: [
        { name: 'pilots on the VM scanner', accounts: [A, ADMIN], vmScanner: 'ACTIVATED' },
        { name: 'everyone hybrid', organizationalUnits: ['r-ab12'], scanMode: 'EC2_HYBRID' },
      ],
    });
    expect(lintPolicy(policy, { today: TODAY, administratorAccountId: ADMIN })).toEqual([
      // The root rule gives every account what scanConfiguration does, the administrator included: only moot.
      expect.objectContaining({ kind: 'MOOT_SCAN_SETTING', path: '$.rules[1].scanMode' }),
      {
        kind: 'ADMINISTRATOR_SCAN_SETTING',
        path: '$.rules[0].accounts[1]',
        message:
          '"pilots on the VM scanner" decides vmScanner ACTIVATED (enforce) for 999999999999, the delegated administrator\'s own account, whose configuration is the organization\'s default that members inherit: the run writes it only from scanConfiguration (DEACTIVATED (enforce)); state the value there, or leave this account out of the rule',
      },
    ]);
  });

  it('tells a rule reaching the administrator through an OU only when the organization places it, and not without an administrator', () => {
    const policy = v3({ rules: [{ name: 'platform VM', organizationalUnits: [PLATFORM], vmScanner: 'ACTIVATED' }] });
    expect(kinds(lintPolicy(policy, { today: TODAY, administratorAccountId: ADMIN }))).toEqual([]);
    const tree: OrganizationAccount[] = [{ id: ADMIN, state: 'ACTIVE', ancestors: ['r-ab12', PLATFORM] }];
    expect(kinds(lintPolicy(policy, { today: TODAY, accounts: tree, administratorAccountId: ADMIN }))).toEqual([
      'ADMINISTRATOR_SCAN_SETTING $.rules[0]',
    ]);
    expect(kinds(lintPolicy(policy, { today: TODAY, accounts: tree }))).toEqual([]);
  });

  it('says nothing new of a version 1 or 2 policy naming the administrator', () => {
    const v2 = validatePolicy(
      {
        version: 2,
        default: 'ACTIVATED',
        rules: [{ name: 'admin', accounts: [ADMIN], deepInspection: 'DEACTIVATED' }],
      },
      'test',
    );
    expect(lintPolicy(v2, { today: TODAY, administratorAccountId: ADMIN })).toEqual([]);
  });
});

describe('lintPolicy: the documented version 3 policy', () => {
  const docs = readFileSync(path.join(__dirname, '..', '..', 'docs', 'policy.md'), 'utf8');
  const section = docs.split('\n## Version 3: the EC2 scan configuration\n')[1]?.split('\n## ')[0] ?? '';
  const [text] = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const flat = section.replace(/\s+/g, ' ');

  it('is valid and passes lint --strict outside the warning window', () => {
    const policy = parsePolicy(text, 'docs/policy.md');
    expect(policy.version).toBe(3);
    expect(lintPolicy(policy, { today: TODAY })).toEqual([]);
  });

  it('decides each setting of an account as the page’s table says, before and after the exception ends', () => {
    const policy = parsePolicy(text, 'docs/policy.md');
    const account = { id: '111122223333', ancestors: ['r-ab12', 'ou-ab12-34cd56ef'] };
    expect(scanTargetOf(account, policy, TODAY)).toEqual({
      target: {
        scanMode: {
          value: 'EC2_SSM_AGENT_BASED',
          rule: 'legacy hosts: SSM agent only, until migrated',
          enforcement: 'enforce',
        },
        vmScanner: { value: 'ACTIVATED', rule: 'platform OU on the VM scanner', enforcement: 'report' },
      },
    });
    expect(scanTargetOf(account, policy, '2027-04-01')).toMatchObject({
      target: { scanMode: { value: 'EC2_HYBRID', rule: 'default' } },
    });
    expect(desiredStateOf(account, policy, TODAY)).toEqual({
      state: 'ACTIVATED',
      rule: 'default',
      enforcement: 'enforce',
    });
  });

  it('quotes the validator’s own messages: a misspelt value, and a version 2 policy using a version 3 key', () => {
    const misspelt = thrown(() =>
      parsePolicy(text?.replace('"scanMode": "EC2_SSM_AGENT_BASED"', '"scanMode": "EC2_HYBIRD"'), 'policy.json'),
    );
    expect(docs).toContain(misspelt.split('\n').slice(1).join('\n'));
    const older = thrown(() =>
      validatePolicy(
        {
          version: 2,
          default: 'ACTIVATED',
          rules: [{ name: 'r', accounts: ['111122223333'], deepInspection: 'ACTIVATED', vmScanner: 'ACTIVATED' }],
        },
        't',
      ),
    );
    const message = older.split('\n')[1]?.replace(/^ {2}- \$\.rules\[0\]\.vmScanner: /, '') ?? '';
    expect(flat).toContain(`\`${message}\``);
  });
});

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected it to throw');
}
