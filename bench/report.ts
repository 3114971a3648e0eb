import type { CoverageMeasurement } from './coverage';
import type { Operation } from './floor';
import type { NaiveResult } from './naive';
import type { RunMeasurement, ScenarioResult } from './scenario';
import type { ScanConfigurationResult, ScanConfigurationRunResult } from './scan-configuration';

/** Benchmark results as Markdown: the table BENCHMARKS.md holds and the terminal shows. */

export const median = (sorted: readonly number[]) => sorted[Math.floor(sorted.length / 2)] ?? 0;
const fixed = (value: number, digits = 1) => value.toFixed(digits);

function callsCell(run: RunMeasurement): string {
  const calls = Object.values(run.operations).reduce((sum, op) => sum + op.calls, 0);
  const bound = Object.values(run.operations).reduce((sum, op) => sum + op.lowerBound, 0);
  return `${calls} / ${bound} (${fixed(run.callRatio, 2)})`;
}

export type Results = {
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; os: string };
  function: { memoryMiB: number; v8OldSpaceMiB: number };
  bundle: { bytes: number; initMs: number[] };
  scenarios: ScenarioResult[];
  hostHeap: ScenarioResult | undefined;
  naive: NaiveResult;
  date: string;
};

/** One line: the bundle's size and its module initialization (initMs sorted, as measureInit returns them). */
export function renderStartup(bundle: Results['bundle']): string {
  return `Bundle: ${bundle.bytes.toLocaleString('en-US')} bytes (index.js). Module initialization over ${bundle.initMs.length} cold starts: ${fixed(median(bundle.initMs), 0)} ms median, ${fixed(bundle.initMs.at(-1) ?? 0, 0)} ms at most.`;
}

/** The Markdown that goes between BENCHMARKS.md's result markers, and on the terminal. */
export function renderResults(results: Results): string {
  const rows = results.scenarios.flatMap((scenario) =>
    (
      [
        ['worst case', scenario.worstCase],
        ['steady state', scenario.steadyState],
      ] as const
    ).map(([name, run]) =>
      [
        `${scenario.settings.accounts.toLocaleString('en-US')} × ${scenario.settings.regions}${
          scenario.settings.organizationsRatePerSecond
            ? ` (Organizations ${scenario.settings.organizationsRatePerSecond}/s)`
            : ''
        }`,
        name,
        fixed(run.wallSeconds),
        fixed(run.floorSeconds),
        fixed(run.wallSeconds / run.floorSeconds, 2),
        callsCell(run),
        String(run.throttled),
        String(run.totals.activated),
        String(run.totals.failed),
        fixed(run.peakRssMiB, 0),
        name === 'worst case'
          ? scenario.finalStateMatchesPolicy
            ? 'final state = policy'
            : '**NOT the policy**'
          : scenario.secondRunWrites === 0
            ? '0 writes'
            : `**${scenario.secondRunWrites} writes**`,
      ].join(' | '),
    ),
  );
  // Scenarios run smallest first: the last at the shared rate is the largest.
  const largest = results.scenarios.filter((scenario) => !scenario.settings.organizationsRatePerSecond).at(-1);
  const perOperation = largest
    ? (Object.keys(largest.worstCase.operations) as Operation[]).map((operation) => {
        const worst = largest.worstCase.operations[operation];
        const steady = largest.steadyState.operations[operation];
        return [operation, worst.calls, worst.lowerBound, worst.throttled, steady.calls, steady.lowerBound].join(' | ');
      })
    : [];
  const { naive } = results;
  const sameAsNaive = results.scenarios.find((s) => s.settings.accounts === 1_000 && s.settings.regions === 1);
  return [
    `Measured ${results.date.slice(0, 10)} on ${results.machine.cores} × ${results.machine.cpu}, ${results.machine.memoryGiB} GiB, Node.js ${results.machine.node}, ${results.machine.os}.`,
    '',
    'accounts × regions | run | wall s | floor s | wall/floor | API calls / lower bound (ratio) | throttled | activated | failed | peak RSS MiB | correctness',
    '--- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---',
    ...rows,
    '',
    ...(largest
      ? [
          `Per operation at ${largest.settings.accounts.toLocaleString('en-US')} accounts × ${largest.settings.regions} regions:`,
          '',
          'operation | worst-case calls | lower bound | throttled | steady-state calls | lower bound',
          '--- | ---: | ---: | ---: | ---: | ---:',
          ...perOperation,
          '',
        ]
      : []),
    renderStartup(results.bundle),
    '',
    `Peak RSS is the function process's VmHWM, with V8's old space at ${results.function.v8OldSpaceMiB} MiB: a quarter of the function's ${results.function.memoryMiB} MiB, what V8 gives itself on a host of that size, as Lambda's is.` +
      (results.hostHeap
        ? ` With V8's defaults for this ${results.machine.memoryGiB} GiB machine instead, the same 10,000 × 17 worst case peaks at ${fixed(results.hostHeap.worstCase.peakRssMiB, 0)} MiB (${fixed(results.hostHeap.worstCase.wallSeconds)} s): V8 collects garbage later when it has more room, not more live data.`
        : ''),
    '',
    `Naive baseline, ${naive.settings.accounts.toLocaleString('en-US')} accounts × 1 region, one account per call: ${fixed(naive.wallSeconds)} s, ${naive.calls} calls, ${naive.throttled} throttled, ${naive.notActivated} accounts left not activated` +
      (sameAsNaive
        ? `; the reconciler: ${fixed(sameAsNaive.worstCase.wallSeconds)} s and ${callsCell(sameAsNaive.worstCase).split(' ')[0]} calls, ${fixed(naive.wallSeconds / sameAsNaive.worstCase.wallSeconds, 1)}× faster.`
        : '.'),
  ].join('\n');
}

