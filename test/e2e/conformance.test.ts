import { AccountClient, GetRegionOptStatusCommand, ListRegionsCommand } from '@aws-sdk/client-account';
import {
  BatchGetAccountStatusCommand,
  BatchGetMemberEc2DeepInspectionStatusCommand,
  BatchUpdateMemberEc2DeepInspectionStatusCommand,
  GetConfigurationCommand,
  GetDelegatedAdminAccountCommand,
  GetEc2DeepInspectionConfigurationCommand,
  Inspector2Client,
  ListCoverageCommand,
  UpdateConfigurationCommand,
  type UpdateConfigurationCommandInput,
  UpdateEc2DeepInspectionConfigurationCommand,
  UpdateOrgEc2DeepInspectionConfigurationCommand,
} from '@aws-sdk/client-inspector2';
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  DescribeAccountCommand,
  DescribeEffectivePolicyCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
// --- Security Hub (issue 18) ---
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  DescribeHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { SECURITY_HUB_ACTIONS } from '../../lambda/reconciler/aws/securityhub';
import { type AsffFinding, buildFinding } from '../../lambda/reconciler/findings/asff';
// --- end Security Hub ---
import { ACCOUNT_ACTIONS, INSPECTOR_ACTIONS, ORGANIZATIONS_ACTIONS } from '../../lib/reconciler-function';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { checkResponse } from '../../local/aws-endpoint/conformance';
import { model, type ServiceName } from '../../local/aws-endpoint/model';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { accountId, SimulatedOrganization } from '../../local/simulated-organization';

/**
 * Every response the local endpoint can send, for every operation the project calls and every fault
 * it can inject, checked against AWS's own service models (local/aws-endpoint/models).
 */

const REGION = 'eu-west-1';
const PARAMETER = '/conformance/policy';
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let queueUrl: string;
const savedEnv = { ...process.env };

beforeEach(async () => {
  organization = SimulatedOrganization.generate({ accounts: 30, regions: [REGION], depth: 2, unitsPerLevel: 2 });
  endpoint = await LocalAwsEndpoint.start(organization);
  Object.assign(process.env, endpoint.environment());
  queueUrl = endpoint.createQueue('failed-accounts');
  endpoint.state.parameters.set(PARAMETER, { value: '{}', version: 1 });
  organization.inspectorPolicies.set(organization.rootId, {
    enableInRegions: [REGION],
    disableInRegions: ['us-west-2'],
  });
});

afterEach(async () => {
  await endpoint.close();
  process.env = { ...savedEnv };
});

const clients = () => {
  const settings = { region: REGION, maxAttempts: 1 };
  return {
    inspector2: new Inspector2Client(settings),
    organizations: new OrganizationsClient({ ...settings, region: 'us-east-1' }),
    account: new AccountClient({ ...settings, region: 'us-east-1' }),
    ssm: new SSMClient(settings),
    sqs: new SQSClient(settings),
    sts: new STSClient(settings),
    securityhub: new SecurityHubClient(settings), // Security Hub (issue 18)
  };
};

type Clients = ReturnType<typeof clients>;
interface Call {
  readonly service: ServiceName;
  readonly operation: string;
  readonly send: (c: Clients) => Promise<unknown>;
}

const member = () => accountId(1);
const unit = () => [...organization.units.keys()][0] as string;
// --- Security Hub (issue 18): a finding as the reconciler imports it, for the delegated administrator ---
const finding = (accountIdValue = member()): AsffFinding =>
  buildFinding(
    {
      kind: 'ACCOUNT',
      reason: 'NOT_INSPECTOR_MEMBER',
      accountId: accountIdValue,
      region: REGION,
      severity: 'HIGH',
      status: 'FAILED',
    },
    { partition: 'aws', ownAccountId: organization.delegatedAdminAccountId, now: new Date().toISOString() },
  );
const sdkFinding = (f: AsffFinding) => structuredClone(f) as never;
// --- end Security Hub ---

