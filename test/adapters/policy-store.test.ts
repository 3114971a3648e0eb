import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ParameterPolicySource } from '../../lambda/reconciler/aws/policy-store';
import { PolicyError } from '../../lambda/reconciler/errors';

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
      { path: '$.default', line: 1, column: 24, message: '"OFF" is not one of ACTIVATED, DEACTIVATED, UNMANAGED' },
    ]);
  });

  it('reports text that is not JSON', async () => {
    ssm.on(GetParameterCommand).resolves(parameter('version: 1'));
    await expect(source().load()).rejects.toThrow(/not valid JSON/);
  });
});
