import { LocalAwsEndpoint } from './aws-endpoint/server';
import { DEMO_POLICY_PARAMETER, DEMO_QUEUE, DEMO_REGIONS, demoOrganization, seedDemoPolicy } from './demo-organization';
import type { SimulatedOrganization } from './simulated-organization';

/** The account `--not-administrator-in` designates instead: outside the demo organization's ids (1000000000NN). */
export const OTHER_ADMINISTRATOR = '222233334444';

/** `deep-inspection local`'s port unless told: not LocalStack's 4566, so both can run. */
export const DEFAULT_LOCAL_PORT = 4599;

export interface RunningLocal {
  readonly endpoint: LocalAwsEndpoint;
  readonly organization: SimulatedOrganization;
  /** The failed-accounts queue, for `apply --failed-accounts-queue-url`. */
  readonly queueUrl: string;
  /** Shell lines that point the AWS SDK, the AWS CLI and `deep-inspection` at the endpoint (`source`-able). */
  readonly script: string;
  close(): Promise<void>;
}

/**
 * The environment a shell needs to reach the endpoint: the SDK's standard settings and nothing the
 * reconciler reads specially. AWS_PROFILE is unset because the SDK prefers a profile to the
 * environment's keys when both are set (@aws-sdk/credential-provider-node: "This SDK will proceed
 * with the AWS_PROFILE value"), and the profile's credentials would then be sent here.
 */
export function shellScript(endpoint: LocalAwsEndpoint, queueUrl: string, organization: SimulatedOrganization): string {
  const environment = { ...endpoint.environment(), AWS_REGION: DEMO_REGIONS[0], AWS_DEFAULT_REGION: DEMO_REGIONS[0] };
  return [
    `# Simulated AWS endpoint: ${organization.accounts.length} accounts in ${DEMO_REGIONS.join(', ')}; delegated administrator ${organization.delegatedAdminAccountId}`,
    `# The demo policy is in SSM parameter ${DEMO_POLICY_PARAMETER}; the failed-accounts queue is FAILED_ACCOUNTS_QUEUE_URL.`,
    ...[...endpoint.state.notAdministrator.keys()].map(
      (region) =>
        `# This account is not Inspector's delegated administrator in ${region}: GetDelegatedAdminAccount names another account, so runs fail that region.`,
    ),
    endpoint.simulation.administratorReadsEffectivePolicies
      ? "# The delegated administrator may read effective policies: runs and explain say which accounts the organization's Inspector policy disabled."
      : '# The delegated administrator may not read effective policies (AccessDeniedException), as usual: runs say "could not tell" once.',
    ...Object.entries(environment).map(([name, value]) => `export ${name}=${value}`),
    'unset AWS_PROFILE',
    `export FAILED_ACCOUNTS_QUEUE_URL=${queueUrl}`,
    `# Then: npx deep-inspection plan --policy-parameter ${DEMO_POLICY_PARAMETER}`,
    '',
  ].join('\n');
}

/**
 * Starts the endpoint with the demo organization, the demo policy in its SSM and an empty failed-accounts queue.
 * `administratorReadsEffectivePolicies` lets the delegated administrator read other accounts' effective policies
 * (DescribeEffectivePolicy with their `TargetId`), as a delegation policy of the management account would;
 * @default false: AccessDeniedException, as most Inspector administrators get.
 * `notAdministratorIn` (regions of DEMO_REGIONS) makes this account not Inspector's delegated administrator there:
 * GetDelegatedAdminAccount names OTHER_ADMINISTRATOR, and reads and writes of members are refused (`state.notAdministrator`).
 */
export async function startLocal({
  accountCount,
  port,
  administratorReadsEffectivePolicies = false,
  notAdministratorIn = [],
}: {
  accountCount: number;
  port: number;
  administratorReadsEffectivePolicies?: boolean;
  notAdministratorIn?: readonly string[];
}): Promise<RunningLocal> {
  const organization = demoOrganization(accountCount);
  const endpoint = await LocalAwsEndpoint.start(organization, { port });
  endpoint.simulation.administratorReadsEffectivePolicies = administratorReadsEffectivePolicies;
  for (const region of notAdministratorIn) {
    endpoint.state.notAdministrator.set(region, { administrator: OTHER_ADMINISTRATOR });
  }
  seedDemoPolicy(endpoint);
  const queueUrl = endpoint.createQueue(DEMO_QUEUE);
  return {
    endpoint,
    organization,
    queueUrl,
    script: shellScript(endpoint, queueUrl, organization),
    close: () => endpoint.close(),
  };
}
