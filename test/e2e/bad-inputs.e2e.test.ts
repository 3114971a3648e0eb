import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT } from '../../cli/exit-codes';
import type { RunSummary } from '../../lambda/reconciler/run/summary';
import { buildBundle, invokeBundle } from '../../local/bundle';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { FakeTerminal, runCli } from '../support/cli';
import { createLedgerAsDeployed, functionEnvironment, POLICY_PARAMETER } from '../support/function-environment';

/**
 * The script of bad inputs a new user tried (issue 24), as a test: each case against the local endpoint
 * asserts its exit status, a message that says what is wrong, where and what to do, and that nothing was
 * written anywhere. The same policy bytes go through lint, plan, synth and the function.
 */
const ROOT = path.join(__dirname, '../..');
const REGIONS = ['us-east-1', 'eu-west-1'];
const POLICY = { version: 1, default: 'ACTIVATED', regions: REGIONS, guardrails: { maxDeactivationsPerRun: 1000 } };
const POLICY_TEXT = JSON.stringify(POLICY);
const NOT_UTF8 = Buffer.concat([
  Buffer.from('{"version": 1,\n"default": "ACTIV'),
  Buffer.from([0xc1]),
  Buffer.from('TED"}'),
]);
const FIVE_MB = Buffer.concat([
  Buffer.from(POLICY_TEXT.slice(0, -1)),
  Buffer.alloc(5 * 1024 * 1024, 0x20),
  Buffer.from('}'),
]);
const BOM = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(POLICY_TEXT)]);
const TWO_BOMS = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from(POLICY_TEXT)]);

