import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

// The command's own read, not the function's (which never calls GetQueueUrl: its queue is bound at deploy).

/**
 * The region a queue URL names in its host: `sqs.REGION.amazonaws.com` (and `.amazonaws.com.cn`, `sqs-fips.`),
 * or the legacy `REGION.queue.amazonaws.com` (Amazon SQS Developer Guide, "Amazon SQS queue and message
 * identifiers"); undefined for any other host (a local endpoint).
 */
export function queueRegion(queueUrl: string): string | undefined {
  const host = new URL(queueUrl).hostname;
  return (
    /^sqs(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1] ??
    /^([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1]
  );
}

/** The path of a queue URL: /ACCOUNT/NAME, a queue name as SQS allows it (up to 80 of A–Z a–z 0–9 - _, .fifo). */
const QUEUE_PATH = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;

/**
 * Whether the queue at `queueUrl` exists, by SQS GetQueueUrl on its name and owner, asked in the region
 * its URL names (else `homeRegion`): undefined when it does, else why not, naming the queue. It proves no
 * more than that: no read proves that sqs:SendMessage is allowed on it (SQS API Reference, GetQueueUrl:
 * "To access a queue that belongs to another AWS account, use the QueueOwnerAWSAccountId parameter").
 * @throws what GetQueueUrl throws other than QueueDoesNotExist (access denied, throttling, a network error)
 */
export async function queueProblem(
  clientFor: (region: string) => SQSClient,
  homeRegion: string,
  queueUrl: string,
): Promise<string | undefined> {
  const [, owner, name] = QUEUE_PATH.exec(new URL(queueUrl).pathname) ?? [];
  if (owner === undefined || name === undefined) {
    return `${queueUrl} is not a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)`;
  }
  try {
    await clientFor(queueRegion(queueUrl) ?? homeRegion).send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: owner }),
    );
    return undefined;
  } catch (error) {
    const code = (error as Error).name;
    if (code === 'QueueDoesNotExist' || code === 'AWS.SimpleQueueService.NonExistentQueue') {
      return `the queue ${name} of account ${owner} (${queueUrl}) does not exist (SQS GetQueueUrl): check the URL, or create the queue`;
    }
    throw error;
  }
}
