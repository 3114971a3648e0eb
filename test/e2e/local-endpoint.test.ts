import {
  BatchGetAccountStatusCommand,
  GetConfigurationCommand,
  Inspector2Client,
  paginateListCoverage,
} from '@aws-sdk/client-inspector2';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedCoverage } from '../../local/simulated-coverage';
import { accountId, SimulatedOrganization } from '../../local/simulated-organization';

let endpoint: LocalAwsEndpoint;
const savedEnv = { ...process.env };
const ids = (count: number) => Array.from({ length: count }, (_, i) => accountId(i));

beforeEach(async () => {
  endpoint = await LocalAwsEndpoint.start(SimulatedOrganization.generate({ accounts: 30, regions: ['eu-west-1'] }));
  Object.assign(process.env, endpoint.environment());
});

afterEach(async () => {
  await endpoint.close();
  process.env = { ...savedEnv };
});

const inspector = (maxAttempts = 1) => new Inspector2Client({ region: 'eu-west-1', maxAttempts });
const organizations = (maxAttempts = 1) => new OrganizationsClient({ region: 'us-east-1', maxAttempts });

describe('the local AWS endpoint', () => {
  it('rejects more than 100 ids, as Inspector does, with a ValidationException', async () => {
    await expect(inspector().send(new BatchGetAccountStatusCommand({ accountIds: ids(101) }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('rejects an id that is not 12 digits, naming the field as Inspector does', async () => {
    const error = await inspector()
      .send(new BatchGetAccountStatusCommand({ accountIds: ['1234'] }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ValidationException',
      reason: 'FIELD_VALIDATION_FAILED',
      fields: expect.arrayContaining([{ name: 'accountIds[0]', message: expect.stringContaining('\\d{12}') }]),
    });
  });

  it('rejects a ListAccounts page larger than 20', async () => {
    await expect(organizations().send(new ListAccountsCommand({ MaxResults: 21 }))).rejects.toMatchObject({
      name: 'InvalidInputException',
    });
  });

  it('throttles Inspector with a 429 and a Retry-After in whole seconds, as the model types it', async () => {
    endpoint.faults.throttleEveryNth = 1;
    const error = await inspector()
      .send(new BatchGetAccountStatusCommand({ accountIds: ids(1) }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    expect((error as { $response?: { headers: Record<string, string> } }).$response?.headers['retry-after']).toBe('1');
  });

  it('throttles Organizations with TooManyRequestsException', async () => {
    endpoint.faults.throttleEveryNth = 1;
    await expect(organizations().send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: 'TooManyRequestsException',
    });
  });

  it("throttles Organizations without a Retry-After, which its model's TooManyRequestsException does not declare", async () => {
    // Only Inspector's ThrottlingException declares the header (retryAfterSeconds): elsewhere the SDK waits its backoff.
    endpoint.faults.throttleEveryNth = 1;
    const error = await organizations()
      .send(new ListAccountsCommand({}))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 400 } });
    expect((error as { $response?: { headers: Record<string, string> } }).$response?.headers).not.toHaveProperty(
      'retry-after',
    );
  });

  it('answers 500 on demand, which the SDK retries', async () => {
    endpoint.faults.serverErrorEveryNth = 2;
    await inspector(3).send(new BatchGetAccountStatusCommand({ accountIds: ids(1) }));
    const second = inspector(3).send(new BatchGetAccountStatusCommand({ accountIds: ids(1) }));
    await expect(second).resolves.toMatchObject({ accounts: [expect.objectContaining({ accountId: accountId(0) })] });
    expect(endpoint.callCount('BatchGetAccountStatus')).toBe(3);
  });

  it('limits each operation to the configured rate per region, past which it throttles', async () => {
    // On a clock that stands still: no token refills between the requests, however slowly the machine sends them.
    endpoint.rateLimitClock = () => 0;
    endpoint.faults.rateLimitPerSecond = 2;
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => inspector().send(new BatchGetAccountStatusCommand({ accountIds: ids(1) }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(endpoint.throttled).toBe(3);
  });

  it('adds latency on demand', async () => {
    endpoint.faults.latencyMs = 150;
    const started = Date.now();
    await inspector().send(new BatchGetAccountStatusCommand({ accountIds: ids(1) }));
    // A lower bound, which no machine's slowness can break; less 1 ms, as Node's timers may fire that much early
    // (libuv counts a timeout from the time its loop cached, not from the call).
    expect(Date.now() - started).toBeGreaterThanOrEqual(150 - 1);
  });

  it('keeps messages sent to a queue, and fails an entry once on demand', async () => {
    const queueUrl = endpoint.createQueue('q');
    const sqs = new SQSClient({ region: 'eu-west-1' });
    endpoint.state.failQueueEntriesOnce.add('111111111111');
    const body = (id: string) => JSON.stringify({ accountId: id });
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: body('111111111111') },
          { Id: 'b', MessageBody: body('222222222222') },
        ],
      }),
    );
    expect(sent.Failed?.map((f) => f.Id)).toEqual(['a']);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual([body('222222222222')]);
  });
});

describe('the simulated SQS, no more lenient than SQS', () => {
  it('refuses, as a sender fault, an entry holding a character outside SQS’s set, takes the others, and returns attributes when asked', async () => {
    const queueUrl = endpoint.createQueue('strict');
    const sqs = new SQSClient({ region: 'eu-west-1' });
    const attributes = { DeduplicationKey: { DataType: 'String', StringValue: 'k' } };
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'ffff', MessageBody: '{"rule":"a \uFFFF"}' },
          { Id: 'surrogate', MessageBody: '{"rule":"b \uD83D"}' },
          { Id: 'escaped', MessageBody: '{"rule":"a \\uffff"}', MessageAttributes: attributes },
        ],
      }),
    );
    expect(sent.Failed?.map((f) => [f.Id, f.SenderFault, f.Code])).toEqual([
      ['ffff', true, 'InvalidMessageContents'],
      ['surrogate', true, 'InvalidMessageContents'],
    ]);
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    expect(received.Messages?.map((m) => [JSON.parse(m.Body ?? '').rule, m.MessageAttributes])).toEqual([
      ['a \uFFFF', attributes],
    ]);
  });
});