/** One valid request for every operation the reconciler, the CLI, the demo and the tests call. */
const CALLS: readonly Call[] = [
  {
    service: 'organizations',
    operation: 'ListAccounts',
    send: (c) => c.organizations.send(new ListAccountsCommand({})),
  },
  { service: 'organizations', operation: 'ListRoots', send: (c) => c.organizations.send(new ListRootsCommand({})) },
  {
    service: 'organizations',
    operation: 'ListOrganizationalUnitsForParent',
    send: (c) => c.organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: organization.rootId })),
  },
  {
    service: 'organizations',
    operation: 'ListAccountsForParent',
    send: (c) => c.organizations.send(new ListAccountsForParentCommand({ ParentId: unit() })),
  },
  {
    service: 'organizations',
    operation: 'ListParents',
    send: (c) => c.organizations.send(new ListParentsCommand({ ChildId: member() })),
  },
  {
    service: 'organizations',
    operation: 'DescribeAccount',
    send: (c) => c.organizations.send(new DescribeAccountCommand({ AccountId: member() })),
  },
  {
    service: 'inspector2',
    operation: 'BatchGetAccountStatus',
    send: (c) =>
      c.inspector2.send(new BatchGetAccountStatusCommand({ accountIds: organization.accounts.map((a) => a.id) })),
  },
  {
    service: 'inspector2',
    operation: 'BatchGetMemberEc2DeepInspectionStatus',
    send: (c) =>
      c.inspector2.send(
        new BatchGetMemberEc2DeepInspectionStatusCommand({ accountIds: organization.accounts.map((a) => a.id) }),
      ),
  },
  {
    service: 'inspector2',
    operation: 'BatchUpdateMemberEc2DeepInspectionStatus',
    send: (c) =>
      c.inspector2.send(
        new BatchUpdateMemberEc2DeepInspectionStatusCommand({
          accountIds: organization.accounts.map((a, i) => ({ accountId: a.id, activateDeepInspection: i % 2 === 0 })),
        }),
      ),
  },
  {
    service: 'inspector2',
    operation: 'GetEc2DeepInspectionConfiguration',
    send: (c) => c.inspector2.send(new GetEc2DeepInspectionConfigurationCommand({})),
  },
  {
    service: 'inspector2',
    operation: 'UpdateEc2DeepInspectionConfiguration',
    send: (c) => c.inspector2.send(new UpdateEc2DeepInspectionConfigurationCommand({ activateDeepInspection: true })),
  },
  {
    service: 'inspector2',
    operation: 'UpdateOrgEc2DeepInspectionConfiguration',
    send: (c) =>
      c.inspector2.send(new UpdateOrgEc2DeepInspectionConfigurationCommand({ orgPackagePaths: ['/opt/app'] })),
  },
  {
    service: 'inspector2',
    operation: 'GetDelegatedAdminAccount',
    send: (c) => c.inspector2.send(new GetDelegatedAdminAccountCommand({})),
  },
  {
    service: 'inspector2',
    operation: 'GetConfiguration',
    send: (c) => c.inspector2.send(new GetConfigurationCommand({})),
  },
  {
    service: 'inspector2',
    operation: 'GetConfiguration',
    send: (c) => c.inspector2.send(new GetConfigurationCommand({ accountId: member() })),
  },
  {
    service: 'inspector2',
    operation: 'UpdateConfiguration',
    send: (c) =>
      c.inspector2.send(
        new UpdateConfigurationCommand({ ec2Configuration: { scanMode: 'EC2_HYBRID', activateVMScanner: true } }),
      ),
  },
  {
    service: 'inspector2',
    operation: 'UpdateConfiguration',
    send: (c) =>
      c.inspector2.send(
        new UpdateConfigurationCommand({ accountId: member(), ec2Configuration: { scanMode: 'EC2_SSM_AGENT_BASED' } }),
      ),
  },
  {
    service: 'inspector2',
    operation: 'UpdateConfiguration',
    send: (c) =>
      c.inspector2.send(
        new UpdateConfigurationCommand({
          accountId: member(),
          updateConfigurationInheritance: { ec2Configuration: 'INHERIT_FROM_ADMIN' },
        }),
      ),
  },
  {
    service: 'organizations',
    operation: 'DescribeEffectivePolicy',
    send: (c) => c.organizations.send(new DescribeEffectivePolicyCommand({ PolicyType: 'INSPECTOR_POLICY' })),
  },
  {
    service: 'inspector2',
    operation: 'ListCoverage',
    send: (c) =>
      c.inspector2.send(
        new ListCoverageCommand({
          maxResults: 200,
          filterCriteria: {
            resourceType: [{ comparison: 'EQUALS', value: 'AWS_EC2_INSTANCE' }],
            scanType: [{ comparison: 'EQUALS', value: 'PACKAGE' }],
          },
        }),
      ),
  },
  {
    service: 'inspector2',
    operation: 'ListCoverage',
    send: (c) =>
      c.inspector2.send(
        new ListCoverageCommand({
          filterCriteria: { resourceType: [{ comparison: 'EQUALS', value: 'Microsoft.Compute/virtualMachines' }] },
        }),
      ),
  },
  { service: 'ssm', operation: 'GetParameter', send: (c) => c.ssm.send(new GetParameterCommand({ Name: PARAMETER })) },
  {
    service: 'ssm',
    operation: 'PutParameter',
    send: (c) => c.ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: '{}', Type: 'String', Overwrite: true })),
  },
  {
    service: 'sqs',
    operation: 'SendMessageBatch',
    send: (c) =>
      c.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [member(), accountId(2)].map((id, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify({ accountId: id }),
          })),
        }),
      ),
  },
  {
    service: 'sqs',
    operation: 'ReceiveMessage',
    send: (c) => c.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 })),
  },
  { service: 'sts', operation: 'GetCallerIdentity', send: (c) => c.sts.send(new GetCallerIdentityCommand({})) },
  {
    service: 'account',
    operation: 'ListRegions',
    send: (c) => c.account.send(new ListRegionsCommand({ MaxResults: 50 })),
  },
  {
    service: 'account',
    operation: 'GetRegionOptStatus',
    send: (c) => c.account.send(new GetRegionOptStatusCommand({ RegionName: REGION })),
  },
  // --- Security Hub (issue 18) ---
  { service: 'securityhub', operation: 'DescribeHub', send: (c) => c.securityhub.send(new DescribeHubCommand({})) },
  {
    service: 'securityhub',
    operation: 'BatchImportFindings',
    send: (c) => c.securityhub.send(new BatchImportFindingsCommand({ Findings: [sdkFinding(finding())] })),
  },
  {
    service: 'securityhub',
    operation: 'GetFindings',
    send: (c) =>
      c.securityhub.send(
        new GetFindingsCommand({
          Filters: {
            GeneratorId: [{ Comparison: 'EQUALS', Value: 'deep-inspection-reconciler' }],
            Region: [{ Comparison: 'EQUALS', Value: REGION }],
            RecordState: [{ Comparison: 'EQUALS', Value: 'ACTIVE' }],
          },
          MaxResults: 100,
        }),
      ),
  },
  {
    service: 'securityhub',
    operation: 'BatchUpdateFindings',
    send: (c) =>
      c.securityhub.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: [{ Id: finding().Id, ProductArn: finding().ProductArn }],
          Workflow: { Status: 'NOTIFIED' },
          Note: { Text: 'owner told', UpdatedBy: 'conformance' },
        }),
      ),
  },
  // --- end Security Hub ---
];

