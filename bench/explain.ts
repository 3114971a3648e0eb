import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createClients, loadClientSettings, OrganizationsDirectory } from '../lambda/reconciler';
import { main } from '../cli/main';
import { LocalAwsEndpoint } from '../local/aws-endpoint/server';
import { SimulatedOrganization } from '../local/simulated-organization';
import { REGIONS } from './scenario';
import { runScript } from './script';

/**
 * `explain <account-id>` at 10,000 accounts: the Organizations calls and the wall time of reading one
 * account and its parents (DescribeAccount, ListParents) against listing the whole organization with
 * its ancestry, which is what explain did before. Same endpoint settings as the reconcile benchmark:
 * about 40 ms a call, a request rate per operation (10 a second, and Organizations' slower 2).
 */

const ORGANIZATIONS_OPERATIONS = [
  'DescribeAccount',
  'ListParents',
  'ListAccounts',
  'ListRoots',
  'ListAccountsForParent',
  'ListOrganizationalUnitsForParent',
] as const;

export interface ExplainMeasurement {
  readonly accounts: number;
  readonly organizationsPerSecond: number;
  /** Ancestry from ListAccounts' Paths (true) or from the tree walk (false, as where Paths is absent). */
  readonly paths: boolean;
  readonly explain: { readonly wallSeconds: number; readonly calls: Record<string, number> };
  readonly fullListing: { readonly wallSeconds: number; readonly calls: Record<string, number> };
}

export async function measureExplain(settings: {
  accounts: number;
  regions: number;
  organizationsPerSecond: number;
  paths: boolean;
}): Promise<ExplainMeasurement> {
  const regions = REGIONS.slice(0, settings.regions);
  const organization = SimulatedOrganization.generate({
    accounts: settings.accounts,
    regions,
    depth: 3,
    unitsPerLevel: 3,
    activated: 0.5,
    seed: 7,
  });
  const endpoint = await LocalAwsEndpoint.start(organization);
  endpoint.checkResponses = false;
  endpoint.simulation.paths = settings.paths;
  endpoint.faults = {
    latencyMs: 40,
    rateLimitPerSecond: 10,
    organizationsRateLimitPerSecond: settings.organizationsPerSecond,
  };
  // The SDK's credential chain reads process.env itself, as it does on a laptop.
  const saved = { ...process.env };
  Object.assign(process.env, endpoint.environment(), {
    AWS_REGION: regions[0] as string,
    ORGANIZATIONS_REQUESTS_PER_SECOND: String(settings.organizationsPerSecond),
  });
  delete process.env.AWS_PROFILE;
  const env = process.env;
  const deepest = organization.accounts.reduce((best, account) =>
    organization.ancestorsOf(account.id).length > organization.ancestorsOf(best.id).length ? account : best,
  );
  const unit = organization.ancestorsOf(deepest.id).at(-1) as string;
  const policy = {
    version: 2,
    default: 'ACTIVATED',
    regions,
    rules: [{ name: 'sandbox off', organizationalUnits: [unit], deepInspection: 'DEACTIVATED' }],
  };
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bench-explain-')), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  const calls = () =>
    Object.fromEntries(ORGANIZATIONS_OPERATIONS.map((operation) => [operation, endpoint.callCount(operation)]));
  try {
    endpoint.resetCounters();
    let started = performance.now();
    let printed = '';
    const status = await main(['explain', deepest.id, '--policy-file', file, '--quiet'], {
      stdout: (text) => {
        printed += text;
      },
      stderr: (text) => process.stderr.write(text),
      env,
    });
    if (status !== 0 || !printed.includes(`Account ${deepest.id}`)) {
      throw new Error(`explain exited ${status}: ${printed}`);
    }
    const explain = { wallSeconds: (performance.now() - started) / 1000, calls: calls() };

    endpoint.resetCounters();
    started = performance.now();
    // The clients the CLI builds, paced as it paces them.
    const clients = createClients(regions[0] as string, loadClientSettings(env));
    const listed = await new OrganizationsDirectory(clients.organizations).listAccounts({ withAncestors: true });
    clients.destroy();
    if (listed.length !== settings.accounts) throw new Error(`listed ${listed.length} accounts`);
    const fullListing = { wallSeconds: (performance.now() - started) / 1000, calls: calls() };
    return { ...settings, explain, fullListing };
  } finally {
    process.env = saved;
    await endpoint.close();
  }
}

function total(calls: Record<string, number>): number {
  return Object.values(calls).reduce((sum, count) => sum + count, 0);
}

/** The BENCHMARKS.md table. */
export function renderExplain(rows: readonly ExplainMeasurement[]): string {
  const describe = (calls: Record<string, number>) =>
    Object.entries(calls)
      .filter(([, count]) => count > 0)
      .map(([operation, count]) => `${operation} ${count}`)
      .join(', ');
  return [
    '| accounts | Organizations rate | ancestry from | explain: wall s | explain: Organizations calls | full listing (before): wall s | full listing: Organizations calls |',
    '| -------: | -----------------: | ------------- | --------------: | ---------------------------- | ----------------------------: | --------------------------------- |',
    ...rows.map(
      (row) =>
        `| ${row.accounts.toLocaleString('en-US')} | ${row.organizationsPerSecond}/s | ${row.paths ? 'Paths' : 'tree walk'} | ${row.explain.wallSeconds.toFixed(1)} | ${total(row.explain.calls)}: ${describe(row.explain.calls)} | ${row.fullListing.wallSeconds.toFixed(1)} | ${total(row.fullListing.calls)}: ${describe(row.fullListing.calls)} |`,
    ),
  ].join('\n');
}

async function run(): Promise<void> {
  const rows: ExplainMeasurement[] = [];
  for (const [organizationsPerSecond, paths] of [
    [10, true],
    [10, false],
    [2, true],
  ] as const) {
    process.stderr.write(`explain: 10,000 accounts, Organizations ${organizationsPerSecond}/s, paths ${paths}…\n`);
    rows.push(await measureExplain({ accounts: 10_000, regions: 17, organizationsPerSecond, paths }));
  }
  process.stdout.write(`${renderExplain(rows)}\n`);
}

if (require.main === module) runScript(run);
