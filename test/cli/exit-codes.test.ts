import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeFailure, UsageError } from '../../cli/errors';
import { buildProgram } from '../../cli/main';
import { EXIT, EXIT_CODE_TABLE } from '../../cli/exit-codes';
import { COLUMNS } from '../../cli/report';
import { InvocationError, PolicyError } from '../../lambda/reconciler/errors/errors';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { runCli } from '../support/cli';

const docs = readFileSync(path.join(__dirname, '../../docs/cli.md'), 'utf8');

describe('one exit-code table', () => {
  it('docs/cli.md has the table the help prints, row for row', () => {
    const rows = [...docs.matchAll(/^\| (\d+) +\| (.+?) +\|$/gm)].map(([, code, meaning]) => ({
      code: Number(code),
      meaning,
    }));
    expect(rows).toEqual(EXIT_CODE_TABLE.map(({ code, meaning }) => ({ code, meaning })));
  });

  it('docs/cli.md names every option of every command', () => {
    const program = buildProgram({ stdout: () => undefined, stderr: () => undefined, env: {} }, () => undefined);
    const flags = new Set(program.commands.flatMap((command) => command.options.map((option) => option.long)));
    expect(flags.size).toBeGreaterThan(15);
    const options = docs.slice(docs.indexOf('## Options'), docs.indexOf('## Exit status'));
    for (const flag of flags) expect(options).toContain(`\`${flag}`);
  });

  it('docs/cli.md names every table column with its JSON key', () => {
    for (const [key, column] of Object.entries(COLUMNS)) {
      expect(docs).toMatch(new RegExp(`^\\| (report-only \\(never written\\): )?${column} +\\| \`${key}\` +\\|`, 'm'));
    }
  });

  it('keeps the codes that existed before it: 0 done, 1 failed, 2 bad input', () => {
    expect([EXIT.DONE, EXIT.FAILED, EXIT.BAD_INPUT]).toEqual([0, 1, 2]);
    expect(new Set(Object.values(EXIT)).size).toBe(Object.values(EXIT).length);
  });
});

describe('describeFailure: the one place an error becomes a message and a status', () => {
  it('names AWS_ENDPOINT_URL when its endpoint refuses the first connection: a setting to fix (2), not transient (75)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 1,
    });
    const wrapped = new Error('transient: reading the organization (Organizations): connect ECONNREFUSED', {
      cause: refused,
    });
    for (const error of [refused, wrapped]) {
      const failure = describeFailure(error, { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });
      expect(failure.exitCode).toBe(EXIT.BAD_INPUT);
      expect(failure.message).toBe(
        'AWS_ENDPOINT_URL http://127.0.0.1:1: 127.0.0.1:1 refused the connection (connect ECONNREFUSED 127.0.0.1:1): start what should answer there (`deep-inspection local`), or unset AWS_ENDPOINT_URL to call AWS',
      );
    }
    // Without the variable, an AWS endpoint that refuses is named, and transient.
    expect(describeFailure(refused, {})).toEqual({
      exitCode: EXIT.TRANSIENT,
      message: expect.stringContaining('127.0.0.1:1 refused the connection'),
    });
  });

  it('says a credentials problem is a setting to fix: exit 2, in every command', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(describeFailure(error, { AWS_PROFILE: 'audit' })).toEqual({
      exitCode: EXIT.BAD_INPUT,
      message: expect.stringContaining('no AWS credentials for profile audit'),
    });
  });

  it.each<[string, unknown, number]>([
    ['a bad policy', new PolicyError('policy.json', [{ path: '$.default', message: 'bad' }]), EXIT.BAD_INPUT],
    ['a bad invocation', new InvocationError([{ path: '$.accountIds', message: 'bad' }]), EXIT.BAD_INPUT],
    ['a bad option', new UsageError('no region'), EXIT.BAD_INPUT],
    [
      'throttling the SDK gave up on',
      Object.assign(new Error('Rate exceeded'), {
        name: 'TooManyRequestsException',
        $metadata: { httpStatusCode: 400 },
      }),
      EXIT.TRANSIENT,
    ],
    [
      'a 503',
      Object.assign(new Error('down'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }),
      EXIT.TRANSIENT,
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      EXIT.TRANSIENT,
    ],
    [
      'access denied',
      Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }),
      EXIT.FAILED,
    ],
    ['anything else', new Error('bug'), EXIT.FAILED],
  ])('%s', (_what, error, status) => {
    const failure = describeFailure(error, {});
    expect(failure.exitCode).toBe(status);
    // An invocation's problems are said in the command's terms (--accounts), every other error as it is.
    expect(failure.message).toContain(error instanceof InvocationError ? '--accounts: bad' : (error as Error).message);
  });
});

describe('exit statuses against the simulated endpoint', () => {
  let endpoint: LocalAwsEndpoint;
  const savedEnv = { ...process.env };
  const file = path.join(__dirname, '../../local/demo-policy.json');

  beforeEach(async () => {
    endpoint = await LocalAwsEndpoint.start(
      SimulatedOrganization.generate({ accounts: 40, regions: ['us-east-1', 'eu-west-1'], seed: 2 }),
    );
    Object.assign(process.env, endpoint.environment(), { AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' });
  });

  afterEach(async () => {
    await endpoint.close();
    process.env = { ...savedEnv };
  });

  it('75 when Organizations keeps throttling: worth retrying as it is', async () => {
    endpoint.faults.errors = { ListAccounts: 'TooManyRequestsException' };
    const { status, stderr } = await runCli(['plan', '--policy-file', file]);
    expect(status).toBe(EXIT.TRANSIENT);
    expect(stderr).toContain('TooManyRequestsException');
    expect(stderr).toContain('transient');
  });

  it('1 when Organizations denies access: retrying will not help', async () => {
    endpoint.faults.denyOrganizations = true;
    const { status, stderr } = await runCli(['plan', '--policy-file', file]);
    expect(status).toBe(EXIT.FAILED);
    expect(stderr).toContain('AccessDeniedException');
  });

  it('2 with no region anywhere, before any AWS call', async () => {
    const { status, stderr } = await runCli(['plan', '--policy-file', file], {
      env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '' },
    });
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(stderr).toContain('no region: give --region, set AWS_REGION, or set region in the profile (default)');
    expect(endpoint.calls.size).toBe(0);
  });
});