/** Something that answers HTTP on a port but is not AWS: 200 and a JSON body for any request, no request id. */
let notAws: Server;
let notAwsUrl: string;
beforeAll(async () => {
  notAws = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => notAws.listen(0, '127.0.0.1', resolve));
  notAwsUrl = `http://127.0.0.1:${(notAws.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => notAws.close(resolve));
});

/** Every file in the scratch directory and its bytes: a refusal leaves them all as they were. */
function filesIn(at: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(at)) {
    const full = path.join(at, name);
    if (statSync(full).isFile()) files.set(name, readFileSync(full).toString('base64'));
  }
  return files;
}

let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let env: NodeJS.ProcessEnv;
let directory: string;
const savedEnv = { ...process.env };

function file(name: string, content: string | Buffer): string {
  const at = path.join(directory, name);
  writeFileSync(at, content);
  return at;
}

beforeEach(async () => {
  organization = SimulatedOrganization.generate({ accounts: 40, regions: REGIONS, activated: 0.3, seed: 7 });
  endpoint = await LocalAwsEndpoint.start(organization);
  Object.assign(process.env, endpoint.environment(), { AWS_REGION: 'us-east-1' });
  delete process.env.AWS_PROFILE;
  env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
  directory = mkdtempSync(path.join(tmpdir(), 'bad-inputs-'));
  // No shared AWS files of the machine running the tests: a profile named here exists only if a case writes it.
  Object.assign(process.env, {
    AWS_CONFIG_FILE: file('config', '[profile audit]\nregion = us-east-1\n'),
    AWS_SHARED_CREDENTIALS_FILE: file('credentials', ''),
  });
});

afterEach(async () => {
  await endpoint.close();
  process.env = { ...savedEnv };
  if (endpoint.violations.length > 0) {
    throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
  }
});

/** What every bad input must say: its parts as patterns (what is wrong, where, what to do). */
interface Case {
  readonly argv: (files: { readonly policy: string }) => string[];
  readonly status: number;
  readonly says: readonly (string | RegExp)[];
  readonly policy?: string | Buffer;
  readonly env?: Record<string, string | undefined> | (() => Record<string, string | undefined>);
  readonly answer?: string;
  /** Parts the message must not have (a second, contradicting instruction, say). */
  readonly saysNot?: readonly string[];
}

const cases: Record<string, Case> = {
  'apply answered "YES"': {
    argv: (f) => ['apply', '--policy-file', f.policy],
    answer: 'YES',
    status: EXIT.NOT_CONFIRMED,
    says: ['Not applied: nothing written (only "yes", exactly, applies)'],
  },
  'apply answered "Yes"': {
    argv: (f) => ['apply', '--policy-file', f.policy],
    answer: 'Yes',
    status: EXIT.NOT_CONFIRMED,
    says: ['only "yes", exactly, applies'],
  },
  'apply answered " yes "': {
    argv: (f) => ['apply', '--policy-file', f.policy],
    answer: ' yes ',
    status: EXIT.NOT_CONFIRMED,
    says: ['only "yes", exactly, applies'],
  },
  'lint of a policy that is not UTF-8': {
    argv: (f) => ['lint', '--policy-file', f.policy],
    policy: NOT_UTF8,
    status: EXIT.BAD_INPUT,
    says: [/Invalid policy \(.*policy\.json\)/, 'not UTF-8: byte 32 (0xc1) on line 2', 'save the file as UTF-8'],
  },
  'plan of a policy that is not UTF-8': {
    argv: (f) => ['plan', '--policy-file', f.policy],
    policy: NOT_UTF8,
    status: EXIT.BAD_INPUT,
    says: [/Invalid policy \(.*policy\.json\)/, 'not UTF-8: byte 32 (0xc1) on line 2', 'save the file as UTF-8'],
  },
  'apply --yes of a policy that is not UTF-8': {
    argv: (f) => ['apply', '--yes', '--policy-file', f.policy],
    policy: NOT_UTF8,
    status: EXIT.BAD_INPUT,
    says: ['not UTF-8: byte 32 (0xc1) on line 2'],
  },
  'lint of a 5 MB policy': {
    argv: (f) => ['lint', '--offline', '--policy-file', f.policy],
    policy: FIVE_MB,
    status: EXIT.BAD_INPUT,
    says: [
      /Invalid policy \(.*policy\.json\)/,
      'the policy is 5,242,996 bytes',
      'in the Standard tier holds at most 4,096 bytes',
      'shorten it',
    ],
  },
  'plan of a 5 MB policy': {
    argv: (f) => ['plan', '--policy-file', f.policy],
    policy: FIVE_MB,
    status: EXIT.BAD_INPUT,
    says: ['in the Standard tier holds at most 4,096 bytes', 'shorten it'],
  },
  'plan of a 5 MB policy for the Advanced tier': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--policy-parameter-tier', 'Advanced'],
    policy: FIVE_MB,
    status: EXIT.BAD_INPUT,
    says: ['in the Advanced tier holds at most 8,192 bytes', 'shorten it'],
  },
  'apply --yes with a queue that does not exist': {
    argv: (f) => [
      'apply',
      '--yes',
      '--policy-file',
      f.policy,
      '--failed-accounts-queue-url',
      `${endpoint.url}/${organization.delegatedAdminAccountId}/missing`,
    ],
    status: EXIT.BAD_INPUT,
    says: [
      '--failed-accounts-queue-url: the queue missing of account',
      'does not exist (SQS GetQueueUrl)',
      'check the URL, or create the queue',
      'Nothing was written',
    ],
  },
  'a closed AWS_ENDPOINT_URL': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--account-id', '100000000000'],
    env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' },
    status: EXIT.BAD_INPUT,
    says: ['AWS_ENDPOINT_URL http://127.0.0.1:1', 'refused the connection', 'or unset AWS_ENDPOINT_URL'],
  },
  'plan --out the policy file it reads': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--out', f.policy],
    status: EXIT.BAD_INPUT,
    says: ['--out', 'is the policy file this plan reads', 'give another path (plan.json, say)'],
  },
  'plan --out the policy file by another spelling of its path': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--out', `${path.dirname(f.policy)}/./policy.json`],
    status: EXIT.BAD_INPUT,
    says: ['is the policy file this plan reads'],
  },
  'plan --out an existing file that is not a saved plan': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--out', file('cdk.json', '{"app": "npx tsx bin/app.ts"}\n')],
    status: EXIT.BAD_INPUT,
    says: ['--out', 'cdk.json exists and is not a saved plan', 'give another path, or remove it first'],
  },
  'AWS_ENDPOINT_URL without a scheme': {
    argv: (f) => ['plan', '--policy-file', f.policy],
    env: { AWS_ENDPOINT_URL: '127.0.0.1:4599' },
    status: EXIT.BAD_INPUT,
    says: ['AWS_ENDPOINT_URL "127.0.0.1:4599"', 'is not an http:// or https:// URL', 'http://127.0.0.1:4599'],
  },
  'AWS_ENDPOINT_URL localhost:4599': {
    argv: (f) => ['lint', '--policy-file', f.policy],
    env: { AWS_ENDPOINT_URL: 'localhost:4599' },
    status: EXIT.BAD_INPUT,
    says: ['AWS_ENDPOINT_URL "localhost:4599"', 'is not an http:// or https:// URL', 'http://localhost:4599'],
  },
  'AWS_ENDPOINT_URL set but empty': {
    argv: (f) => ['plan', '--policy-file', f.policy],
    env: { AWS_ENDPOINT_URL: '' },
    status: EXIT.BAD_INPUT,
    says: ['AWS_ENDPOINT_URL is set but empty', 'unset AWS_ENDPOINT_URL to call AWS'],
  },
  'AWS_ENDPOINT_URL https:// on a port that speaks http': {
    argv: (f) => ['plan', '--policy-file', f.policy],
    env: () => ({ AWS_ENDPOINT_URL: endpoint.url.replace(/^http:/, 'https:') }),
    status: EXIT.BAD_INPUT,
    says: [/AWS_ENDPOINT_URL https:\/\/127\.0\.0\.1:\d+: /, 'TLS', 'http://'],
  },
  'AWS_ENDPOINT_URL of something that is not AWS, in plan': {
    argv: (f) => ['plan', '--policy-file', f.policy],
    env: () => ({ AWS_ENDPOINT_URL: notAwsUrl }),
    status: EXIT.BAD_INPUT,
    says: [/AWS_ENDPOINT_URL http:\/\/127\.0\.0\.1:\d+: /, 'is not an AWS endpoint', 'deep-inspection local'],
  },
  'AWS_ENDPOINT_URL of something that is not AWS, in lint': {
    argv: (f) => ['lint', '--policy-file', f.policy],
    env: () => ({ AWS_ENDPOINT_URL: notAwsUrl }),
    status: EXIT.BAD_INPUT,
    says: ['is not an AWS endpoint'],
    saysNot: ['no warnings'],
  },
  '--account-id that is not the account of the credentials': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--account-id', '999999999999'],
    status: EXIT.BAD_INPUT,
    says: ['--account-id 999999999999', 'these credentials are account', 'leave --account-id out'],
  },
  'lint of a policy with two byte order marks': {
    argv: (f) => ['lint', '--offline', '--policy-file', f.policy],
    policy: TWO_BOMS,
    status: EXIT.BAD_INPUT,
    says: ['two byte order marks (U+FEFF)', 'remove the second'],
  },
  'plan of a policy with two byte order marks': {
    argv: (f) => ['plan', '--policy-file', f.policy],
    policy: TWO_BOMS,
    status: EXIT.BAD_INPUT,
    says: ['two byte order marks (U+FEFF)'],
  },
  'a policy with a NUL character': {
    argv: (f) => ['lint', '--offline', '--policy-file', f.policy],
    policy: `{"version": 1,\n "default": "ACTIVATED"\u0000}`,
    status: EXIT.BAD_INPUT,
    says: ['(line 2, column 24)', 'U+0000 (NUL)', 'an invisible character'],
  },
  'apply of a policy given as the plan file': {
    argv: (f) => ['apply', f.policy, '--yes'],
    status: EXIT.BAD_INPUT,
    says: ['is a policy, not a saved plan', 'apply --policy-file', '--policy-file'],
  },
  'apply of a directory given as the plan file': {
    argv: () => ['apply', directory, '--yes'],
    status: EXIT.BAD_INPUT,
    says: ['is a directory', 'give the file `plan --out` wrote'],
    saysNot: ['policy file in it'],
  },
  '--profile with no credentials in it': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--profile', 'audit'],
    env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined },
    status: EXIT.BAD_INPUT,
    says: ['no AWS credentials for --profile audit', 'aws sso login --profile audit'],
  },
  'apply --YES': {
    argv: (f) => ['apply', '--policy-file', f.policy, '--YES'],
    status: EXIT.BAD_INPUT,
    says: ["unknown option '--YES'", '(Did you mean --yes?)'],
  },
  '--policy-parameter-tier advanced': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--policy-parameter-tier', 'advanced'],
    status: EXIT.BAD_INPUT,
    says: ['Allowed choices are Standard, Advanced', '(Did you mean Advanced?)'],
  },
  '`aply --yes`': {
    argv: () => ['aply', '--yes'],
    status: EXIT.BAD_INPUT,
    says: ["unknown command 'aply'", '(Did you mean apply?)'],
  },
  '--regions US-EAST-1': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--regions', 'US-EAST-1'],
    status: EXIT.BAD_INPUT,
    says: ["option '--regions <list>'", '"US-EAST-1"', 'region names are lower case (did you mean us-east-1?)'],
  },
  'AWS_PROFILE=doesnotexist for plan': {
    argv: (f) => ['plan', '--policy-file', f.policy],
    env: { AWS_PROFILE: 'doesnotexist' },
    status: EXIT.BAD_INPUT,
    says: ['AWS_PROFILE "doesnotexist": no such profile in', '(it has audit)', 'check the name, or create it'],
  },
  'AWS_PROFILE=doesnotexist for lint': {
    argv: (f) => ['lint', '--policy-file', f.policy],
    env: { AWS_PROFILE: 'doesnotexist' },
    status: EXIT.BAD_INPUT,
    says: ['AWS_PROFILE "doesnotexist": no such profile in', 'check the name, or create it'],
  },
  '--profile doesnotexist': {
    argv: (f) => ['explain', '111122223333', '--profile', 'doesnotexist', '--policy-file', f.policy],
    status: EXIT.BAD_INPUT,
    says: ['--profile "doesnotexist": no such profile in'],
  },
  '--accounts ""': {
    argv: (f) => ['plan', '--policy-file', f.policy, '--accounts', ''],
    status: EXIT.BAD_INPUT,
    says: [
      "option '--accounts <list>'",
      'names none: give at least one 12-digit account id',
      'or leave the option out',
    ],
  },
  'a policy file that does not exist': {
    argv: () => ['plan', '--policy-file', path.join(directory, 'nope.json')],
    status: EXIT.BAD_INPUT,
    says: [/Invalid policy \(.*nope\.json\)/, 'no such file: check the path'],
  },
  'a directory as the policy file': {
    argv: () => ['lint', '--offline', '--policy-file', directory],
    status: EXIT.BAD_INPUT,
    says: [/Invalid policy \(.*bad-inputs-/, 'is a directory, not a file: give the policy file in it'],
  },
  '`explain` of an account not in the organization': {
    argv: (f) => ['explain', '999999999999', '--policy-file', f.policy],
    status: EXIT.BAD_INPUT,
    says: ['account 999999999999 is not in the organization', 'check the id'],
  },
  '"version": "2"': {
    argv: (f) => ['lint', '--offline', '--policy-file', f.policy],
    policy: '{"version": "2", "default": "ACTIVATED"}',
    status: EXIT.BAD_INPUT,
    says: ['$.version (line 1, column 13): must be a number: 1, 2 or 3, not "2" (remove the quotes)'],
  },
  'a saved plan that does not exist': {
    argv: () => ['apply', path.join(directory, 'plan.json'), '--yes'],
    status: EXIT.BAD_INPUT,
    says: [/plan file .*plan\.json: no such file: check the path/],
  },
};

describe('bad inputs: a clear error, the right exit status, and nothing written', () => {
  it.each(Object.entries(cases))('%s', async (_name, badInput) => {
    const policy = file('policy.json', badInput.policy ?? POLICY_TEXT);
    const caseEnv = typeof badInput.env === 'function' ? badInput.env() : (badInput.env ?? {});
    const argv = badInput.argv({ policy });
    const before = filesIn(directory);
    for (const [name, value] of Object.entries(caseEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const terminal = badInput.answer === undefined ? undefined : new FakeTerminal(() => badInput.answer as string);
    const caseProcessEnv = { ...env, ...caseEnv };
    for (const [name, value] of Object.entries(caseEnv)) if (value === undefined) delete caseProcessEnv[name];
    const { status, stderr } = await runCli(argv, {
      env: caseProcessEnv,
      ...(terminal ? { terminal } : {}),
    });
    const missing = badInput.says.filter((part) =>
      typeof part === 'string' ? !stderr.includes(part) : !part.test(stderr),
    );
    const present = (badInput.saysNot ?? []).filter((part) => stderr.includes(part));
    expect({ missing, present, stderr }).toEqual({ missing: [], present: [], stderr });
    expect(stderr).not.toMatch(/ENOENT|EISDIR|\n\s+at /);
    expect(status).toBe(badInput.status);
    expect(endpoint.writeCount()).toBe(0);
    // Nothing written anywhere: not AWS, and not a local file (the policy itself, a file --out named).
    expect(filesIn(directory)).toEqual(before);
  });

  it('--accounts not in the organization are warned about in a run', async () => {
    const { status, stderr } = await runCli(
      [
        'plan',
        '--policy-file',
        file('policy.json', POLICY_TEXT),
        '--accounts',
        `999999999999,${organization.accounts[1]?.id}`,
      ],
      { env },
    );
    expect(status).toBe(EXIT.DONE);
    expect(stderr).toContain(
      'Warning: --accounts 999999999999 is not in the organization (Organizations DescribeAccount): nothing is planned there; check the id.',
    );
    expect(endpoint.writeCount()).toBe(0);
  });

  it('a policy with a byte order mark is the same policy as without it: lint and plan alike', async () => {
    const plain = file('plain.json', POLICY_TEXT);
    const marked = file('marked.json', BOM);
    const lint = await runCli(['lint', '--offline', '--policy-file', marked], { env });
    expect(lint.status).toBe(EXIT.DONE);
    expect(lint.stdout).toBe((await runCli(['lint', '--offline', '--policy-file', plain], { env })).stdout);
    const planOf = async (policyFile: string) => {
      const { status, stdout } = await runCli(['plan', '--policy-file', policyFile, '--output', 'json'], { env });
      expect(status).toBe(EXIT.DONE);
      const { runId: _runId, policy: _origin, ...plan } = JSON.parse(stdout);
      return plan;
    };
    expect(await planOf(marked)).toEqual(await planOf(plain));
    expect(endpoint.writeCount()).toBe(0);
  });
});

describe('conventions the docs promise', () => {
  it.each<[string, (policy: string) => string[], number, FakeTerminal | undefined]>([
    [
      'a bad input (exit 2)',
      () => ['plan', '--policy-file', path.join(directory, 'nope.json'), '--output', 'json'],
      EXIT.BAD_INPUT,
      undefined,
    ],
    [
      'an option commander refuses (exit 2)',
      (policy) => ['plan', '--policy-file', policy, '--output', 'json', '--regions', 'US-EAST-1'],
      EXIT.BAD_INPUT,
      undefined,
    ],
    [
      'apply not confirmed (exit 3)',
      (policy) => ['apply', '--policy-file', policy, '--output', 'json'],
      EXIT.NOT_CONFIRMED,
      new FakeTerminal(() => 'no'),
    ],
    [
      'apply with no terminal (exit 3)',
      (policy) => ['apply', '--policy-file', policy, '--output', 'json'],
      EXIT.NOT_CONFIRMED,
      undefined,
    ],
  ])('--output json prints exactly one JSON document on stdout for %s', async (_what, argv, exitCode, terminal) => {
    const policy = file('policy.json', POLICY_TEXT);
    const { status, stdout, stderr } = await runCli(argv(policy), { env, ...(terminal ? { terminal } : {}) });
    expect(status).toBe(exitCode);
    const document = JSON.parse(stdout);
    expect(document).toMatchObject({ exitCode, written: false });
    // The same words as stderr's, for a script that reads only stdout.
    expect(stderr).toContain(String(document.error).split('\n')[0]);
    expect(endpoint.writeCount()).toBe(0);
  });

  it("--profile takes the profile's credentials over the environment's, as the AWS CLI does, with no SDK warning", async () => {
    writeFileSync(
      process.env.AWS_SHARED_CREDENTIALS_FILE as string,
      '[audit]\naws_access_key_id = local\naws_secret_access_key = local\n',
    );
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { status, stderr } = await runCli(
        ['plan', '--policy-file', file('policy.json', POLICY_TEXT), '--profile', 'audit', '--quiet'],
        { env },
      );
      expect(stderr).toBe('');
      expect(status).toBe(EXIT.DONE);
      expect(warn.mock.calls.flat().join('\n')).not.toContain('Multiple credential sources');
    } finally {
      warn.mockRestore();
    }
  });

  it("every command's help lists --version", async () => {
    for (const command of ['plan', 'apply', 'lint', 'explain', 'coverage']) {
      const { stdout } = await runCli([command, '--help'], { env });
      expect({ command, listed: stdout.includes('-V, --version') }).toEqual({ command, listed: true });
    }
  });
});

describe('the same bytes in synth', () => {
  /** bin/app.ts as `cdk synth -c policyFile=…` runs it: the CDK passes the context in CDK_CONTEXT_JSON. */
  const synth = (policyFile: string) =>
    spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'bin/app.ts')], {
      cwd: directory,
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ policyFile }),
        CDK_OUTDIR: path.join(directory, 'cdk.out'),
      },
      encoding: 'utf8',
      timeout: 120_000,
    });

  it.each<[string, string | Buffer | undefined, RegExp]>([
    [
      'a policy file that does not exist',
      undefined,
      /Invalid policy \(.*nope\.json\): 1 problem\n {2}- \$: no such file: check the path/,
    ],
    [
      'a policy that is not UTF-8',
      NOT_UTF8,
      /not UTF-8: byte 32 \(0xc1\) on line 2 is not part of a UTF-8 character: save the file as UTF-8/,
    ],
    ['a 5 MB policy', FIVE_MB, /an SSM parameter in the Standard tier holds at most 4,096 bytes: shorten it/],
    ['a policy with two byte order marks', TWO_BOMS, /two byte order marks \(U\+FEFF\)/],
  ])('refuses %s with its message alone, no stack trace', (_what, content, message) => {
    mkdirSync(path.join(directory, 'cdk.out'), { recursive: true });
    const name = content === undefined ? 'nope.json' : 'policy.json';
    if (content !== undefined) file(name, content);
    const result = synth(name);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Only the message: the half-built stack is not synthesized and validated after it.
    expect(result.stderr).not.toContain('Template validation');
    expect(result.status).toBe(1);
  });
});

describe('the same bytes in the function', () => {
  let bundle: string;
  beforeAll(() => {
    bundle = buildBundle();
  });

  const invoke = () => {
    const queueUrl = endpoint.createQueue('failed-accounts');
    createLedgerAsDeployed(endpoint);
    return invokeBundle(
      bundle,
      {},
      organization.delegatedAdminAccountId,
      functionEnvironment(endpoint, queueUrl),
    ) as Promise<RunSummary>;
  };

  it('reads a parameter pasted with a byte order mark as the same policy', async () => {
    endpoint.state.parameters.set(POLICY_PARAMETER, {
      value: `\uFEFF${JSON.stringify({ ...POLICY, default: 'UNMANAGED' })}`,
      version: 1,
    });
    const summary = await invoke();
    expect(summary.totals.skipped).toBe(organization.accounts.length * REGIONS.length);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('refuses a value larger than any tier holds, naming the tier, and writes nothing', async () => {
    endpoint.state.parameters.set(POLICY_PARAMETER, {
      value: `${POLICY_TEXT.slice(0, -1)}${' '.repeat(9000)}}`,
      version: 1,
    });
    await expect(invoke()).rejects.toThrow(/an SSM parameter in the Advanced tier holds at most 8,192 bytes/);
    expect(endpoint.writeCount()).toBe(0);
  });
});
