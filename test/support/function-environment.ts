import { EMPTY_LEDGER } from '../../lambda/reconciler/guardrail/ledger';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import type { SimulatedOrganization } from '../../local/simulated-organization';

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

/** An organization behind an endpoint of its own, with the failed-accounts queue, the policy and the ledger in place. */
export interface World {
  readonly organization: SimulatedOrganization;
  readonly endpoint: LocalAwsEndpoint;
  readonly queueUrl: string;
  /** functionEnvironment's, for this endpoint and queue. */
  readonly env: Record<string, string>;
}

/** Starts an endpoint over `organization`, with `policy` in the policy parameter, as the first deploy leaves it. */
export async function startWorld(organization: SimulatedOrganization, policy: object): Promise<World> {
  const endpoint = await LocalAwsEndpoint.start(organization);
  const queueUrl = endpoint.createQueue('failed-accounts');
  endpoint.state.parameters.set(POLICY_PARAMETER, { value: JSON.stringify(policy), version: 1 });
  createLedgerAsDeployed(endpoint);
  return { organization, endpoint, queueUrl, env: functionEnvironment(endpoint, queueUrl) };
}

/** Closes the world's endpoint; throws if any answer the function got departed from AWS's models. */
export async function closeWorld({ endpoint }: World): Promise<void> {
  await endpoint.close();
  if (endpoint.violations.length > 0) {
    throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
  }
}

/**
 * Runs `test` in a world of its own and closes it: for a concurrent test, which *Each hooks do not run for.
 * A failure of the test and a departure from the models are both reported, neither hiding the other.
 */
export async function inOwnWorld(start: () => Promise<World>, test: (world: World) => Promise<void>): Promise<void> {
  const world = await start();
  const failed = await test(world).then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  try {
    await closeWorld(world);
  } catch (departure) {
    if (failed)
      throw new AggregateError([failed.error, departure], 'the test failed, and its answers departed from the models');
    throw departure;
  }
  if (failed) throw failed.error;
}
