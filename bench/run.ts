import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { buildFunction } from '../local/bundle';
import { type CoverageSettings, runCoverageScenario } from './coverage';
import { measureInit } from './init';
import { runNaive } from './naive';
import { renderCoverage, renderResults, renderScanConfiguration, renderStartup } from './report';
import { runScanConfigurationScenario, type ScanConfigurationSettings } from './scan-configuration';
import { lambdaOldSpaceMiB, runScenario, type ScenarioResult, type ScenarioSettings } from './scenario';
import { runScript } from './script';

const USAGE = `Usage: npm run bench [-- --quick | --coverage | --scan-configuration | --startup]

Drives the bundled function (the esbuild output cdk deploy uploads) against the local AWS endpoint
with about 40 ms a call and 10 requests a second per operation and region, in the worst case (every
account changes) and the steady state (nothing to change); then a naive one-account-per-call
baseline. Prints a table; the full run rewrites BENCHMARKS.md's results and bench/results.json.

Then the coverage measurement: 10,000 accounts, about 300,000 instances, 17 regions.

  --quick     1,000 accounts only, results to .bench/ (a few minutes less than the full run)
  --coverage  the coverage measurement alone (its own section of BENCHMARKS.md)
  --scan-configuration  the EC2 scan configuration managed for every account, alone: the steady state, a
              policy change run after run until converged, the steady state without it (its own section;
              with --quick, 1,000 accounts × 17 regions to .bench/)
  --startup   the bundle's size and module initialization alone, printed (nothing written)
  -h, --help  this help`;

const ROOT = path.join(__dirname, '..');
const LATENCY_MS = 40;
const RATE_PER_SECOND = 10;
const COLD_STARTS = 20;
/** Organizations' throttling is far below Inspector's: the largest organization must still fit one run. */
const ORGANIZATIONS_SLOW_RATE = 2;
const LARGEST: ScenarioSettings = {
  accounts: 10_000,
  regions: 17,
  latencyMs: LATENCY_MS,
  ratePerSecond: RATE_PER_SECOND,
};
const COVERAGE: CoverageSettings = {
  accounts: 10_000,
  regions: 17,
  instances: 300_000,
  latencyMs: LATENCY_MS,
  ratePerSecond: RATE_PER_SECOND,
};
const SCAN_CONFIGURATION: ScanConfigurationSettings = {
  accounts: 10_000,
  regions: 17,
  latencyMs: LATENCY_MS,
  ratePerSecond: RATE_PER_SECOND,
  // The steady state and the change's first two runs at the benchmark's rate; the day of runs after them at full speed.
  timedRuns: 2,
};
const TARGETS = { wallSeconds: 180, floorRatio: 1.5, peakRssMiB: 256, bundleBytes: 1_000_000, initMs: 300 };

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      coverage: { type: 'boolean', default: false },
      startup: { type: 'boolean', default: false },
      'scan-configuration': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.coverage) return runCoverage(values.quick);
  if (values.startup) return runStartup();
  if (values['scan-configuration']) return runScanConfiguration(values.quick);
  const sizes = values.quick ? [1_000] : [1_000, 10_000];
  const regionCounts = [1, 3, 17];
  const progress = (text: string) => process.stderr.write(`${text}\n`);

  progress('bundling the function as cdk synth does…');
  const fn = buildFunction();
  const bundleBytes = statSync(path.join(fn.bundle, 'index.js')).size;
  const initTimes = measureInit(fn, COLD_STARTS);

  const scenarios: ScenarioResult[] = [];
  for (const accounts of sizes) {
    for (const regions of regionCounts) {
      const settings: ScenarioSettings = { accounts, regions, latencyMs: LATENCY_MS, ratePerSecond: RATE_PER_SECOND };
      progress(`${accounts} accounts × ${regions} regions…`);
      const result = await runScenario(fn, settings);
      progress(
        `  worst case ${result.worstCase.wallSeconds.toFixed(1)} s, steady state ${result.steadyState.wallSeconds.toFixed(1)} s`,
      );
      scenarios.push(result);
    }
  }
  let hostHeap: ScenarioResult | undefined;
  if (!values.quick) {
    progress(`10000 accounts × 17 regions with Organizations at ${ORGANIZATIONS_SLOW_RATE} requests a second…`);
    const slowOrganizations = await runScenario(fn, {
      ...LARGEST,
      organizationsRatePerSecond: ORGANIZATIONS_SLOW_RATE,
    });
    progress(`  worst case ${slowOrganizations.worstCase.wallSeconds.toFixed(1)} s`);
    scenarios.push(slowOrganizations);
    progress(`10000 accounts × 17 regions again, with V8's heap sized for this ${machine().memoryGiB} GiB machine…`);
    hostHeap = await runScenario(fn, { ...LARGEST, heap: 'host' });
  }
  progress('naive baseline: 1000 accounts × 1 region, one account per call…');
  const naive = await runNaive({ accounts: 1_000, regions: 1, latencyMs: LATENCY_MS, ratePerSecond: RATE_PER_SECOND });

  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    settings: { latencyMs: LATENCY_MS, ratePerSecondPerOperationAndRegion: RATE_PER_SECOND },
    targets: TARGETS,
    function: { memoryMiB: fn.memoryMiB, environment: fn.environment, v8OldSpaceMiB: lambdaOldSpaceMiB(fn) },
    bundle: { bytes: bundleBytes, initMs: initTimes },
    scenarios,
    hostHeap,
    naive,
  };
  const table = renderResults(results);
  console.log(table);

  const outputDirectory = values.quick ? path.join(ROOT, '.bench') : path.join(ROOT, 'bench');
  mkdirSync(outputDirectory, { recursive: true });
  await writeFormatted(path.join(outputDirectory, 'results.json'), JSON.stringify(results));
  if (!values.quick) await replaceSection(path.join(ROOT, 'BENCHMARKS.md'), RESULTS_MARKERS, table);
  progress(
    `results written to ${path.relative(ROOT, outputDirectory)}/results.json${values.quick ? '' : ' and BENCHMARKS.md'}`,
  );
  const ok = scenarios.every((s) => s.finalStateMatchesPolicy && s.secondRunWrites === 0);
  const coverageOk = (await runCoverage(values.quick)) === 0;
  const scanOk = (await runScanConfiguration(values.quick)) === 0;
  return ok && coverageOk && scanOk ? 0 : 1;
}