/** Sends every call, ignoring what it answers: the endpoint checks each answer against the model as it sends it. */
async function sendAll(calls: readonly Call[] = CALLS): Promise<void> {
  const c = clients();
  for (const call of calls) await call.send(c).catch(() => undefined);
  for (const client of Object.values(c)) client.destroy();
}

const expectConforming = () => expect(endpoint.violations).toEqual([]);
const declaredErrors = (call: Call) =>
  (model(call.service).operations[call.operation]?.errors ?? []).map((e) => e.shape);

describe('conformance of the local endpoint to AWS service models', () => {
  it('covers every operation the project calls, each a model operation', async () => {
    const called = [...INSPECTOR_ACTIONS, ...ORGANIZATIONS_ACTIONS, ...ACCOUNT_ACTIONS, ...SECURITY_HUB_ACTIONS].map(
      (action) => action.replace(':', '.'),
    );
    expect(called.filter((action) => !CALLS.some((call) => `${call.service}.${call.operation}` === action))).toEqual(
      [],
    );
    await sendAll();
    expectConforming();
    for (const call of CALLS) {
      expect(model(call.service).operations[call.operation]).toBeDefined();
      expect(
        [...endpoint.answered].filter((key) => key.startsWith(`${call.service}.${call.operation} 200`)),
      ).toHaveLength(1);
    }
  });

  it('answers conforming responses in every simulated state: PENDING, FAILED, Paths on and off, every scan status and error code', async () => {
    const accounts = [...(organization.inspector.get(REGION)?.values() ?? [])];
    const scanStatuses = model('inspector2').shapes.Status?.enum ?? [];
    const errorCodes = model('inspector2').shapes.ErrorCode?.enum ?? [];
    accounts.forEach((account, index) => {
      account.ec2ScanStatus = scanStatuses[index % scanStatuses.length] as string;
      if (index % 2 === 1) account.accountStatusError = errorCodes[index % errorCodes.length];
    });
    // Every ErrorCode appears at least once: 30 accounts, 17 codes on the odd ones and the rest on a second pass.
    errorCodes.forEach((code, index) => {
      const account = accounts[index];
      if (account) account.accountStatusError = code;
    });
    const seen = new Set<string>();
    const remember = () => organization.inspector.get(REGION)?.forEach((account) => seen.add(account.deepInspection));
    endpoint.simulation.settleToFailedShare = 0.5;
    endpoint.simulation.pendingMs = 0;
    await sendAll(); // every update settles at once, half of them FAILED with an errorMessage
    remember();
    endpoint.simulation.pendingMs = 60_000;
    await sendAll(); // updates read PENDING
    remember();
    endpoint.simulation.paths = false;
    organization.inspectorAccount(REGION, organization.delegatedAdminAccountId)!.ec2Configuration = {
      scanMode: 'EC2_HYBRID',
      vmScannerActivated: true,
      settlesAt: Date.now() + 60_000,
    };
    await sendAll();

    expectConforming();
    expect([...seen].sort()).toEqual(['ACTIVATED', 'DEACTIVATED', 'FAILED', 'PENDING']);
  });

  it('answers every error each operation declares, with its status and shape', async () => {
    for (const call of CALLS) {
      for (const code of declaredErrors(call)) {
        endpoint.faults = { errors: { [call.operation]: code } };
        await sendAll([call]);
        expect(
          [...endpoint.answered].some(
            (key) => key.startsWith(`${call.service}.${call.operation} `) && key.endsWith(code),
          ),
        ).toBe(true);
      }
    }
    expectConforming();
    expect(endpoint.answered.size).toBeGreaterThan(60);
  });

  it('answers throttles, 5xx, rate limits, denied regions, a denied organization and a denied ListRegions in conforming shapes', async () => {
    for (const faults of [
      { throttleEveryNth: 1 },
      { serverErrorEveryNth: 1 },
      { rateLimitPerSecond: 0.001 },
      { deniedRegions: [REGION] },
      { denyOrganizations: true },
      { denyListRegions: true },
    ]) {
      endpoint.faults = faults;
      await sendAll();
      await sendAll();
    }
    expectConforming();
    // Every operation but STS (not part of a run) throttled by the first two faults.
    expect(endpoint.throttled).toBeGreaterThan(2 * (CALLS.length - 1));
  });

  it('a region this account has not enabled: ListRegions says so, and every call there answers UnrecognizedClientException', async () => {
    for (const status of ['DISABLED', 'ENABLING', 'DISABLING']) {
      endpoint.state.regionOptStatus.set(REGION, status);
      const c = clients();
      const listed = await c.account.send(new ListRegionsCommand({}));
      const inspectorCall = await c.inspector2.send(new GetConfigurationCommand({})).catch((e: Error) => e);
      const ssmCall = await c.ssm.send(new GetParameterCommand({ Name: PARAMETER })).catch((e: Error) => e);
      for (const client of Object.values(c)) client.destroy();

      expect(listed.Regions).toContainEqual({ RegionName: REGION, RegionOptStatus: status });
      expect(inspectorCall).toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
      expect(ssmCall).toMatchObject({ name: 'UnrecognizedClientException' });
    }
    await sendAll();
    expectConforming();
  });

  it("answers requests the model rejects with each service's own validation error", async () => {
    const c = clients();
    const errors = await Promise.all([
      c.inspector2.send(new BatchGetAccountStatusCommand({ accountIds: ['1234'] })).catch((e: Error) => e),
      c.inspector2
        .send(new UpdateOrgEc2DeepInspectionConfigurationCommand({ orgPackagePaths: ['/opt/@scope/pkg'] }))
        .catch((e: Error) => e),
      c.organizations.send(new ListAccountsCommand({ MaxResults: 21 })).catch((e: Error) => e),
      c.organizations.send(new ListParentsCommand({ ChildId: 'r-ex12' })).catch((e: Error) => e),
      c.ssm.send(new GetParameterCommand({ Name: '' })).catch((e: Error) => e),
    ]);
    for (const client of Object.values(c)) client.destroy();

    expect(errors.map((e) => (e as Error).name)).toEqual([
      'ValidationException',
      'ValidationException',
      'InvalidInputException',
      'InvalidInputException',
      'ValidationException',
    ]);
    expect(errors[1]).toMatchObject({ reason: 'FIELD_VALIDATION_FAILED', fields: [{ name: 'orgPackagePaths[0]' }] });
    expect(errors[2]).toMatchObject({ Reason: 'MAX_VALUE_EXCEEDED' });
    expectConforming();
  });

  it('catches a simulator that answers a value outside the model', async () => {
    const account = organization.inspectorAccount(REGION, member());
    if (!account) throw new Error('no account to corrupt');
    account.ec2ScanStatus = 'ON'; // not a value of Inspector's Status enum

    await sendAll(CALLS.filter((call) => call.operation === 'BatchGetAccountStatus'));

    expect(endpoint.violations).toEqual([
      expect.objectContaining({
        operation: 'BatchGetAccountStatus',
        path: '$.accounts[1].resourceState.ec2.status',
        constraint: 'enum',
      }),
    ]);
  });
});

