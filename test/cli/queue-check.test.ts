import { GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { queueProblem, queueRegion } from '../../cli/queue-check';

const sqs = mockClient(SQSClient);
beforeEach(() => sqs.reset());

describe('the failed-accounts queue check', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/111122223333/failed', 'eu-west-1'],
    ['https://eu-central-1.queue.amazonaws.com/111122223333/failed', 'eu-central-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/111122223333/failed', 'cn-north-1'],
    ['https://sqs-fips.us-gov-west-1.amazonaws.com/111122223333/failed', 'us-gov-west-1'],
    ['http://127.0.0.1:4599/111122223333/failed', undefined],
  ])('reads the region of %s from its host', (url, region) => {
    expect(queueRegion(url)).toBe(region);
  });

  it("asks GetQueueUrl in the queue URL's region, not the home region", async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/failed' });
    const asked: string[] = [];
    const clientFor = (region: string) => {
      asked.push(region);
      return new SQSClient({ region });
    };
    const problem = await queueProblem(
      clientFor,
      'us-east-1',
      'https://sqs.eu-west-1.amazonaws.com/111122223333/failed',
    );
    expect(problem).toBeUndefined();
    expect(asked).toEqual(['eu-west-1']);
    expect(sqs.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({
      QueueName: 'failed',
      QueueOwnerAWSAccountId: '111122223333',
    });
  });

  it('asks in the home region when the URL names none (a local endpoint)', async () => {
    sqs.on(GetQueueUrlCommand).rejects(new QueueDoesNotExist({ message: 'no', $metadata: {} }));
    const asked: string[] = [];
    const problem = await queueProblem(
      (region) => {
        asked.push(region);
        return new SQSClient({ region });
      },
      'us-east-1',
      'http://127.0.0.1:4599/111122223333/failed',
    );
    expect(asked).toEqual(['us-east-1']);
    expect(problem).toContain('the queue failed of account 111122223333');
  });

  it.each([
    'https://sqs.us-east-1.amazonaws.com/111122223333/failed/',
    'https://sqs.us-east-1.amazonaws.com/111122223333/failed/extra',
    'https://sqs.us-east-1.amazonaws.com/failed',
  ])('refuses %s, which is not ACCOUNT/NAME, without a call', async (url) => {
    const problem = await queueProblem(() => new SQSClient({ region: 'us-east-1' }), 'us-east-1', url);
    expect(problem).toContain('is not a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)');
    expect(sqs.calls()).toHaveLength(0);
  });
});
