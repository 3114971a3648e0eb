import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { chunk } from '../batches';
import type { Failure } from '../model';
import { describe } from './inspector';

/** SQS's documented ceiling for SendMessageBatch entries. */
export const MAX_MESSAGES_PER_BATCH = 10;
/** Attempts for entries SQS reports in `Failed` without a sender fault; the SDK already retried the call itself. */
const ENTRY_ATTEMPTS = 3;
const RETRY_BASE_DELAY_MS = 200;

/** Version of the message body below; bump it on any incompatible change. */
export const FAILURE_MESSAGE_VERSION = 1;

/** One message per account and region that the run could not bring to its desired state. */
export interface FailureMessage {
  readonly version: typeof FAILURE_MESSAGE_VERSION;
  readonly runId: string;
  readonly timestamp: string;
  readonly accountId: string;
  readonly region: string;
  readonly desired: string;
  readonly observed?: string;
  readonly reason: string;
  readonly errorMessage?: string;
  readonly ec2ScanStatus?: string;
  readonly rule?: string;
}

export interface Undelivered {
  readonly message: FailureMessage;
  readonly error: string;
}

export interface FailureQueue {
  send(messages: readonly FailureMessage[]): Promise<{ sent: number; undelivered: Undelivered[] }>;
}

export function failureMessage(failure: Failure, runId: string, timestamp: string): FailureMessage {
  return {
    version: FAILURE_MESSAGE_VERSION,
    runId,
    timestamp,
    accountId: failure.accountId,
    region: failure.region,
    desired: failure.desired,
    ...(failure.observed === undefined ? {} : { observed: failure.observed }),
    reason: failure.reason,
    ...(failure.errorMessage === undefined ? {} : { errorMessage: failure.errorMessage }),
    ...(failure.ec2ScanStatus === undefined ? {} : { ec2ScanStatus: failure.ec2ScanStatus }),
    ...(failure.rule === undefined ? {} : { rule: failure.rule }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends in batches of ten, retrying the entries a 200 response still lists in `Failed`. */
export class SqsFailureQueue implements FailureQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly retryBaseDelayMs = RETRY_BASE_DELAY_MS,
  ) {}

  async send(messages: readonly FailureMessage[]): Promise<{ sent: number; undelivered: Undelivered[] }> {
    let sent = 0;
    const undelivered: Undelivered[] = [];
    for (const batch of chunk(messages, MAX_MESSAGES_PER_BATCH)) {
      const result = await this.sendBatch(batch);
      sent += result.sent;
      undelivered.push(...result.undelivered);
    }
    return { sent, undelivered };
  }

  private async sendBatch(batch: readonly FailureMessage[]): Promise<{ sent: number; undelivered: Undelivered[] }> {
    let pending = new Map(batch.map((message, index) => [String(index), message]));
    let sent = 0;
    const undelivered: Undelivered[] = [];
    for (let attempt = 1; pending.size > 0; attempt++) {
      const entries: SendMessageBatchRequestEntry[] = [...pending].map(([Id, message]) => ({
        Id,
        MessageBody: JSON.stringify(message),
      }));
      let failed: { Id?: string; SenderFault?: boolean; Code?: string; Message?: string }[];
      try {
        const response = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
        );
        failed = response.Failed ?? [];
      } catch (error) {
        const reason = describe(error);
        return {
          sent,
          undelivered: [...undelivered, ...[...pending.values()].map((message) => ({ message, error: reason }))],
        };
      }
      const retry = new Map<string, FailureMessage>();
      for (const entry of failed) {
        const message = entry.Id === undefined ? undefined : pending.get(entry.Id);
        if (message === undefined) continue;
        const error = `${entry.Code ?? 'Failed'}: ${entry.Message ?? 'no message'}`;
        // A sender fault (a malformed entry) fails the same way every time; only service-side faults are retried.
        if (entry.SenderFault || attempt >= ENTRY_ATTEMPTS) undelivered.push({ message, error });
        else retry.set(entry.Id as string, message);
      }
      sent += pending.size - failed.filter((entry) => entry.Id !== undefined && pending.has(entry.Id)).length;
      pending = retry;
      if (pending.size > 0) await sleep(this.retryBaseDelayMs * 2 ** (attempt - 1));
    }
    return { sent, undelivered };
  }
}
