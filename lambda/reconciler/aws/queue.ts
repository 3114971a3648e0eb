import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SendMessageBatchResult,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { chunk } from '../batches';
import type { Failure } from '../model';
import { NOT_REACHED } from '../deadline/budget';
import { describeError } from '../errors/describe-error';
import { classifyError, type RetryVerdict } from '../errors/classification';

/** SQS's documented ceiling for SendMessageBatch entries. */
export const MAX_MESSAGES_PER_BATCH = 10;
/** Attempts for entries SQS reports in `Failed` without a sender fault; the SDK already retried the call itself. */
const ENTRY_ATTEMPTS = 3;
const RETRY_BASE_DELAY_MS = 200;

/**
 * Version of the message bodies below; bump it on any incompatible change (adding a field is not one).
 * 2: adds region messages (`scope: "REGION"`, no `accountId`); account messages carry `scope: "ACCOUNT"`.
 */
export const FAILURE_MESSAGE_VERSION = 2;
/** The String message attribute that carries each message's deduplication key. */
export const DEDUPLICATION_KEY_ATTRIBUTE = 'DeduplicationKey';

/**
 * Every character SendMessage does not allow in a body or a String attribute, as the SQS API Reference
 * lists the allowed ones (SendMessage, MessageBody): #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to
 * #xFFFD | #x10000 to #x10FFFF. With the `u` flag a lone surrogate is one character, outside every range.
 */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * The message as JSON that SQS always accepts: JSON.stringify already escapes control characters and
 * lone surrogates, but leaves U+FFFE and U+FFFF as they are; every character outside SQS's set (only
 * ever one UTF-16 unit: a valid pair is in range) is written as its JSON `\uXXXX` escape, so that
 * JSON.parse gives back exactly the original strings.
 */