describe("each account's EC2 scan configuration (GetConfiguration, UpdateConfiguration)", () => {
  const send = async <T>(call: (c: Clients) => Promise<T>): Promise<T | Error> => {
    const c = clients();
    try {
      return await call(c).catch((error: Error) => error);
    } finally {
      for (const client of Object.values(c)) client.destroy();
    }
  };
  const read = (accountIdValue?: string) =>
    send((c) => c.inspector2.send(new GetConfigurationCommand(accountIdValue ? { accountId: accountIdValue } : {})));
  const update = (input: UpdateConfigurationCommandInput) =>
    send((c) => c.inspector2.send(new UpdateConfigurationCommand(input)));

  it('an administrator change reaches the members that inherit, not those configured one by one, until INHERIT_FROM_ADMIN', async () => {
    endpoint.simulation.pendingMs = 0;
    const [inheriting, individual] = [accountId(2), accountId(3)];
    await update({ accountId: individual, ec2Configuration: { scanMode: 'EC2_SSM_AGENT_BASED' } });
    await update({ ec2Configuration: { scanMode: 'EC2_HYBRID', activateVMScanner: true } });

    expect(await read(inheriting)).toMatchObject({
      ec2Configuration: {
        scanModeState: { scanMode: 'EC2_HYBRID', scanModeStatus: 'SUCCESS' },
        vmScannerState: { activated: true, status: 'SUCCESS', activatedAt: expect.any(Date) },
      },
    });
    expect(await read(individual)).toMatchObject({
      ec2Configuration: { scanModeState: { scanMode: 'EC2_SSM_AGENT_BASED' }, vmScannerState: { activated: false } },
    });
    await update({ accountId: individual, updateConfigurationInheritance: { ec2Configuration: 'INHERIT_FROM_ADMIN' } });
    expect(await read(individual)).toMatchObject({
      ec2Configuration: { scanModeState: { scanMode: 'EC2_HYBRID' }, vmScannerState: { activated: true } },
    });
    expectConforming();
  });

  it('reads PENDING until an update is in effect, then SUCCESS (or FAILED for a VM scanner that fails)', async () => {
    endpoint.simulation.pendingMs = 60_000;
    endpoint.state.failingVmScannerAccounts.add(member());
    await update({ accountId: member(), ec2Configuration: { scanMode: 'EC2_HYBRID', activateVMScanner: true } });
    const pending = await read(member());
    const own = organization.inspectorAccount(REGION, member());
    if (!own?.ec2Configuration) throw new Error('the member was not configured');
    own.ec2Configuration = { ...own.ec2Configuration, settlesAt: Date.now() - 1, vmScannerSettlesAt: Date.now() - 1 };
    const settled = await read(member());

    expect(pending).toMatchObject({
      ec2Configuration: { scanModeState: { scanModeStatus: 'PENDING' }, vmScannerState: { status: 'PENDING' } },
    });
    expect(settled).toMatchObject({
      ec2Configuration: { scanModeState: { scanModeStatus: 'SUCCESS' }, vmScannerState: { status: 'FAILED' } },
    });
    expectConforming();
  });

  it("INHERIT_FROM_ADMIN reads PENDING like any other change, then the administrator's configuration with SUCCESS", async () => {
    endpoint.simulation.pendingMs = 0;
    await update({ accountId: member(), ec2Configuration: { scanMode: 'EC2_SSM_AGENT_BASED' } });
    await update({ ec2Configuration: { scanMode: 'EC2_HYBRID', activateVMScanner: true } });
    endpoint.simulation.pendingMs = 60_000;

    await update({ accountId: member(), updateConfigurationInheritance: { ec2Configuration: 'INHERIT_FROM_ADMIN' } });
    const pending = await read(member());
    const own = organization.inspectorAccount(REGION, member());
    if (own?.ec2InheritanceSettlesAt === undefined) throw new Error('the reset was not pending');
    own.ec2InheritanceSettlesAt = Date.now() - 1;
    const settled = await read(member());

    expect(pending).toMatchObject({
      ec2Configuration: {
        scanModeState: { scanMode: 'EC2_HYBRID', scanModeStatus: 'PENDING' },
        vmScannerState: { activated: true, status: 'PENDING' },
      },
    });
    expect(settled).toMatchObject({
      ec2Configuration: { scanModeState: { scanModeStatus: 'SUCCESS' }, vmScannerState: { status: 'SUCCESS' } },
    });
    expectConforming();
  });

  it('an update that sets only the scan mode leaves the VM scanner as it was: not PENDING', async () => {
    endpoint.simulation.pendingMs = 60_000;

    await update({ ec2Configuration: { scanMode: 'EC2_SSM_AGENT_BASED' } });
    const own = await read();

    expect(own).toMatchObject({
      ec2Configuration: {
        scanModeState: { scanMode: 'EC2_SSM_AGENT_BASED', scanModeStatus: 'PENDING' },
        vmScannerState: { activated: false, status: 'SUCCESS' },
      },
    });
    expectConforming();
  });

  it('refuses an update with nothing in it, an empty updateConfigurationInheritance included, with ValidationException', async () => {
    const answers = [await update({}), await update({ accountId: member(), updateConfigurationInheritance: {} })];

    expect(answers[0]).toMatchObject({ name: 'ValidationException', reason: 'OTHER' });
    expect(answers[1]).toMatchObject({
      name: 'ValidationException',
      reason: 'FIELD_VALIDATION_FAILED',
      fields: [{ name: 'updateConfigurationInheritance' }],
    });
    expect(organization.inspectorAccount(REGION, member())?.ec2Configuration).toBeUndefined();
    expectConforming();
  });

  it("refuses what AWS refuses: INHERIT_FROM_ADMIN without accountId or beside a configuration, no scanMode, another administrator's member, a region it does not administer", async () => {
    const outsider = '999988887777';
    const answers = [
      await update({ updateConfigurationInheritance: { ec2Configuration: 'INHERIT_FROM_ADMIN' } }),
      await update({
        accountId: member(),
        updateConfigurationInheritance: { ec2Configuration: 'INHERIT_FROM_ADMIN' },
        ec2Configuration: { scanMode: 'EC2_HYBRID' },
      }),
      await update({ accountId: member(), ec2Configuration: { activateVMScanner: true } as never }),
      await update({}),
      await read(outsider),
      await update({ accountId: outsider, ec2Configuration: { scanMode: 'EC2_HYBRID' } }),
    ];
    endpoint.state.notAdministratorRegions.add(REGION);
    answers.push(await read(member()));
    const ownStill = await read();

    expect(answers.map((answer) => (answer as Error).name)).toEqual([
      'ValidationException',
      'ValidationException',
      'ValidationException',
      'ValidationException',
      'AccessDeniedException',
      'AccessDeniedException',
      'AccessDeniedException',
    ]);
    // Nothing set: a new account's default, hybrid scanning ("automatically enrolled", Scanning EC2 instances).
    expect(ownStill).toMatchObject({
      ec2Configuration: { scanModeState: { scanMode: 'EC2_HYBRID' }, vmScannerState: { activated: false } },
    });
    expect(organization.inspectorAccount(REGION, member())?.ec2Configuration).toBeUndefined();
    expectConforming();
  });
});

