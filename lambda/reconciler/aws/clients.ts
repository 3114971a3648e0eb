import { AccountClient } from '@aws-sdk/client-account';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ClientSettingsConfig } from '../config';
import type { CallTimeouts } from '../deadline/deadline';
import { pace } from './pacing';

/**
 * Standard retries: throttling and 5xx, exponential backoff with jitter, and the service's Retry-After.
 * Not adaptive: its client-side limiter cuts its rate to 0.7x after every throttle, down to 0.5 requests
 * a second, and our paginators and batches are one or two streams a client with nothing to shed: measured
 * against the local endpoint with every third call throttled, the same 52 calls took 29.1 s adaptive and
 * 7.8 s standard. AWS_RETRY_MODE and AWS_MAX_ATTEMPTS still override these, as in any SDK client: read and
 * checked by config.ts with every other setting, and given to the clients from there.
 */
function retrySettings(config: ClientSettingsConfig) {
  return { retryMode: config.retryMode, maxAttempts: config.maxAttempts };
}

/** Every client gets the timeouts the run's deadline derives its margins from (deadline/deadline.ts). */
function requestHandler(timeouts: CallTimeouts) {
  return {
    connectionTimeout: timeouts.connectionTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    // Without it a request past its timeout only logs a warning and goes on waiting.
    throwOnRequestTimeout: true,
    socketTimeout: timeouts.requestTimeoutMs,
  };
}

/** What every client is created with: its retries (retrySettings) and its request handler's timeouts. */
export type ClientSettings = ReturnType<typeof retrySettings> & {
  readonly requestHandler: ReturnType<typeof requestHandler>;
  /** The shared-config profile credentials come from (the CLI's --profile); absent: the SDK's default chain. */
  readonly profile?: string;
  /** Where the SDK's warnings go (the CLI's); absent: the SDK's own (console.warn for credential warnings). */
  readonly logger?: ClientLogger;
};

/** An SDK client's logger. */
export type ClientLogger = NonNullable<SQSClientConfig['logger']>;

export interface Clients {
  /** The timeouts every client has: the run's deadline margins are derived from them. */
  readonly timeouts: CallTimeouts;
  readonly organizations: OrganizationsClient;
  /** Account Management: which regions this account has enabled (ListRegions, one or two calls a run). */
  readonly account: AccountClient;
  readonly ssm: SSMClient;
  readonly sqs: SQSClient;
  /** One Inspector client per region, created on first use and kept. */
  readonly inspector: (region: string) => Inspector2Client;
  /**
   * One Security Hub client per region, made by `create` on first use and kept. `create` is the Security
   * Hub adapter's createSecurityHubClient: this module does not import the SDK client, so that a cold start
   * with the findings off neither loads nor evaluates it; the handler imports the adapter when the
   * findings step runs, and only that step asks for a client.
   */
  readonly securityHub: (
    region: string,
    create: (region: string, settings: ClientSettings) => SecurityHubClient,
  ) => SecurityHubClient;
  /** Closes every client's connections: for a command line that is done; a Lambda container keeps them. */
  readonly destroy: () => void;
}

/**
 * Creates every client once; endpoints come from the SDK's standard settings (AWS_ENDPOINT_URL…) and
 * its own endpoint rules: Organizations, a global service, resolves to its one endpoint in the home
 * region's partition (us-east-1, cn-northwest-1, us-gov-west-1, …) with no map kept here; Account
 * Management, global too, the same way.
 * Organizations and each region's Inspector client pace themselves per operation
 * (ORGANIZATIONS_REQUESTS_PER_SECOND, INSPECTOR_REQUESTS_PER_SECOND; default 10).
 * @param config the clients' settings, read from the environment once: loadConfig's `clients` in the
 *   handler, loadClientSettings in the CLI (both throw ConfigError on an invalid one)
 */
export function createClients(
  region: string,
  config: ClientSettingsConfig,
  { profile, logger }: { readonly profile?: string; readonly logger?: ClientLogger } = {},
): Clients {
  const settings: ClientSettings = {
    ...retrySettings(config),
    requestHandler: requestHandler(config.timeouts),
    ...(profile === undefined ? {} : { profile }),
    ...(logger === undefined ? {} : { logger }),
  };
  const inspectorRate = config.inspectorRequestsPerSecond;
  const inspectors = new Map<string, Inspector2Client>();
  const securityHubs = new Map<string, SecurityHubClient>();
  const organizations = pace(new OrganizationsClient({ ...settings, region }), config.organizationsRequestsPerSecond);
  const account = new AccountClient({ ...settings, region });
  const ssm = new SSMClient({ ...settings, region });
  const sqs = new SQSClient({ ...settings, region });
  return {
    timeouts: config.timeouts,
    organizations,
    account,
    ssm,
    sqs,
    destroy: () => {
      for (const client of [organizations, account, ssm, sqs, ...inspectors.values(), ...securityHubs.values()]) {
        client.destroy();
      }
    },
    inspector: (inspectorRegion) => {
      let client = inspectors.get(inspectorRegion);
      if (client === undefined) {
        client = pace(new Inspector2Client({ ...settings, region: inspectorRegion }), inspectorRate);
        inspectors.set(inspectorRegion, client);
      }
      return client;
    },
    securityHub: (securityHubRegion, create) => {
      let client = securityHubs.get(securityHubRegion);
      if (client === undefined) {
        client = create(securityHubRegion, settings);
        securityHubs.set(securityHubRegion, client);
      }
      return client;
    },
  };
}
