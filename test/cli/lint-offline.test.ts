import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { runCli } from '../support/cli';

const savedEnv = { ...process.env };
let endpoint: LocalAwsEndpoint;
let directory: string;

const policy = {
  version: 2,
  default: 'ACTIVATED',
  regions: ['us-east-1'],
  rules: [
    { name: 'old exception', accounts: ['111122223333'], deepInspection: 'UNMANAGED', expires: '2020-01-01' },
    { name: 'unknown account', accounts: ['999999999999'], deepInspection: 'DEACTIVATED' },
  ],
};

function file(name: string, text: string): string {
  const at = path.join(directory, name);
  writeFileSync(at, text);
  return at;
}

/** A machine with no AWS credentials anywhere: no keys, a profile that does not exist, no instance role. */
function withoutCredentials(profile?: string) {
  // The SDK's own switches (AWS_SDK_JS_…) stay: the run says its Node notice once (test/global-setup.ts).
  for (const key of Object.keys(process.env))
    if (key.startsWith('AWS_') && !key.startsWith('AWS_SDK_')) delete process.env[key];
  Object.assign(process.env, {
    AWS_CONFIG_FILE: file('config', ''),
    AWS_SHARED_CREDENTIALS_FILE: file('credentials', ''),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    ...(profile ? { AWS_PROFILE: profile } : {}),
  });
}

beforeEach(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'lint-offline-'));
  endpoint = await LocalAwsEndpoint.start(SimulatedOrganization.generate({ accounts: 20, regions: ['us-east-1'] }));
  Object.assign(process.env, endpoint.environment(), { AWS_REGION: 'us-east-1' });
});

afterEach(async () => {
  await endpoint.close();
  process.env = { ...savedEnv };
});

