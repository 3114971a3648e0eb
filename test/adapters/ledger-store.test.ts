import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ParameterLedgerStore } from '../../lambda/reconciler/aws/ledger-store';

const NAME = '/deep-inspection-reconciler/policy-guardrail-ledger';
const ssm = mockClient(SSMClient);
const store = () => new ParameterLedgerStore(new SSMClient({ region: 'us-east-1' }), NAME);
const entry = { at: '2026-11-29T12:00:00.000Z', run: 'schedule 2026-11-29T12:00:00Z', deactivations: 3 };

beforeEach(() => ssm.reset());

describe('ParameterLedgerStore', () => {
  it('reads the entries and the parameter version', async () => {
    ssm
      .on(GetParameterCommand, { Name: NAME })
      .resolves({ Parameter: { Name: NAME, Value: JSON.stringify({ version: 1, entries: [entry] }), Version: 7 } });
    expect(await store().read()).toEqual({ entries: [entry], version: 7 });
  });

  it('reads a ledger not created yet as empty, at version 0', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound', $fault: 'client' }));
    expect(await store().read()).toEqual({ entries: [], version: 0 });
  });

  it('refuses a value that is not a ledger, naming the parameter and the problem', async () => {
    ssm
      .on(GetParameterCommand)
      .resolves({ Parameter: { Value: '{"version":1,"entries":[{"at":"noon"}]}', Version: 2 } });
    await expect(store().read()).rejects.toThrow(
      new RegExp(`SSM parameter ${NAME} is not a deactivation ledger \\(\\$\\.entries\\[0\\]\\.at: `),
    );
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'twelve', Version: 2 } });
    await expect(store().read()).rejects.toThrow(`SSM parameter ${NAME} is not JSON`);
  });

  it('passes on any other read error, for the guardrail to hold deactivations with it', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $fault: 'client' }));
    await expect(store().read()).rejects.toThrow('denied');
  });

  it('writes the whole document as a String parameter, overwriting, and returns the new version', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 8, Tier: 'Standard' });
    expect(await store().write([entry])).toBe(8);
    expect(ssm.commandCalls(PutParameterCommand)[0]?.args[0].input).toEqual({
      Name: NAME,
      Value: JSON.stringify({ version: 1, entries: [entry] }),
      Type: 'String',
      Overwrite: true,
    });
  });
});
