import { closest } from 'fastest-levenshtein';
import * as z from 'zod';
import { REFUSED_REGIONS, REGIONS } from './regions/list';

/** AWS identifier patterns, as the Organizations and Inspector API references document them. */
export const ACCOUNT_ID = /^\d{12}$/;
export const ORGANIZATIONAL_UNIT_ID = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
export const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
/**
 * Inspector's `Path` (deep-inspection package paths), the inspector2 model's pattern (botocore 1.43.67,
 * local/aws-endpoint/models/inspector2.json `Path`; test/unit/policy.test.ts holds it to the model): an absolute
 * POSIX path whose segments are letters, digits, `_` and `-`, with single dots or spaces inside a name
 * (`/opt/app.v1.2/lib`, `/opt/My App/lib`) or a dot-name (`/.venv`), and an optional trailing slash; or a
 * Windows path (`C:\App\lib`, no trailing backslash).
 * The model's pattern has no anchors. Matching it against the whole value is an assumption (the API
 * references print other Inspector patterns anchored, and the project's own endpoint matches every model
 * pattern whole, local/aws-endpoint/model.ts): matched whole, `/`, `/opt//lib`, `/opt/../lib`,
 * `/opt/@scope/pkg` and `C:\App\lib\` are refused. The validator (and so synth and lint) uses this one; the
 endpoint uses the model's own.
 */
export const PACKAGE_PATH =
  /^(?:(?:\/(?:\.[-\w]+|[-\w]+(?:[. ][-\w]+)*))+\/?|[A-Za-z]:\\(?:[-\w]+(?:[. ][-\w]+)*\\)*[-\w]+(?:[. ][-\w]+)*)$/;

/**
 * Why `name` is not a region this version supports end to end (synth, the function, the command line),
 * or undefined when it is one. The list is regions/list.ts, generated from the AWS SDK's endpoint data and
 * aws-cdk-lib's RegionInfo: a pattern (the SDK's own `partition()` only matches one) would let
 * `us-east-9` through.
 */
export function regionProblem(name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(REGIONS, name)) return undefined;
  const refused = REFUSED_REGIONS[name];
  if (refused !== undefined) {
    return `${JSON.stringify(name)} is not supported by this version: ${refused}. Upgrade both, then run npm run regions`;
  }
  // Compared in lower case: `US-EAST-1` is a region written in capitals, not a typo of `ap-east-1`.
  const lower = name.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(REGIONS, lower)) {
    return `${JSON.stringify(name)} is not an AWS region name: region names are lower case (did you mean ${lower}?)`;
  }
  return `${JSON.stringify(name)} is not an AWS region name this version knows (did you mean ${closest(lower, Object.keys(REGIONS))}?)`;
}

/** The partition of a supported region: `aws`, `aws-cn`, `aws-us-gov`, `aws-eusc`, `aws-iso*`. */
export function partitionOf(region: string): string | undefined {
  return regionProblem(region) === undefined ? REGIONS[region] : undefined;
}

export const accountIdSchema = z
  .string({ error: 'must be a string' })
  .regex(ACCOUNT_ID, { error: (issue) => `${JSON.stringify(issue.input)} is not a 12-digit account id` });

/** A supported region; the editor schema lists them, so an editor completes them. */
export const regionSchema = z.enum(Object.keys(REGIONS) as [string, ...string[]], {
  error: (issue) =>
    typeof issue.input === 'string' ? (regionProblem(issue.input) ?? 'is not a region') : 'must be a string',
});

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
