import {
  GetConfigurationCommand,
  Inspector2Client,
  ThrottlingException,
  UpdateConfigurationCommand,
  ValidationException,
} from '@aws-sdk/client-inspector2';
import { mockClient } from 'aws-sdk-client-mock';
import { InspectorRegion } from '../../lambda/reconciler/aws/inspector';
import { NOT_REACHED } from '../../lambda/reconciler/deadline/budget';

const inspector = mockClient(Inspector2Client);
const region = () => new InspectorRegion(new Inspector2Client({ region: 'eu-west-1', maxAttempts: 1 }));
const A = '111111111111';
const B = '222222222222';

beforeEach(() => inspector.reset());

describe('InspectorRegion.memberScanConfigurations', () => {
  it("reads each member with its accountId, one GetConfiguration each, and keeps a refused read as that account's error", async () => {
    inspector
      .on(GetConfigurationCommand, { accountId: A })
      .resolves({
        ec2Configuration: {
          scanModeState: { scanMode: 'EC2_HYBRID', scanModeStatus: 'SUCCESS' },
          vmScannerState: { activated: true, status: 'PENDING' },
        },
      })
      .on(GetConfigurationCommand, { accountId: B })
      .rejects(new ValidationException({ message: 'no', $metadata: {}, reason: 'OTHER' }));

    const reads = await region().memberScanConfigurations([A, B]);

    expect(inspector.commandCalls(GetConfigurationCommand).map((call) => call.args[0].input)).toEqual([
      { accountId: A },
      { accountId: B },
    ]);
    expect(reads.get(A)).toEqual({
      scanMode: 'EC2_HYBRID',
      scanModeStatus: 'SUCCESS',
      vmScanner: { activated: true, status: 'PENDING' },
    });
    expect(reads.get(B)).toEqual({ error: expect.stringContaining('ValidationException') });
  });

  it('a throttled read after the retries is that account’s error, not the region’s', async () => {
    inspector.on(GetConfigurationCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    const reads = await region().memberScanConfigurations([A]);
    expect(reads.get(A)).toEqual({ error: expect.stringContaining('ThrottlingException') });
  });

  it('makes no call once the budget says stop: those accounts are not reached', async () => {
    inspector.on(GetConfigurationCommand).resolves({});
    let left = 1;
    const reads = await region().memberScanConfigurations([A, B], { canContinue: () => left-- > 0 });
    expect(inspector.commandCalls(GetConfigurationCommand)).toHaveLength(1);
    expect(reads.get(B)).toEqual({ error: NOT_REACHED, notReached: true });
  });

  it('a read the deadline aborts in flight is not reached, not an error of the account', async () => {
    const abort = new AbortController();
    inspector.on(GetConfigurationCommand).callsFake(async () => {
      abort.abort();
      throw new Error('aborted');
    });
    const reads = await region().memberScanConfigurations([A], { canContinue: () => true, signal: abort.signal });
    expect(reads.get(A)).toMatchObject({ notReached: true, error: expect.stringContaining('cut off in flight') });
  });
});

describe('InspectorRegion.updateScanConfiguration', () => {
  it.each([
    [
      "a member's, with its accountId and the scan mode always",
      { accountId: A, scanMode: 'EC2_HYBRID', activateVMScanner: true },
      { accountId: A, ec2Configuration: { scanMode: 'EC2_HYBRID', activateVMScanner: true } },
    ],
    [
      "the administrator's own, without accountId",
      { scanMode: 'EC2_SSM_AGENT_BASED' },
      { ec2Configuration: { scanMode: 'EC2_SSM_AGENT_BASED' } },
    ],
    [
      'a member reset to inherit',
      { accountId: A, inherit: true },
      { accountId: A, updateConfigurationInheritance: { ec2Configuration: 'INHERIT_FROM_ADMIN' } },
    ],
  ] as const)('writes %s', async (_, request, input) => {
    inspector.on(UpdateConfigurationCommand).resolves({});
    await expect(region().updateScanConfiguration(request)).resolves.toEqual({ ok: true });
    expect(inspector.commandCalls(UpdateConfigurationCommand)[0]?.args[0].input).toEqual(input);
  });

  it("returns Inspector's reason when it refuses, and never throws", async () => {
    inspector
      .on(UpdateConfigurationCommand)
      .rejects(new ValidationException({ message: 'scanMode is not allowed', $metadata: {}, reason: 'OTHER' }));
    await expect(region().updateScanConfiguration({ accountId: A, scanMode: 'EC2_HYBRID' })).resolves.toEqual({
      ok: false,
      errorMessage: expect.stringContaining('scanMode is not allowed'),
    });
  });

  it('makes no call once the budget says stop', async () => {
    await expect(
      region().updateScanConfiguration({ accountId: A, scanMode: 'EC2_HYBRID' }, { canContinue: () => false }),
    ).resolves.toEqual({ ok: false, errorMessage: NOT_REACHED, notReached: true });
    expect(inspector.commandCalls(UpdateConfigurationCommand)).toHaveLength(0);
  });
});
