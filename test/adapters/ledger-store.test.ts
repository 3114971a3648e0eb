import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ParameterLedgerStore, resetCommand } from '../../lambda/reconciler/aws/ledger-store';
import { EMPTY_LEDGER } from '../../lambda/reconciler/guardrail/ledger';
import { limitDeactivations } from '../../lambda/reconciler/guardrail/limit-deactivations';
import type { Outcome } from '../../lambda/reconciler/model';

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

  it('a missing ledger is an error, never an empty ledger: the deploy creates it, so it was deleted; says how to recreate it', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound', $fault: 'client' }));
    await expect(store().read()).rejects.toThrow(
      `SSM parameter ${NAME} does not exist: the stack creates the deactivation ledger at its first deploy and nothing else deletes it, so it was deleted. Every deactivation is held until it is recreated: aws ssm put-parameter --name ${NAME} --type String --overwrite --value '{"version":1,"entries":[]}' (the daily count restarts)`,
    );
  });

  it('a run facing a deleted ledger holds every deactivation with that reason, and activations go ahead', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound', $fault: 'client' }));
    const outcome = (accountId: string, to: 'ACTIVATED' | 'DEACTIVATED'): Outcome => ({
      kind: to === 'ACTIVATED' ? 'ACTIVATE' : 'DEACTIVATE',
      accountId,
      region: 'us-east-1',
      from: to === 'ACTIVATED' ? 'DEACTIVATED' : 'ACTIVATED',
      to,
    });

    const { outcomes, verdict } = await limitDeactivations(
      [outcome('111111111111', 'DEACTIVATED'), outcome('222222222222', 'ACTIVATED')],
      {
        limits: { perRun: 50, perDay: 100 },
        run: 'schedule 2026-11-29T12:00:00Z',
        now: new Date('2026-11-29T12:00:05Z'),
        force: false,
        dryRun: false,
        ledger: store(),
      },
    );

    expect(outcomes.map((o) => o.kind)).toEqual(['SKIPPED', 'ACTIVATE']);
    expect(verdict.tripped).toBe(true);
    expect(verdict.heldBecause).toContain(`SSM parameter ${NAME} does not exist`);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
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

  it('docs/policy.md gives the same reset command the error gives, writing the empty ledger', () => {
    const docs = readFileSync(path.join(__dirname, '..', '..', 'docs', 'policy.md'), 'utf8').replace(/\\\n\s*/g, '');
    expect(docs).toContain(resetCommand(NAME));
    expect(resetCommand(NAME)).toContain(`--value '${EMPTY_LEDGER}'`);
  });
});
