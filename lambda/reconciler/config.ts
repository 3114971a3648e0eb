import * as z from 'zod';
import { CALL_TIMEOUTS, type CallTimeouts } from './deadline/deadline';
import { ConfigError } from './errors/errors';
import { regionSchema } from './ids';

/** Requests a second per operation (and per region) the run allows itself; AWS documents no exact figure. */
export const DEFAULT_REQUESTS_PER_SECOND = 10;
/** The schedule period when SCHEDULE_PERIOD_SECONDS is unset: the stack's default schedule, `rate(1 hour)`. */
export const DEFAULT_SCHEDULE_PERIOD_SECONDS = 3600;

/** Unset, or empty as the SDK reads it ("if (!value)" in @smithy/core's retry settings), is the default. */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

/**
 * A pacing rate: unset (or empty) is the default; anything else a decimal number above 0 (2, 4.5), in digits
 * alone: no sign, exponent, hexadecimal or space, which Number() would read as some other rate.
 */
const requestsPerSecond = (what: string) => {
  const error = `must be a number of requests a second above 0 (${what}); unset: ${DEFAULT_REQUESTS_PER_SECOND}`;
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^(\d+(\.\d*)?|\.\d+)$/, { error })
      .transform(Number)
      .pipe(z.number().positive({ error }))
      .default(DEFAULT_REQUESTS_PER_SECOND),
  );
};

/** A whole number from `min` to `max` (digits only: no sign, fraction or unit), or `fallback` when unset. */
const wholeNumber = (error: string, { min, max, fallback }: { min: number; max?: number; fallback: number }) => {
  // int() also refuses what is past Number.MAX_SAFE_INTEGER: with the same message, not zod's own.
  const range = z.number().int({ error }).min(min, { error });
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\d+$/, { error })
      .transform(Number)
      .pipe(max === undefined ? range : range.max(max, { error }))
      .default(fallback),
  );
};

/** The attempts a call makes when AWS_MAX_ATTEMPTS is unset: the first and up to 7 retries. */
export const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * AWS_MAX_ATTEMPTS, "Valid values: Number greater than 0" (AWS SDKs and Tools reference guide, Retry
 * behavior); a whole number, as attempts are counted. The SDK throws on a value that is not a number and
 * truncates a fraction; here either is a ConfigError naming the variable, before any client is made.
 */
const maxAttempts = wholeNumber(
  `must be a whole number of attempts above 0 (each call's first attempt and its retries); unset: ${DEFAULT_MAX_ATTEMPTS}`,
  { min: 1, fallback: DEFAULT_MAX_ATTEMPTS },
);

/**
 * AWS_RETRY_MODE: the modes the JavaScript SDK v3 has (@smithy/core's RETRY_MODES: standard, adaptive). The
 * SDK itself takes any other value for standard; here it is a ConfigError naming the variable.
 */
const retryMode = z.preprocess(
  unsetIfEmpty,
  z
    .enum(['standard', 'adaptive'], {
      error: 'must be "standard" or "adaptive" (the SDK\'s retry modes); unset: standard',
    })
    .default('standard'),
);

/**
 * A call timeout shorter than its default (CALL_TIMEOUTS): unset (or empty) is the default. Never longer: the
 * stack checks at synth that the function's timeout leaves room for the deadline's margins, which it derives
 * from the defaults, and shorter timeouts only make the margins smaller. The end-to-end tests set them to
 * reach the deadline in seconds rather than a minute.
 */
const callTimeoutMs = (what: string, defaultMs: number) =>
  wholeNumber(`must be a whole number of milliseconds from 1 to ${defaultMs} (${what}); unset: ${defaultMs}`, {
    min: 1,
    max: defaultMs,
    fallback: defaultMs,
  });

/**
 * The settings every AWS client is created with (aws/clients.ts): the function's and the CLI's, its pacing
 * and the SDK's own retry variables, which the clients are given from here (the SDK does not read them again).
 */
const clientSchema = z.object({
  INSPECTOR_REQUESTS_PER_SECOND: requestsPerSecond("each Inspector operation's pace, per region"),
  ORGANIZATIONS_REQUESTS_PER_SECOND: requestsPerSecond("each Organizations operation's pace"),
  AWS_RETRY_MODE: retryMode,
  AWS_MAX_ATTEMPTS: maxAttempts,
  CONNECTION_TIMEOUT_MS: callTimeoutMs('how long a call waits for a connection', CALL_TIMEOUTS.connectionTimeoutMs),
  REQUEST_TIMEOUT_MS: callTimeoutMs(
    'how long one attempt of a call waits for its answer',
    CALL_TIMEOUTS.requestTimeoutMs,
  ),
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
  /** What every AWS client is created with (aws/clients.ts createClients). */
  readonly clients: ClientSettingsConfig;
  /** The schedule's period (seconds): a scheduled run's scan configuration slice is that part of the day. */
  readonly schedulePeriodSeconds: number;
}

/** What aws/clients.ts creates every client with, read from the environment by loadConfig (or loadClientSettings). */
export interface ClientSettingsConfig {
  readonly inspectorRequestsPerSecond: number;
  readonly organizationsRequestsPerSecond: number;
  /** AWS_RETRY_MODE, or standard (aws/clients.ts says why not adaptive). */
  readonly retryMode: 'standard' | 'adaptive';
  /** AWS_MAX_ATTEMPTS, or 8. */
  readonly maxAttempts: number;
  /** CONNECTION_TIMEOUT_MS and REQUEST_TIMEOUT_MS, or CALL_TIMEOUTS: the run's deadline margins derive from them. */
  readonly timeouts: CallTimeouts;
}

/**
 * The one error shape of every setting: each problem named by its variable.
 * @param title what the settings are to the reader: the function's configuration, or the command's environment
 */
function parse<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv, title: string): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ path: String(issue.path[0] ?? '$'), message: issue.message })),
      title,
    );
  }
  return result.data;
}

/** The clients' settings of parsed environment variables. */
function clientSettingsOf(data: z.output<typeof clientSchema>): ClientSettingsConfig {
  return Object.freeze({
    inspectorRequestsPerSecond: data.INSPECTOR_REQUESTS_PER_SECOND,
    organizationsRequestsPerSecond: data.ORGANIZATIONS_REQUESTS_PER_SECOND,
    retryMode: data.AWS_RETRY_MODE,
    maxAttempts: data.AWS_MAX_ATTEMPTS,
    timeouts: Object.freeze({
      connectionTimeoutMs: data.CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: data.REQUEST_TIMEOUT_MS,
    }),
  });
}

/** The clients' settings alone, for the CLI (which has no function configuration); throws as loadConfig does. */
export function loadClientSettings(env: NodeJS.ProcessEnv): ClientSettingsConfig {
  return clientSettingsOf(parse(clientSchema, env, 'Invalid environment variables'));
}

/**
 * Reads the function's environment once, every setting the function has, the clients' too (`clients`, which
 * the handler gives createClients); throws naming every missing or malformed variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const data = parse(configSchema, env, 'Invalid function configuration');
  return Object.freeze({
    policyParameterName: data.POLICY_PARAMETER_NAME,
    guardrailLedgerParameterName: data.GUARDRAIL_LEDGER_PARAMETER_NAME,
    failedAccountsQueueUrl: data.FAILED_ACCOUNTS_QUEUE_URL,
    region: data.AWS_REGION,
    securityHubFindings: data.SECURITY_HUB_FINDINGS === 'true',
    clients: clientSettingsOf(data),
    schedulePeriodSeconds: data.SCHEDULE_PERIOD_SECONDS,
  });
}