describe('client-side pacing', () => {
  it('keeps a client paced just under the endpoint rate limit from being throttled at all', async () => {
    const { pace } = await import('../../lambda/reconciler/aws/pacing');
    // One virtual clock for the client's pacing and the endpoint's rate limit, moved only by the pacing's
    // waits (at least 1 ms, as setTimeout's), and only once every request let go has reached the endpoint:
    // each arrives at the instant it was let go, however long a loaded machine holds it on the wire.
    let virtualNow = 0;
    let letGo = 0;
    const now = () => virtualNow;
    const sleep = async (ms: number) => {
      while (endpoint.callCount('BatchGetAccountStatus') < letGo) await new Promise((resolve) => setImmediate(resolve));
      virtualNow += Math.max(1, ms);
    };
    endpoint.rateLimitClock = now;
    endpoint.faults.rateLimitPerSecond = 5;
    const client = pace(inspector(), 4.5, { now, sleep });
    const countLetGo = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => {
      letGo += 1;
      return next(args);
    };
    // The SDK's middleware types are generic over each command; this one passes any request through.
    client.middlewareStack.addRelativeTo(countLetGo as never, {
      relation: 'after',
      toMiddleware: 'deepInspectionPacing',
      name: 'countLetGo',
    });
    const started = now();
    await Promise.all(
      Array.from({ length: 15 }, () => client.send(new BatchGetAccountStatusCommand({ accountIds: ids(1) }))),
    );
    expect(endpoint.throttled).toBe(0);
    // 4 at once, then 11 more at 4.5 a second.
    expect(now() - started).toBeGreaterThanOrEqual(2300);
  });
});

describe("the simulated coverage, consistent with each account's EC2 scan configuration", () => {
  it('a new account is enrolled in hybrid scanning, with the VM scanner not activated', async () => {
    const answer = await inspector().send(new GetConfigurationCommand({}));

    expect(answer.ec2Configuration).toMatchObject({
      scanModeState: { scanMode: 'EC2_HYBRID', scanModeStatus: 'SUCCESS' },
      vmScannerState: { activated: false, status: 'SUCCESS' },
    });
  });

  it('lists agentless instances only where the scan mode is EC2_HYBRID, VM scanner ones only where it is activated', async () => {
    await endpoint.close();
    const region = 'eu-west-1';
    const organization = SimulatedOrganization.generate({ accounts: 40, regions: [region], seed: 5 });
    organization.coverage = new SimulatedCoverage(organization, 12, 2);
    organization.accounts.forEach((account, index) => {
      const state = organization.inspectorAccount(region, account.id);
      if (state === undefined) return;
      // The administrator (and the members that inherit) on the SSM plugin alone; a third hybrid, a third with the VM scanner.
      if (index === 0 || index % 3 === 0)
        state.ec2Configuration = { scanMode: 'EC2_SSM_AGENT_BASED', vmScannerActivated: false };
      else if (index % 3 === 1) state.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: false };
      else state.ec2Configuration = { scanMode: 'EC2_SSM_AGENT_BASED', vmScannerActivated: true };
    });
    endpoint = await LocalAwsEndpoint.start(organization);
    Object.assign(process.env, endpoint.environment());
    const client = inspector(3);
    const configurations = new Map<string, { scanMode?: string; vmScanner?: boolean }>();
    const configurationOf = async (id: string) => {
      if (!configurations.has(id)) {
        const answer = await client.send(
          new GetConfigurationCommand(id === organization.delegatedAdminAccountId ? {} : { accountId: id }),
        );
        configurations.set(id, {
          scanMode: answer.ec2Configuration?.scanModeState?.scanMode,
          vmScanner: answer.ec2Configuration?.vmScannerState?.activated,
        });
      }
      return configurations.get(id);
    };
    const seen = { EC2_AGENTLESS: 0, EC2_INSPECTOR_AGENT_BASED: 0, EC2_SSM_AGENT_BASED: 0 };
    const mismatches: string[] = [];

    for await (const page of paginateListCoverage(
      { client },
      { filterCriteria: { resourceType: [{ comparison: 'EQUALS', value: 'AWS_EC2_INSTANCE' }] } },
    )) {
      for (const resource of page.coveredResources ?? []) {
        const configuration = await configurationOf(resource.accountId ?? '');
        const scanMode = resource.scanMode as keyof typeof seen;
        seen[scanMode] += 1;
        if (scanMode === 'EC2_AGENTLESS' && configuration?.scanMode !== 'EC2_HYBRID') {
          mismatches.push(`${resource.resourceId}: agentless under ${configuration?.scanMode}`);
        }
        if (scanMode === 'EC2_INSPECTOR_AGENT_BASED' && configuration?.vmScanner !== true) {
          mismatches.push(`${resource.resourceId}: VM scanner not activated`);
        }
      }
    }
    client.destroy();

    expect(mismatches).toEqual([]);
    expect(seen.EC2_AGENTLESS).toBeGreaterThan(0);
    expect(seen.EC2_INSPECTOR_AGENT_BASED).toBeGreaterThan(0);
    expect(seen.EC2_SSM_AGENT_BASED).toBeGreaterThan(seen.EC2_AGENTLESS + seen.EC2_INSPECTOR_AGENT_BASED);
  });
});
