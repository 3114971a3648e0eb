import * as z from 'zod';
import { nearestKey, problemsFrom } from '../lambda/reconciler/constructs-entry';

/** A setting (CDK context) or what it names is wrong: synth stops with this message alone, no stack trace. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const SECONDS_PER_UNIT: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };
/** The staleness alarm looks at two schedule periods; a CloudWatch period is at most one day. */
const MAX_SCHEDULE_SECONDS = 86400;

/** `rate(6 hours)` → 21600. Only rate() expressions: the "no successful run" alarm needs a fixed period. */
export function scheduleSeconds(expression: string): number {
  const match = RATE.exec(expression);
  if (!match) {
    throw new SettingsError(
      `schedule ${JSON.stringify(expression)} is not a rate expression such as "rate(6 hours)"; ` +
        'cron() is not accepted because the "no successful run" alarm needs a fixed period',
    );
  }
  const count = Number(match[1]);
  const unitText = match[2] as string;
  const unit = unitText.replace(/s$/, '');
  // EventBridge rejects "rate(1 hours)" and "rate(2 hour)" at deploy time; say so at synth.
  if (count < 1) throw new SettingsError(`schedule ${JSON.stringify(expression)}: the rate must be at least 1`);
  if (count === 1 && unitText !== unit)
    throw new SettingsError(`schedule ${JSON.stringify(expression)}: write "rate(1 ${unit})"`);
  if (count > 1 && unitText === unit)
    throw new SettingsError(`schedule ${JSON.stringify(expression)}: write "rate(${count} ${unit}s)"`);
  const seconds = count * (SECONDS_PER_UNIT[unit] as number);
  if (seconds > MAX_SCHEDULE_SECONDS) {
    throw new SettingsError(
      `schedule ${JSON.stringify(expression)} is longer than 1 day, the longest period the "no successful run" alarm can watch`,
    );
  }
  return seconds;
}

/** A `rate()` expression scheduleSeconds accepts, with its default. */
function rateExpression(fallback: string) {
  return z
    .string()
    .default(fallback)
    .superRefine((expression, ctx) => {
      try {
        scheduleSeconds(expression);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    });
}

/** `z.coerce.number().int()` saying "must be a whole number, not 1.5" rather than "\"1.5\" is not a number". */
function wholeNumber() {
  return z.coerce.number().int({ error: (issue) => `must be a whole number, not ${String(issue.input)}` });
}

// What AWS refuses in a tag. Sources: the SSM model's TagKey and TagValue (local/aws-endpoint/models/ssm.json:
// key 1-128, value 0-256, both ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$), and the tag restrictions every service's guide
// repeats (AWS Batch User Guide, "Tag restrictions"): at most 50 tags a resource, the "aws:" prefix reserved, in any
// case, for AWS's own tags. Lengths are Unicode characters. Values may start with "aws:" here: some services' guides
// reserve it for keys only, and refusing what AWS takes would be wrong in the other direction.
const MAX_TAGS = 50;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
const TAG_CHARACTER = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]$/u;
const TAG_CHARACTERS_TEXT = 'letters, digits, spaces and _ . : / = + - @';

/** Each tag AWS would refuse, in words that name the key and say what to do. */
export function tagProblems(tags: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    problems.push(`${entries.length} tags: a resource takes at most ${MAX_TAGS}; drop ${entries.length - MAX_TAGS}`);
  }
  const shown = (key: string) => JSON.stringify([...key].length > 20 ? `${[...key].slice(0, 20).join('')}…` : key);
  const badCharacter = (text: string) => [...text].find((character) => !TAG_CHARACTER.test(character));
  for (const [key, value] of entries) {
    const keyLength = [...key].length;
    const valueLength = [...value].length;
    const keyCharacter = badCharacter(key);
    const valueCharacter = badCharacter(value);
    if (keyLength === 0) problems.push(`a key is empty: a tag key takes 1 to ${MAX_TAG_KEY_LENGTH} characters`);
    if (key.toLowerCase().startsWith('aws:')) {
      problems.push(`key ${shown(key)} starts with "aws:", which AWS reserves for its own tags: choose another key`);
    }
    if (keyLength > MAX_TAG_KEY_LENGTH) {
      problems.push(
        `key ${shown(key)} is ${keyLength} characters long: a tag key takes at most ${MAX_TAG_KEY_LENGTH}; shorten it`,
      );
    }
    if (keyCharacter !== undefined) {
      problems.push(`key ${shown(key)} has ${JSON.stringify(keyCharacter)}: a tag takes ${TAG_CHARACTERS_TEXT}`);
    }
    if (valueLength > MAX_TAG_VALUE_LENGTH) {
      problems.push(
        `the value of ${shown(key)} is ${valueLength} characters long: a tag value takes at most ${MAX_TAG_VALUE_LENGTH}; shorten it`,
      );
    }
    if (valueCharacter !== undefined) {
      problems.push(
        `the value of ${shown(key)} has ${JSON.stringify(valueCharacter)}: a tag takes ${TAG_CHARACTERS_TEXT}`,
      );
    }
  }
  return problems;
}

