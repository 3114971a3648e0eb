import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  emptyFindingsReport,
  measureCoverage,
  METRICS_NAMESPACE,
  publishCoverageMetrics,
  publishFindingsMetrics,
  publishRunMetrics,
  reconcile,
} from '../lambda/reconciler';
import { InMemoryDirectory, InMemoryInspector, InMemoryQueue, StaticPolicySource } from './in-memory-ports';
import { SimulatedOrganization } from '../local/simulated-organization';
import { REGIONS } from './scenario';
import { runScript } from './script';

/**
 * The custom metrics' cost at 10,000 accounts × 17 regions: how many distinct series (metric name and
 * dimension values) the function publishes, per reconcile run (hourly by default) and per coverage
 * measurement (daily), counted from the EMF documents it writes. CloudWatch bills a custom metric per
 * metric-month, prorated by the hour in which it is published (CloudWatch pricing page: "$0.30 per metric
 * per month for the first 10,000 metrics"; "All custom metrics charges are prorated by the hour"), so an
 * hourly series costs $0.30 a month and a daily one about 1/24 of that.
 *   npx tsx bench/metrics.ts   → bench/metrics-results.json
 */
const PRICE_PER_METRIC_MONTH = 0.3;
const ACCOUNTS = 10_000;

type EmfDocument = {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
};

/** The distinct series in these EMF documents: each metric with the values of each of its dimension sets. */
function seriesOf(documents: readonly EmfDocument[]): Set<string> {
  const series = new Set<string>();
  for (const document of documents) {
    for (const directive of document._aws.CloudWatchMetrics) {
      for (const dimensions of directive.Dimensions) {
        const values = dimensions.map((name) => `${name}=${String(document[name])}`).join(',');
        for (const metric of directive.Metrics) series.add(`${metric.Name}{${values}}`);
      }
    }
  }
  return series;
}

/** The EMF documents `publish` writes, as Lambda's log would hold them. */
function capture(publish: (metrics: Metrics) => void): EmfDocument[] {
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const lines: string[] = [];
  const original = console.log;
  console.log = (line: unknown) => lines.push(String(line));
  try {
    publish(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'deep-inspection-reconciler' }));
  } finally {
    console.log = original;
  }
  return lines.map((line) => JSON.parse(line) as EmfDocument).filter((document) => document._aws !== undefined);
}

async function main(): Promise<void> {
  const organization = SimulatedOrganization.generate({
    accounts: ACCOUNTS,
    regions: REGIONS,
    closed: 0.02,
    nonMembers: 0.03,
    ec2ScanningOff: 0.05,
    activated: 0.5,
    seed: 11,
  });
  const inspectors = new Map<string, InMemoryInspector>(
    REGIONS.map((region) => [region, new InMemoryInspector(organization, region)]),
  );
  const policy = JSON.stringify({
    version: 1,
    default: 'ACTIVATED',
    regions: REGIONS,
    guardrails: { maxDeactivationsPerRun: 100_000 },
  });
  const deps = {
    policy: new StaticPolicySource(policy),
    directory: new InMemoryDirectory(organization),
    inspectorFor: (region: string) => inspectors.get(region) as InMemoryInspector,
    queue: new InMemoryQueue(),
  };
  const request = {
    runId: 'metrics',
    dryRun: false,
    force: false,
    ownAccountId: organization.delegatedAdminAccountId,
    defaultRegion: 'us-east-1',
  };
  const runSeries = async (runDeps: typeof deps) => {
    const result = await reconcile(request, runDeps);
    return seriesOf(
      capture((metrics) => {
        publishRunMetrics(metrics, { ...result, succeeded: true, durationMs: 1 });
        // The findings step, as on with securityHubFindings: every exception reason, zeros included.
        publishFindingsMetrics(metrics, { ...emptyFindingsReport(false, {}), calls: 17 });
      }),
    );
  };
  const run = await runSeries(deps);
  // The same organization with the scan configuration managed for every account (policy version 3): the
  // run's scan configuration counts are run-level series, whatever the regions.
  const scanPolicy = JSON.stringify({
    version: 3,
    default: 'ACTIVATED',
    scanConfiguration: { scanMode: 'EC2_HYBRID', vmScanner: 'ACTIVATED' },
    regions: REGIONS,
    guardrails: { maxDeactivationsPerRun: 100_000 },
  });
  const scanRun = await runSeries({ ...deps, policy: new StaticPolicySource(scanPolicy) });
  const { summary: coverage } = await measureCoverage(request, deps);
  const daily = seriesOf(capture((metrics) => publishCoverageMetrics(metrics, coverage)));
  const hourlyEquivalent = run.size + daily.size / 24;
  const scanHourlyEquivalent = scanRun.size + daily.size / 24;
  const results = {
    shape: { accounts: ACCOUNTS, regions: REGIONS.length },
    runSeries: run.size,
    coverageSeries: daily.size,
    hourlySeriesEquivalent: Math.round(hourlyEquivalent * 10) / 10,
    dollarsPerMonth: Math.round(hourlyEquivalent * PRICE_PER_METRIC_MONTH * 100) / 100,
    scanConfigurationManaged: {
      runSeries: scanRun.size,
      added: [...scanRun].filter((key) => !run.has(key)).map((key) => key.split('{')[0]),
      hourlySeriesEquivalent: Math.round(scanHourlyEquivalent * 10) / 10,
      dollarsPerMonth: Math.round(scanHourlyEquivalent * PRICE_PER_METRIC_MONTH * 100) / 100,
    },
    byMetric: Object.fromEntries(
      [
        ...[...run].reduce(
          (counts, key) => counts.set(key.split('{')[0] as string, (counts.get(key.split('{')[0] as string) ?? 0) + 1),
          new Map<string, number>(),
        ),
      ].sort(),
    ),
  };
  console.log(JSON.stringify(results, null, 2));
  writeFileSync(path.join(__dirname, 'metrics-results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

runScript(main);
