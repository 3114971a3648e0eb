import type { CoverageSummary } from '../lambda/reconciler';
import { LocalAwsEndpoint } from '../local/aws-endpoint/server';
import { type DeployedFunction, invokeBundleMeasured } from '../local/bundle';
import { SimulatedCoverage } from '../local/simulated-coverage';
import { SimulatedOrganization } from '../local/simulated-organization';
import { INSPECTOR_BATCH, operationFloor, ORGANIZATIONS_PAGE } from './floor';
import { benchEnvironment, REGIONS, POLICY_PARAMETER } from './scenario';

/** ListCoverage's page size, the most it gives. */
export const COVERAGE_PAGE = 200;

export interface CoverageSettings {
  readonly accounts: number;
  readonly regions: number;
  /** Instances in the whole organization, about: spread evenly over accounts and regions. */
  readonly instances: number;
  readonly latencyMs: number;
  readonly ratePerSecond: number;
}

export interface CoverageMeasurement {
  readonly settings: CoverageSettings;
  /** Instances the simulated organization actually has, all regions. */
  readonly instances: number;
  readonly wallSeconds: number;
  readonly floorSeconds: number;
  readonly calls: Record<string, { readonly calls: number; readonly lowerBound: number }>;
  readonly callRatio: number;
  readonly throttled: number;
  readonly peakRssMiB: number;
  readonly writeCalls: number;
  /** Every region's counts equal what the simulator's profiles say. */
  readonly countsMatchGroundTruth: boolean;
}

/**
 * The least calls a coverage measurement needs: the policy; the account listing and one ListRegions; per region the two
 * status batch reads, the administrator's own configuration and the scan mode (a run's reads), and
 * one ListCoverage page per 200 instances of the region.
 */
export function coverageLowerBounds(accounts: number, instancesPerRegion: readonly number[]): Record<string, number> {
  const regions = instancesPerRegion.length;
  return {
    GetParameter: 1,
    ListAccounts: Math.ceil(accounts / ORGANIZATIONS_PAGE),
    ListRegions: 1,
    BatchGetAccountStatus: regions * Math.ceil(accounts / INSPECTOR_BATCH),
    BatchGetMemberEc2DeepInspectionStatus: regions * Math.ceil((accounts - 1) / INSPECTOR_BATCH),
    GetEc2DeepInspectionConfiguration: regions,
    GetConfiguration: regions,
    ListCoverage: instancesPerRegion.reduce((sum, count) => sum + Math.max(1, Math.ceil(count / COVERAGE_PAGE)), 0),
  };
}

/** Runs the bundled function's coverage measurement once against a simulated organization of that size. */
export async function runCoverageScenario(
  fn: DeployedFunction,
  settings: CoverageSettings,
): Promise<CoverageMeasurement> {
  const regions = REGIONS.slice(0, settings.regions);
  const organization = SimulatedOrganization.generate({
    accounts: settings.accounts,
    regions,
    depth: 1,
    unitsPerLevel: 4,
    activated: 0.9,
  });
  organization.coverage = new SimulatedCoverage(
    organization,
    settings.instances / (settings.accounts * regions.length),
  );
  const instancesPerRegion = regions.map((region) => {
    let count = 0;
    for (const _ of organization.coverage.instances(region)) count += 1;
    return count;
  });
  const endpoint = await LocalAwsEndpoint.start(organization);
  endpoint.checkResponses = settings.accounts <= 1_000;
  try {
    endpoint.state.parameters.set(POLICY_PARAMETER, {
      value: JSON.stringify({ version: 2, default: 'ACTIVATED', regions }),
      version: 1,
    });
    const env = benchEnvironment(fn, endpoint, {
      region: regions[0] as string,
      queueUrl: endpoint.createQueue('failed-accounts'),
      ratePerSecond: settings.ratePerSecond,
    });
    endpoint.faults = { latencyMs: settings.latencyMs, rateLimitPerSecond: settings.ratePerSecond };
    const invocation = await invokeBundleMeasured(
      fn.bundle,
      { coverage: true },
      organization.delegatedAdminAccountId,
      env,
    );
    const summary = invocation.result as CoverageSummary;

    const bounds = coverageLowerBounds(settings.accounts, instancesPerRegion);
    const calls = Object.fromEntries(
      Object.entries(bounds).map(([operation, lowerBound]) => {
        const key = [...endpoint.calls.keys()].find((k) => !k.includes('@') && k.endsWith(`.${operation}`));
        const requests = key ? (endpoint.calls.get(key) ?? 0) : 0;
        const throttled = key ? (endpoint.throttledBy.get(key) ?? 0) : 0;
        return [operation, { calls: requests - throttled, lowerBound }];
      }),
    );
    const total = (pick: (count: { calls: number; lowerBound: number }) => number) =>
      Object.values(calls).reduce((sum, count) => sum + pick(count), 0);
    const latency = settings.latencyMs / 1000;
    const limits = { perSecond: settings.ratePerSecond, latency };
    // Regions run in parallel; in each, the status reads and then the coverage pages one after another.
    const perRegionReads = Math.ceil(settings.accounts / INSPECTOR_BATCH);
    const pagesPerRegion = Math.max(...instancesPerRegion.map((count) => Math.ceil(count / COVERAGE_PAGE)));
    const floorSeconds =
      latency +
      operationFloor(bounds.ListAccounts ?? 0, limits, { paginated: true }) +
      operationFloor(perRegionReads, limits, { paginated: false }) +
      operationFloor(pagesPerRegion, limits, { paginated: true });
    return {
      settings,
      instances: instancesPerRegion.reduce((sum, count) => sum + count, 0),
      wallSeconds: invocation.runMs / 1000,
      floorSeconds,
      calls,
      callRatio: total((count) => count.calls) / total((count) => count.lowerBound),
      throttled: endpoint.throttled,
      peakRssMiB: invocation.peakRssKiB / 1024,
      writeCalls: endpoint.writeCount(),
      countsMatchGroundTruth: regions.every((region) => {
        const measured = summary.regions.find((r) => r.region === region);
        return (
          measured?.error === undefined && measured?.totals.instances === groundTruthInstances(organization, region)
        );
      }),
    };
  } finally {
    await endpoint.close();
  }
}

/** Every policy-managed (here: every ACTIVE) account's instances, from the simulator. */
function groundTruthInstances(organization: SimulatedOrganization, region: string): number {
  const active = new Set(organization.accounts.filter((a) => a.state === 'ACTIVE').map((a) => a.id));
  let count = 0;
  for (const instance of organization.coverage.instances(region)) if (active.has(instance.accountId)) count += 1;
  return count;
}
