import { ListRegionsCommand } from '@aws-sdk/client-account';
import { ListRootsCommand } from '@aws-sdk/client-organizations';
import { createClients } from '../../lambda/reconciler/aws/clients';
import { loadClientSettings } from '../../lambda/reconciler/config';
import { createSecurityHubClient } from '../../lambda/reconciler/aws/securityhub';
import { CALL_TIMEOUTS } from '../../lambda/reconciler/deadline/deadline';

const credentials = { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' };

/** Where a client would send a command, and the region it would sign for; stops before the network. */
async function destination(client: ReturnType<typeof createClients>['organizations']) {
  let seen: { hostname: string; signingRegion?: string } | undefined;
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const schemes = (context as { endpointV2?: { properties?: { authSchemes?: { signingRegion?: string }[] } } })
        .endpointV2?.properties?.authSchemes;
      seen = { hostname: (args.request as { hostname: string }).hostname, signingRegion: schemes?.[0]?.signingRegion };
      throw new Error('stop before the network');
    },
    { step: 'finalizeRequest', priority: 'low', name: 'capture' },
  );
  await client.send(new ListRootsCommand({})).catch(() => undefined);
  return seen;
}

describe('createClients', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    delete process.env.AWS_ENDPOINT_URL;
    Object.assign(process.env, credentials);
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it.each([
    ['eu-west-1', 'organizations.us-east-1.amazonaws.com', 'us-east-1'],
    ['cn-north-1', 'organizations.cn-northwest-1.amazonaws.com.cn', 'cn-northwest-1'],
    ['us-gov-east-1', 'organizations.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['us-iso-east-1', 'organizations.us-iso-east-1.c2s.ic.gov', 'us-iso-east-1'],
  ])(
    'sends Organizations calls from %s to its partition’s endpoint, as the SDK’s own rules resolve it',
    async (region, host, signing) => {
      const clients = createClients(region, loadClientSettings({ ...credentials }));
      expect(await destination(clients.organizations)).toEqual({ hostname: host, signingRegion: signing });
      clients.destroy();
    },
  );

  it.each([
    ['eu-west-1', 'account.us-east-1.amazonaws.com', 'us-east-1'],
    ['cn-north-1', 'account.cn-northwest-1.amazonaws.com.cn', 'cn-northwest-1'],
  ])('sends Account Management calls from %s to its partition’s one endpoint', async (region, host, signing) => {
    const clients = createClients(region, loadClientSettings({ ...credentials }));
    let seen: { hostname: string; signingRegion?: string } | undefined;
    clients.account.middlewareStack.add(
      (_next, context) => async (args) => {
        const schemes = (context as { endpointV2?: { properties?: { authSchemes?: { signingRegion?: string }[] } } })
          .endpointV2?.properties?.authSchemes;
        seen = {
          hostname: (args.request as { hostname: string }).hostname,
          signingRegion: schemes?.[0]?.signingRegion,
        };
        throw new Error('stop before the network');
      },
      { step: 'finalizeRequest', priority: 'low', name: 'capture' },
    );
    await clients.account.send(new ListRegionsCommand({})).catch(() => undefined);
    expect(seen).toEqual({ hostname: host, signingRegion: signing });
    clients.destroy();
  });

  it('gives every client connection and request timeouts, and makes a late request an error', async () => {
    const clients = createClients('eu-west-1', loadClientSettings({}));
    for (const client of [
      clients.organizations,
      clients.account,
      clients.ssm,
      clients.sqs,
      clients.inspector('eu-west-1'),
      clients.securityHub('eu-west-1', createSecurityHubClient),
    ]) {
      const handler = client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> };
      expect(await handler.configProvider).toMatchObject({
        connectionTimeout: CALL_TIMEOUTS.connectionTimeoutMs,
        requestTimeout: CALL_TIMEOUTS.requestTimeoutMs,
        throwOnRequestTimeout: true,
      });
    }
    clients.destroy();
  });

  it('gives every client the shorter timeouts the settings ask for, and says them for the deadline', async () => {
    const clients = createClients(
      'eu-west-1',
      loadClientSettings({ CONNECTION_TIMEOUT_MS: '400', REQUEST_TIMEOUT_MS: '1500' }),
    );
    expect(clients.timeouts).toEqual({ connectionTimeoutMs: 400, requestTimeoutMs: 1_500 });
    for (const client of [clients.organizations, clients.inspector('eu-west-1'), clients.sqs]) {
      const handler = client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> };
      expect(await handler.configProvider).toMatchObject({ connectionTimeout: 400, requestTimeout: 1_500 });
    }
    clients.destroy();
  });

  it('paces after the retry middleware and before request signing, so a wait never sends a stale signature', () => {
    const clients = createClients('eu-west-1', loadClientSettings({}));
    const order = clients.inspector('eu-west-1').middlewareStack.identify();
    const at = (name: string) => order.findIndex((entry) => entry.startsWith(name));
    expect(at('retryMiddleware')).toBeLessThan(at('deepInspectionPacing'));
    expect(at('deepInspectionPacing')).toBeLessThan(at('httpSigningMiddleware'));
    clients.destroy();
  });

  it('gives the Security Hub client the same retries as every other client, environment overrides included', async () => {
    const clients = createClients(
      'eu-west-1',
      loadClientSettings({ AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'adaptive' }),
    );
    for (const client of [clients.inspector('eu-west-1'), clients.securityHub('eu-west-1', createSecurityHubClient)]) {
      expect(await client.config.maxAttempts()).toBe(3);
      const { retryMode } = client.config;
      expect(typeof retryMode === 'string' ? retryMode : await retryMode()).toBe('adaptive');
    }
    clients.destroy();
  });

  it('creates one Security Hub client per region, on first use, paced at Security Hub’s rates before signing', async () => {
    const clients = createClients('eu-west-1', loadClientSettings({}));
    const client = clients.securityHub('us-east-1', createSecurityHubClient);
    expect(clients.securityHub('us-east-1', createSecurityHubClient)).toBe(client);
    expect(clients.securityHub('eu-west-1', createSecurityHubClient)).not.toBe(client);
    expect(await client.config.region()).toBe('us-east-1');
    const order = client.middlewareStack.identify();
    const at = (name: string) => order.findIndex((entry) => entry.startsWith(name));
    expect(at('retryMiddleware')).toBeLessThan(at('securityHubPacing'));
    expect(at('securityHubPacing')).toBeLessThan(at('httpSigningMiddleware'));
    clients.destroy();
  });
});
