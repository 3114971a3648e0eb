import {
  BatchGetMemberEc2DeepInspectionStatusCommand,
  BatchUpdateMemberEc2DeepInspectionStatusCommand,
  GetConfigurationCommand,
  Inspector2Client,
  UpdateConfigurationCommand,
} from '@aws-sdk/client-inspector2';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { accountId, SimulatedOrganization } from '../../local/simulated-organization';

/**
 * Inspector applies an accepted update asynchronously and documents no bound on how long it reads PENDING.
 * A test that needs PENDING to last through a run sets `pendingMs` to Infinity and ends it with `settleNow()`:
 * when the update settles is the test's, what it settles to stays the simulator's.
 */
const REGION = 'eu-west-1';
const MEMBER = accountId(1);

let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let inspector: Inspector2Client;

beforeEach(async () => {
  organization = SimulatedOrganization.generate({
    accounts: 4,
    regions: [REGION],
    closed: 0,
    nonMembers: 0,
    ec2ScanningOff: 0,
    activated: 0,
  });
  endpoint = await LocalAwsEndpoint.start(organization);
  inspector = new Inspector2Client({
    region: REGION,
    endpoint: endpoint.url,
    maxAttempts: 1,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: 'local' },
  });
  endpoint.simulation.pendingMs = Number.POSITIVE_INFINITY;
});

afterEach(async () => {
  inspector.destroy();
  await endpoint.close();
  if (endpoint.violations.length > 0) {
    throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
  }
});

const status = async () =>
  (await inspector.send(new BatchGetMemberEc2DeepInspectionStatusCommand({ accountIds: [MEMBER] }))).accountIds?.[0];
const activate = () =>
  inspector.send(
    new BatchUpdateMemberEc2DeepInspectionStatusCommand({
      accountIds: [{ accountId: MEMBER, activateDeepInspection: true }],
    }),
  );

describe('the local endpoint’s PENDING, settled on demand', () => {
  it('reads PENDING until settleNow, then the requested state', async () => {
    await activate();
    const pending = await status();
    endpoint.settleNow();
    const settled = await status();

    expect(pending).toMatchObject({ accountId: MEMBER, status: 'PENDING' });
    expect(settled).toMatchObject({ accountId: MEMBER, status: 'ACTIVATED' });
  });

  it('settles an update that was to fail as FAILED, with its errorMessage: only when changes, not what', async () => {
    endpoint.simulation.settleToFailedShare = 1;
    await activate();
    endpoint.settleNow();

    expect(await status()).toMatchObject({ status: 'FAILED', errorMessage: expect.stringContaining('activate') });
  });

  it('waits in real time for a scan configuration update too: the VM scanner and a reset to inherit', async () => {
    endpoint.simulation.pendingMs = 50;
    const vmScanner = async (id: string) =>
      (await inspector.send(new GetConfigurationCommand({ accountId: id }))).ec2Configuration?.vmScannerState?.status;
    await inspector.send(
      new UpdateConfigurationCommand({
        accountId: MEMBER,
        ec2Configuration: { scanMode: 'EC2_HYBRID', activateVMScanner: true },
      }),
    );
    await inspector.send(
      new UpdateConfigurationCommand({
        accountId: accountId(2),
        updateConfigurationInheritance: { ec2Configuration: 'INHERIT_FROM_ADMIN' },
      }),
    );

    await endpoint.settled();

    expect([await vmScanner(MEMBER), await vmScanner(accountId(2))]).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('ends a scan configuration update’s PENDING too', async () => {
    await inspector.send(
      new UpdateConfigurationCommand({ accountId: MEMBER, ec2Configuration: { scanMode: 'EC2_HYBRID' } }),
    );
    const read = async () =>
      (await inspector.send(new GetConfigurationCommand({ accountId: MEMBER }))).ec2Configuration?.scanModeState;
    const pending = await read();
    endpoint.settleNow();

    expect(pending).toEqual({ scanMode: 'EC2_HYBRID', scanModeStatus: 'PENDING' });
    expect(await read()).toEqual({ scanMode: 'EC2_HYBRID', scanModeStatus: 'SUCCESS' });
  });

  it('ends the VM scanner’s PENDING and a reset to inherit’s too', async () => {
    const vmScanner = async (id: string) =>
      (await inspector.send(new GetConfigurationCommand({ accountId: id }))).ec2Configuration?.vmScannerState?.status;
    const OTHER = accountId(2);
    await inspector.send(
      new UpdateConfigurationCommand({
        accountId: MEMBER,
        ec2Configuration: { scanMode: 'EC2_HYBRID', activateVMScanner: true },
      }),
    );
    await inspector.send(
      new UpdateConfigurationCommand({
        accountId: OTHER,
        updateConfigurationInheritance: { ec2Configuration: 'INHERIT_FROM_ADMIN' },
      }),
    );
    expect([await vmScanner(MEMBER), await vmScanner(OTHER)]).toEqual(['PENDING', 'PENDING']);

    endpoint.settleNow();

    expect([await vmScanner(MEMBER), await vmScanner(OTHER)]).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('refuses to wait in real time for an update that only settleNow ends', async () => {
    await activate();

    await expect(endpoint.settled()).rejects.toThrow(/PENDING until settleNow\(\)/);
    expect(await status()).toMatchObject({ status: 'PENDING' });
  });
});

describe('the local endpoint’s rate limit on the scan configuration operations', () => {
  it('throttles GetConfiguration and UpdateConfiguration per operation and region, as every Inspector operation', async () => {
    let now = 1_000_000;
    endpoint.rateLimitClock = () => now;
    endpoint.faults = { rateLimitPerSecond: 2 };
    const get = () => inspector.send(new GetConfigurationCommand({ accountId: MEMBER }));
    await get();
    await get();
    // The bucket of GetConfiguration in this region is empty: a third is throttled, with Retry-After.
    await expect(get()).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    // UpdateConfiguration has its own bucket, and so has another region.
    await inspector.send(
      new UpdateConfigurationCommand({ accountId: MEMBER, ec2Configuration: { scanMode: 'EC2_HYBRID' } }),
    );
    const elsewhere = new Inspector2Client({
      region: 'us-east-2',
      endpoint: endpoint.url,
      maxAttempts: 1,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: 'local' },
    });
    try {
      await expect(elsewhere.send(new GetConfigurationCommand({}))).resolves.toBeDefined();
    } finally {
      elsewhere.destroy();
    }
    // Half a second later one token is back.
    now += 500;
    await expect(get()).resolves.toBeDefined();
  });
});
