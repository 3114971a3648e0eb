import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  type AccountDirectory,
  AccountManagementRegions,
  type AccountRegions,
  type Clients,
  createClients,
  loadClientSettings,
  type EffectivePolicyReader,
  InspectorRegion,
  OrganizationsDirectory,
  OrganizationsEffectivePolicies,
  ParameterPolicySource,
  type Policy,
  type PolicySource,
  type RegionInspector,
} from '../lambda/reconciler';
import { describeCredentialsProblem, UsageError } from './errors';
import { requireAwsAnswers } from './endpoint';
import type { CommonOptions } from './options';
import { FilePolicySource } from './policy-file';
import { type CommandProgress, commandProgress } from './progress';
import type { Io } from './terminal';

/**
 * The SDK's logger for a run with a named profile: silent (as its default) but for warnings, less the one it gives when
 * a profile and the environment's keys are both set. A profile named takes precedence over the environment's
 * keys, as the AWS CLI's --profile does (botocore drops its environment provider when a profile is given
 * explicitly), and that is the SDK's behaviour too: its warning speaks of AWS_PROFILE, which the person may
 * never have set.
 */
const PROFILE_LOGGER = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...content: unknown[]) => {
    if (!String(content[0]).includes('Multiple credential sources detected')) console.warn(...content);
  },
  // The SDK logs every failed call here; the command says its failures itself.
  error: () => undefined,
};

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
  /** An SQS client in `region` (the home region's is clients.sqs): a queue URL in another region is asked there. */
  sqsIn(region: string): SQSClient;
  /**
   * The caller's account from STS GetCallerIdentity (which needs no permission: STS API Reference); with
   * --account-id, that one once checked to be it: a UsageError when it is not, before any write.
   */
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
  const profile =
    options.profile === undefined
      ? {}
      : { profile: options.profile, ...(options.profileFrom === '--profile' ? { logger: PROFILE_LOGGER } : {}) };
  const clients = createClients(options.region, loadClientSettings(io.env), profile);
  const sts = new STSClient({ region: options.region, ...profile });
  const progress = commandProgress(io.progressStream, options.quiet);
  progress.watchOrganizations(clients.organizations);
  for (const client of [clients.organizations, clients.account, clients.ssm, clients.sqs, sts]) {
    requireAwsAnswers(client, io.env);
  }
  const guarded = new Set<string>();
  const queueClients = new Map<string, SQSClient>([[options.region, clients.sqs]]);
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
      if (!guarded.has(region)) requireAwsAnswers(client, io.env);
      guarded.add(region);
      return new InspectorRegion(client);
    },
    progress,
    sqsIn: (region) => {
      let client = queueClients.get(region);
      if (client === undefined) {
        client = new SQSClient({ region, ...profile });
        requireAwsAnswers(client, io.env);
        queueClients.set(region, client);
      }
      return client;
    },
    ownAccountId: async () => {
      const caller = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
      if (options.accountId !== undefined && options.accountId !== caller) {
        throw new UsageError(
          `--account-id ${options.accountId}: these credentials are account ${caller} (STS GetCallerIdentity): run as the delegated administrator's account, or leave --account-id out (it defaults to the credentials' account)`,
        );
      }
      return caller;
    },
    organizationId: async () =>
      (await clients.organizations.send(new DescribeOrganizationCommand({}))).Organization?.Id ?? '',
    close: () => {
      progress.stop();
      // Keep-alive connections would otherwise hold the process (and a test runner) open after the run.
      clients.destroy();
      sts.destroy();
      for (const [region, client] of queueClients) if (region !== options.region) client.destroy();
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
  profileOption?: string,
): Promise<string | undefined> {
  const sts = new STSClient({
    region,
    ...(profile ? { profile } : {}),
    ...(profileOption !== undefined ? { logger: PROFILE_LOGGER } : {}),
  });
  try {
    await sts.config.credentials();
    return undefined;
  } catch (error) {
    return describeCredentialsProblem(
      error,
      profile === undefined ? env : { ...env, AWS_PROFILE: profile },
      profileOption,
    );
  } finally {
    sts.destroy();
  }
}