/** What a cold start costs before the handler runs: the bundle as the default stack (findings off) deploys it. */
function runStartup(): number {
  process.stderr.write('bundling the function as cdk synth does…\n');
  const fn = buildFunction();
  const bytes = statSync(path.join(fn.bundle, 'index.js')).size;
  console.log(renderStartup({ bytes, initMs: measureInit(fn, COLD_STARTS) }));
  return 0;
}

/** The coverage measurement at the largest size: its calls against their lower bound, wall time, peak RSS. */
async function runCoverage(quick: boolean): Promise<number> {
  const fn = buildFunction();
  const settings = quick ? { ...COVERAGE, accounts: 1_000, instances: 30_000 } : COVERAGE;
  process.stderr.write(
    `coverage: ${settings.accounts} accounts, about ${settings.instances} instances, ${settings.regions} regions…\n`,
  );
  const coverage = await runCoverageScenario(fn, settings);
  // Memory must not grow with instances: the same organization with ten times the instances.
  process.stderr.write('coverage: 1000 accounts × 17 regions, with 30000 and then 300000 instances…\n');
  const growth = [];
  for (const instances of [30_000, 300_000]) {
    growth.push(await runCoverageScenario(fn, { ...COVERAGE, accounts: 1_000, instances }));
  }
  const table = renderCoverage({ date: new Date().toISOString(), machine: machine(), coverage, growth });
  console.log(table);
  const outputDirectory = quick ? path.join(ROOT, '.bench') : path.join(ROOT, 'bench');
  mkdirSync(outputDirectory, { recursive: true });
  await writeFormatted(path.join(outputDirectory, 'coverage-results.json'), JSON.stringify({ coverage, growth }));
  if (!quick) await replaceSection(path.join(ROOT, 'BENCHMARKS.md'), COVERAGE_MARKERS, table);
  const correct = [coverage, ...growth].every((run) => run.countsMatchGroundTruth && run.writeCalls === 0);
  return correct ? 0 : 1;
}

/**
 * The scan configuration at the largest size: the steady state, the policy change (its first two runs timed,
 * the rest counted at full speed) until converged, and the steady state of a policy without it.
 */
async function runScanConfiguration(quick: boolean): Promise<number> {
  const fn = buildFunction();
  const settings: ScanConfigurationSettings = { ...SCAN_CONFIGURATION, ...(quick ? { accounts: 1_000 } : {}) };
  process.stderr.write(
    `scan configuration: ${settings.accounts} accounts × ${settings.regions} regions, the schedule's period ${fn.environment.SCHEDULE_PERIOD_SECONDS ?? 3600} s…\n`,
  );
  const scan = await runScanConfigurationScenario(fn, settings, (text) => process.stderr.write(`${text}\n`));
  const table = renderScanConfiguration({ date: new Date().toISOString(), machine: machine(), scan });
  console.log(table);
  const outputDirectory = quick ? path.join(ROOT, '.bench') : path.join(ROOT, 'bench');
  mkdirSync(outputDirectory, { recursive: true });
  await writeFormatted(path.join(outputDirectory, 'scan-configuration-results.json'), JSON.stringify(scan));
  if (!quick) await replaceSection(path.join(ROOT, 'BENCHMARKS.md'), SCAN_CONFIGURATION_MARKERS, table);
  const runs = [scan.steadyState, ...scan.change, scan.withoutScanConfiguration];
  const atBound = runs.every(
    (run) => run.measurement.callRatio === 1 && Object.keys(run.measurement.unexpectedCalls).length === 0,
  );
  return atBound && scan.runsToConverge !== undefined && runs.every((run) => !run.deadlineReached) ? 0 : 1;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

const RESULTS_MARKERS = ['<!-- results:start (written by npm run bench) -->', '<!-- results:end -->'] as const;
const COVERAGE_MARKERS = ['<!-- coverage:start (written by npm run bench) -->', '<!-- coverage:end -->'] as const;
const SCAN_CONFIGURATION_MARKERS = [
  '<!-- scan-configuration:start (written by npm run bench) -->',
  '<!-- scan-configuration:end -->',
] as const;

async function replaceSection(file: string, [START, END]: readonly [string, string], table: string): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${START} … ${END} section`);
  await writeFormatted(file, `${text.slice(0, start + START.length)}\n${table}\n${text.slice(end)}`);
}

/** Written as `npm run format` would write it, so `npm run lint` passes on a fresh result. */
async function writeFormatted(file: string, text: string): Promise<void> {
  const options = await prettier.resolveConfig(file);
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

runScript(() => main(process.argv.slice(2)));
