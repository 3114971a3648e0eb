import * as z from 'zod';
import { ConfigError } from './errors/errors';
import { regionSchema } from './ids';

const configSchema = z.object({
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
}

/** Reads the function's environment once; throws naming every missing or malformed variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ path: String(issue.path[0] ?? '$'), message: issue.message })),
    );
  }
  return Object.freeze({
    policyParameterName: result.data.POLICY_PARAMETER_NAME,
    guardrailLedgerParameterName: result.data.GUARDRAIL_LEDGER_PARAMETER_NAME,
    failedAccountsQueueUrl: result.data.FAILED_ACCOUNTS_QUEUE_URL,
    region: result.data.AWS_REGION,
    securityHubFindings: result.data.SECURITY_HUB_FINDINGS === 'true',
  });
}
