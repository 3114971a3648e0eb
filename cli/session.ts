import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  type AccountDirectory,
  AccountManagementRegions,
  type AccountRegions,
  type Clients,
  createClients,
  type EffectivePolicyReader,
  InspectorRegion,
  OrganizationsDirectory,
  OrganizationsEffectivePolicies,
  ParameterPolicySource,
  type Policy,
  type PolicySource,
  type RegionInspector,
} from '../lambda/reconciler';
import { describeCredentialsProblem } from './errors';
import type { CommonOptions } from './options';
import { FilePolicySource } from './policy-file';
import { type CommandProgress, commandProgress } from './progress';
import type { Io } from './terminal';

/** What a command that reads AWS works with: clients created once, the policy, progress. Close it when done. */
export interface Session {
  readonly clients: Clients;
  readonly policy: PolicySource;
  readonly directory: AccountDirectory;
  /** Organizations' effective Inspector policies: why EC2 scanning is off where it is. */
  readonly effectivePolicies: EffectivePolicyReader;
  /** Which regions this account has enabled (Account Management ListRegions). */
  readonly regions: AccountRegions;
  readonly inspectorFor: (region: string) => RegionInspector;
  readonly progress: CommandProgress;
  /** --account-id, or the caller's account from STS GetCallerIdentity. */
  ownAccountId(): Promise<string>;
  /** The organization's id (Organizations DescribeOrganization): what a saved plan is bound to. */
  organizationId(): Promise<string>;
  close(): void;
}

/**
 * Checks a policy file before any client exists (a typo costs nothing and touches nothing: a
 * PolicyError, exit 2), then builds the clients, each watched by the progress display.
 */
export async function openSession(options: CommonOptions, io: Io): Promise<Session> {
  let filePolicy: Policy | undefined;
  if ('file' in options.policy) {
    filePolicy = await new FilePolicySource(options.policy.file, options.policy.tier).load();
  }
  const clients = createClients(options.region, io.env, undefined, options.profile);
  const sts = new STSClient({ region: options.region, ...(options.profile ? { profile: options.profile } : {}) });
  const progress = commandProgress(io.progressStream, options.quiet);
  progress.watchOrganizations(clients.organizations);
  const policy: PolicySource =
    filePolicy !== undefined
      ? { load: async () => filePolicy }
      : new ParameterPolicySource(clients.ssm, 'parameter' in options.policy ? options.policy.parameter : '');
  return {
    clients,
    policy,
    directory: new OrganizationsDirectory(clients.organizations),
    effectivePolicies: new OrganizationsEffectivePolicies(clients.organizations),
    regions: new AccountManagementRegions(clients.account),
    inspectorFor: (region) => {
      const client = clients.inspector(region);
      progress.watchInspector(region, client);
      return new InspectorRegion(client);
    },
    progress,
    ownAccountId: async () => options.accountId ?? (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '',
    organizationId: async () =>
      (await clients.organizations.send(new DescribeOrganizationCommand({}))).Organization?.Id ?? '',
    close: () => {
      progress.stop();
      // Keep-alive connections would otherwise hold the process (and a test runner) open after the run.
      clients.destroy();
      sts.destroy();
    },
  };
}

/**
 * Why no AWS credentials can be had here, naming the profile and the fix; undefined when the SDK's
 * default chain (environment, profile, SSO, container, instance role) yields some. Makes no AWS call
 * beyond what that chain itself does (an SSO token refresh, the instance metadata service).
 */
export async function credentialsAvailable(
  region: string,
  env: NodeJS.ProcessEnv = process.env,
  profile?: string,
): Promise<string | undefined> {
  const sts = new STSClient({ region, ...(profile ? { profile } : {}) });
  try {
    await sts.config.credentials();
    return undefined;
  } catch (error) {
    return describeCredentialsProblem(error, profile === undefined ? env : { ...env, AWS_PROFILE: profile });
  } finally {
    sts.destroy();
  }
}
