import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EMPTY_LEDGER, type RunSummary } from '../lambda/reconciler';
import { LocalAwsEndpoint } from '../local/aws-endpoint/server';
import { buildFunction, type DeployedFunction, invokeBundleMeasured } from '../local/bundle';
import { type SimulatedOrganization } from '../local/simulated-organization';
import { type FindingsRegionShape, securityHubFloor, securityHubLowerBounds } from './floor';
import {
  benchEnvironment,
  measurement,
  REGIONS,
  type RunMeasurement,
  type ScenarioSettings,
  uniformOrganization,
  POLICY_PARAMETER,
  LEDGER_PARAMETER,
} from './scenario';
import { runScript } from './script';

/**
 * The findings step at 10,000 accounts × 17 regions with 1% exceptions (issue 18): the steady state's
 * Security Hub calls against their lower bound, and its wall time against the same steady state with the
 * findings off (what a run costs today), measured alternately in one session so that both see the same
 * machine. The bundle is built with securityHubFindings; the policy turns the findings on and off.
 */

// DescribeHub too: the function must never call it (GetFindings answers for it), and a call would show here.
const SECURITY_HUB_OPERATIONS = ['DescribeHub', 'GetFindings', 'BatchImportFindings', 'BatchUpdateFindings'];

export interface FindingsScenarioSettings extends ScenarioSettings {
  /** One account in this many has an exception (EC2 scanning off) in every region: 100 is 1%. */
  readonly exceptionEvery: number;
  /** Steady-state pairs (findings off, then on). */
  readonly repeats: number;
}

export interface FindingsScenarioResult {
  readonly settings: FindingsScenarioSettings;
  /** Exceptions in the organization, every region together. */
  readonly exceptions: number;
  /** Findings on, the first time: every exception imported. */
  readonly firstRun: FindingsRun;
  /** The steady state with the policy's findings off: today's run. */
  readonly steadyOff: readonly FindingsRun[];
  /** The same steady state with the findings on. */
  readonly steadyOn: readonly FindingsRun[];
  /** Security Hub calls made by the runs with the findings off: must be 0. */
  readonly callsWhileOff: number;
  /** After the runs, Security Hub holds exactly the exceptions, once each, ACTIVE. */
  readonly findingsMatchExceptions: boolean;
  readonly responseViolations: number;
}

export interface FindingsRun extends RunMeasurement {
  /**
   * The findings step's calls, as the endpoint saw them: from its first Security Hub request to its last
   * one's answer (the arrival plus the endpoint's latency).
   */
  readonly findingsStepSeconds?: number;
  /**
   * From the run's last call to another service (its reads, the guardrail's ledger, the queue) to the
   * function's answer, on the benchmark's clock: the findings step whole (computing the exceptions,
   * creating the clients, its calls, reading the answers), plus the summary and the process's exit that
   * every run has. Its difference between runs with the findings on and off is what the step costs,
   * free of the noise in the minute of reads before it.
   */
  readonly afterReconcileSeconds: number;
  /**
   * From the answer to the run's last call to another service before the findings step to the step's first
   * Security Hub request: computing the exceptions, loading the Security Hub adapter and its SDK client
   * (every invocation here is a fresh process, so every findings step is a container's first), creating the
   * client. Undefined when no Security Hub call was made.
   */
  readonly toFirstSecurityHubCallMs?: number;
}

/** Every account ACTIVE, a member, deep inspection ACTIVATED as the policy says; EC2 scanning off in one of `every`. */
function steadyOrganization(settings: FindingsScenarioSettings): {
  organization: SimulatedOrganization;
  expected: Map<string, Set<string>>;
} {
  const regions = REGIONS.slice(0, settings.regions);
  const organization = uniformOrganization(settings, 1);
  const expected = new Map(regions.map((region) => [region, new Set<string>()]));
  const half = Math.floor(settings.exceptionEvery / 2);
  organization.accounts.forEach((account, index) => {
    if (index % settings.exceptionEvery !== half || account.id === organization.delegatedAdminAccountId) return;
    for (const region of regions) {
      const state = organization.inspectorAccount(region, account.id);
      if (state) state.ec2ScanStatus = 'DISABLED';
      expected.get(region)?.add(`deep-inspection-reconciler/${region}/account/${account.id}/EC2_SCANNING_NOT_ENABLED`);
    }
  });
  return { organization, expected };
}

