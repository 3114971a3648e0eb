import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { PolicyError } from '../../lambda/reconciler/errors/errors';
import { ACCOUNT_ID, ORGANIZATIONAL_UNIT_ID, PACKAGE_PATH, ROOT_ID } from '../../lambda/reconciler/ids';
import { POLICY_SCHEMA_FILE, policyJsonSchema } from '../../scripts/policy-schema';
import { needsOrganizationalUnits, parsePolicy, validatePolicy } from '../../lambda/reconciler/policy/schema';
import { selectRegions } from '../../lambda/reconciler/run/scope';

const example = {
  version: 1,
  default: 'ACTIVATED',
  regions: ['us-east-1', 'eu-west-1'],
  rules: [
    { name: 'sandbox stays off', organizationalUnits: ['ou-ab12-34cd56ef'], deepInspection: 'DEACTIVATED' },
    { name: 'legacy hosts, hands off', accounts: ['111122223333'], deepInspection: 'UNMANAGED' },
  ],
  orgPackagePaths: ['/opt/app/lib'],
  guardrails: { maxDeactivationsPerRun: 50 },
};

function problemsOf(document: unknown): { path: string; message: string }[] {
  try {
    validatePolicy(document, 'test');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return [...(error as PolicyError).problems];
  }
  throw new Error('expected the policy to be rejected');
}

