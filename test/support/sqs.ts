import type { SendMessageBatchRequest } from '@aws-sdk/client-sqs';

/** SendMessageBatch as SQS answers when it takes every entry: each one listed in `Successful`. */
export function acceptAll(input: SendMessageBatchRequest) {
  return {
    Successful: (input.Entries ?? []).map((entry) => ({
      Id: entry.Id as string,
      MessageId: `message-${entry.Id}`,
      MD5OfMessageBody: 'd41d8cd98f00b204e9800998ecf8427e',
    })),
    Failed: [],
  };
}

/**
 * The characters SQS accepts in a message body and a String attribute (SendMessage, MessageBody):
 * #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. A lone surrogate is
 * none of them.
 */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** SendMessageBatch as SQS answers: an entry holding a character outside its set fails, a sender fault. */
export function acceptAsSqsDoes(input: SendMessageBatchRequest) {
  const refused = (input.Entries ?? []).filter(
    (entry) =>
      OUTSIDE_SQS_CHARACTERS.test(entry.MessageBody ?? '') ||
      Object.values(entry.MessageAttributes ?? {}).some((value) =>
        OUTSIDE_SQS_CHARACTERS.test(value.StringValue ?? ''),
      ),
  );
  const accepted = acceptAll({ ...input, Entries: (input.Entries ?? []).filter((entry) => !refused.includes(entry)) });
  return {
    Successful: accepted.Successful,
    Failed: refused.map((entry) => ({
      Id: entry.Id as string,
      SenderFault: true,
      Code: 'InvalidMessageContents',
      Message: 'Invalid binary character in the message body',
    })),
  };
}