export function messageBody(message: QueueMessage): string {
  return JSON.stringify(message).replace(
    OUTSIDE_SQS_CHARACTERS,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** One message per account and region that the run could not bring to its desired state. */
export interface FailureMessage {
  readonly version: typeof FAILURE_MESSAGE_VERSION;
  readonly scope: 'ACCOUNT';
  readonly runId: string;
  /**
   * `<run> <region> <accountId>`, where the run is the guardrail's key (`schedule <scheduled time>` or
   * `invocation <request id>`): the same in every retry of one run, so a consumer drops the duplicates
   * retries send. Also the `DeduplicationKey` message attribute.
   */
  readonly deduplicationKey: string;
  readonly timestamp: string;
  readonly accountId: string;
  readonly region: string;
  /** Absent when the policy's decision could not be made (ORGANIZATIONAL_UNIT_UNRESOLVED). */
  readonly desired?: string;
  readonly observed?: string;
  readonly reason: string;
  readonly errorMessage?: string;
  readonly ec2ScanStatus?: string;
  readonly rule?: string;
  /**
   * Set on a scan configuration failure (scan-configuration/outcome.ts), whose deduplication key ends in
   * ` scanConfiguration`: how it was to be written and the settings it was to change, each with its rule.
   */
  readonly scanConfiguration?: {
    readonly write?: string;
    readonly changes: readonly {
      readonly setting: string;
      readonly from?: string;
      readonly to: string;
      readonly rule: string;
    }[];
  };
}

/**
 * One message for a region that failed as a whole for a reason no retry heals (access denied there,
 * say), instead of one per account, run after run: the summary still counts and lists each account.
 */
export interface RegionFailureMessage {
  readonly version: typeof FAILURE_MESSAGE_VERSION;
  readonly scope: 'REGION';
  readonly runId: string;
  /** `<run> <region>`: the same in every retry of one run (see FailureMessage). */
  readonly deduplicationKey: string;
  readonly timestamp: string;
  readonly region: string;
  readonly reason: 'REGION_UNREADABLE';
  readonly errorMessage: string;
  /** How many accounts the run evaluated in the region: every one of them FAILED REGION_UNREADABLE. */
  readonly accounts: number;
}

/** What the failed-accounts queue carries. */
export type QueueMessage = FailureMessage | RegionFailureMessage;

export interface Undelivered {
  readonly message: QueueMessage;
  readonly error: string;
  /**
   * Whether sending it again can work: PERMANENT for an entry SQS refused as the sender's fault or a
   * call refused for good (access denied, a key the queue cannot use); TRANSIENT for one SQS failed on
   * its side or the deadline cut off; otherwise the call's own verdict (errors/classification.ts).
   */
  readonly verdict: RetryVerdict;
}

export interface FailureQueue {
  /** Sends every message it can; `abortSignal` (the run's deadline) cuts the sends short, and what is left is undelivered. */
  send(
    messages: readonly QueueMessage[],
    abortSignal?: AbortSignal,
  ): Promise<{ sent: number; undelivered: Undelivered[] }>;
}

/** The queue message for one failure: `runId` is the invocation's, `run` the guardrail's key of the run. */
export function failureMessage(
  failure: Failure,
  { runId, run, timestamp }: { runId: string; run: string; timestamp: string },
): FailureMessage {
  return {
    version: FAILURE_MESSAGE_VERSION,
    scope: 'ACCOUNT',
    runId,
    deduplicationKey: `${run} ${failure.region} ${failure.accountId}`,
    timestamp,
    accountId: failure.accountId,
    region: failure.region,
    ...(failure.desired === undefined ? {} : { desired: failure.desired }),
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

  async send(
    messages: readonly QueueMessage[],
    abortSignal?: AbortSignal,
  ): Promise<{ sent: number; undelivered: Undelivered[] }> {
    let sent = 0;
    const undelivered: Undelivered[] = [];
    for (const batch of chunk(messages, MAX_MESSAGES_PER_BATCH)) {
      if (abortSignal?.aborted) {
        undelivered.push(
          ...batch.map((message) => ({ message, error: `not sent: ${NOT_REACHED}`, verdict: 'TRANSIENT' as const })),
        );
        continue;
      }
      const result = await this.sendBatch(batch, abortSignal);
      sent += result.sent;
      undelivered.push(...result.undelivered);
    }
    return { sent, undelivered };
  }

  /**
   * An entry is delivered only when the response lists it in `Successful`. One in `Failed` is retried
   * unless a sender fault; one the response lists in neither is retried too, never counted as sent.
   */
  private async sendBatch(
    batch: readonly QueueMessage[],
    abortSignal: AbortSignal | undefined,
  ): Promise<{ sent: number; undelivered: Undelivered[] }> {
    let pending = new Map(batch.map((message, index) => [String(index), message]));
    let sent = 0;
    const undelivered: Undelivered[] = [];
    for (let attempt = 1; pending.size > 0; attempt++) {
      // Only the entries still pending: one SQS refused, or one that arrived, is never sent again.
      const entries: SendMessageBatchRequestEntry[] = [...pending].map(([Id, message]) => ({
        Id,
        MessageBody: messageBody(message),
        MessageAttributes: {
          [DEDUPLICATION_KEY_ATTRIBUTE]: {
            DataType: 'String',
            StringValue: message.deduplicationKey.replace(OUTSIDE_SQS_CHARACTERS, '?'),
          },
        },
      }));
      let response: SendMessageBatchResult;
      try {
        response = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }), {
          abortSignal,
        });
      } catch (error) {
        const reason = describeError(error);
        const verdict = classifyError(error);
        return {
          sent,
          undelivered: [
            ...undelivered,
            ...[...pending.values()].map((message) => ({ message, error: reason, verdict })),
          ],
        };
      }
      const errors = new Map<string, { error: string; final: boolean }>();
      for (const entry of response.Failed ?? []) {
        if (entry.Id === undefined || !pending.has(entry.Id)) continue;
        // A sender fault (a malformed entry) fails the same way every time; only service-side faults are retried.
        errors.set(entry.Id, {
          error: `${entry.Code ?? 'Failed'}: ${entry.Message ?? 'no message'}`,
          final: entry.SenderFault === true,
        });
      }
      for (const entry of response.Successful ?? []) {
        if (entry.Id !== undefined && pending.delete(entry.Id)) sent += 1;
      }
      const retry = new Map<string, QueueMessage>();
      for (const [id, message] of pending) {
        const { error, final } = errors.get(id) ?? {
          error: 'neither Successful nor Failed in the response',
          final: false,
        };
        if (final || attempt >= ENTRY_ATTEMPTS) {
          undelivered.push({ message, error, verdict: final ? 'PERMANENT' : 'TRANSIENT' });
        } else retry.set(id, message);
      }
      pending = retry;
      if (pending.size > 0) await sleep(this.retryBaseDelayMs * 2 ** (attempt - 1));
    }
    return { sent, undelivered };
  }
}