const configSchema = z.strictObject({
  schedule: rateExpression('rate(1 hour)'),
  /** When effective coverage is measured: its own schedule, so the reconcile run's time is untouched. */
  coverageSchedule: rateExpression('rate(1 day)'),
  policyParameterName: z
    .string()
    .regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/, 'must be an SSM parameter path such as /deep-inspection-reconciler/policy')
    .default('/deep-inspection-reconciler/policy'),
  policyFile: z.string().min(1).default('policy.json'),
  // Explicit, and kept in cdk.json: CloudFormation can move a parameter to Advanced but never back,
  // so a tier derived from the policy's size would fail the deploy the day the policy shrinks.
  policyParameterTier: z.enum(['Standard', 'Advanced']).default('Standard'),
  alarmEmail: z.email('must be an e-mail address').optional(),
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
    .optional(),
  logRetentionDays: z.coerce
    .number()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(90),
  memoryMiB: wholeNumber().min(128).max(10240).default(1024),
  timeoutMinutes: wholeNumber().min(1).max(15).default(15),
  // Reserved concurrency 1: runs never overlap. Lambda refuses it where it would leave under min(100, quota) unreserved.
  runsNeverOverlap: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')])
    .default(true),
  /** The account's concurrency quota, from `aws lambda get-account-settings`, when it is low: checked at synth. */
  accountConcurrencyLimit: wholeNumber().min(1).optional(),
  // The audit trail (the log group) and the failure records (two queues) outlive `cdk destroy` unless asked.
  keepEvidenceOnDestroy: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')])
    .default(true),
  // Whether a CloudTrail trail logs this account's and region's write management events (an organization trail
  // does): then CloudTrail announces policy changes, naming who; otherwise Parameter Store's own events do, which
  // need no trail. Off by default: asserting a trail that does not exist would leave changes unannounced.
  cloudTrailManagementEvents: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')])
    .default(false),
  // Grants the function the Security Hub permissions its findings step needs (docs/findings.md), adds the
  // findings' alarms and graphs; the policy's findings.securityHub then turns the findings on and off
  // without a deploy. Off by default: no Security Hub permission, no call.
  securityHubFindings: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')])
    .default(false),
  // Tags on every resource of the stack and on the ledger the deploy creates by hand (an SCP that requires a
  // tag on ssm:PutParameter would otherwise fail the first deploy): an object in cdk.json, or JSON with -c.
  tags: z
    .preprocess(
      (value) => {
        if (typeof value !== 'string') return value;
        try {
          return JSON.parse(value) as unknown;
        } catch {
          return value;
        }
      },
      z
        .record(z.string(), z.string(), {
          error: 'must be a JSON object of tag keys and values, such as {"CostCenter":"security"}',
        })
        .superRefine((tags, ctx) => {
          for (const message of tagProblems(tags)) ctx.addIssue({ code: 'custom', message });
        }),
    )
    .default({}),
});

export type ReconcilerConfig = z.output<typeof configSchema>;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof ReconcilerConfig)[];

/**
 * Reads the app's settings from CDK context (cdk.json or `-c key=value`), with defaults.
 * Empty strings count as unset, so cdk.json can list every key. Throws naming each bad key.
 */
export function readConfig(context: (key: string) => unknown): ReconcilerConfig {
  const raw = Object.fromEntries(
    CONFIG_KEYS.map((key) => [key, context(key)]).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    // The same wording as the policy's errors: "is required", the allowed values, instead of zod's "Invalid input".
    const problems = problemsFrom(result.error, { schema: configSchema, input: raw }).map(
      (problem) => `  - ${problem.path.replace(/^\$\.?/, '') || '(context)'}: ${problem.message}`,
    );
    throw new SettingsError(`Invalid CDK context for the reconciler:\n${problems.join('\n')}`);
  }
  return result.data;
}

/**
 * Refuses a context key that is a misspelt setting of this app, so `-c alarmEmial=…` fails synth
 * instead of leaving alarms e-mailing no one. Keys the CDK itself sets are left alone: feature flags
 * (`@aws-cdk/…`), the toolkit's (`aws:cdk:…`), lookups (`availability-zones:account=…`), and the
 * plain keys its commands write into cdk.context.json (`cdk acknowledge` writes
 * `acknowledged-issue-numbers`, say); an unknown key near none of the settings is only reported.
 * @returns the unknown keys that are near no setting, for the caller to warn about
 */
export function checkContextKeys(keys: readonly string[]): string[] {
  const unknown = keys.filter(
    (key) => !key.startsWith('@') && !key.includes(':') && !(CONFIG_KEYS as string[]).includes(key),
  );
  const misspelt = unknown.flatMap((key) => {
    const suggestion = nearestKey(key, CONFIG_KEYS);
    return suggestion === undefined ? [] : [`  - ${key}: not a setting of this app: did you mean "${suggestion}"?`];
  });
  if (misspelt.length > 0) {
    throw new SettingsError(
      `Invalid CDK context for the reconciler (cdk.json "context", cdk.context.json or -c key=value):\n${misspelt.join('\n')}\n` +
        `The settings are: ${CONFIG_KEYS.join(', ')}`,
    );
  }
  return unknown.filter((key) => nearestKey(key, CONFIG_KEYS) === undefined);
}