describe('effective Inspector policies (DescribeEffectivePolicy INSPECTOR_POLICY)', () => {
  const describePolicy = async (TargetId?: string) => {
    const c = clients();
    try {
      return await c.organizations
        .send(new DescribeEffectivePolicyCommand({ PolicyType: 'INSPECTOR_POLICY', ...(TargetId ? { TargetId } : {}) }))
        .catch((error: Error) => error);
    } finally {
      for (const client of Object.values(c)) client.destroy();
    }
  };

  it("denies the Inspector administrator another account's policy by default, and answers it when the setting allows", async () => {
    const denied = await describePolicy(member());
    endpoint.simulation.administratorReadsEffectivePolicies = true;
    organization.inspectorPolicies.set(member(), { disableInRegions: [REGION] });
    const allowed = await describePolicy(member());

    expect(denied).toMatchObject({ name: 'AccessDeniedException' });
    expect(allowed).toMatchObject({ EffectivePolicy: { TargetId: member(), PolicyType: 'INSPECTOR_POLICY' } });
    const content = JSON.parse(
      (allowed as { EffectivePolicy: { PolicyContent: string } }).EffectivePolicy.PolicyContent,
    );
    // The account's own policy is nearer than the root's: its list wins; the root's other list still applies.
    expect(content).toEqual({
      inspector: { enablement: { ec2_scanning: { enable_in_regions: [REGION], disable_in_regions: [REGION] } } },
    });
    expectConforming();
  });

  it('refuses a TargetId longer than the model allows with InvalidInputException MAX_LENGTH_EXCEEDED', async () => {
    const answer = await describePolicy('1'.repeat(101));

    expect(answer).toMatchObject({ name: 'InvalidInputException', Reason: 'MAX_LENGTH_EXCEEDED' });
    expectConforming();
  });

  it('answers EffectivePolicyNotFoundException when no Inspector policy applies, TargetNotFoundException for an account it does not have, and refuses an OU', async () => {
    endpoint.simulation.administratorReadsEffectivePolicies = true;
    organization.inspectorPolicies.clear();
    const answers = [
      await describePolicy(member()),
      await describePolicy('999988887777'),
      await describePolicy(unit()),
    ];

    expect(answers.map((answer) => (answer as Error).name)).toEqual([
      'EffectivePolicyNotFoundException',
      'TargetNotFoundException',
      'InvalidInputException',
    ]);
    expectConforming();
  });
});

