import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ParameterPolicySource } from '../../lambda/reconciler/aws/policy-store';
import { PolicyError } from '../../lambda/reconciler/errors/errors';

const ssm = mockClient(SSMClient);
const NAME = '/deep-inspection/policy';
const source = () => new ParameterPolicySource(new SSMClient({ region: 'eu-west-1' }), NAME);
const parameter = (Value: string) => ({
  Parameter: { Name: NAME, Type: 'String' as const, Value, Version: 1 },
});

beforeEach(() => ssm.reset());

describe('ParameterPolicySource.load', () => {
  it('reads the named parameter and validates it', async () => {
    ssm.on(GetParameterCommand).resolves(parameter('{"version":1,"default":"ACTIVATED"}'));
    const policy = await source().load();
    expect(policy.default).toEqual({ deepInspection: 'ACTIVATED', enforcement: 'enforce' });
    // The run's summary names the parameter version it used.
    expect(policy.origin).toBe(`SSM parameter ${NAME} version 1`);
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toMatchObject({ Name: NAME });
  });

  it('reads a value pasted with a byte order mark as the same policy (policy/read.ts, as synth and the CLI)', async () => {
    ssm.on(GetParameterCommand).resolves(parameter('\uFEFF{"version":1,"default":"ACTIVATED"}'));
    const withMark = await source().load();
    ssm.on(GetParameterCommand).resolves(parameter('{"version":1,"default":"ACTIVATED"}'));
    expect(withMark).toEqual(await source().load());
  });

  it('refuses a value larger than any parameter tier holds, naming the tier and its limit', async () => {
    ssm.on(GetParameterCommand).resolves(parameter(`{"version":1,"default":"ACTIVATED","x":"${'a'.repeat(9000)}"}`));
    await expect(source().load()).rejects.toThrow(/an SSM parameter in the Advanced tier holds at most 8,192 bytes/);
  });

  it('says the parameter does not exist, naming it', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: {} }));
    await expect(source().load()).rejects.toThrow(
      `Invalid policy (SSM parameter ${NAME}): 1 problem\n  - $: the parameter does not exist`,
    );
  });

  it('reports an invalid document with the JSON path of each problem', async () => {
    ssm.on(GetParameterCommand).resolves(parameter('{"version":1,"default":"OFF"}'));
    const error = await source()
      .load()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems).toEqual([
      {
        path: '$.default',
        line: 1,
        column: 24,
        message: '"OFF" is not one of ACTIVATED, DEACTIVATED, UNMANAGED; did you mean "DEACTIVATED"?',
      },
    ]);
  });

  it('reports text that is not JSON', async () => {
    ssm.on(GetParameterCommand).resolves(parameter('version: 1'));
    await expect(source().load()).rejects.toThrow(/not valid JSON/);
  });
});

describe('ParameterPolicySource.load: what a failed read is', () => {
  const failWith = (name: string, message: string, extra: object = {}) =>
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error(message), { name, $metadata: {}, ...extra }));

  it.each([
    ['ThrottlingException', 'Rate exceeded'],
    ['TimeoutError', 'request timed out'],
    ['InternalServerError', 'internal error'],
  ])('%s is transient: the error says so, and is not a PolicyError', async (name, message) => {
    failWith(name, message, name === 'InternalServerError' ? { $metadata: { httpStatusCode: 500 } } : {});
    const error = await source()
      .load()
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(PolicyError);
    expect((error as Error).message).toBe(
      `transient: reading the policy (SSM parameter ${NAME}): ${name}: ${message}; a retry is expected to succeed`,
    );
  });

  it('access denied to the parameter is a policy problem, saying what to grant', async () => {
    failWith('AccessDeniedException', 'User is not authorized to perform: ssm:GetParameter');
    const error = await source()
      .load()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems).toEqual([
      {
        path: '$',
        message:
          'access denied (AccessDeniedException: User is not authorized to perform: ssm:GetParameter): allow ssm:GetParameter on it',
      },
    ]);
  });

  it('credentials the service does not recognise are no policy problem: the error goes up as it is', async () => {
    failWith('UnrecognizedClientException', 'The security token included in the request is invalid.');
    const error = await source()
      .load()
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(PolicyError);
    expect((error as Error).name).toBe('UnrecognizedClientException');
  });
});