export async function runFindingsScenario(
  fn: DeployedFunction,
  settings: FindingsScenarioSettings,
  progress: (text: string) => void = () => undefined,
): Promise<FindingsScenarioResult> {
  if (fn.environment.SECURITY_HUB_FINDINGS !== 'true') {
    throw new Error('build the function with securityHubFindings: buildFunction({ securityHubFindings: true })');
  }
  const regions = REGIONS.slice(0, settings.regions);
  const { organization, expected } = steadyOrganization(settings);
  const endpoint = await LocalAwsEndpoint.start(organization);
  endpoint.checkResponses = settings.accounts <= 1_000;
  endpoint.recordRequests = true;
  try {
    const queueUrl = endpoint.createQueue('failed-accounts');
    endpoint.state.parameters.set(LEDGER_PARAMETER, { value: EMPTY_LEDGER, version: 1 });
    let version = 0;
    const storePolicy = (findings: boolean) => {
      version += 1;
      const policy = { version: 2, default: 'ACTIVATED', regions, findings: { securityHub: findings } };
      endpoint.state.parameters.set(POLICY_PARAMETER, { value: JSON.stringify(policy), version });
    };
    const env = benchEnvironment(fn, endpoint, {
      region: regions[0] as string,
      queueUrl: queueUrl,
      ratePerSecond: settings.ratePerSecond,
    });
    endpoint.faults = { latencyMs: settings.latencyMs, rateLimitPerSecond: settings.ratePerSecond };
    const limits = { perSecond: settings.ratePerSecond, latency: settings.latencyMs / 1000 };
    const active = (region: string) =>
      new Set(
        (endpoint.state.securityHub.findingsIn(region) as { Id: string; RecordState: string }[])
          .filter((finding) => finding.RecordState === 'ACTIVE')
          .map((finding) => finding.Id),
      );
    let callsWhileOff = 0;

    const measure = async (findings: boolean): Promise<FindingsRun> => {
      storePolicy(findings);
      // The lower bound from the ground truth, before the run: what is open, and what differs from the exceptions.
      const shapes: FindingsRegionShape[] = regions.map((region) => {
        const open = active(region);
        const wanted = expected.get(region) ?? new Set<string>();
        const created = [...wanted].filter((id) => !open.has(id)).length;
        const toSend = created + [...open].filter((id) => !wanted.has(id)).length;
        return { open: open.size, created, toSend };
      });
      endpoint.resetCounters();
      const invocation = await invokeBundleMeasured(fn.bundle, {}, organization.delegatedAdminAccountId, env);
      const answeredAt = Date.now();
      const summary = invocation.result as RunSummary;
      if (!findings) callsWhileOff += SECURITY_HUB_OPERATIONS.reduce((sum, op) => sum + endpoint.callCount(op), 0);
      const shape = {
        accounts: settings.accounts,
        regions: settings.regions,
        memberChangesPerRegion: 0,
        ownAccountChanges: false,
        // The scenario's EC2-scanning-off accounts: one refused DescribeEffectivePolicy a run (the endpoint's default).
        accountsWithEc2ScanningOff: expected.values().next().value?.size ?? 0,
      };
      const run = measurement(
        endpoint,
        invocation,
        summary,
        { ...shape, failures: summary.totals.failed },
        limits,
        findings
          ? { bounds: securityHubLowerBounds(shapes), floorSeconds: securityHubFloor(shapes, limits) }
          : undefined,
      );
      const hub = endpoint.requestLog.filter((request) => request.service === 'securityhub').map((r) => r.at);
      const others = endpoint.requestLog.filter((request) => request.service !== 'securityhub').map((r) => r.at);
      const findingsStepSeconds =
        hub.length === 0 ? undefined : (Math.max(...hub) + settings.latencyMs - Math.min(...hub)) / 1000;
      const afterReconcileSeconds = (answeredAt - Math.max(...others)) / 1000;
      const firstHub = Math.min(...hub);
      const beforeHub = others.filter((at) => at <= firstHub);
      const toFirstSecurityHubCallMs =
        hub.length === 0 || beforeHub.length === 0
          ? undefined
          : firstHub - (Math.max(...beforeHub) + settings.latencyMs);
      progress(
        `  findings ${findings ? 'on ' : 'off'}: ${run.wallSeconds.toFixed(1)} s, ${afterReconcileSeconds.toFixed(2)} s after the last reconcile call${findingsStepSeconds === undefined ? '' : `, Security Hub calls ${findingsStepSeconds.toFixed(2)} s`}${toFirstSecurityHubCallMs === undefined ? '' : `, ${toFirstSecurityHubCallMs} ms to the first of them`}`,
      );
      return {
        ...run,
        afterReconcileSeconds,
        ...(findingsStepSeconds === undefined ? {} : { findingsStepSeconds }),
        ...(toFirstSecurityHubCallMs === undefined ? {} : { toFirstSecurityHubCallMs }),
      };
    };

    const firstRun = await measure(true);
    const steadyOff: FindingsRun[] = [];
    const steadyOn: FindingsRun[] = [];
    for (let pair = 0; pair < settings.repeats; pair++) {
      steadyOff.push(await measure(false));
      steadyOn.push(await measure(true));
    }
    const findingsMatchExceptions = regions.every((region) => {
      const open = active(region);
      const wanted = expected.get(region) ?? new Set<string>();
      return open.size === wanted.size && [...wanted].every((id) => open.has(id));
    });
    return {
      settings,
      exceptions: [...expected.values()].reduce((sum, ids) => sum + ids.size, 0),
      firstRun,
      steadyOff,
      steadyOn,
      callsWhileOff,
      findingsMatchExceptions,
      responseViolations: endpoint.violations.length,
    };
  } finally {
    await endpoint.close();
  }
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);
const total = (
  counts: Record<string, { calls: number; lowerBound: number }> | undefined,
  key: 'calls' | 'lowerBound',
) => Object.values(counts ?? {}).reduce((sum, count) => sum + count[key], 0);

