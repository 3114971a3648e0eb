import { SendMessageBatchCommand, type SendMessageBatchRequest, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { FAILURE_MESSAGE_VERSION, type FailureMessage, SqsFailureQueue } from '../../lambda/reconciler/aws/queue';
import { acceptAll } from '../support/sqs';

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
});
