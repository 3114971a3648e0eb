import {
  EMPTY_LEDGER,
  inSlice,
  type RunSummary,
  type ScanConfigurationTotals,
  sliceWindow,
} from '../lambda/reconciler';
import { LocalAwsEndpoint } from '../local/aws-endpoint/server';
import { type DeployedFunction, invokeBundleMeasured } from '../local/bundle';
import { type SimulatedEc2Configuration, type SimulatedOrganization } from '../local/simulated-organization';
import { membersRead, type RunShape, type ScanConfigurationShape } from './floor';
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

/*
 * The EC2 scan configuration managed for every account (issue 26): a steady state, a policy change that
 * moves every account, run after run on consecutive scheduled times until the organization is as the
 * policy says, and the same organization's steady state with a policy that manages no scan configuration.
 * Every run's calls are counted against the lower bound (bench/floor.ts), which is computed here from the
 * simulated organization's state before the run, never from what the function reports.
 */

/** The first scheduled run's time: 01:00 UTC, so that it reads the day's first window. */
const FIRST_SCHEDULED_RUN = Date.UTC(2026, 11, 7, 1);

type ScanDefaults = {
  readonly scanMode: 'EC2_SSM_AGENT_BASED' | 'EC2_HYBRID';
  readonly vmScanner: 'ACTIVATED' | 'DEACTIVATED';
};

export interface ScanConfigurationSettings extends ScenarioSettings {
  /**
   * One member in `stragglerEvery` configured individually (UpdateConfiguration with its `accountId`, before
   * the policy): it does not inherit the administrator's configuration, so only its own write moves it.
   * @default 100 (1%)
   */
  readonly stragglerEvery?: number;
  /**
   * The schedule's period (the stack's `schedule`; SCHEDULE_PERIOD_SECONDS). @default the stack's, rate(1 hour)
   */
  readonly schedulePeriodSeconds?: number;
  /**
   * The policy change's runs after the first `timedRuns` are made at no latency and a rate of 1,000 a second:
   * they count calls and runs to converge, which do not depend on the rate; their time is not reported.
   * @default every run timed
   */
  readonly timedRuns?: number;
  /** At most this many runs of the policy change. @default a day of runs and one */
  readonly maxRuns?: number;
}

export interface ScanConfigurationRunResult {
  readonly name: string;
  /** The scheduled time the run was given (EventBridge Scheduler's `<aws.scheduler.scheduled-time>`). */
  readonly scheduledTime: string;
  /** Made at the scenario's latency and rate: its wall time and floor mean something. */
  readonly timed: boolean;
  readonly measurement: RunMeasurement;
  /** The bound's scan configuration part, from the organization before the run. */
  readonly expected?: ScanConfigurationShape;
  readonly scanConfiguration?: ScanConfigurationTotals;
  readonly deadlineReached: boolean;
  /** Account × regions whose effective configuration differs from the policy once the run's writes settled. */
  readonly differing: number;
}

export interface ScanConfigurationResult {
  readonly settings: ScanConfigurationSettings;
  readonly schedulePeriodSeconds: number;
  /** Members configured individually before the policy (each in every region). */
  readonly stragglers: number;
  /** The policy's default as it is: every account compliant, the run reads its slice of the day. */
  readonly steadyState: ScanConfigurationRunResult;
  /** The policy's VM scanner default DEACTIVATED → ACTIVATED, then one scheduled run after another. */
  readonly change: readonly ScanConfigurationRunResult[];
  /** Runs of the change until every account × region is as the policy says (undefined: not within maxRuns). */
  readonly runsToConverge: number | undefined;
  /**
   * Members' reads over the change's first day of runs (absent when it converged sooner): each managed member
   * once in each region when the windows tile the day.
   */
  readonly memberReadsInADay?: number;
  /** The same organization afterwards, with a policy that manages no scan configuration. */
  readonly withoutScanConfiguration: ScanConfigurationRunResult;
  readonly responseViolations: number;
}

/** Every account ACTIVE, a member with EC2 scanning on and deep inspection as the policy says; one in `every` configured individually. */
export function scanConfigurationOrganization(settings: ScanConfigurationSettings): {
  organization: SimulatedOrganization;
  stragglers: number;
} {
  const regions = REGIONS.slice(0, settings.regions);
  const organization = uniformOrganization(settings, 1);
  const every = settings.stragglerEvery ?? 100;
  let stragglers = 0;
  organization.accounts.forEach((account, index) => {
    if (index === 0 || index % every !== 0) return;
    stragglers += 1;
    for (const region of regions) {
      const state = organization.inspectorAccount(region, account.id);
      if (state) state.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: false };
    }
  });
  return { organization, stragglers };
}

