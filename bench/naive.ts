import {
  BatchGetMemberEc2DeepInspectionStatusCommand,
  BatchUpdateMemberEc2DeepInspectionStatusCommand,
  Inspector2Client,
} from '@aws-sdk/client-inspector2';
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { LocalAwsEndpoint } from '../local/aws-endpoint/server';
import { REGIONS, type ScenarioSettings, worstCaseOrganization } from './scenario';

export interface NaiveResult {
  readonly settings: ScenarioSettings;
  readonly wallSeconds: number;
  readonly calls: number;
  readonly throttled: number;
  /** Accounts left not ACTIVATED: the SDK gave up on them after its retries. */
  readonly notActivated: number;
}

/**
 * The way public scripts do it, for a side-by-side figure: list the accounts, then for each member
 * account, one after the other, read its deep-inspection status and update it if it differs, one
 * account per call. No fixed sleeps (the scripts that have them are slower still); the SDK's default
 * retries absorb throttling. Same endpoint, latency and rate limit as the reconciler's scenarios.
 */
export async function runNaive(settings: ScenarioSettings): Promise<NaiveResult> {
  const region = REGIONS[0];
  const organization = worstCaseOrganization({ ...settings, regions: 1 });
  const endpoint = await LocalAwsEndpoint.start(organization);
  try {
    endpoint.faults = { latencyMs: settings.latencyMs, rateLimitPerSecond: settings.ratePerSecond };
    const config = {
      region,
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: 'local' },
    };
    const organizations = new OrganizationsClient(config);
    const inspector = new Inspector2Client(config);
    const started = performance.now();
    for await (const page of paginateListAccounts({ client: organizations, pageSize: 20 }, {})) {
      for (const account of page.Accounts ?? []) {
        if (account.Id === undefined || account.Id === organization.delegatedAdminAccountId) continue;
        try {
          const status = await inspector.send(
            new BatchGetMemberEc2DeepInspectionStatusCommand({ accountIds: [account.Id] }),
          );
          if (status.accountIds?.[0]?.status === 'ACTIVATED') continue;
          await inspector.send(
            new BatchUpdateMemberEc2DeepInspectionStatusCommand({
              accountIds: [{ accountId: account.Id, activateDeepInspection: true }],
            }),
          );
        } catch {
          // As a script's `|| true` would: go on to the next account; it is counted below as not activated.
        }
      }
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const requests = [...endpoint.calls].reduce((sum, [key, count]) => sum + (key.includes('@') ? 0 : count), 0);
    const states = [...organization.deepInspectionStates(region)];
    return {
      settings: { ...settings, regions: 1 },
      wallSeconds,
      calls: requests - endpoint.throttled,
      throttled: endpoint.throttled,
      notActivated: states.filter(([id, state]) => id !== organization.delegatedAdminAccountId && state !== 'ACTIVATED')
        .length,
    };
  } finally {
    await endpoint.close();
  }
}