/** Median, least and most of the runs' toFirstSecurityHubCallMs. */
function toFirstCall(runs: readonly FindingsRun[]): string {
  const times = runs.flatMap((run) => run.toFirstSecurityHubCallMs ?? []).sort((a, b) => a - b);
  if (times.length === 0) return 'no Security Hub call';
  return `${times[Math.floor(times.length / 2)]} ms median (${times[0]}–${times.at(-1)} ms, ${times.length} runs)`;
}

/** The BENCHMARKS.md table: one row a run. */
export function renderFindings(result: FindingsScenarioResult): string {
  const { settings } = result;
  const row = (name: string, run: FindingsRun) => {
    const hub = run.securityHub;
    const hubCell =
      hub === undefined
        ? '0 (off)'
        : `${total(hub, 'calls')} / ${total(hub, 'lowerBound')}: ${Object.entries(hub)
            .map(([operation, count]) => `${operation} ${count.calls}/${count.lowerBound}`)
            .join(', ')}`;
    const others =
      Object.values(run.operations).reduce((sum, op) => sum + op.calls, 0) +
      ' / ' +
      Object.values(run.operations).reduce((sum, op) => sum + op.lowerBound, 0);
    const step = run.findingsStepSeconds === undefined ? '–' : fixed(run.findingsStepSeconds, 2);
    return `| ${name} | ${fixed(run.wallSeconds)} | ${fixed(run.afterReconcileSeconds, 2)} | ${step} | ${fixed(run.floorSeconds)} | ${others} | ${hubCell} | ${run.throttled} | ${Object.keys(run.unexpectedCalls).length === 0 ? 'none' : JSON.stringify(run.unexpectedCalls)} | ${fixed(run.peakRssMiB, 0)} |`;
  };
  const meanOf = (runs: readonly FindingsRun[], value: (run: FindingsRun) => number) =>
    runs.reduce((sum, run) => sum + value(run), 0) / runs.length;
  const mean = (runs: readonly FindingsRun[]) => meanOf(runs, (run) => run.wallSeconds);
  const spread = (runs: readonly FindingsRun[]) =>
    `${fixed(Math.min(...runs.map((run) => run.wallSeconds)))}–${fixed(Math.max(...runs.map((run) => run.wallSeconds)))}`;
  return [
    `${settings.accounts.toLocaleString('en-US')} accounts × ${settings.regions} regions, ${result.exceptions.toLocaleString('en-US')} exceptions (EC2 scanning off in 1 account in ${settings.exceptionEvery}, every region), ${settings.latencyMs} ms a call, ${settings.ratePerSecond} requests a second per operation and region.`,
    '',
    '| run | wall s | after the last reconcile call s | Security Hub calls span s | floor s | other API calls / lower bound | Security Hub calls / lower bound | throttled | unexpected calls | peak RSS MiB |',
    '| --- | -----: | ------------------------------: | ------------------------: | ------: | ----------------------------- | -------------------------------- | --------: | ---------------- | -----------: |',
    row('findings on, first run (every exception imported)', result.firstRun),
    ...result.steadyOff.flatMap((off, index) => [
      row(`steady state, findings off (today's run) #${index + 1}`, off),
      row(`steady state, findings on #${index + 1}`, result.steadyOn[index] as FindingsRun),
    ]),
    '',
    `Steady state wall time: findings off ${fixed(mean(result.steadyOff))} s (${spread(result.steadyOff)}), on ${fixed(mean(result.steadyOn))} s (${spread(result.steadyOn)}); ` +
      `after the last reconcile call: off ${fixed(
        meanOf(result.steadyOff, (run) => run.afterReconcileSeconds),
        2,
      )} s, on ${fixed(
        meanOf(result.steadyOn, (run) => run.afterReconcileSeconds),
        2,
      )} s. ` +
      `From the last reconcile call's answer to the first Security Hub request (the exceptions, loading the Security Hub client, creating it), findings on: ${toFirstCall([result.firstRun, ...result.steadyOn])}. ` +
      `Security Hub calls while off: ${result.callsWhileOff}. Security Hub afterwards holds exactly the ${result.exceptions.toLocaleString('en-US')} exceptions, ACTIVE: ${result.findingsMatchExceptions ? 'yes' : '**NO**'}. Responses checked against the models: ${settings.accounts <= 1_000 ? `${result.responseViolations} departed` : 'not at this size (the end-to-end tests check them)'}.`,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string', default: '10000' },
      regions: { type: 'string', default: '17' },
      repeats: { type: 'string', default: '2' },
    },
  });
  const settings: FindingsScenarioSettings = {
    accounts: Number(values.accounts),
    regions: Number(values.regions),
    latencyMs: 40,
    ratePerSecond: 10,
    exceptionEvery: 100,
    repeats: Number(values.repeats),
  };
  const progress = (text: string) => process.stderr.write(`${text}\n`);
  progress('bundling the function as cdk synth does, with securityHubFindings…');
  const fn = buildFunction({ securityHubFindings: true });
  progress(`${settings.accounts} accounts × ${settings.regions} regions, 1% exceptions…`);
  const result = await runFindingsScenario(fn, settings, progress);
  const table = renderFindings(result);
  console.log(table);
  const directory = path.join(__dirname, '..', '.bench');
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, 'findings.json'), JSON.stringify(result, null, 2));
  const atBound = [result.firstRun, ...result.steadyOn].every(
    (run) => total(run.securityHub, 'calls') === total(run.securityHub, 'lowerBound'),
  );
  return atBound && result.callsWhileOff === 0 && result.findingsMatchExceptions ? 0 : 1;
}

if (require.main === module) runScript(() => main(process.argv.slice(2)));