describe('lint without AWS', () => {
  it('--offline runs the checks that need no organization, makes no AWS call, and says what it skipped', async () => {
    const { status, stdout, stderr } = await runCli([
      'lint',
      '--offline',
      '--policy-file',
      file('p.json', JSON.stringify(policy)),
    ]);

    expect(status).toBe(0);
    expect(stdout).toContain('$.rules[0]');
    expect(stdout).toContain('expired');
    expect(stdout).not.toContain('999999999999');
    expect(stderr).toMatch(
      /^Offline \(--offline\): no AWS call made; the organization checks were skipped: the accounts and OUs/,
    );
    expect([...endpoint.calls.keys()]).toEqual([]);
  });

  it('--offline accepts the org package paths the 2026 model accepts and refuses /opt/@scope/pkg', async () => {
    const lint = (paths: string[]) =>
      runCli([
        'lint',
        '--offline',
        '--policy-file',
        file('paths.json', JSON.stringify({ version: 2, default: 'ACTIVATED', orgPackagePaths: paths })),
      ]);
    const accepted = await lint(['/opt/app.v1.2/lib', 'C:\\App\\lib']);
    const refused = await lint(['/opt/@scope/pkg']);

    expect(accepted.status).toBe(0);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('$.orgPackagePaths[0]');
    expect(refused.stderr).toContain('"/opt/@scope/pkg" is not a path Inspector accepts');
  });

  it('--offline accepts a version 3 policy with scanConfiguration and rules with scanMode/vmScanner, and refuses a misspelt value with the value meant', async () => {
    const v3 = {
      version: 3,
      default: 'ACTIVATED',
      scanConfiguration: { scanMode: 'EC2_HYBRID', vmScanner: 'DEACTIVATED', enforcement: 'report' },
      rules: [
        { name: 'pilots', organizationalUnits: ['ou-ab12-34cd56ef'], vmScanner: 'ACTIVATED', expires: '2099-12-31' },
        { name: 'legacy', accounts: ['111122223333'], scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: 'UNMANAGED' },
      ],
    };
    const lint = (document: object) =>
      runCli(['lint', '--offline', '--strict', '--policy-file', file('v3.json', JSON.stringify(document))]);
    const accepted = await lint(v3);
    const misspelt = await lint({ ...v3, rules: [{ ...v3.rules[0], vmScanner: 'ACTIVATD' }] });

    expect(accepted.status).toBe(0);
    expect(accepted.stdout).toContain('Policy lint: no warnings.');
    expect(misspelt.status).toBe(2);
    expect(misspelt.stderr).toContain(
      '$.rules[0].vmScanner (line 1, column 212): "ACTIVATD" is not one of ACTIVATED, DEACTIVATED, UNMANAGED; did you mean "ACTIVATED"?',
    );
    expect([...endpoint.calls.keys()]).toEqual([]);
  });

  it('--strict applies to what ran', async () => {
    const { status } = await runCli([
      'lint',
      '--offline',
      '--strict',
      '--policy-file',
      file('p.json', JSON.stringify(policy)),
    ]);
    expect(status).toBe(1);
  });

  it('with no credentials, lints offline by itself and says why', async () => {
    withoutCredentials();
    const { status, stdout, stderr } = await runCli(['lint', '--policy-file', file('p.json', JSON.stringify(policy))]);

    expect(status).toBe(0);
    expect(stdout).toContain('expired');
    expect(stderr).toMatch(/^Offline \(no AWS credentials \(.*\): .*\): no AWS call made/);
  });

  it('with a named profile that fails, says so instead of dropping the organization checks quietly', async () => {
    withoutCredentials('security-audit');
    writeFileSync(process.env.AWS_CONFIG_FILE as string, '[profile security-audit]\nregion = us-east-1\n');
    const { status, stderr } = await runCli(['lint', '--policy-file', file('p.json', JSON.stringify(policy))]);

    expect(status).toBe(2);
    expect(stderr).toContain('no AWS credentials for profile security-audit');
    expect(stderr).toContain('add --offline');
  });

  it.each([
    ['AWS_PROFILE', [] as string[]],
    ['--profile', ['--profile', 'doesnotexist']],
  ])(
    'a profile that does not exist (%s) is said as such, exit 2 in every command, before any AWS call',
    async (how, flags) => {
      withoutCredentials(how === 'AWS_PROFILE' ? 'doesnotexist' : undefined);
      writeFileSync(process.env.AWS_CONFIG_FILE as string, '[profile audit]\nregion = us-east-1\n');
      const policyFile = file('p.json', JSON.stringify(policy));
      for (const command of [['lint'], ['plan'], ['apply', '--yes'], ['coverage'], ['explain', '111122223333']]) {
        const { status, stderr } = await runCli([...command, ...flags, '--policy-file', policyFile, '--quiet']);
        expect({ command, status }).toEqual({ command, status: 2 });
        expect(stderr).toContain(`${how} "doesnotexist": no such profile in `);
        expect(stderr).toContain(
          '(it has audit): check the name, or create it with `aws configure --profile doesnotexist`',
        );
      }
      expect([...endpoint.calls.keys()]).toEqual([]);
    },
  );

  it("takes the region from the profile's config when no option or variable gives one, as the AWS CLI does", async () => {
    withoutCredentials();
    delete process.env.AWS_REGION;
    writeFileSync(process.env.AWS_CONFIG_FILE as string, '[profile audit]\nregion = moon-1\n');
    const { status, stderr } = await runCli([
      'plan',
      '--profile',
      'audit',
      '--policy-file',
      file('p.json', JSON.stringify(policy)),
    ]);
    expect(status).toBe(2);
    expect(stderr).toContain('the region of profile audit "moon-1" is not an AWS region name');
  });

  it('with credentials and no --offline, runs the organization checks too', async () => {
    const { status, stdout, stderr } = await runCli(['lint', '--policy-file', file('p.json', JSON.stringify(policy))]);

    expect(status).toBe(0);
    expect(stdout).toContain('999999999999');
    expect(stderr).not.toContain('Offline');
    expect(endpoint.callCount('ListAccounts')).toBeGreaterThan(0);
  });

  it('refuses --offline with a policy parameter, which needs AWS', async () => {
    const { status, stderr } = await runCli(['lint', '--offline', '--policy-parameter', '/p']);
    expect(status).toBe(2);
    expect(stderr).toContain('--offline reads the policy from a file: give --policy-file');
  });

  it('a command that needs AWS, without credentials, names the profile and the fix', async () => {
    withoutCredentials('security-audit');
    writeFileSync(process.env.AWS_CONFIG_FILE as string, '[profile security-audit]\nregion = us-east-1\n');
    const { status, stderr } = await runCli([
      'plan',
      '--policy-file',
      file('p.json', JSON.stringify(policy)),
      '--quiet',
    ]);

    expect(status).toBe(2);
    expect(stderr).toContain('no AWS credentials for profile security-audit');
    expect(stderr).toContain('aws sso login --profile security-audit');
  });
});