function differs(configuration: SimulatedEc2Configuration, target: ScanDefaults): ('scanMode' | 'vmScanner')[] {
  return [
    ...(configuration.scanMode === target.scanMode ? [] : (['scanMode'] as const)),
    ...(configuration.vmScannerActivated === (target.vmScanner === 'ACTIVATED') ? [] : (['vmScanner'] as const)),
  ];
}

/**
 * What the run must do with the scan configuration, from the organization as it is before the run: it reads
 * every managed member in its window of the day in every region; it writes the administrator's configuration
 * in each region where it differs from the policy's default (the policy decides every account by the default,
 * so that write is allowed); and each member it reads that differs, unless it differs only in settings the
 * administrator's write changes this run (it may inherit them: it follows, and a later day's read tells).
 */
export function expectedScanConfiguration(
  organization: SimulatedOrganization,
  regions: readonly string[],
  target: ScanDefaults,
  read: ReadonlySet<string>,
): ScanConfigurationShape {
  let memberWrites = 0;
  let administratorWrites = 0;
  for (const region of regions) {
    const administrator = differs(
      organization.ec2ConfigurationOf(region, organization.delegatedAdminAccountId),
      target,
    );
    if (administrator.length > 0) administratorWrites += 1;
    for (const accountId of read) {
      const member = differs(organization.ec2ConfigurationOf(region, accountId), target);
      if (member.some((setting) => !administrator.includes(setting))) memberWrites += 1;
    }
  }
  return { memberReads: read.size * regions.length, memberWrites, administratorWrites };
}

/** Account × regions whose configuration, as GetConfiguration would read it, differs from the target. */
function differing(organization: SimulatedOrganization, regions: readonly string[], target: ScanDefaults): number {
  let count = 0;
  for (const region of regions) {
    for (const account of organization.accounts) {
      if (account.state !== 'ACTIVE') continue;
      if (differs(organization.ec2ConfigurationOf(region, account.id), target).length > 0) count += 1;
    }
  }
  return count;
}

