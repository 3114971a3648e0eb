import * as z from 'zod';

/** AWS identifier patterns, as the Organizations and Inspector API references document them. */
export const ACCOUNT_ID = /^\d{12}$/;
export const ORGANIZATIONAL_UNIT_ID = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
export const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
/**
 * Inspector's `Path` (package paths): absolute, each segment letters, digits, `_` and `-` with at most
 * one dot-suffix (or a dot-name), an optional trailing slash; matched against the whole value.
 * So `/`, `/opt//lib`, `/opt/../lib` and `/opt/@scope/pkg` are refused, as Inspector refuses them.
 */
export const PACKAGE_PATH = /^(?:(?:\/(?:\.[-\w]+|[-\w]+(?:\.[-\w]+)?))+\/?)$/;
/** Commercial, China, GovCloud and ISO partitions: us-east-1, cn-north-1, us-gov-west-1, us-isob-east-1. */
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export const accountIdSchema = z
  .string({ error: 'must be a string' })
  .regex(ACCOUNT_ID, { error: (issue) => `${JSON.stringify(issue.input)} is not a 12-digit account id` });

export const regionSchema = z
  .string({ error: 'must be a string' })
  .regex(REGION, { error: (issue) => `${JSON.stringify(issue.input)} is not an AWS region name` });

/** An array whose items must be distinct; names the first repeated item. */
export function distinct<T>(items: z.ZodType<T>, what: string) {
  return z.array(items, { error: 'must be an array' }).check((ctx) => {
    const seen = new Set<unknown>();
    ctx.value.forEach((item, index) => {
      if (seen.has(item)) {
        ctx.issues.push({
          code: 'custom',
          input: item,
          path: [index],
          message: `duplicate ${what} ${JSON.stringify(item)}`,
        });
      }
      seen.add(item);
    });
  });
}
