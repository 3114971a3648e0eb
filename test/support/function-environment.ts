import { EMPTY_LEDGER } from '../../lambda/reconciler/guardrail/ledger';
import type { LocalAwsEndpoint } from '../../local/aws-endpoint/server';

/** Where the end-to-end tests keep the policy, as the stack names it. */
export const POLICY_PARAMETER = '/deep-inspection-reconciler/policy';
/** The guardrail's ledger, as the stack names it after the policy. */
export const LEDGER_PARAMETER = `${POLICY_PARAMETER}-guardrail-ledger`;

/** What the first deploy creates besides the policy: the empty deactivation ledger (lib/guardrail-ledger.ts). */
export function createLedgerAsDeployed(endpoint: LocalAwsEndpoint): void {
  endpoint.state.parameters.set(LEDGER_PARAMETER, { value: EMPTY_LEDGER, version: 1 });
}

/**
 * The environment the bundled function runs with against the local endpoint in the end-to-end tests:
 * the endpoint's, the stack's variables, quiet logs, and pacing loose enough not to slow the suite
 * (pacing has its own tests and the benchmark).
 */
export function functionEnvironment(endpoint: LocalAwsEndpoint, queueUrl: string): Record<string, string> {
  return {
    ...endpoint.environment(),
    AWS_REGION: 'us-east-1',
    POLICY_PARAMETER_NAME: POLICY_PARAMETER,
    GUARDRAIL_LEDGER_PARAMETER_NAME: LEDGER_PARAMETER,
    FAILED_ACCOUNTS_QUEUE_URL: queueUrl,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ORGANIZATIONS_REQUESTS_PER_SECOND: '50',
    INSPECTOR_REQUESTS_PER_SECOND: '50',
  };
}