/** The scenario: the steady state, the policy change run by run until converged, and the steady state without scan configuration. */
export async function runScanConfigurationScenario(
  fn: DeployedFunction,
  settings: ScanConfigurationSettings,
  progress: (text: string) => void = () => {},
): Promise<ScanConfigurationResult> {
  const regions = REGIONS.slice(0, settings.regions);
  const { organization, stragglers } = scanConfigurationOrganization(settings);
  const endpoint = await LocalAwsEndpoint.start(organization);
  endpoint.checkResponses = settings.accounts <= 1_000;
  const periodSeconds = settings.schedulePeriodSeconds ?? Number(fn.environment.SCHEDULE_PERIOD_SECONDS ?? 3600);
  try {
    const queueUrl = endpoint.createQueue('failed-accounts');
    endpoint.state.parameters.set(LEDGER_PARAMETER, { value: EMPTY_LEDGER, version: 1 });
    let policyVersion = 0;
    const setPolicy = (policy: object) => {
      policyVersion += 1;
      endpoint.state.parameters.set(POLICY_PARAMETER, { value: JSON.stringify(policy), version: policyVersion });
    };
    const timedSettings = { latencyMs: settings.latencyMs, ratePerSecond: settings.ratePerSecond };
    const fastSettings = { latencyMs: 0, ratePerSecond: 1_000 };
    const members = new Set(
      organization.accounts
        .filter((account) => account.state === 'ACTIVE' && account.id !== organization.delegatedAdminAccountId)
        .map((account) => account.id),
    );
    let scheduled = FIRST_SCHEDULED_RUN;

    const run = async (
      name: string,
      target: ScanDefaults | undefined,
      timed: boolean,
    ): Promise<ScanConfigurationRunResult> => {
      const at = new Date(scheduled);
      scheduled += periodSeconds * 1000;
      const rates = timed ? timedSettings : fastSettings;
      endpoint.faults = { latencyMs: rates.latencyMs, rateLimitPerSecond: rates.ratePerSecond };
      const env = {
        ...benchEnvironment(fn, endpoint, {
          region: regions[0] as string,
          queueUrl,
          ratePerSecond: rates.ratePerSecond,
          heap: settings.heap ?? 'lambda',
        }),
        SCHEDULE_PERIOD_SECONDS: String(periodSeconds),
      };
      const window = sliceWindow(at, periodSeconds);
      const slice = [...members].filter((accountId) => inSlice(accountId, { window }));
      const expected =
        target === undefined
          ? undefined
          : expectedScanConfiguration(
              organization,
              regions,
              target,
              membersRead(members, { slice }, organization.delegatedAdminAccountId),
            );
      endpoint.resetCounters();
      const event = {
        trigger: 'schedule',
        scheduledTime: at.toISOString(),
        scheduleExecutionId: `bench-${name.replace(/\W+/g, '-')}`,
      };
      const invocation = await invokeBundleMeasured(fn.bundle, event, organization.delegatedAdminAccountId, env);
      const summary = invocation.result as RunSummary;
      const shape: RunShape = {
        accounts: settings.accounts,
        regions: settings.regions,
        memberChangesPerRegion: 0,
        ownAccountChanges: false,
        failures: summary.totals.failed + (summary.scanConfiguration?.failed ?? 0),
        ...(expected ? { scanConfiguration: expected } : {}),
      };
      const result = measurement(endpoint, invocation, summary, shape, {
        perSecond: rates.ratePerSecond,
        latency: rates.latencyMs / 1000,
      });
      // A schedule period passes between two scheduled runs; Inspector's PENDING lasts seconds: it has settled.
      endpoint.settleNow();
      const left = differing(organization, regions, target ?? { scanMode: 'EC2_HYBRID', vmScanner: 'ACTIVATED' });
      progress(
        `  ${name} (${at.toISOString().slice(11, 16)} UTC): ${result.wallSeconds.toFixed(1)} s, calls/bound ${result.callRatio.toFixed(2)}, ` +
          `GetConfiguration ${result.operations.GetConfiguration.calls}/${result.operations.GetConfiguration.lowerBound}, ` +
          `UpdateConfiguration ${result.operations.UpdateConfiguration.calls}/${result.operations.UpdateConfiguration.lowerBound}, ` +
          `${left} account × regions differ`,
      );
      return {
        name,
        scheduledTime: at.toISOString(),
        timed,
        measurement: result,
        ...(expected ? { expected } : {}),
        ...(summary.scanConfiguration ? { scanConfiguration: summary.scanConfiguration } : {}),
        deadlineReached: summary.deadlineReached,
        differing: left,
      };
    };

    const before: ScanDefaults = { scanMode: 'EC2_HYBRID', vmScanner: 'DEACTIVATED' };
    const after: ScanDefaults = { scanMode: 'EC2_HYBRID', vmScanner: 'ACTIVATED' };
    const policy = (scanConfiguration?: ScanDefaults) => ({
      version: scanConfiguration ? 3 : 1,
      default: 'ACTIVATED',
      regions,
      ...(scanConfiguration ? { scanConfiguration } : {}),
    });

    setPolicy(policy(before));
    const steadyState = await run('steady state', before, true);

    setPolicy(policy(after));
    const runsADay = Math.max(1, Math.round(86_400 / periodSeconds));
    const maxRuns = settings.maxRuns ?? runsADay + 1;
    const timedRuns = settings.timedRuns ?? maxRuns;
    const change: ScanConfigurationRunResult[] = [];
    let runsToConverge: number | undefined;
    while (change.length < maxRuns && runsToConverge === undefined) {
      const result = await run(`policy change, run ${change.length + 1}`, after, change.length < timedRuns);
      change.push(result);
      if (result.differing === 0) runsToConverge = change.length;
    }
    const memberReadsInADay =
      change.length < runsADay
        ? undefined
        : change.slice(0, runsADay).reduce((sum, result) => sum + (result.scanConfiguration?.reads ?? 0), 0);

    setPolicy(policy());
    const withoutScanConfiguration = await run('no scan configuration in the policy', undefined, true);
    return {
      settings,
      schedulePeriodSeconds: periodSeconds,
      stragglers,
      steadyState,
      change,
      runsToConverge,
      ...(memberReadsInADay === undefined ? {} : { memberReadsInADay }),
      withoutScanConfiguration,
      responseViolations: endpoint.violations.length,
    };
  } finally {
    await endpoint.close();
  }
}
