import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

// The command's own read, not the function's (which never calls GetQueueUrl: its queue is bound at deploy).
/**
 * Whether the queue at `queueUrl` exists, by SQS GetQueueUrl on its name and owner (the URL's last two
 * path segments): undefined when it does, else why not, naming the queue. It proves no more than that:
 * no read proves that sqs:SendMessage is allowed on it (SQS API Reference, GetQueueUrl: "To access a queue
 * that belongs to another AWS account, use the QueueOwnerAWSAccountId parameter").
 * @throws what GetQueueUrl throws other than QueueDoesNotExist (access denied, throttling, a network error)
 */
export async function queueProblem(client: SQSClient, queueUrl: string): Promise<string | undefined> {
  const [owner, name] = new URL(queueUrl).pathname.split('/').filter(Boolean).slice(-2);
  if (owner === undefined || name === undefined || !/^\d{12}$/.test(owner)) {
    return `${queueUrl} is not a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)`;
  }
  try {
    await client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: owner }));
    return undefined;
  } catch (error) {
    const code = (error as Error).name;
    if (code === 'QueueDoesNotExist' || code === 'AWS.SimpleQueueService.NonExistentQueue') {
      return `the queue ${name} of account ${owner} (${queueUrl}) does not exist (SQS GetQueueUrl): check the URL, or create the queue`;
    }
    throw error;
  }
}