describe('the response check itself', () => {
  const ok = (body: unknown) => ({
    service: 'inspector2' as const,
    operation: 'BatchGetMemberEc2DeepInspectionStatus',
    status: 200,
    headers: {},
    body: JSON.stringify(body),
  });

  it('accepts a response as the model describes it', () => {
    expect(
      checkResponse(ok({ accountIds: [{ accountId: '111122223333', status: 'PENDING' }], failedAccountIds: [] })),
    ).toEqual([]);
  });

  it('fails a member the shape does not have', () => {
    expect(
      checkResponse(ok({ accountIds: [{ accountId: '111122223333', status: 'ACTIVATED', region: 'x' }] })),
    ).toEqual([expect.objectContaining({ path: '$.accountIds[0].region', constraint: 'unknown' })]);
  });

  it('fails an enum value the model does not have', () => {
    expect(checkResponse(ok({ accountIds: [{ accountId: '111122223333', status: 'ENABLED' }] }))).toEqual([
      expect.objectContaining({ path: '$.accountIds[0].status', constraint: 'enum' }),
    ]);
  });

  it('fails a missing required member and a pattern that does not hold over the whole value', () => {
    expect(checkResponse(ok({ accountIds: [{ status: 'ACTIVATED' }, { accountId: '1111222233334' }] }))).toEqual([
      expect.objectContaining({ path: '$.accountIds[0].accountId', constraint: 'required' }),
      expect.objectContaining({ path: '$.accountIds[1].accountId', constraint: 'maxLength' }),
      expect.objectContaining({ path: '$.accountIds[1].accountId', constraint: 'pattern' }),
    ]);
  });

  it('fails an error the operation does not declare, a wrong status, and a fractional Retry-After', () => {
    const error = (code: string, status: number, headers: Record<string, string> = {}) =>
      checkResponse({
        service: 'inspector2',
        operation: 'BatchGetAccountStatus',
        status,
        headers: { 'x-amzn-errortype': code, ...headers },
        body: JSON.stringify({ message: 'm' }),
      });
    expect(error('ConflictException', 409)).toHaveLength(1);
    expect(error('ThrottlingException', 400)).toEqual([
      expect.objectContaining({ message: expect.stringContaining('HTTP 429') }),
    ]);
    expect(error('ThrottlingException', 429, { 'retry-after': '0.200' })).toEqual([
      expect.objectContaining({ path: 'header Retry-After', constraint: 'type' }),
    ]);
    expect(error('ThrottlingException', 429, { 'retry-after': '1' })).toEqual([]);
  });
});

