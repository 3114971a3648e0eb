import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import {
  BatchGetAccountStatusCommand,
  BatchGetMemberEc2DeepInspectionStatusCommand,
  BatchUpdateMemberEc2DeepInspectionStatusCommand,
  GetDelegatedAdminAccountCommand,
  GetEc2DeepInspectionConfigurationCommand,
  Inspector2Client,
  UpdateEc2DeepInspectionConfigurationCommand,
  UpdateOrgEc2DeepInspectionConfigurationCommand,
} from '@aws-sdk/client-inspector2';
import { DescribeAccountCommand, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { EMPTY_LEDGER } from '../../lambda/reconciler/guardrail/ledger';
import { ConfigError, InvocationError, PolicyError, RunFailedError } from '../../lambda/reconciler/errors/errors';
import { handler } from '../../lambda/reconciler/handler';
import { logger, metrics } from '../../lambda/reconciler/observability/powertools';
import { CALL_TIMEOUTS, marginsFor } from '../../lambda/reconciler/deadline/deadline';
import type { RunSummary } from '../../lambda/reconciler/run/summary';
import { acceptAll } from '../support/sqs';

const ADMIN = '999999999999';
const MEMBERS = ['111111111111', '222222222222', '333333333333'];
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/999999999999/failed-accounts';

const organizations = mockClient(OrganizationsClient);
const inspector = mockClient(Inspector2Client);
const ssm = mockClient(SSMClient);
const sqs = mockClient(SQSClient);
const account = mockClient(AccountClient);
const securityHub = mockClient(SecurityHubClient);

const context = {
  awsRequestId: 'req-1',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ADMIN}:function:reconciler`,
  functionName: 'reconciler',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

/** What an EventBridge rule's schedule delivers, field for field. */
const scheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: ADMIN,
  time: '2026-11-21T12:00:00Z',
  region: 'us-east-1',
  resources: [`arn:aws:events:us-east-1:${ADMIN}:rule/reconcile`],
  detail: {},
};
/** What the stack's EventBridge Scheduler schedule delivers. */
const schedulerInput = {
  trigger: 'schedule',
  scheduledTime: '2026-11-21T12:00:00Z',
  scheduleExecutionId: 'd32c5kddcf5bb8c3',
};
const policy = { version: 1, default: 'ACTIVATED', regions: ['us-east-1', 'eu-west-1'] };
const WRITES = [
  BatchUpdateMemberEc2DeepInspectionStatusCommand,
  UpdateEc2DeepInspectionConfigurationCommand,
  UpdateOrgEc2DeepInspectionConfigurationCommand,
];

/** A run that returns its summary. */
const runSummary = async (event: unknown, ctx: Context = context) => (await handler(event, ctx)) as RunSummary;

let info: jest.SpyInstance;
let warn: jest.SpyInstance;
let error: jest.SpyInstance;

const LEDGER = '/p-guardrail-ledger';
/** The deactivation ledger as SSM would keep it: every write a new version. */
let ledger: { value?: string; version: number };

function givenPolicy(document: unknown) {
  ssm
    .on(GetParameterCommand, { Name: '/p' })
    .resolves({ Parameter: { Name: '/p', Type: 'String', Value: JSON.stringify(document), Version: 3 } });
  ssm.on(GetParameterCommand, { Name: LEDGER }).callsFake(async () => {
    if (ledger.value === undefined) {
      throw Object.assign(new Error('not found'), { name: 'ParameterNotFound', $fault: 'client' });
    }
    return { Parameter: { Name: LEDGER, Type: 'String', Value: ledger.value, Version: ledger.version } };
  });
  ssm.on(PutParameterCommand, { Name: LEDGER }).callsFake(async ({ Value }) => {
    ledger = { value: Value, version: ledger.version + 1 };
    return { Version: ledger.version, Tier: 'Standard' };
  });
}

/**
 * Every member off, EC2 scanning on (except in `ec2ScanningOff`), in every region; an update succeeds for
 * every account asked.
 */
function givenOrganization({
  deniedRegion,
  regionError = 'AccessDeniedException',
  ec2ScanningOff,
}: { deniedRegion?: string; regionError?: string; ec2ScanningOff?: string } = {}) {
  // The function's account is Inspector's delegated administrator in every region.
  inspector
    .on(GetDelegatedAdminAccountCommand)
    .resolves({ delegatedAdmin: { accountId: ADMIN, relationshipStatus: 'ENABLED' } });
  organizations
    .on(ListAccountsCommand)
    .resolves({ Accounts: [ADMIN, ...MEMBERS].map((Id) => ({ Id, State: 'ACTIVE' })) });
  organizations
    .on(DescribeAccountCommand)
    .callsFake(async ({ AccountId }) => ({ Account: { Id: AccountId, State: 'ACTIVE' } }));
  inspector.on(BatchGetAccountStatusCommand).callsFake(async ({ accountIds }, getClient) => {
    if ((await getClient().config.region()) === deniedRegion) {
      throw Object.assign(new Error('not the delegated administrator'), { name: regionError, $fault: 'client' });
    }
    return {
      accounts: accountIds.map((accountId: string) => ({
        accountId,
        state: { status: 'ENABLED' },
        resourceState: {
          ec2: { status: accountId === ec2ScanningOff ? 'DISABLED' : 'ENABLED' },
          ecr: { status: 'ENABLED' },
        },
      })),
    };
  });
  inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).callsFake(({ accountIds }) => ({
    accountIds: accountIds.map((accountId: string) => ({ accountId, status: 'DEACTIVATED' })),
  }));
  inspector.on(GetEc2DeepInspectionConfigurationCommand).resolves({ status: 'ACTIVATED', orgPackagePaths: [] });
  inspector.on(BatchUpdateMemberEc2DeepInspectionStatusCommand).callsFake(({ accountIds }) => ({
    accountIds: accountIds.map((a: { accountId: string }) => ({
      accountId: a.accountId,
      status: 'ACTIVATED',
    })),
  }));
  sqs.on(SendMessageBatchCommand).callsFake(acceptAll);
}

/** Account Management ListRegions: each region's RegionOptStatus for this account. */
function givenRegions(statuses: Record<string, string>) {
  account.on(ListRegionsCommand).resolves({
    Regions: Object.entries(statuses).map(([RegionName, RegionOptStatus]) => ({
      RegionName,
      RegionOptStatus: RegionOptStatus as 'ENABLED',
    })),
  });
}

/** An AWS error as the SDK throws it: its code as the name. */
const awsError = (name: string, message: string, httpStatusCode = 400) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });

const writeCalls = () => [
  ...inspector.calls().filter((call) => WRITES.some((command) => call.args[0] instanceof command)),
  ...sqs.commandCalls(SendMessageBatchCommand),
];
const anyCalls = () => [...organizations.calls(), ...inspector.calls(), ...ssm.calls(), ...sqs.calls()];

beforeEach(() => {
  for (const mock of [organizations, inspector, ssm, sqs, account, securityHub]) mock.reset();
  delete process.env.SECURITY_HUB_FINDINGS;
  givenRegions({ 'us-east-1': 'ENABLED_BY_DEFAULT', 'eu-west-1': 'ENABLED_BY_DEFAULT' });
  process.env.POLICY_PARAMETER_NAME = '/p';
  process.env.GUARDRAIL_LEDGER_PARAMETER_NAME = LEDGER;
  // As the first deploy creates it (lib/guardrail-ledger.ts).
  ledger = { value: EMPTY_LEDGER, version: 1 };
  process.env.FAILED_ACCOUNTS_QUEUE_URL = QUEUE_URL;
  process.env.AWS_REGION = 'us-east-1';
  info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('handler', () => {
  it('runs in full on a scheduled event and logs one summary line', async () => {
    givenPolicy(policy);
    givenOrganization();

    const summary = await runSummary(scheduledEvent, context);

    expect(summary.runId).toBe('req-1');
    expect(summary.totals).toEqual({
      accounts: 8,
      compliant: 2,
      activated: 6,
      deactivated: 0,
      wouldActivate: 0,
      wouldDeactivate: 0,
      skipped: 0,
      failed: 0,
    });
    expect(inspector.commandCalls(BatchUpdateMemberEc2DeepInspectionStatusCommand)).toHaveLength(2);
    // The delegated administrator is read through its own configuration, never through the member API.
    const memberReads = inspector
      .commandCalls(BatchGetMemberEc2DeepInspectionStatusCommand)
      .flatMap((c) => c.args[0].input.accountIds);
    expect(memberReads).not.toContain(ADMIN);
    // The summary line, and one line a region for the dashboard's per-region graphs (metrics would cost more).
    expect(info).toHaveBeenCalledWith('reconciliation summary', { trigger: 'schedule', summary });
    const regionLines = info.mock.calls.filter(([message]) => message === 'region totals');
    expect(regionLines.map(([, record]) => (record as { region: string }).region)).toEqual(
      summary.regions.map((region) => region.region),
    );
    expect(regionLines[0]?.[1]).toMatchObject({ totals: summary.regions[0]?.totals, eligible: expect.any(Number) });
    expect(info).toHaveBeenCalledTimes(1 + summary.regions.length);
  });

  it('a dry run logs no region totals: it changed nothing, and the dashboard draws runs', async () => {
    givenPolicy(policy);
    givenOrganization();

    await runSummary({ dryRun: true }, context);

    expect(info.mock.calls.filter(([message]) => message === 'region totals')).toEqual([]);
  });

  it('a manual dry run makes zero write calls and shows what would change', async () => {
    givenPolicy({ ...policy, orgPackagePaths: ['/opt/app'] });
    givenOrganization();

    const summary = await runSummary({ dryRun: true }, context);

    expect(summary.dryRun).toBe(true);
    expect(summary.changes).toHaveLength(6);
    expect(writeCalls()).toEqual([]);
  });

  it('limits a manual run to the requested accounts and regions', async () => {
    givenPolicy(policy);
    givenOrganization();

    const summary = await runSummary({ accountIds: ['111111111111'], regions: ['eu-west-1'] }, context);

    expect(summary.regions.map((r) => r.region)).toEqual(['eu-west-1']);
    expect(inspector.commandCalls(BatchUpdateMemberEc2DeepInspectionStatusCommand)[0]?.args[0].input).toEqual({
      accountIds: [{ accountId: '111111111111', activateDeepInspection: true }],
    });
  });

  it.each([
    ['an unknown field', { dryRun: true, acountIds: [] }],
    ['a malformed account id', { accountIds: ['12'] }],
    ['the console default test event', { key1: 'value1' }],
  ])('rejects %s before any AWS call', async (_name, event) => {
    await expect(handler(event, context)).rejects.toThrow(InvocationError);
    expect(anyCalls()).toEqual([]);
  });

  it('an invalid policy fails with its problems and makes zero writes', async () => {
    givenPolicy({ version: 1, default: 'ON' });
    givenOrganization();
    await expect(handler({}, context)).rejects.toThrow(PolicyError);
    await expect(handler({}, context)).rejects.toThrow('$.default (line 1, column 24): "ON" is not one of');
    expect(writeCalls()).toEqual([]);
    expect(error).toHaveBeenCalledWith('reconciliation failed', {
      error: expect.stringContaining('PolicyError'),
    });
  });

  it('a scheduled run with an invalid policy is not retried for nothing: it logs, counts it and returns', async () => {
    givenPolicy({ version: 1, default: 'ON' });
    givenOrganization();
    const counted = jest.spyOn(metrics, 'addMetric');

    const result = await handler(schedulerInput, context);

    expect(result).toEqual({ failed: true, retried: false, error: expect.stringContaining('PolicyError') });
    expect(counted).toHaveBeenCalledWith('RunsFailedNotRetried', 'Count', 1);
    expect(writeCalls()).toEqual([]);
    expect(error).toHaveBeenCalledWith('not retried: a retry would fail the same way until the cause is fixed', {
      error: expect.stringContaining('$.default'),
    });
  });

  it('a scheduled run whose only failure is a region denying access is not retried; a throttled one is', async () => {
    givenPolicy(policy);
    givenOrganization({ deniedRegion: 'eu-west-1' });
    await expect(handler(schedulerInput, context)).resolves.toMatchObject({ failed: true, retried: false });

    inspector.reset();
    givenOrganization();
    inspector
      .on(BatchGetAccountStatusCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' }));
    await expect(handler(schedulerInput, context)).rejects.toThrow(RunFailedError);
  });

  it('retries of one scheduled run cannot deactivate more than its per-run limit between them', async () => {
    // Two members to switch off in us-east-1; eu-west-1 comes back on the retry with two more.
    givenPolicy({
      version: 2,
      default: 'DEACTIVATED',
      regions: ['us-east-1', 'eu-west-1'],
      rules: [{ name: 'the administrator', accounts: [ADMIN], deepInspection: 'UNMANAGED' }],
      guardrails: { maxDeactivationsPerRun: 2 },
    });
    givenOrganization({ deniedRegion: 'eu-west-1', regionError: 'InternalServerException' });
    // Inspector's state, per region, as the updates leave it.
    const on = new Map([
      ['us-east-1', new Set(['111111111111', '222222222222'])],
      ['eu-west-1', new Set(['333333333333', '111111111111'])],
    ]);
    inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).callsFake(async ({ accountIds }, getClient) => {
      const active = on.get(await getClient().config.region());
      return {
        accountIds: accountIds.map((accountId: string) => ({
          accountId,
          status: active?.has(accountId) ? 'ACTIVATED' : 'DEACTIVATED',
        })),
      };
    });
    inspector.on(BatchUpdateMemberEc2DeepInspectionStatusCommand).callsFake(async ({ accountIds }, getClient) => {
      const active = on.get(await getClient().config.region());
      return {
        accountIds: accountIds.map((a: { accountId: string; activateDeepInspection: boolean }) => {
          if (!a.activateDeepInspection) active?.delete(a.accountId);
          return { accountId: a.accountId, status: a.activateDeepInspection ? 'ACTIVATED' : 'DEACTIVATED' };
        }),
      };
    });
    const deactivated = () =>
      inspector
        .commandCalls(BatchUpdateMemberEc2DeepInspectionStatusCommand)
        .flatMap((c) => c.args[0].input.accountIds ?? [])
        .filter((a) => a.activateDeepInspection === false).length;

    await expect(handler(schedulerInput, context)).rejects.toThrow(RunFailedError);
    expect(deactivated()).toBe(2);

    // Lambda's retry: same request id, eu-west-1 readable again.
    inspector.on(BatchGetAccountStatusCommand).callsFake(({ accountIds }) => ({
      accounts: accountIds.map((accountId: string) => ({
        accountId,
        state: { status: 'ENABLED' },
        resourceState: { ec2: { status: 'ENABLED' }, ecr: { status: 'ENABLED' } },
      })),
    }));
    const retry = await runSummary(schedulerInput, context);
    expect(deactivated()).toBe(2);
    expect(retry.guardrail).toMatchObject({ tripped: true, usedThisRun: 2, remaining: { thisRun: 0, today: 2 } });

    // Scheduler's own retry of the same scheduled time is a new invocation: it counts against the same run.
    const schedulerRetry = await runSummary(schedulerInput, { ...context, awsRequestId: 'req-2' } as Context);
    expect(schedulerRetry.guardrail).toMatchObject({ tripped: true, usedThisRun: 2 });

    // The next hour's run has a budget of its own, within the day's.
    const nextHour = { ...schedulerInput, scheduledTime: '2026-11-21T13:00:00Z' };
    const next = await runSummary(nextHour, { ...context, awsRequestId: 'req-3' } as Context);
    expect(next.guardrail).toMatchObject({ tripped: false, usedThisRun: 0, usedToday: 2, dailyLimit: 4 });
    expect(deactivated()).toBe(4);
    expect(JSON.parse(ledger.value ?? '{}').entries.map((e: { run: string }) => e.run)).toEqual([
      'schedule 2026-11-21T12:00:00Z',
      'schedule 2026-11-21T13:00:00Z',
    ]);
  });

  it('a missing environment variable fails with its name before any AWS call', async () => {
    delete process.env.FAILED_ACCOUNTS_QUEUE_URL;
    await expect(handler({}, context)).rejects.toThrow(ConfigError);
    await expect(handler({}, context)).rejects.toThrow('FAILED_ACCOUNTS_QUEUE_URL: is required');
    expect(anyCalls()).toEqual([]);
  });

  it('one region failing does not stop the other; the run reports both, then fails', async () => {
    givenPolicy(policy);
    givenOrganization({ deniedRegion: 'eu-west-1' });

    await expect(handler({}, context)).rejects.toThrow(RunFailedError);

    const { summary } = (info.mock.calls[0] ?? [])[1] as {
      summary: {
        regions: { region: string; error?: string; totals: { activated: number; failed: number } }[];
      };
    };
    expect(summary.regions.map((r) => [r.region, r.totals.activated, r.totals.failed, r.error])).toEqual([
      ['us-east-1', 3, 0, undefined],
      ['eu-west-1', 0, 4, 'AccessDeniedException: not the delegated administrator'],
    ]);
    expect(inspector.commandCalls(BatchUpdateMemberEc2DeepInspectionStatusCommand)).toHaveLength(1);
    // Access denied heals with no retry: one message for the region, not one per account, run after run.
    const queued = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(queued.map((e) => JSON.parse(e.MessageBody ?? '{}'))).toEqual([
      expect.objectContaining({ scope: 'REGION', region: 'eu-west-1', reason: 'REGION_UNREADABLE', accounts: 4 }),
    ]);
  });

  it('near its deadline, writes nothing, queues every account as not reached, and returns', async () => {
    givenPolicy(policy);
    givenOrganization();
    // Time to list the organization, not to start reading: every account is reported as not reached.
    const remaining = marginsFor(CALL_TIMEOUTS).stopStartingMs - 1_000;
    const late = { ...context, getRemainingTimeInMillis: () => remaining } as Context;

    const summary = await runSummary(scheduledEvent, late);

    expect(summary.deadlineReached).toBe(true);
    expect(inspector.commandCalls(BatchUpdateMemberEc2DeepInspectionStatusCommand)).toHaveLength(0);
    const reasons = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => JSON.parse(e.MessageBody ?? '{}').reason);
    expect(reasons).toEqual(Array(8).fill('TIMEOUT_NOT_REACHED'));
  });

  it('a scheduled run whose problems a retry would meet again (an entry SQS refuses as the sender’s fault among them) is not retried, so nothing is sent again', async () => {
    givenPolicy(policy);
    // A region denied for good: its one region message is what the queue is asked to take.
    givenOrganization({ deniedRegion: 'eu-west-1' });
    sqs.on(SendMessageBatchCommand).callsFake((input) => {
      const [refused, ...rest] = input.Entries ?? [];
      return {
        ...acceptAll({ ...input, Entries: rest }),
        Failed: [{ Id: refused?.Id, SenderFault: true, Code: 'InvalidMessageContents', Message: 'refused' }],
      };
    });

    const result = await handler(schedulerInput, context);

    expect(result).toMatchObject({ failed: true, retried: false });
    expect((result as { error: string }).error).toContain('1 failures could not be sent to the failed-accounts queue');
    expect((result as { error: string }).error).toContain('InvalidMessageContents: refused');
  });

  it.each([
    ['AccessDeniedException', 'not retried'],
    ['KmsAccessDenied', 'not retried'],
  ])('a scheduled run whose queue sends are refused with %s is %s, naming the cause', async (code) => {
    givenPolicy(policy);
    // A region denied for good: its one region message is what the queue is asked to take.
    givenOrganization({ deniedRegion: 'eu-west-1' });
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('denied'), { name: code, $fault: 'client' }));

    const result = await handler(schedulerInput, context);

    expect(result).toMatchObject({ failed: true, retried: false });
    expect((result as { error: string }).error).toContain(`${code}: denied`);
  });

  it('a deleted ledger is said in the summary and the log even when the run has nothing to deactivate', async () => {
    givenPolicy(policy);
    givenOrganization();
    ledger = { version: 0 };

    const summary = (await handler({ dryRun: true }, context)) as RunSummary;

    expect(summary.guardrail).toMatchObject({
      ledgerUnavailable: expect.stringContaining(LEDGER),
      remaining: { thisRun: 0 },
    });
    expect(error).toHaveBeenCalledWith(
      'the deactivation ledger could not be read: every deactivation is held until it is back',
      { ledger: expect.stringContaining(LEDGER) },
    );
  });

  it('when the queue takes nothing, logs every failure and fails the run', async () => {
    givenPolicy(policy);
    givenOrganization({ deniedRegion: 'eu-west-1', regionError: 'InternalServerException' });
    sqs
      .on(SendMessageBatchCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'QueueDoesNotExist', $fault: 'client' }));

    await expect(handler(scheduledEvent, context)).rejects.toThrow(
      /4 failures could not be sent to the failed-accounts queue/,
    );

    const undelivered = error.mock.calls.filter(
      ([message]) => message === 'failure not delivered to the failed-accounts queue',
    );
    expect(undelivered.map(([, details]) => details.failure.accountId).sort()).toEqual([ADMIN, ...MEMBERS].sort());
  });
});

describe('failures classified by cause', () => {
  const queuedRegions = () =>
    sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => JSON.parse(e.MessageBody ?? '{}').region);

  it('a scheduled run whose policy read is throttled throws and says transient: not an invalid policy, not "not retried"', async () => {
    givenPolicy(policy);
    givenOrganization();
    ssm.on(GetParameterCommand, { Name: '/p' }).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const counted = jest.spyOn(metrics, 'addMetric');

    const failure = await handler(schedulerInput, context).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(PolicyError);
    expect((failure as Error).message).toMatch(/^transient: /);
    expect((failure as Error).message).toContain('ThrottlingException: Rate exceeded');
    expect(counted).not.toHaveBeenCalledWith('RunsFailedNotRetried', 'Count', 1);
    expect(organizations.calls()).toEqual([]);
    expect(writeCalls()).toEqual([]);
  });

  it('a scheduled run whose policy read timed out (a hung call) throws and says transient', async () => {
    givenPolicy(policy);
    givenOrganization();
    // What the SDK's request handler throws when a request outlives its requestTimeout (throwOnRequestTimeout).
    ssm
      .on(GetParameterCommand, { Name: '/p' })
      .rejects(Object.assign(new Error('request timed out after 10000 ms'), { name: 'TimeoutError' }));

    await expect(handler(schedulerInput, context)).rejects.toThrow(/^transient: .*TimeoutError/);
    expect(writeCalls()).toEqual([]);
  });

  it('Organizations throttled past the SDK’s retries: a scheduled run throws and says transient, having written nothing', async () => {
    givenPolicy(policy);
    givenOrganization();
    organizations.on(ListAccountsCommand).rejects(awsError('TooManyRequestsException', 'Rate exceeded'));

    await expect(handler(schedulerInput, context)).rejects.toThrow(/^transient: .*TooManyRequestsException/);
    expect(writeCalls()).toEqual([]);
  });

  it('access denied to the policy parameter is a policy problem: a scheduled run is not retried', async () => {
    givenPolicy(policy);
    givenOrganization();
    ssm.on(GetParameterCommand, { Name: '/p' }).rejects(awsError('AccessDeniedException', 'not authorized'));

    const result = await handler(schedulerInput, context);

    expect(result).toEqual({ failed: true, retried: false, error: expect.stringContaining('access denied') });
  });

  it('a scheduled run facing a region the account has not enabled returns "not retried", calls nothing there and queues nothing for it', async () => {
    givenPolicy(policy);
    // Any Inspector call in eu-west-1 would fail the run as a retryable error.
    givenOrganization({ deniedRegion: 'eu-west-1', regionError: 'InternalServerException' });
    givenRegions({ 'us-east-1': 'ENABLED_BY_DEFAULT', 'eu-west-1': 'DISABLED' });
    const counted = jest.spyOn(metrics, 'addMetric');

    const result = await handler(schedulerInput, context);

    expect(result).toEqual({
      failed: true,
      retried: false,
      error: expect.stringContaining('enable eu-west-1 for this account, or remove it from the policy'),
    });
    expect(queuedRegions()).not.toContain('eu-west-1');
    expect(counted).toHaveBeenCalledWith('RegionsNotEnabled', 'Count', 1);
    // One problem, one alarm: it is not also counted as a run that failed and was not retried.
    expect(counted).not.toHaveBeenCalledWith('RunsFailedNotRetried', 'Count', 1);
    // us-east-1 was reconciled in full.
    expect(inspector.commandCalls(BatchUpdateMemberEc2DeepInspectionStatusCommand)).toHaveLength(1);
  });

  it('with ListRegions denied, a region whose calls answer UnrecognizedClientException is one "not enabled" problem, naming both causes', async () => {
    givenPolicy(policy);
    givenOrganization({ deniedRegion: 'eu-west-1', regionError: 'UnrecognizedClientException' });
    account.on(ListRegionsCommand).rejects(awsError('AccessDeniedException', 'not authorized', 403));

    const result = await handler(schedulerInput, context);

    expect(result).toMatchObject({ failed: true, retried: false });
    const { error: message } = result as { error: string };
    expect(message).toContain('enable eu-west-1 for this account, or remove it from the policy');
    expect(message).toContain('global STS endpoint');
    expect(queuedRegions()).not.toContain('eu-west-1');
  });

  it('a region still being enabled (ENABLING) fails the run as transient, so it is retried', async () => {
    givenPolicy(policy);
    givenOrganization();
    givenRegions({ 'us-east-1': 'ENABLED_BY_DEFAULT', 'eu-west-1': 'ENABLING' });

    await expect(handler(schedulerInput, context)).rejects.toThrow(/^transient: .*eu-west-1 is being enabled/);
    expect(queuedRegions()).not.toContain('eu-west-1');
  });

  it('a region denying access queues one message for the region, not one per account, and is not retried', async () => {
    givenPolicy(policy);
    givenOrganization({ deniedRegion: 'eu-west-1' });

    const result = await handler(schedulerInput, context);

    expect(result).toMatchObject({ failed: true, retried: false });
    const messages = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => JSON.parse(e.MessageBody ?? '{}'));
    expect(messages).toEqual([
      expect.objectContaining({
        scope: 'REGION',
        region: 'eu-west-1',
        reason: 'REGION_UNREADABLE',
        accounts: 4,
        errorMessage: 'AccessDeniedException: not the delegated administrator',
      }),
    ]);
  });
});

describe('Security Hub findings', () => {
  const asksForFindings = {
    version: 2,
    default: 'ACTIVATED',
    regions: ['us-east-1', 'eu-west-1'],
    findings: { securityHub: true },
  };
  const region = async (getClient: () => SecurityHubClient) => getClient().config.region();
  /** Security Hub enabled everywhere but `disabledIn`, with no open finding; every import accepted. */
  function givenSecurityHub({ disabledIn }: { disabledIn?: string } = {}) {
    securityHub.on(GetFindingsCommand).callsFake(async (_input, getClient) => {
      if ((await region(getClient)) === disabledIn) {
        throw awsError('InvalidAccessException', `Account ${ADMIN} is not subscribed to AWS Security Hub`, 401);
      }
      return { Findings: [] };
    });
    securityHub
      .on(BatchImportFindingsCommand)
      .callsFake(async ({ Findings }) => ({ SuccessCount: Findings.length, FailedCount: 0, FailedFindings: [] }));
  }
  const warnings = () => warn.mock.calls.filter(([message]) => String(message).includes('Security Hub'));

  it.each([
    ['the stack grants it, the policy does not ask (version 1)', 'true', policy],
    ['the stack grants it, the policy says false', 'true', { ...asksForFindings, findings: { securityHub: false } }],
    ['the stack does not grant it, the policy does not ask', undefined, { ...asksForFindings, findings: undefined }],
  ])('%s: zero Security Hub calls, no warning', async (_name, granted, document) => {
    if (granted) process.env.SECURITY_HUB_FINDINGS = granted;
    givenPolicy(document);
    givenOrganization({ ec2ScanningOff: MEMBERS[0] });
    givenSecurityHub();

    const summary = await runSummary(schedulerInput);

    expect(securityHub.calls()).toEqual([]);
    expect(summary.findings).toBeUndefined();
    expect(warnings()).toEqual([]);
  });

  it('the policy asks but the stack grants no Security Hub permission: one warning, zero calls, the run unaffected', async () => {
    givenPolicy(asksForFindings);
    givenOrganization({ ec2ScanningOff: MEMBERS[0] });
    givenSecurityHub();

    const summary = await runSummary(schedulerInput);

    expect(securityHub.calls()).toEqual([]);
    expect(warnings()).toEqual([
      [
        'Security Hub findings not synced',
        { warning: expect.stringContaining('does not grant Security Hub permissions') },
      ],
    ]);
    expect(summary.findings).toEqual({ notGranted: expect.stringContaining('deploy with the findings setting on') });
    expect(summary.totals).toMatchObject({ compliant: 2, activated: 4, skipped: 2, failed: 0 });
  });

  it('on: imports each exception into the Security Hub of its region, as the function’s own account', async () => {
    process.env.SECURITY_HUB_FINDINGS = 'true';
    givenPolicy(asksForFindings);
    givenOrganization({ ec2ScanningOff: MEMBERS[0] });
    givenSecurityHub();

    const summary = await runSummary(schedulerInput);

    const imports = await Promise.all(
      securityHub.commandCalls(BatchImportFindingsCommand).map(async (call) => ({
        region: await call.thisValue.config.region(),
        findings: call.args[0].input.Findings ?? [],
      })),
    );
    expect(imports.map(({ region }) => region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    for (const { region: called, findings } of imports) {
      expect(findings).toEqual([
        expect.objectContaining({
          Id: `deep-inspection-reconciler/${called}/account/${MEMBERS[0]}/EC2_SCANNING_NOT_ENABLED`,
          AwsAccountId: ADMIN,
          ProductArn: `arn:aws:securityhub:${called}:${ADMIN}:product/${ADMIN}/default`,
          Resources: [expect.objectContaining({ Type: 'AwsAccount', Id: `AWS::::Account:${MEMBERS[0]}` })],
        }),
      ]);
    }
    // The open findings are read with the filters that keep them to this product, account and region.
    const filters = securityHub.commandCalls(GetFindingsCommand)[0]?.args[0].input.Filters;
    expect(Object.keys(filters ?? {}).sort()).toEqual([
      'AwsAccountId',
      'GeneratorId',
      'ProductArn',
      'RecordState',
      'Region',
    ]);
    expect(summary.findings).toMatchObject({
      imported: 2,
      archived: 0,
      failed: 0,
      calls: 6,
      exceptions: { EC2_SCANNING_NOT_ENABLED: 2 },
    });
  });

  it('a region without Security Hub: one warning and one metric; the others synced and the reconcile unaffected', async () => {
    process.env.SECURITY_HUB_FINDINGS = 'true';
    givenPolicy(asksForFindings);
    givenOrganization({ ec2ScanningOff: MEMBERS[0] });
    givenSecurityHub({ disabledIn: 'eu-west-1' });
    const counted = jest.spyOn(metrics, 'addMetric');
    const dimensions = jest.spyOn(metrics, 'addDimension');

    const summary = await runSummary(schedulerInput);

    expect(warnings()).toEqual([
      ['Security Hub findings', { warning: expect.stringContaining('Security Hub CSPM not enabled in eu-west-1') }],
    ]);
    expect(dimensions).toHaveBeenCalledWith('Region', 'eu-west-1');
    expect(counted).toHaveBeenCalledWith('SecurityHubNotEnabled', 'Count', 1);
    expect(counted.mock.calls.filter(([name]) => name === 'SecurityHubNotEnabled')).toHaveLength(1);
    expect(counted).toHaveBeenCalledWith('RegionsWithoutSecurityHub', 'Count', 1);
    // Nothing else asked of eu-west-1's Security Hub; us-east-1's finding imported.
    expect(securityHub.commandCalls(BatchImportFindingsCommand)).toHaveLength(1);
    expect(summary.findings).toMatchObject({ imported: 1, regionsWithoutSecurityHub: ['eu-west-1'] });
    // The reconcile as without findings: every change applied, the run completed.
    expect(summary.totals).toMatchObject({ compliant: 2, activated: 4, skipped: 2, failed: 0 });
    expect(inspector.commandCalls(BatchUpdateMemberEc2DeepInspectionStatusCommand)).toHaveLength(2);
    expect(counted).toHaveBeenCalledWith('RunsCompleted', 'Count', 1);
  });

  it('Security Hub refusing a call never fails the run: a warning and the FindingsRegionErrors metric', async () => {
    process.env.SECURITY_HUB_FINDINGS = 'true';
    givenPolicy(asksForFindings);
    givenOrganization({ ec2ScanningOff: MEMBERS[0] });
    givenSecurityHub();
    securityHub.on(GetFindingsCommand).rejects(awsError('AccessDeniedException', 'not authorized to GetFindings', 403));
    const counted = jest.spyOn(metrics, 'addMetric');

    const summary = await runSummary(schedulerInput);

    expect(summary.totals.failed).toBe(0);
    expect(counted).toHaveBeenCalledWith('FindingsRegionErrors', 'Count', 2);
    expect(counted).toHaveBeenCalledWith('RunsCompleted', 'Count', 1);
    expect(warnings()).toHaveLength(2);
    expect(securityHub.commandCalls(BatchImportFindingsCommand)).toEqual([]);
  });

  it('findings Security Hub refuses twice are logged with their error and counted', async () => {
    process.env.SECURITY_HUB_FINDINGS = 'true';
    givenPolicy({ ...asksForFindings, regions: ['us-east-1'] });
    givenOrganization({ ec2ScanningOff: MEMBERS[0] });
    givenSecurityHub();
    securityHub.on(BatchImportFindingsCommand).callsFake(async ({ Findings }) => ({
      SuccessCount: 0,
      FailedCount: Findings.length,
      FailedFindings: Findings.map((f: { Id: string }) => ({
        Id: f.Id,
        ErrorCode: 'InvalidInput',
        ErrorMessage: 'bad',
      })),
    }));
    const counted = jest.spyOn(metrics, 'addMetric');

    await runSummary(schedulerInput);

    expect(counted).toHaveBeenCalledWith('FindingsFailed', 'Count', 1);
    expect(warnings()).toEqual([
      [
        'findings Security Hub refused',
        { failed: 1, failures: [expect.objectContaining({ errorCode: 'InvalidInput', region: 'us-east-1' })] },
      ],
    ]);
  });

  it('a dry run makes no Security Hub call, and publishes no findings metric', async () => {
    process.env.SECURITY_HUB_FINDINGS = 'true';
    givenPolicy(asksForFindings);
    givenOrganization({ ec2ScanningOff: MEMBERS[0] });
    givenSecurityHub();
    const counted = jest.spyOn(metrics, 'addMetric');

    const summary = await runSummary({ dryRun: true });

    expect(securityHub.calls()).toEqual([]);
    expect(summary.findings).toMatchObject({ dryRun: true, calls: 0, exceptions: { EC2_SCANNING_NOT_ENABLED: 2 } });
    expect(counted.mock.calls.map(([name]) => name)).not.toContain('FindingsImported');
  });
});
