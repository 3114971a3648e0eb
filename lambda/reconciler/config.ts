import * as z from 'zod';
import { ConfigError } from './errors/errors';
import { regionSchema } from './ids';

/** Requests a second per operation (and per region) the run allows itself; AWS documents no exact figure. */
export const DEFAULT_REQUESTS_PER_SECOND = 10;
/** The schedule period when SCHEDULE_PERIOD_SECONDS is unset: the stack's default schedule, `rate(1 hour)`. */
export const DEFAULT_SCHEDULE_PERIOD_SECONDS = 3600;

/** A pacing rate: unset (or empty) is the default; anything else must be a finite number above 0. */
const requestsPerSecond = (what: string) => {
  const error = `must be a number of requests a second above 0 (${what}); unset: ${DEFAULT_REQUESTS_PER_SECOND}`;
  return z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce.number({ error }).positive({ error }).default(DEFAULT_REQUESTS_PER_SECOND),
  );
};

/**
 * The settings every AWS client is created with (aws/clients.ts): the function's and the CLI's. The SDK's
 * own AWS_RETRY_MODE and AWS_MAX_ATTEMPTS keep the SDK's leniency (an unusable attempt count is the default).
 */
const clientSchema = z.object({
  INSPECTOR_REQUESTS_PER_SECOND: requestsPerSecond("each Inspector operation's pace, per region"),
  ORGANIZATIONS_REQUESTS_PER_SECOND: requestsPerSecond("each Organizations operation's pace"),
  AWS_RETRY_MODE: z.string().optional(),
  AWS_MAX_ATTEMPTS: z.string().optional(),
});

const configSchema = clientSchema.extend({
  POLICY_PARAMETER_NAME: z
    .string({ error: 'is required: the SSM parameter that holds the policy' })
    .min(1, 'must not be empty'),
  GUARDRAIL_LEDGER_PARAMETER_NAME: z
    .string({ error: 'is required: the SSM parameter that records deactivations for the daily guardrail' })
    .min(1, 'must not be empty'),
  FAILED_ACCOUNTS_QUEUE_URL: z.url({ error: 'is required: the URL of the failed-accounts SQS queue' }),
  AWS_REGION: regionSchema,
  /**
   * Set by the stack with its securityHubFindings setting, which also grants the Security Hub permissions
   * (lib/reconciler-function.ts bindSecurityHubFindings). Absent: the stack granted none, and the function
   * makes no Security Hub call whatever the policy says.
   */
  /**
   * The schedule's period in seconds, set by the stack from its `schedule` (lib/reconciler-function.ts
   * bindSchedulePeriod): a scheduled run reads the scan configuration of the window of the day it covers
   * (scan-configuration/slice.ts). Unset: 3600, the stack's default schedule `rate(1 hour)`.
   */
  SCHEDULE_PERIOD_SECONDS: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ error: 'must be a whole number of seconds above 0: the schedule period' })
      .int({ error: 'must be a whole number of seconds above 0: the schedule period' })
      .positive({ error: 'must be a whole number of seconds above 0: the schedule period' })
      .default(DEFAULT_SCHEDULE_PERIOD_SECONDS),
  ),
  SECURITY_HUB_FINDINGS: z
    .enum(['true', 'false'], { error: 'must be "true" or "false": whether the stack granted Security Hub permissions' })
    .default('false'),
});

export interface Config {
  readonly policyParameterName: string;
  readonly guardrailLedgerParameterName: string;
  readonly failedAccountsQueueUrl: string;
  readonly region: string;
  /** The stack granted the Security Hub permissions the findings step needs (docs/findings.md). */
  readonly securityHubFindings: boolean;
  /** The schedule's period (seconds): a scheduled run's scan configuration slice is that part of the day. */
  readonly schedulePeriodSeconds: number;
}

/** What aws/clients.ts creates every client with, read from the environment by `loadClientSettings`. */
export interface ClientSettingsConfig {
  readonly inspectorRequestsPerSecond: number;
  readonly organizationsRequestsPerSecond: number;
  /** AWS_RETRY_MODE, or standard (aws/clients.ts says why not adaptive). */
  readonly retryMode: string;
  /** AWS_MAX_ATTEMPTS when a whole number above 0, else 8. */
  readonly maxAttempts: number;
}

/** The one error shape of every setting: each problem named by its variable. */
function parse<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ path: String(issue.path[0] ?? '$'), message: issue.message })),
    );
  }
  return result.data;
}

/** The clients' settings alone (the CLI has no function configuration); throws as loadConfig does. */
export function loadClientSettings(env: NodeJS.ProcessEnv): ClientSettingsConfig {
  const data = parse(clientSchema, env);
  const maxAttempts = Number(data.AWS_MAX_ATTEMPTS);
  return Object.freeze({
    inspectorRequestsPerSecond: data.INSPECTOR_REQUESTS_PER_SECOND,
    organizationsRequestsPerSecond: data.ORGANIZATIONS_REQUESTS_PER_SECOND,
    retryMode: data.AWS_RETRY_MODE ?? 'standard',
    maxAttempts: Number.isInteger(maxAttempts) && maxAttempts > 0 ? maxAttempts : 8,
  });
}

/**
 * Reads the function's environment once, every setting the function has (the clients' too, which
 * loadClientSettings gives aws/clients.ts); throws naming every missing or malformed variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const data = parse(configSchema, env);
  return Object.freeze({
    policyParameterName: data.POLICY_PARAMETER_NAME,
    guardrailLedgerParameterName: data.GUARDRAIL_LEDGER_PARAMETER_NAME,
    failedAccountsQueueUrl: data.FAILED_ACCOUNTS_QUEUE_URL,
    region: data.AWS_REGION,
    securityHubFindings: data.SECURITY_HUB_FINDINGS === 'true',
    schedulePeriodSeconds: data.SCHEDULE_PERIOD_SECONDS,
  });
}
