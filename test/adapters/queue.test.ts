import { SendMessageBatchCommand, type SendMessageBatchRequest, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  FAILURE_MESSAGE_VERSION,
  type FailureMessage,
  failureMessage,
  SqsFailureQueue,
} from '../../lambda/reconciler/aws/queue';
import { acceptAll, acceptAsSqsDoes } from '../support/sqs';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/failed-accounts';
const queue = () => new SqsFailureQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL, 1);

const messages = (count: number): FailureMessage[] =>
  Array.from({ length: count }, (_, i) => ({
    version: FAILURE_MESSAGE_VERSION,
    scope: 'ACCOUNT' as const,
    runId: 'run-1',
    timestamp: '2026-11-21T12:00:00.000Z',
    accountId: String(100000000000 + i),
    region: 'eu-west-1',
    desired: 'ACTIVATED',
    observed: 'DEACTIVATED',
    reason: 'UPDATE_FAILED',
    errorMessage: 'boom',
    deduplicationKey: `schedule 2026-11-21T12:00:00Z eu-west-1 ${100000000000 + i}`,
  }));

beforeEach(() => sqs.reset());

describe('SqsFailureQueue.send', () => {
  it('sends in batches of ten, one JSON message per account and region', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(acceptAll);
    const result = await queue().send(messages(25));

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 5]);
    expect(calls[0]?.args[0].input.QueueUrl).toBe(QUEUE_URL);
    expect(JSON.parse(calls[0]?.args[0].input.Entries?.[0]?.MessageBody ?? '')).toEqual(messages(1)[0]);
    expect(result).toEqual({ sent: 25, undelivered: [] });
  });

  it('retries only the entries a 200 response lists as Failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .callsFakeOnce((input: SendMessageBatchRequest) => ({
        Failed: [{ Id: '3', SenderFault: false, Code: 'InternalError', Message: 'retry' }],
        Successful: acceptAll(input).Successful.filter((entry) => entry.Id !== '3'),
      }))
      .callsFake(acceptAll);

    const result = await queue().send(messages(10));

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries?.map((e) => JSON.parse(e.MessageBody ?? '').accountId)).toEqual([
      '100000000003',
    ]);
    expect(result).toEqual({ sent: 10, undelivered: [] });
  });

  it('gives up on a sender fault at once, and on a service fault after three attempts, reporting both', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Failed: [
        { Id: '0', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad' },
        { Id: '1', SenderFault: false, Code: 'InternalError', Message: 'down' },
      ],
      Successful: [],
    });

    const result = await queue().send(messages(2));

    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
    expect(result.sent).toBe(0);
    expect(result.undelivered.map((u) => [(u.message as FailureMessage).accountId, u.error])).toEqual([
      ['100000000000', 'InvalidMessageContents: bad'],
      ['100000000001', 'InternalError: down'],
    ]);
  });

  it('reports every message of a batch whose call fails outright', async () => {
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('queue gone'), { name: 'QueueDoesNotExist' }));
    const result = await queue().send(messages(12));
    expect(result.sent).toBe(0);
    expect(result.undelivered).toHaveLength(12);
    expect(result.undelivered[0]?.error).toBe('QueueDoesNotExist: queue gone');
  });

  it('retries an entry the response lists neither as Successful nor as Failed, and never counts it sent', async () => {
    // First answer leaves entry 2 out of both lists; the retry takes it.
    sqs
      .on(SendMessageBatchCommand)
      .callsFakeOnce((input: SendMessageBatchRequest) => ({
        Successful: acceptAll(input).Successful.filter((entry) => entry.Id !== '2'),
        Failed: [],
      }))
      .callsFake(acceptAll);

    const result = await queue().send(messages(5));

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.map((e) => e.Id))).toEqual([['0', '1', '2', '3', '4'], ['2']]);
    expect(result).toEqual({ sent: 5, undelivered: [] });
  });

  it('reports an entry no response ever lists as undelivered', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    const result = await queue().send(messages(2));

    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
    expect(result.sent).toBe(0);
    expect(result.undelivered.map((u) => u.error)).toEqual([
      'neither Successful nor Failed in the response',
      'neither Successful nor Failed in the response',
    ]);
  });

  it('sends nothing once the deadline has aborted, and reports every message undelivered', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(acceptAll);
    const result = await queue().send(messages(3), AbortSignal.abort());
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(result.undelivered).toHaveLength(3);
  });

  it('escapes every character SQS refuses, so that a rule name holding U+FFFF or a lone surrogate cannot fail an entry', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(acceptAsSqsDoes);
    const awkward = ['rule \uFFFF end', 'half a pair \uD83D here', 'the other half \uDE00', 'bell \u0007 and \uFFFE'];
    const batch = messages(10).map((message, i) => ({ ...message, rule: awkward[i % awkward.length] as string }));

    const result = await queue().send(batch);

    expect(result).toEqual({ sent: 10, undelivered: [] });
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(1);
    const bodies = calls[0]?.args[0].input.Entries?.map((entry) => entry.MessageBody ?? '') ?? [];
    // Plain JSON still: a consumer's JSON.parse gives back the rule name as it was.
    expect(bodies.map((body) => JSON.parse(body).rule)).toEqual(batch.map((message) => message.rule));
  });

  it('sends each message once: one entry SQS refuses is reported, not sent again, and the other nine are not re-sent', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchRequest) => {
      const answer = acceptAll(input);
      return {
        Successful: answer.Successful.filter((entry) => entry.Id !== '4'),
        Failed: input.Entries?.some((entry) => entry.Id === '4')
          ? [{ Id: '4', SenderFault: true, Code: 'InvalidParameterValue', Message: 'refused' }]
          : [],
      };
    });

    const result = await queue().send(messages(10));

    const sentIds = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries?.map((entry) => entry.Id) ?? []);
    expect(sentIds).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(result.sent).toBe(9);
    expect(result.undelivered.map((u) => [(u.message as FailureMessage).accountId, u.error])).toEqual([
      ['100000000004', 'InvalidParameterValue: refused'],
    ]);
  });

  it('gives every message its stable deduplication key, as a String message attribute and in the body', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(acceptAll);
    await queue().send(messages(2));
    const entries = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    expect(entries.map((entry) => entry.MessageAttributes)).toEqual([
      { DeduplicationKey: { DataType: 'String', StringValue: 'schedule 2026-11-21T12:00:00Z eu-west-1 100000000000' } },
      { DeduplicationKey: { DataType: 'String', StringValue: 'schedule 2026-11-21T12:00:00Z eu-west-1 100000000001' } },
    ]);
    expect(entries.map((entry) => JSON.parse(entry.MessageBody ?? '').deduplicationKey)).toEqual([
      'schedule 2026-11-21T12:00:00Z eu-west-1 100000000000',
      'schedule 2026-11-21T12:00:00Z eu-west-1 100000000001',
    ]);
  });
});

describe('failureMessage', () => {
  it('keys a failure by the run’s guardrail key, its region and account: the same in every retry of the run', () => {
    const failure = {
      kind: 'FAILED' as const,
      accountId: '111122223333',
      region: 'eu-west-1',
      desired: 'ACTIVATED' as const,
      reason: 'UPDATE_FAILED' as const,
    };
    const attempts = ['req-1', 'req-2'].map((runId) =>
      failureMessage(failure, { runId, run: 'schedule 2026-11-21T12:00:00Z', timestamp: '2026-11-21T12:00:05.000Z' }),
    );
    expect(attempts.map((message) => message.deduplicationKey)).toEqual([
      'schedule 2026-11-21T12:00:00Z eu-west-1 111122223333',
      'schedule 2026-11-21T12:00:00Z eu-west-1 111122223333',
    ]);
    expect(attempts.map((message) => message.runId)).toEqual(['req-1', 'req-2']);
  });
});