/** The coverage measurement's section of BENCHMARKS.md. */
export function renderCoverage(results: {
  date: string;
  machine: Results['machine'];
  coverage: CoverageMeasurement;
  /** The same organization with more and more instances: peak RSS must not follow them. */
  growth: readonly CoverageMeasurement[];
}): string {
  const { coverage, growth } = results;
  const perOperation = Object.entries(coverage.calls).map(([operation, count]) =>
    [operation, count.calls, count.lowerBound].join(' | '),
  );
  return [
    `Measured ${results.date.slice(0, 10)} on ${results.machine.cores} × ${results.machine.cpu}, Node.js ${results.machine.node}.`,
    '',
    'accounts × regions | instances | wall s | floor s | wall/floor | API calls / lower bound (ratio) | throttled | peak RSS MiB | correctness',
    '--- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---',
    [
      `${coverage.settings.accounts.toLocaleString('en-US')} × ${coverage.settings.regions}`,
      coverage.instances.toLocaleString('en-US'),
      fixed(coverage.wallSeconds),
      fixed(coverage.floorSeconds),
      fixed(coverage.wallSeconds / coverage.floorSeconds, 2),
      `${Object.values(coverage.calls).reduce((sum, c) => sum + c.calls, 0)} / ${Object.values(coverage.calls).reduce((sum, c) => sum + c.lowerBound, 0)} (${fixed(coverage.callRatio, 2)})`,
      String(coverage.throttled),
      fixed(coverage.peakRssMiB, 0),
      `${coverage.countsMatchGroundTruth ? 'counts = ground truth' : '**counts differ from the ground truth**'}, ${coverage.writeCalls} writes`,
    ].join(' | '),
    '',
    'operation | calls | lower bound',
    '--- | ---: | ---:',
    ...perOperation,
    '',
    `Memory against instances, ${growth[0]?.settings.accounts.toLocaleString('en-US')} accounts × ${growth[0]?.settings.regions} regions: ` +
      growth
        .map(
          (run) =>
            `${run.instances.toLocaleString('en-US')} instances, peak RSS ${fixed(run.peakRssMiB, 0)} MiB (${fixed(run.wallSeconds)} s)`,
        )
        .join('; ') +
      '.',
  ].join('\n');
}