// --- Security Hub (issue 18) ---
describe('conformance of the local Security Hub', () => {
  it('answers a region without Security Hub in conforming shapes: InvalidAccessException, FailedFindings InvalidAccess', async () => {
    endpoint.state.securityHub.disabledRegions.add(REGION);
    const c = clients();
    const answers = await Promise.all([
      c.securityhub.send(new DescribeHubCommand({})).catch((e: Error) => e),
      c.securityhub.send(new GetFindingsCommand({})).catch((e: Error) => e),
      c.securityhub.send(new BatchImportFindingsCommand({ Findings: [sdkFinding(finding())] })),
    ]);
    for (const client of Object.values(c)) client.destroy();

    expect(answers[0]).toMatchObject({ name: 'InvalidAccessException', $metadata: { httpStatusCode: 401 } });
    expect(answers[1]).toMatchObject({ name: 'InvalidAccessException' });
    expect(answers[2]).toMatchObject({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [{ ErrorCode: 'InvalidAccess' }],
    });
    expectConforming();
  });

  it('refuses what Security Hub refuses: 101 findings, a missing Title, another account, a finding over 240 KB', async () => {
    const c = clients();
    const tooMany = Array.from({ length: 101 }, (_, i) => sdkFinding(finding(accountId(i + 1))));
    const { Title: _title, ...untitled } = finding();
    const foreign = { ...finding(), AwsAccountId: member() };
    const large = { ...finding(), ProductFields: { padding: 'x'.repeat(240_000) } };
    const answers = await Promise.all([
      c.securityhub.send(new BatchImportFindingsCommand({ Findings: tooMany })).catch((e: Error) => e),
      c.securityhub
        .send(new BatchImportFindingsCommand({ Findings: [sdkFinding(untitled as AsffFinding)] }))
        .catch((e: Error) => e),
      c.securityhub.send(new BatchImportFindingsCommand({ Findings: [sdkFinding(foreign)] })).catch((e: Error) => e),
      c.securityhub.send(new BatchImportFindingsCommand({ Findings: [sdkFinding(large)] })),
    ]);
    for (const client of Object.values(c)) client.destroy();

    expect(answers.slice(0, 3).map((e) => (e as Error).name)).toEqual([
      'InvalidInputException',
      'InvalidInputException',
      'AccessDeniedException',
    ]);
    expect(answers[3]).toMatchObject({ FailedCount: 1, FailedFindings: [{ ErrorCode: 'InvalidInput' }] });
    expect(endpoint.state.securityHub.findingsIn(REGION)).toEqual([]);
    expectConforming();
  });

  it("holds callers to GetFindings' rate, 3 a second with a burst of 6, with a conforming LimitExceededException", async () => {
    const c = clients();
    const answers = [];
    for (let i = 0; i < 7; i++)
      answers.push(await c.securityhub.send(new GetFindingsCommand({})).catch((e: Error) => e));
    for (const client of Object.values(c)) client.destroy();

    expect(answers.slice(0, 6).every((answer) => !(answer instanceof Error))).toBe(true);
    expect(answers[6]).toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
    expectConforming();
  });
});
// --- end Security Hub ---