describe('validatePolicy', () => {
  it('accepts the documented example, every rule and the default enforced, nothing expiring', () => {
    expect(validatePolicy(example, 'test')).toEqual({
      ...example,
      default: { deepInspection: 'ACTIVATED', enforcement: 'enforce' },
      rules: example.rules.map((rule) => ({ ...rule, enforcement: 'enforce' })),
      guardrails: { maxDeactivationsPerRun: 50, maxDeactivationsPerDay: 100 },
      warnBeforeExpiryDays: 14,
      findings: { securityHub: false },
    });
  });

  it('fills in the defaults of a minimal policy', () => {
    expect(validatePolicy({ version: 1, default: 'DEACTIVATED' }, 'test')).toEqual({
      version: 1,
      default: { deepInspection: 'DEACTIVATED', enforcement: 'enforce' },
      rules: [],
      guardrails: { maxDeactivationsPerRun: 50, maxDeactivationsPerDay: 100 },
      warnBeforeExpiryDays: 14,
      findings: { securityHub: false },
    });
  });

  it('turns Security Hub findings on in version 2 only, off unless asked', () => {
    const v2 = (findings?: unknown) =>
      validatePolicy({ version: 2, default: 'ACTIVATED', ...(findings === undefined ? {} : { findings }) }, 't');
    expect(v2().findings).toEqual({ securityHub: false });
    expect(v2({}).findings).toEqual({ securityHub: false });
    expect(v2({ securityHub: true }).findings).toEqual({ securityHub: true });
    expect(problemsOf({ version: 2, default: 'ACTIVATED', findings: { securityHub: 'yes' } })).toEqual([
      { path: '$.findings.securityHub', message: 'must be true or false' },
    ]);
    expect(problemsOf({ version: 2, default: 'ACTIVATED', findings: { securityhub: true } })).toEqual([
      { path: '$.findings.securityhub', message: expect.stringContaining('did you mean "securityHub"?') },
    ]);
    expect(problemsOf({ version: 1, default: 'ACTIVATED', findings: { securityHub: true } })).toEqual([
      { path: '$.findings', message: expect.stringMatching(/^unknown key \(allowed here: .*\brules\b/) },
    ]);
  });

  it('takes a coverage minimum between 0 and 100 in version 2', () => {
    expect(
      validatePolicy({ version: 2, default: 'ACTIVATED', coverage: { minimumEffectivePercent: 95 } }, 't').coverage,
    ).toEqual({
      minimumEffectivePercent: 95,
    });
    expect(problemsOf({ version: 2, default: 'ACTIVATED', coverage: { minimumEffectivePercent: 101 } })).toEqual([
      { path: '$.coverage.minimumEffectivePercent', message: 'must be at most 100' },
    ]);
    expect(problemsOf({ version: 1, default: 'ACTIVATED', coverage: { minimumEffectivePercent: 95 } })).toEqual([
      { path: '$.coverage', message: expect.stringMatching(/^unknown key \(allowed here: .*\brules\b/) },
    ]);
  });

  it('takes the daily limit as given, or twice the per-run limit', () => {
    const withLimits = (guardrails: object) => validatePolicy({ version: 2, default: 'ACTIVATED', guardrails }, 'test');
    expect(withLimits({ maxDeactivationsPerRun: 10 }).guardrails).toEqual({
      maxDeactivationsPerRun: 10,
      maxDeactivationsPerDay: 20,
    });
    expect(withLimits({ maxDeactivationsPerRun: 10, maxDeactivationsPerDay: 15 }).guardrails).toEqual({
      maxDeactivationsPerRun: 10,
      maxDeactivationsPerDay: 15,
    });
    expect(problemsOf({ version: 2, default: 'ACTIVATED', guardrails: { maxDeactivationsPerDay: -1 } })).toEqual([
      { path: '$.guardrails.maxDeactivationsPerDay', message: 'must not be negative' },
    ]);
  });

  it.each([
    [
      'unknown version',
      { ...example, version: 4 },
      '$.version',
      /unknown policy version 4; this function reads versions 1, 2 and 3/,
    ],
    ['missing version', { default: 'ACTIVATED' }, '$.version', /is required/],
    ['bad default', { ...example, default: 'ON' }, '$.default', /"ON" is not one of ACTIVATED, DEACTIVATED, UNMANAGED/],
    ['unknown top-level key', { ...example, defualt: 'ACTIVATED' }, '$.defualt', /unknown key/],
    [
      'unknown rule key',
      { ...example, rules: [{ ...example.rules[0], acounts: [] }] },
      '$.rules[0].acounts',
      /unknown key/,
    ],
    [
      'malformed account id',
      { ...example, rules: [{ name: 'r', accounts: ['1234'], deepInspection: 'ACTIVATED' }] },
      '$.rules[0].accounts[0]',
      /"1234" is not a 12-digit account id/,
    ],
    [
      'malformed OU id',
      { ...example, rules: [{ name: 'r', organizationalUnits: ['ou-x'], deepInspection: 'ACTIVATED' }] },
      '$.rules[0].organizationalUnits[0]',
      /not an organizational unit id/,
    ],
    [
      'rule that matches nothing',
      { ...example, rules: [{ name: 'r', deepInspection: 'ACTIVATED' }] },
      '$.rules[0]',
      /must name "accounts", "organizationalUnits" or both/,
    ],
    [
      'invalid region',
      { ...example, regions: ['us-east-1', 'moon-1'] },
      '$.regions[1]',
      /"moon-1" is not an AWS region name/,
    ],
    ['duplicate region', { ...example, regions: ['us-east-1', 'us-east-1'] }, '$.regions[1]', /duplicate region/],
    [
      'too many paths',
      { ...example, orgPackagePaths: ['/a', '/b', '/c', '/d', '/e', '/f'] },
      '$.orgPackagePaths',
      /at most 5 paths/,
    ],
    ['relative path', { ...example, orgPackagePaths: ['opt/app'] }, '$.orgPackagePaths[0]', /not an absolute path/],
    [
      'path too long',
      { ...example, orgPackagePaths: [`/${'a'.repeat(512)}`] },
      '$.orgPackagePaths[0]',
      /at most 512 characters/,
    ],
    ['empty path', { ...example, orgPackagePaths: [''] }, '$.orgPackagePaths[0]', /must not be empty/],
    ['root path', { ...example, orgPackagePaths: ['/'] }, '$.orgPackagePaths[0]', /not a path Inspector accepts/],
    ['empty segment', { ...example, orgPackagePaths: ['/opt//lib'] }, '$.orgPackagePaths[0]', /not a path Inspector/],
    [
      'parent segment',
      { ...example, orgPackagePaths: ['/opt/../lib'] },
      '$.orgPackagePaths[0]',
      /not a path Inspector/,
    ],
    [
      'Windows path with a trailing backslash',
      { ...example, orgPackagePaths: ['C:\\App\\lib\\'] },
      '$.orgPackagePaths[0]',
      /not a path Inspector/,
    ],
    [
      'scoped package',
      { ...example, orgPackagePaths: ['/opt/@scope/pkg'] },
      '$.orgPackagePaths[0]',
      /not a path Inspector/,
    ],
    [
      'negative guardrail',
      { ...example, guardrails: { maxDeactivationsPerRun: -1 } },
      '$.guardrails.maxDeactivationsPerRun',
      /must not be negative/,
    ],
    [
      'fractional guardrail',
      { ...example, guardrails: { maxDeactivationsPerRun: 1.5 } },
      '$.guardrails.maxDeactivationsPerRun',
      /whole number/,
    ],
    ['wrong type', { ...example, rules: 'none' }, '$.rules', /must be an array/],
  ])('rejects %s with its JSON path', (_name, document, path, message) => {
    const problems = problemsOf(document);
    expect(problems).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it.each([
    ['blank', ' \t', /must hold a visible character/],
    ['with a control character', 'trial\u0000', /control character/],
    ['with leading or trailing spaces', ' trial ', /must not start or end with whitespace/],
    ['"default", the name outcomes and findings give the default', 'default', /reserved/],
  ])('refuses a rule name %s: it would be confused or lost in findings', (_case, name, message) => {
    const rules = [{ ...example.rules[0], name }];
    expect(problemsOf({ ...example, rules })).toContainEqual({
      path: '$.rules[0].name',
      message: expect.stringMatching(message),
    });
  });

  it.each(['owner', 'reason'])('refuses a blank %s: it would say nothing where findings show it', (field) => {
    const rules = [{ ...example.rules[0], [field]: ' \n' }];
    expect(problemsOf({ ...example, version: 2, rules })).toContainEqual({
      path: `$.rules[0].${field}`,
      message: expect.stringMatching(/visible character/),
    });
  });

  it('takes a rule name with inner spaces and other scripts', () => {
    const rules = [{ ...example.rules[0], name: 'trial  accounts — Ünïcode' }];
    expect(validatePolicy({ ...example, rules }, 'test').rules[0]?.name).toBe('trial  accounts — Ünïcode');
  });

  it('reports duplicate rule names with the index of the first use', () => {
    const rules = [example.rules[0], { ...example.rules[1], name: 'sandbox stays off' }];
    expect(problemsOf({ ...example, rules })).toEqual([
      {
        path: '$.rules[1].name',
        message: 'duplicate rule name "sandbox stays off" (first used by $.rules[0])',
      },
    ]);
  });

  it('reports every problem at once, duplicate names included', () => {
    const problems = problemsOf({
      version: 4,
      default: 'MAYBE',
      extra: true,
      rules: [
        { name: 'a', accounts: ['1'], deepInspection: 'ACTIVATED' },
        { name: 'a', accounts: ['111122223333'], deepInspection: 'OFF' },
      ],
    });
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        '$.default',
        '$.extra',
        '$.rules[0].accounts[0]',
        '$.rules[1].deepInspection',
        '$.rules[1].name',
        '$.version',
      ].sort(),
    );
  });

  it('names the source and every problem in the error message', () => {
    expect(() => validatePolicy({ version: 1, default: 'ON' }, 'SSM parameter /p')).toThrow(
      'Invalid policy (SSM parameter /p): 1 problem\n  - $.default: "ON" is not one of ACTIVATED, DEACTIVATED, UNMANAGED',
    );
  });
});

describe('one partition', () => {
  it('refuses a policy whose regions span partitions, naming each one outside the first region’s', () => {
    expect(problemsOf({ version: 2, default: 'ACTIVATED', regions: ['us-east-1', 'cn-north-1', 'eu-west-1'] })).toEqual(
      [
        {
          path: '$.regions[1]',
          message:
            'cn-north-1 is in the aws-cn partition and $.regions[0] us-east-1 in aws: one deployment serves one partition; keep a policy (and a deployment) per partition',
        },
      ],
    );
  });
});

describe('parsePolicy', () => {
  it('parses and validates JSON text', () => {
    expect(parsePolicy(JSON.stringify(example), 'file').default.deepInspection).toBe('ACTIVATED');
  });

  it('rejects text that is not JSON, naming the source', () => {
    expect(() => parsePolicy('{"version": 1,', 'policy.json')).toThrow(
      /Invalid policy \(policy.json\).*\$ \(line 1, column 15\): not valid JSON/s,
    );
  });

  it.each([undefined, '', '   '])('rejects an empty policy (%p)', (text) => {
    expect(() => parsePolicy(text, 'p')).toThrow(/the policy is empty/);
  });

  it.each(['null', '[]', '42', '"text"'])('rejects a JSON value that is not an object (%s)', (text) => {
    expect(() => parsePolicy(text, 'p')).toThrow(PolicyError);
  });
});

describe('needsOrganizationalUnits', () => {
  it('is true only when a rule names an OU, not a root', () => {
    const base = validatePolicy({ version: 1, default: 'ACTIVATED' }, 't');
    const withRoot = {
      ...base,
      rules: [
        {
          name: 'r',
          organizationalUnits: ['r-ab12'],
          deepInspection: 'ACTIVATED' as const,
          enforcement: 'enforce' as const,
        },
      ],
    };
    const withUnit = {
      ...base,
      rules: [
        {
          name: 'u',
          organizationalUnits: ['ou-ab12-34cd56ef'],
          deepInspection: 'ACTIVATED' as const,
          enforcement: 'enforce' as const,
        },
      ],
    };
    expect(needsOrganizationalUnits(base)).toBe(false);
    expect(needsOrganizationalUnits(withRoot)).toBe(false);
    expect(needsOrganizationalUnits(withUnit)).toBe(true);
  });
});

describe('identifier patterns', () => {
  const models = join(__dirname, '../../local/aws-endpoint/models');
  const shape = (service: string, name: string) =>
    (
      JSON.parse(readFileSync(join(models, `${service}.json`), 'utf8')) as {
        shapes: Record<string, { pattern: string }>;
      }
    ).shapes[name]?.pattern;
  // The validator's patterns are AWS's, matched against the whole value: they must not drift from the models.
  it.each<[string, RegExp, string, string]>([
    ['package path', PACKAGE_PATH, 'inspector2', 'Path'],
    ['account id', ACCOUNT_ID, 'inspector2', 'AccountId'],
    ['OU id', ORGANIZATIONAL_UNIT_ID, 'organizations', 'OrganizationalUnitId'],
    ['root id', ROOT_ID, 'organizations', 'RootId'],
  ])('the %s pattern is the model’s, anchored', (_what, regex, service, name) => {
    const pattern = shape(service, name) ?? '';
    const anchored = new RegExp(`^(?:${pattern})$`);
    for (const sample of [
      '/opt/app/lib',
      '/opt/app.v2/',
      '/.venv/lib',
      '111122223333',
      'ou-ab12-abcdefgh',
      'r-ab12',
      '/',
      '/opt//x',
      '/opt/../x',
      '/@s/p',
      '/opt/app.v1.2/lib',
      '/opt/My App/lib',
      'C:\\App\\lib',
      'C:\\App\\lib\\',
      '1111222233334',
      'ou-ab12-abc',
    ]) {
      expect([sample, regex.test(sample)]).toEqual([sample, anchored.test(sample)]);
    }
  });

  it.each([
    '/opt/app/lib',
    '/usr/lib/python3.11/',
    '/home/user/.local/lib',
    '/opt/app-v2/node_modules',
    // The 2026 model's pattern: dots and spaces inside a name, and Windows paths.
    '/opt/app.v1.2/lib',
    '/opt/My App/lib',
    'C:\\App\\lib',
  ])('accepts the path %s', (path) => {
    expect(() => validatePolicy({ ...example, orgPackagePaths: [path] }, 'test')).not.toThrow();
  });
});

describe('policy version 2', () => {
  const v2 = {
    version: 2,
    default: { deepInspection: 'ACTIVATED', enforcement: 'report' },
    warnBeforeExpiryDays: 30,
    rules: [
      {
        name: 'legacy, until migrated',
        accounts: ['111122223333'],
        deepInspection: 'UNMANAGED',
        expires: '2027-03-31',
        owner: 'platform-team',
        reason: 'migration',
      },
      {
        name: 'trial',
        organizationalUnits: ['ou-ab12-34cd56ef'],
        deepInspection: 'DEACTIVATED',
        enforcement: 'report',
      },
    ],
  };

  it('reads enforcement, expiry, owner and reason, and fills in the defaults', () => {
    const policy = validatePolicy(v2, 'test');
    expect(policy.default).toEqual({ deepInspection: 'ACTIVATED', enforcement: 'report' });
    expect(policy.warnBeforeExpiryDays).toBe(30);
    expect(policy.rules[0]).toMatchObject({ enforcement: 'enforce', expires: '2027-03-31', owner: 'platform-team' });
    expect(policy.rules[1]).toMatchObject({ enforcement: 'report' });
  });

  it('accepts a plain string default, enforced', () => {
    expect(validatePolicy({ version: 2, default: 'DEACTIVATED' }, 'test').default).toEqual({
      deepInspection: 'DEACTIVATED',
      enforcement: 'enforce',
    });
  });

  it('reads a version 1 policy unchanged: every rule and the default enforced, nothing expires', () => {
    const policy = validatePolicy(example, 'test');
    expect(policy.version).toBe(1);
    expect(policy.default).toEqual({ deepInspection: 'ACTIVATED', enforcement: 'enforce' });
    expect(policy.rules.every((rule) => rule.enforcement === 'enforce' && rule.expires === undefined)).toBe(true);
  });

  it.each<[string, object, string, RegExp]>([
    [
      'an unknown enforcement',
      { rules: [{ ...v2.rules[1], enforcement: 'dryrun' }] },
      '$.rules[0].enforcement',
      /"dryrun" is not one of enforce, report/,
    ],
    [
      'a date that is not a day',
      { rules: [{ ...v2.rules[0], expires: '31/03/2027' }] },
      '$.rules[0].expires',
      /is not a date such as "2027-03-31"/,
    ],
    [
      'an impossible day',
      { rules: [{ ...v2.rules[0], expires: '2027-02-30' }] },
      '$.rules[0].expires',
      /is not a date/,
    ],
    ['an empty owner', { rules: [{ ...v2.rules[0], owner: '' }] }, '$.rules[0].owner', /must not be empty/],
    ['a negative warning period', { warnBeforeExpiryDays: -1 }, '$.warnBeforeExpiryDays', /must not be negative/],
  ])('rejects %s with its JSON path', (_what, change, path, message) => {
    const problems = problemsOf({ ...v2, ...change });
    expect(problems).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
  });

  it('keeps version 1 strict: enforcement and expiry are version 2 fields', () => {
    const problems = problemsOf({ ...example, rules: [{ ...example.rules[0], enforcement: 'report' }] });
    expect(problems).toEqual([
      {
        path: '$.rules[0].enforcement',
        message: expect.stringMatching(/^unknown key \(allowed here: name, accounts, /),
      },
    ]);
  });
});

describe('the editor schema', () => {
  it('policy.schema.json is what the validator’s schema generates: run `npm run schema` after changing it', () => {
    expect(readFileSync(POLICY_SCHEMA_FILE, 'utf8')).toBe(policyJsonSchema());
  });

  /** policy.schema.json as an editor runs it: JSON Schema 2020-12, evaluated (formats are the validator's). */
  const editorAccepts = (() => {
    const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(
      JSON.parse(readFileSync(POLICY_SCHEMA_FILE, 'utf8')) as object,
    );
    return (document: unknown) => validate(document);
  })();
  const v3 = { version: 3, default: 'ACTIVATED' };
  const target = { name: 'a', accounts: ['111122223333'] };

  it.each([
    ['a version 3 rule that states no setting', { ...v3, rules: [target] }],
    ['an empty scanConfiguration', { ...v3, scanConfiguration: {} }],
    ['a scanConfiguration with only its enforcement', { ...v3, scanConfiguration: { enforcement: 'report' } }],
    ['a version 3 rule with only its enforcement', { ...v3, rules: [{ ...target, enforcement: 'report' }] }],
  ])('refuses, as the validator does, %s', (_what, document) => {
    expect(() => validatePolicy(document, 'test')).toThrow(PolicyError);
    expect(editorAccepts(document)).toBe(false);
  });

  it.each([
    ['a rule stating deep inspection alone', { ...v3, rules: [{ ...target, deepInspection: 'DEACTIVATED' }] }],
    ['a rule stating the scan mode alone', { ...v3, rules: [{ ...target, scanMode: 'EC2_HYBRID' }] }],
    ['a rule stating the VM scanner UNMANAGED', { ...v3, rules: [{ ...target, vmScanner: 'UNMANAGED' }] }],
    ['a scanConfiguration with the VM scanner alone', { ...v3, scanConfiguration: { vmScanner: 'ACTIVATED' } }],
    [
      'a report-only scanConfiguration with the scan mode',
      { ...v3, scanConfiguration: { scanMode: 'EC2_HYBRID', enforcement: 'report' } },
    ],
    ['the shipped policy.json', JSON.parse(readFileSync(join(__dirname, '../../policy.json'), 'utf8'))],
  ])('accepts, as the validator does, %s', (_what, document) => {
    expect(() => validatePolicy(document, 'test')).not.toThrow();
    expect(editorAccepts(document)).toBe(true);
  });

  it('is referenced by the shipped policies', () => {
    for (const file of ['policy.json', 'local/demo-policy.json']) {
      const document = JSON.parse(readFileSync(join(__dirname, '../..', file), 'utf8')) as { $schema?: string };
      expect(document.$schema).toMatch(/policy\.schema\.json$/);
    }
  });
});

describe('selectRegions', () => {
  it('refuses a policy whose partition is not the one the run is in, before any call', () => {
    const china = validatePolicy({ version: 2, default: 'ACTIVATED', regions: ['cn-north-1'] }, 'SSM parameter /p');
    expect(() => selectRegions(china, { defaultRegion: 'us-east-1' })).toThrow(
      /\$\.regions\[0\]: cn-north-1 is in the aws-cn partition; this runs in us-east-1 \(aws\): one deployment serves one partition/,
    );
    expect(selectRegions(china, { defaultRegion: 'cn-northwest-1' })).toEqual(['cn-north-1']);
  });
});

describe('policy version 3: the EC2 scan configuration', () => {
  const v3 = {
    version: 3,
    default: 'ACTIVATED',
    scanConfiguration: { scanMode: 'EC2_HYBRID', vmScanner: 'DEACTIVATED' },
    rules: [
      { name: 'platform on the VM scanner', organizationalUnits: ['ou-ab12-34cd56ef'], vmScanner: 'ACTIVATED' },
      {
        name: 'legacy, SSM only',
        accounts: ['111122223333'],
        scanMode: 'EC2_SSM_AGENT_BASED',
        vmScanner: 'UNMANAGED',
        deepInspection: 'UNMANAGED',
        enforcement: 'report',
        expires: '2027-03-31',
        owner: 'platform-team',
        reason: 'migration',
      },
    ],
  };

  it('reads the default scan configuration, enforced unless it says report', () => {
    const policy = validatePolicy(v3, 'test');
    expect(policy.version).toBe(3);
    expect(policy.scanConfiguration).toEqual({
      scanMode: 'EC2_HYBRID',
      vmScanner: 'DEACTIVATED',
      enforcement: 'enforce',
    });
    const reported = validatePolicy(
      { ...v3, scanConfiguration: { vmScanner: 'ACTIVATED', enforcement: 'report' } },
      't',
    );
    expect(reported.scanConfiguration).toEqual({ vmScanner: 'ACTIVATED', enforcement: 'report' });
  });

  it('reads rules that state only scan settings, and every version 2 field with them', () => {
    const [platform, legacy] = validatePolicy(v3, 'test').rules;
    expect(platform).toEqual({
      name: 'platform on the VM scanner',
      organizationalUnits: ['ou-ab12-34cd56ef'],
      vmScanner: 'ACTIVATED',
      enforcement: 'enforce',
    });
    expect(platform?.deepInspection).toBeUndefined();
    expect(legacy).toMatchObject({
      scanMode: 'EC2_SSM_AGENT_BASED',
      vmScanner: 'UNMANAGED',
      deepInspection: 'UNMANAGED',
      enforcement: 'report',
      expires: '2027-03-31',
    });
  });

  it('needs no scanConfiguration: without one, no scan setting is managed by default', () => {
    const { scanConfiguration, ...rest } = v3;
    expect(scanConfiguration).toBeDefined();
    expect(validatePolicy(rest, 'test').scanConfiguration).toBeUndefined();
  });

  it.each<[string, object, string, string]>([
    [
      'a misspelt scan mode, with the value meant',
      { rules: [{ name: 'r', accounts: ['111122223333'], scanMode: 'EC2_HYBIRD' }] },
      '$.rules[0].scanMode',
      '"EC2_HYBIRD" is not one of EC2_SSM_AGENT_BASED, EC2_HYBRID, UNMANAGED; did you mean "EC2_HYBRID"?',
    ],
    [
      'a VM scanner state in the wrong case, with the value meant',
      { rules: [{ name: 'r', accounts: ['111122223333'], vmScanner: 'activated' }] },
      '$.rules[0].vmScanner',
      '"activated" is not one of ACTIVATED, DEACTIVATED, UNMANAGED; did you mean "ACTIVATED"?',
    ],
    [
      'a misspelt default scan mode',
      { scanConfiguration: { scanMode: 'EC2_SSM_AGENT' } },
      '$.scanConfiguration.scanMode',
      '"EC2_SSM_AGENT" is not one of EC2_SSM_AGENT_BASED, EC2_HYBRID; did you mean "EC2_SSM_AGENT_BASED"?',
    ],
    [
      'a scan mode without its EC2_ prefix, with the value meant',
      { rules: [{ name: 'r', accounts: ['111122223333'], scanMode: 'HYBRID' }] },
      '$.rules[0].scanMode',
      '"HYBRID" is not one of EC2_SSM_AGENT_BASED, EC2_HYBRID, UNMANAGED; did you mean "EC2_HYBRID"?',
    ],
    [
      'the SSM plugin by its short name, with the value meant',
      { scanConfiguration: { scanMode: 'ssm' } },
      '$.scanConfiguration.scanMode',
      '"ssm" is not one of EC2_SSM_AGENT_BASED, EC2_HYBRID; did you mean "EC2_SSM_AGENT_BASED"?',
    ],
    [
      'a VM scanner ENABLED, with the value meant',
      { rules: [{ name: 'r', accounts: ['111122223333'], vmScanner: 'ENABLED' }] },
      '$.rules[0].vmScanner',
      '"ENABLED" is not one of ACTIVATED, DEACTIVATED, UNMANAGED; did you mean "ACTIVATED"?',
    ],
    [
      'a VM scanner "ON", with the value meant',
      { scanConfiguration: { vmScanner: 'ON' } },
      '$.scanConfiguration.vmScanner',
      '"ON" is not one of ACTIVATED, DEACTIVATED; did you mean "ACTIVATED"?',
    ],
    [
      'a VM scanner "off", with the value meant',
      { scanConfiguration: { vmScanner: 'off' } },
      '$.scanConfiguration.vmScanner',
      '"off" is not one of ACTIVATED, DEACTIVATED; did you mean "DEACTIVATED"?',
    ],
    [
      'deep inspection DISABLED, with the value meant',
      { rules: [{ name: 'r', accounts: ['111122223333'], deepInspection: 'DISABLED' }] },
      '$.rules[0].deepInspection',
      '"DISABLED" is not one of ACTIVATED, DEACTIVATED, UNMANAGED; did you mean "DEACTIVATED"?',
    ],
    [
      'a value nothing is near, without a guess',
      { scanConfiguration: { vmScanner: true } },
      '$.scanConfiguration.vmScanner',
      'true is not one of ACTIVATED, DEACTIVATED',
    ],
    [
      'UNMANAGED in the default, which leaves a setting out instead',
      { scanConfiguration: { vmScanner: 'UNMANAGED' } },
      '$.scanConfiguration.vmScanner',
      '"UNMANAGED" is not one of ACTIVATED, DEACTIVATED: leave the setting out of scanConfiguration to leave it unmanaged by default',
    ],
    [
      'a default that states no setting',
      { scanConfiguration: { enforcement: 'report' } },
      '$.scanConfiguration',
      'states neither "scanMode" nor "vmScanner", so it manages nothing: state one or both, or remove "scanConfiguration"',
    ],
    [
      'a rule that states no setting',
      { rules: [{ name: 'r', accounts: ['111122223333'], enforcement: 'report' }] },
      '$.rules[0]',
      'a rule must state at least one of "deepInspection", "scanMode", "vmScanner"',
    ],
    [
      'a misspelt key of the default',
      { scanConfiguration: { vmScaner: 'ACTIVATED' } },
      '$.scanConfiguration.vmScaner',
      'unknown key: did you mean "vmScanner"? (allowed here: scanMode, vmScanner, enforcement)',
    ],
  ])('refuses %s', (_what, change, path, message) => {
    expect(problemsOf({ ...v3, ...change })).toEqual([{ path, message }]);
  });

  it('reports a rule that states no setting with its other problems, but not beside a misspelt setting', () => {
    expect(problemsOf({ ...v3, rules: [{ name: 'r', accounts: ['12'] }] })).toEqual([
      { path: '$.rules[0].accounts[0]', message: '"12" is not a 12-digit account id' },
      { path: '$.rules[0]', message: 'a rule must state at least one of "deepInspection", "scanMode", "vmScanner"' },
    ]);
    expect(problemsOf({ ...v3, rules: [{ name: 'r', accounts: ['111122223333'], vmScaner: 'ACTIVATED' }] })).toEqual([
      { path: '$.rules[0].vmScaner', message: expect.stringMatching(/^unknown key: did you mean "vmScanner"\?/) },
    ]);
  });

  it('suggests the value meant for deep inspection too, in every version', () => {
    expect(problemsOf({ version: 1, default: 'DEACTIVATE' })).toEqual([
      {
        path: '$.default',
        message: '"DEACTIVATE" is not one of ACTIVATED, DEACTIVATED, UNMANAGED; did you mean "DEACTIVATED"?',
      },
    ]);
  });

  it.each([1, 2])('tells a version %i policy that uses a version 3 key to write "version": 3', (version) => {
    const problems = problemsOf({
      version,
      default: 'ACTIVATED',
      scanConfiguration: { vmScanner: 'ACTIVATED' },
      rules: [{ name: 'r', accounts: ['111122223333'], deepInspection: 'ACTIVATED', scanMode: 'EC2_HYBRID' }],
    });
    expect(problems).toEqual([
      {
        path: '$.rules[0].scanMode',
        message: expect.stringMatching(
          new RegExp(
            `^unknown key in a version ${version} policy: "scanMode" is a version 3 key .*: write "version": 3`,
          ),
        ),
      },
      {
        path: '$.scanConfiguration',
        message: expect.stringMatching(/"scanConfiguration" is a version 3 key .*: write "version": 3 to use it/),
      },
    ]);
  });

  it('still calls a plain typo in a version 2 policy a typo', () => {
    expect(problemsOf({ version: 2, default: 'ACTIVATED', scanConfig: {} })).toEqual([
      { path: '$.scanConfig', message: expect.stringMatching(/^unknown key \(allowed here: /) },
    ]);
  });

  it('points at the key, with its line and column, when a version 2 policy uses a version 3 key', () => {
    const text = '{"version": 2, "default": "ACTIVATED",\n  "scanConfiguration": {"vmScanner": "ACTIVATED"}}';
    expect(() => parsePolicy(text, 'policy.json')).toThrow(
      /\$\.scanConfiguration \(line 2, column 3\): unknown key in a version 2/,
    );
  });
});