/** The scan configuration measurement's section of BENCHMARKS.md: one row a run, then how the change converged. */
export function renderScanConfiguration(results: {
  date: string;
  machine: Results['machine'];
  scan: ScanConfigurationResult;
}): string {
  const { scan } = results;
  const row = (run: ScanConfigurationRunResult) => {
    const m = run.measurement;
    const get = m.operations.GetConfiguration;
    const update = m.operations.UpdateConfiguration;
    const totals = run.scanConfiguration;
    const writes = totals
      ? `${totals.byWrite.ADMINISTRATOR} administrator, ${totals.byWrite.INHERIT_FROM_ADMIN} INHERIT_FROM_ADMIN, ${totals.byWrite.MEMBER} member`
      : '–';
    return [
      run.name,
      run.scheduledTime.slice(11, 16),
      run.timed ? fixed(m.wallSeconds) : '–',
      run.timed ? fixed(m.floorSeconds) : '–',
      run.timed ? fixed(m.wallSeconds / m.floorSeconds, 2) : '–',
      callsCell(m),
      `${get.calls} / ${get.lowerBound}`,
      `${update.calls} / ${update.lowerBound}`,
      writes,
      totals ? String(totals.skippedByReason.FOLLOWS_ADMINISTRATOR ?? 0) : '–',
      String(m.throttled),
      run.deadlineReached ? '**yes**' : 'no',
      String(run.differing),
      fixed(m.peakRssMiB, 0),
    ].join(' | ');
  };
  const timed = scan.change.filter((run) => run.timed);
  const shown = [scan.steadyState, ...scan.change, scan.withoutScanConfiguration];
  const members = scan.settings.accounts - 1;
  const runsADay = Math.round(86_400 / scan.schedulePeriodSeconds);
  const writesOf = (kind: 'ADMINISTRATOR' | 'INHERIT_FROM_ADMIN' | 'MEMBER') =>
    scan.change.reduce((sum, run) => sum + (run.scanConfiguration?.byWrite[kind] ?? 0), 0);
  return [
    `Measured ${results.date.slice(0, 10)} on ${results.machine.cores} × ${results.machine.cpu}, Node.js ${results.machine.node}: ` +
      `${scan.settings.accounts.toLocaleString('en-US')} accounts × ${scan.settings.regions} regions, a schedule of ${scan.schedulePeriodSeconds / 3600} h ` +
      `(${runsADay} runs a day), ${scan.stragglers} members configured individually. Runs after the first ${timed.length} of the change at no latency and 1,000 requests a second (calls only).`,
    '',
    'run | scheduled (UTC) | wall s | floor s | wall/floor | API calls / lower bound (ratio) | GetConfiguration / bound | UpdateConfiguration / bound | writes | members following the administrator | throttled | past deadline | account × regions not as the policy | peak RSS MiB',
    '--- | --- | ---: | ---: | ---: | --- | --- | --- | --- | ---: | ---: | --- | ---: | ---:',
    ...shown.map(row),
    '',
    `Converged in ${scan.runsToConverge ?? `**more than ${scan.change.length}**`} scheduled runs; writes over the change: ` +
      `${writesOf('ADMINISTRATOR')} administrator, ${writesOf('INHERIT_FROM_ADMIN')} INHERIT_FROM_ADMIN, ${writesOf('MEMBER')} member ` +
      `(${(scan.settings.accounts * scan.settings.regions).toLocaleString('en-US')} account × regions moved).` +
      (scan.memberReadsInADay === undefined
        ? ''
        : ` Members read over the change's first ${runsADay} runs: ${scan.memberReadsInADay.toLocaleString('en-US')} ` +
          `(${members.toLocaleString('en-US')} members × ${scan.settings.regions} regions = ${(members * scan.settings.regions).toLocaleString('en-US')}).`),
  ].join('\n');
}
