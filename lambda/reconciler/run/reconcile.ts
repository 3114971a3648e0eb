import { applyRegion } from './apply';
import type { AccountRegions, RegionOptStatuses } from '../aws/account-regions';
import type { Ec2ScanConfiguration, RegionInspector } from '../aws/inspector';
import { type AccountDirectory, accountsFor } from '../aws/organizations';
import type { PolicySource } from '../aws/policy-store';
import type { RegionSecurityHub } from '../aws/securityhub';
import {
  FAILURE_MESSAGE_VERSION,
  type FailureQueue,
  failureMessage,
  type QueueMessage,
  type Undelivered,
} from '../aws/queue';
import {
  CALL_TIMEOUTS,
  type CallBudget,
  Deadline,
  DeadlineReached,
  type DeadlineMargins,
  marginsFor,
  NOT_REACHED,
} from './deadline';
import { administratorFailure, markPastMemberLimit, membersDeniedFailure } from '../regions/delegated-administrator';
import { describeError } from '../errors/describe-error';
import { classifyError, combinedVerdict, failStep, type Verdict } from '../errors/classification';
import { utcDay } from '../policy/expiry';
import { InvocationError, PolicyError } from '../errors/errors';
import { type FindingsReport, findingsGate, syncFindings } from '../findings/sync';
import { partitionOf } from '../ids';
import { type EffectivePolicyReader, type Ec2ScanningOffReport, explainEc2ScanningOff } from '../inspector-policy';
import type { LedgerStore } from '../guardrail/ledger';
import { limitDeactivations } from '../guardrail/limit-deactivations';
import type { Outcome } from '../model';
import { accountsToRead, planRegion, type RegionObservations, resolveTargets, type Target } from '../plan';
import { needsOrganizationalUnits, type Policy } from '../policy/schema';
import { type LintWarning, lintPolicy } from '../policy/lint';
import { optInFailure, type RegionFailure, readFailure, regionsTakingCalls } from '../regions/opt-in';
import { type OrgPackagePathsResult, type RegionReport, type RunSummary, summarize } from './summary';

/** What one run is asked to do, already validated. */
export interface ReconcileRequest {
  readonly runId: string;
  readonly dryRun: boolean;
  /** Apply deactivations even when they exceed the policy's guardrail. */
  readonly force: boolean;
  /** Limits the run to these accounts. */
  readonly accountIds?: readonly string[];
  /** Limits the run to these regions; each must be one of the policy's. */
  readonly regions?: readonly string[];
  /** The delegated administrator: the account the run's credentials belong to. */
  readonly ownAccountId: string;
  /** The policy's regions when it names none. */
  readonly defaultRegion: string;
  /** Milliseconds left in the invocation (Lambda's getRemainingTimeInMillis); absent: no deadline. */
  readonly remainingTimeMs?: () => number;
  /**
   * What the per-run deactivation limit counts against: the same for every attempt of one scheduled
   * run (Lambda's retries and Scheduler's), so retries cannot multiply it. @default runId
   */
  readonly guardrailRun?: string;
  /** When the run stops starting calls and aborts those in flight. @default marginsFor(CALL_TIMEOUTS) */
  readonly deadlineMargins?: DeadlineMargins;
}

export interface Dependencies {
  readonly policy: PolicySource;
  readonly directory: AccountDirectory;
  readonly inspectorFor: (region: string) => RegionInspector;
  readonly queue: FailureQueue;
  /**
   * Which regions the account has enabled (Account Management ListRegions). Absent: not asked, and a
   * region's own answers tell (UnrecognizedClientException).
   */
  readonly regions?: AccountRegions;
  /** Deactivations across invocations, for the daily limit and retries. Absent: the per-run limit within this invocation only. */
  readonly ledger?: LedgerStore;
  readonly now?: () => Date;
  /** Told each step as it finishes, for a long run's progress on a terminal; counts in `event` where a step has them. */
  readonly progress?: (message: string, event?: ProgressEvent) => void;
  /**
   * Organizations' effective Inspector policies, asked why EC2 scanning is off in the accounts where it is
   * (inspector-policy.ts). Absent: not asked, and those outcomes carry no cause.
   */
  readonly effectivePolicies?: EffectivePolicyReader;
  /**
   * The findings step (docs/findings.md): the function's, after the queue. Absent, as in the CLI: no
   * Security Hub call, whatever the policy says.
   */
  readonly findings?: FindingsPort;
}

/** What the findings step needs: whether the stack allows it, and each region's Security Hub. */
export interface FindingsPort {
  /** The stack granted the Security Hub permissions (its securityHubFindings setting). */
  readonly stackGranted: boolean;
  /**
   * Each region's Security Hub, resolved once a run, just before the step and only when it runs (the stack
   * grants it and the policy asks): the handler loads the Security Hub client there, so that a run with the
   * findings off never loads it. The function it gives is asked only for the regions the run evaluated and
   * could read.
   */
  readonly loadSecurityHub: () => Promise<(region: string) => RegionSecurityHub>;
}

/** The counts behind a progress message, for a caller that draws them (the CLI's progress bars). */
export type ProgressEvent = {
  readonly step: 'listed';
  /** Accounts the organization listed. */
  readonly accounts: number;
  /** Accounts read in each region. */
  readonly toRead: number;
};

export interface RunResult {
  readonly summary: RunSummary;
  /** Every outcome, one per account and region evaluated, for callers that print them all. */
  readonly outcomes: readonly Outcome[];
  /** Failures the queue would not take: the caller must log them and fail the run. */
  readonly undelivered: readonly Undelivered[];
  /** Why the run must be marked failed even though it finished: failed regions, undelivered failures. */
  readonly problems: readonly RunProblem[];
  /**
   * The findings step's whole report, when it ran (the policy asks, the stack grants): for the metrics and
   * the log. Never a problem: a Security Hub failure does not fail the run (its metrics and alarms tell).
   */
  readonly findings?: FindingsReport;
}

/** One reason a finished run is marked failed, with whether a retry can heal it. */
export interface RunProblem {
  readonly message: string;
  readonly verdict: Verdict;
  /** Set when the problem is a region the account has not enabled. */
  readonly regionNotEnabled?: string;
  /** Set when the problem is a region where this account is not Inspector's delegated administrator. */
  readonly notDelegatedAdministrator?: string;
}

/** What the read and plan steps found: all that the guardrail, apply, queue and summary steps need. */
export interface RunPlan {
  readonly policy: Policy;
  readonly warnings: readonly LintWarning[];
  readonly regions: readonly PlannedRegion[];
  /**
   * The regions this account has enabled (RegionOptStatus ENABLED or ENABLED_BY_DEFAULT), when
   * ListRegions could list them: where the findings step may find findings of regions the policy no
   * longer names.
   */
  readonly enabledRegions?: readonly string[];
  /** Why ListRegions could not list them, when it was asked and failed. */
  readonly enabledRegionsError?: string;
  /** What the organization's Inspector policy says where EC2 scanning is off, when anything was asked. */
  readonly ec2ScanningOff?: Ec2ScanningOffReport;
}

/** One run: policy → accounts → per region read and plan → guardrail → apply → queue → summary. */
export async function reconcile(request: ReconcileRequest, deps: Dependencies): Promise<RunResult> {
  const deadline = new Deadline(request.remainingTimeMs, request.deadlineMargins ?? marginsFor(CALL_TIMEOUTS));
  try {
    return await finish(await readAndPlanRun(request, deps, deadline), request, deps, deadline);
  } finally {
    deadline.dispose();
  }
}

/**
 * The read and plan steps of `reconcile` alone: writes nothing. With `applyPlan`, a caller can show
 * the plan and then apply exactly that plan, with no read in between that could change it (the CLI's
 * `apply` after its confirmation).
 */
export async function planRun(request: ReconcileRequest, deps: Dependencies): Promise<RunPlan> {
  const deadline = new Deadline(request.remainingTimeMs, request.deadlineMargins ?? marginsFor(CALL_TIMEOUTS));
  try {
    return await readAndPlanRun(request, deps, deadline);
  } finally {
    deadline.dispose();
  }
}

/**
 * The steps of `reconcile` after the plan: guardrail → apply → queue → summary, on a plan `planRun`
 * made. With `request.dryRun` it writes nothing and returns what `reconcile` returns in a dry run.
 */
export async function applyPlan(plan: RunPlan, request: ReconcileRequest, deps: Dependencies): Promise<RunResult> {
  const deadline = new Deadline(request.remainingTimeMs, request.deadlineMargins ?? marginsFor(CALL_TIMEOUTS));
  try {
    return await finish(plan, request, deps, deadline);
  } finally {
    deadline.dispose();
  }
}

async function readAndPlanRun(request: ReconcileRequest, deps: Dependencies, deadline: Deadline): Promise<RunPlan> {
  const now = deps.now ?? (() => new Date());
  const progress = deps.progress ?? (() => undefined);
  const policy = await loadPolicy(deps, deadline.signal);
  const regions = selectRegions(policy, request);
  progress(`policy valid; regions ${regions.join(', ')}`);

  const [{ accounts, complete }, optStatuses] = await Promise.all([
    listAccounts(deps, needsOrganizationalUnits(policy), deadline.signal, request.accountIds),
    deps.regions?.optStatuses(deadline.signal),
  ]);
  const today = utcDay(now());
  const targets = resolveTargets(accounts, policy, today, request.accountIds);
  // Accounts and OUs the organization does not have can be told only from the whole organization.
  const warnings = lintPolicy(policy, {
    today,
    ...(complete ? { accounts } : {}),
    ...(optStatuses ? { regionOptStatuses: optStatuses } : {}),
  });
  const toRead = accountsToRead(targets).length;
  progress(
    `${accounts.length} accounts ${complete ? 'in the organization' : 'read one by one'}; ${toRead} to read in each region`,
    { step: 'listed', accounts: accounts.length, toRead },
  );

  const read = await Promise.all(
    regions.map(async (region) => {
      const result = await readAndPlan(region, targets, policy, request, deps, deadline, optStatuses);
      progress(`${region}: ${result.failure ? `could not be read: ${result.failure.message}` : `read and planned`}`);
      return result;
    }),
  );
  // After every region is read: one DescribeEffectivePolicy an account with EC2 scanning off, in any region.
  const scanningOff = await explainEc2ScanningOff(
    read.flatMap((region) => region.outcomes),
    deps.effectivePolicies,
    deadline,
  );
  const byRegion = groupByRegion(scanningOff.outcomes);
  const planned = read.map((region) => ({ ...region, outcomes: byRegion.get(region.region) ?? [] }));
  return {
    policy,
    warnings,
    regions: planned,
    ...(scanningOff.report ? { ec2ScanningOff: scanningOff.report } : {}),
    ...(optStatuses?.listed ? { enabledRegions: regionsTakingCalls(optStatuses.byRegion) } : {}),
    ...(optStatuses?.listed === false ? { enabledRegionsError: optStatuses.error } : {}),
  };
}

async function finish(
  { policy, warnings, regions: planned, enabledRegions, enabledRegionsError, ec2ScanningOff }: RunPlan,
  request: ReconcileRequest,
  deps: Dependencies,
  deadline: Deadline,
): Promise<RunResult> {
  const now = deps.now ?? (() => new Date());
  const progress = deps.progress ?? (() => undefined);
  const guarded = await limitDeactivations(
    planned.flatMap((region) => region.outcomes),
    {
      limits: { perRun: policy.guardrails.maxDeactivationsPerRun, perDay: policy.guardrails.maxDeactivationsPerDay },
      run: request.guardrailRun ?? request.runId,
      now: now(),
      force: request.force,
      dryRun: request.dryRun,
      signal: deadline.signal,
      ...(deps.ledger ? { ledger: deps.ledger } : {}),
    },
  );
  const guardedByRegion = groupByRegion(guarded.outcomes);

  const reports = await Promise.all(
    planned.map(async (region): Promise<RegionReport> => {
      const outcomes = guardedByRegion.get(region.region) ?? [];
      const scan = region.ec2ScanConfiguration ? { ec2ScanConfiguration: region.ec2ScanConfiguration } : {};
      if (region.failure !== undefined) {
        return {
          region: region.region,
          outcomes,
          error: region.failure.message,
          errorVerdict: region.failure.verdict,
          ...(region.failure.notEnabled ? { notEnabled: true as const } : {}),
          ...(region.failure.notDelegatedAdministrator ? { notDelegatedAdministrator: true as const } : {}),
          ...scan,
        };
      }
      const inspector = deps.inspectorFor(region.region);
      const [applied, orgPackagePaths] = await Promise.all([
        request.dryRun ? outcomes : applyRegion(inspector, outcomes, request.ownAccountId, deadline),
        // An organization-wide setting: a run scoped to some accounts leaves it to the full runs.
        request.accountIds === undefined
          ? reconcileOrgPackagePaths(inspector, policy, region.orgPackagePaths, request.dryRun, deadline)
          : undefined,
      ]);
      if (!request.dryRun) progress(`${region.region}: applied`);
      return {
        region: region.region,
        outcomes: applied,
        ...scan,
        ...(orgPackagePaths ? { orgPackagePaths } : {}),
        ...(region.pastInspectorMemberLimit ? { pastInspectorMemberLimit: region.pastInspectorMemberLimit } : {}),
      };
    }),
  );

  const outcomes = reports.flatMap((report) => report.outcomes);
  const timestamp = now().toISOString();
  const keys = { runId: request.runId, run: request.guardrailRun ?? request.runId, timestamp };
  const messages = reports.flatMap((report) => queueMessages(report, keys));
  const delivery =
    request.dryRun || messages.length === 0
      ? { sent: 0, undelivered: [] }
      : await deps.queue.send(messages, deadline.queueSignal);

  const findings = await findingsStep(
    policy,
    reports,
    outcomes,
    { enabledRegions, enabledRegionsError },
    request,
    deps,
    deadline,
  );

  const summary = summarize({
    runId: request.runId,
    dryRun: request.dryRun,
    regions: reports,
    guardrail: guarded.verdict,
    queue: { sent: delivery.sent, undelivered: delivery.undelivered.length },
    warnings,
    ...(policy.origin === undefined ? {} : { policy: policy.origin }),
    ...(findings === undefined ? {} : { findings }),
    ...(ec2ScanningOff === undefined ? {} : { ec2ScanningOff }),
  });
  return {
    summary,
    outcomes,
    undelivered: delivery.undelivered,
    problems: problemsOf(reports, delivery.undelivered),
    ...(findings?.report === undefined ? {} : { findings: findings.report }),
  };
}

/**
 * The findings step, after the queue: the run's exceptions into each region's Security Hub, when the
 * policy asks for them and the stack grants them; the rest of the run is done by then, so it costs the
 * reconcile nothing but its own calls. Scoped to what this run saw: its regions, of those the ones it
 * could read, and the whole organization only when no `accounts` were named. A run of the whole policy
 * also sweeps the enabled regions the policy no longer names. A dry run makes no call.
 * @returns undefined when the policy does not ask (or no findings port is given, as in the CLI)
 */
async function findingsStep(
  policy: Policy,
  reports: readonly RegionReport[],
  outcomes: readonly Outcome[],
  { enabledRegions, enabledRegionsError }: Pick<RunPlan, 'enabledRegions' | 'enabledRegionsError'>,
  request: ReconcileRequest,
  deps: Dependencies,
  deadline: Deadline,
): Promise<{ report?: FindingsReport; notGranted?: string } | undefined> {
  if (deps.findings === undefined) return undefined;
  const gate = findingsGate({ stackGranted: deps.findings.stackGranted, policyAsks: policy.findings.securityHub });
  if (!gate.sync) return gate.warning === undefined ? undefined : { notGranted: gate.warning };
  const regions = reports.map((report) => report.region);
  // Only a run of the whole policy may say that a region it did not evaluate holds no exception.
  const wholePolicy = request.accountIds === undefined && request.regions === undefined;
  const report = await syncFindings(
    {
      outcomes,
      policy,
      scope: {
        regions,
        readRegions: reports.filter((report) => report.error === undefined).map((report) => report.region),
        wholeOrganization: request.accountIds === undefined,
        ...(wholePolicy && enabledRegions !== undefined
          ? { sweepRegions: enabledRegions.filter((region) => !regions.includes(region)) }
          : {}),
        ...(wholePolicy && enabledRegionsError !== undefined
          ? {
              sweepSkipped: `ListRegions failed (${enabledRegionsError}): regions the policy does not name were not swept`,
            }
          : {}),
      },
      dryRun: request.dryRun,
      now: (deps.now ?? (() => new Date()))(),
      ownAccountId: request.ownAccountId,
    },
    { securityHubFor: request.dryRun ? notCalled : await loadOrExplain(deps.findings), budget: deadline },
  );
  return { report };
}

/** A plan's findings step calls no Security Hub: syncFindings never asks it for a port. */
function notCalled(region: string): never {
  throw new Error(`a dry run makes no Security Hub call (asked for ${region})`);
}

/**
 * The Security Hub ports, or ports that answer every call with why they could not be loaded: a client
 * that cannot be loaded fails no run, each region reports it as it would a refused call
 * (`regionErrors`, the `FindingsNotImported` alarm).
 */
async function loadOrExplain(port: FindingsPort): Promise<(region: string) => RegionSecurityHub> {
  try {
    return await port.loadSecurityHub();
  } catch (error) {
    const fail = async (): Promise<never> => {
      throw error;
    };
    return () => ({ calls: 0, openFindings: fail, archivedFindings: fail, importFindings: fail });
  }
}

/** The policy's regions, or those of them the request names; a region outside the policy is refused. */
export function selectRegions(
  policy: Policy,
  request: { readonly regions?: readonly string[]; readonly defaultRegion: string },
): readonly string[] {
  const policyRegions = policy.regions ?? [request.defaultRegion];
  // The policy's regions are one partition (validatePolicy); it must be the one the run is in.
  const home = partitionOf(request.defaultRegion);
  const foreign = policyRegions.findIndex((region) => home !== undefined && partitionOf(region) !== home);
  if (foreign >= 0) {
    throw new PolicyError(policy.origin ?? 'the policy', [
      {
        path: `$.regions[${foreign}]`,
        message: `${policyRegions[foreign]} is in the ${partitionOf(policyRegions[foreign] as string)} partition; this runs in ${request.defaultRegion} (${home}): one deployment serves one partition`,
      },
    ]);
  }
  if (request.regions === undefined) return policyRegions;
  const outside = request.regions.filter((region) => !policyRegions.includes(region));
  if (outside.length > 0) {
    throw new InvocationError(
      outside.map((region) => ({
        path: `$.regions[${request.regions?.indexOf(region)}]`,
        message:
          policy.regions === undefined
            ? `${region} is not a region of this run: the policy names no regions, so it runs in its home region ${request.defaultRegion} alone`
            : `${region} is not one of the policy's regions (${policyRegions.join(', ')})`,
      })),
    );
  }
  return request.regions;
}

/** The policy, or why not: a transient failure says so (TransientError), for the run to be retried. */
export function loadPolicy(deps: Pick<Dependencies, 'policy'>, signal: AbortSignal): Promise<Policy> {
  return deps.policy.load(signal).catch(failStep('reading the policy'));
}

/**
 * The accounts the run needs (every account of the organization, or just the few it asks about: see
 * accountsFor), or why not: a transient failure says so (TransientError).
 */
export function listAccounts(
  deps: Pick<Dependencies, 'directory'>,
  withAncestors: boolean,
  abortSignal: AbortSignal,
  accountIds?: readonly string[],
) {
  return accountsFor(deps.directory, accountIds, { withAncestors, abortSignal }).catch(
    failStep('reading the organization (Organizations)'),
  );
}

/**
 * The queue messages of one region: one per FAILED account, except in a region that failed as a whole
 * for a reason no retry heals, which would otherwise send the same hundreds of messages every run. Such
 * a region sends one region message (access denied there, say), or none when the account has not
 * enabled the region or is not Inspector's delegated administrator there: each of those has its own
 * metric and alarm (RegionsNotEnabled, RegionsNotDelegatedAdministrator). Its accounts
 * stay FAILED, counted and listed in the summary.
 */
function queueMessages(
  report: RegionReport,
  keys: { readonly runId: string; readonly run: string; readonly timestamp: string },
): QueueMessage[] {
  const ownAlarm = report.notEnabled === true || report.notDelegatedAdministrator === true;
  const regionWide = ownAlarm || report.errorVerdict === 'PERMANENT';
  const isRegionWide = (o: Outcome) =>
    regionWide && o.kind === 'FAILED' && (o.reason === 'REGION_UNREADABLE' || o.reason === 'REGION_NOT_ENABLED');
  const accounts = report.outcomes.flatMap((o) =>
    o.kind === 'FAILED' && !isRegionWide(o) ? [failureMessage(o, keys)] : [],
  );
  const failedWithRegion = report.outcomes.filter(isRegionWide).length;
  if (ownAlarm || !regionWide || failedWithRegion === 0) return accounts;
  return [
    ...accounts,
    {
      version: FAILURE_MESSAGE_VERSION,
      scope: 'REGION',
      runId: keys.runId,
      deduplicationKey: `${keys.run} ${report.region}`,
      timestamp: keys.timestamp,
      region: report.region,
      reason: 'REGION_UNREADABLE',
      errorMessage: report.error ?? 'the region could not be read',
      accounts: failedWithRegion,
    },
  ];
}

export interface PlannedRegion {
  readonly region: string;
  readonly outcomes: Outcome[];
  readonly failure?: RegionFailure;
  /** The organization's package paths now, or why they could not be read. */
  readonly orgPackagePaths?: readonly string[] | { readonly error: string };
  readonly ec2ScanConfiguration?: Ec2ScanConfiguration;
  /** Accounts skipped NOT_INSPECTOR_MEMBER because the region's members reached Inspector's cap (10,000). */
  readonly pastInspectorMemberLimit?: number;
}

/** A region that cannot be read fails its accounts and is reported; it never stops the other regions. */
async function readAndPlan(
  region: string,
  targets: readonly Target[],
  policy: Policy,
  request: ReconcileRequest,
  deps: Dependencies,
  budget: CallBudget,
  optStatuses: RegionOptStatuses | undefined,
): Promise<PlannedRegion> {
  const notEnabled = optInFailure(region, optStatuses);
  if (notEnabled !== undefined) return failedRegion(region, targets, notEnabled);
  const inspector = deps.inspectorFor(region);
  // Before any member read: a non-administrator's reads answer ACCESS_DENIED account by account, which
  // would otherwise skip every account as NOT_INSPECTOR_MEMBER in a run that looks successful.
  const administrator = await inspector.delegatedAdministrator(budget);
  const notAdministrator = administratorFailure(region, request.ownAccountId, administrator);
  if (notAdministrator !== undefined) return failedRegion(region, targets, notAdministrator);
  let read: RegionObservations;
  let result: Awaited<ReturnType<RegionInspector['read']>>;
  let marked: ReturnType<typeof markPastMemberLimit>;
  try {
    result = await inspector.read({
      accountIds: accountsToRead(targets),
      ownAccountId: request.ownAccountId,
      includeConfiguration: policy.orgPackagePaths !== undefined,
      budget,
    });
    marked = markPastMemberLimit(result.observations);
    read = { readable: true, observations: marked.observations };
  } catch (error) {
    if (error instanceof DeadlineReached) {
      const unread: RegionObservations = { readable: false, errorMessage: NOT_REACHED, reason: 'TIMEOUT_NOT_REACHED' };
      return { region, outcomes: planRegion(region, targets, unread) };
    }
    return failedRegion(region, targets, readFailure(region, error, optStatuses));
  }
  const membersDenied = membersDeniedFailure(region, administrator, result.members);
  if (membersDenied !== undefined) return failedRegion(region, targets, membersDenied);
  const orgPackagePaths =
    result.configurationError !== undefined
      ? { error: result.configurationError }
      : result.configuration?.orgPackagePaths;
  return {
    region,
    outcomes: planRegion(region, targets, read),
    ec2ScanConfiguration: result.ec2ScanConfiguration,
    ...(orgPackagePaths ? { orgPackagePaths } : {}),
    ...(marked.pastLimit > 0 ? { pastInspectorMemberLimit: marked.pastLimit } : {}),
  };
}

/** A region that failed as a whole: each account FAILED with the region's reason. */
function failedRegion(region: string, targets: readonly Target[], failure: RegionFailure): PlannedRegion {
  const unread: RegionObservations = {
    readable: false,
    errorMessage: failure.accountMessage,
    reason: failure.notEnabled ? 'REGION_NOT_ENABLED' : 'REGION_UNREADABLE',
  };
  return { region, outcomes: planRegion(region, targets, unread), failure };
}

/** UpdateOrg… replaces the whole list, so it is called only when the set of paths differs. */
async function reconcileOrgPackagePaths(
  inspector: RegionInspector,
  policy: Policy,
  current: PlannedRegion['orgPackagePaths'],
  dryRun: boolean,
  budget: CallBudget,
): Promise<OrgPackagePathsResult | undefined> {
  const wanted = policy.orgPackagePaths;
  if (wanted === undefined || current === undefined) return undefined;
  if ('error' in current) {
    return { from: [], to: wanted, changed: false, error: `the current paths could not be read: ${current.error}` };
  }
  const same = current.length === wanted.length && wanted.every((path) => current.includes(path));
  if (same) return { from: current, to: wanted, changed: false };
  if (dryRun) return { from: current, to: wanted, changed: true };
  if (!budget.canContinue()) return { from: current, to: wanted, changed: false, notReached: true };
  try {
    await inspector.updateOrgPackagePaths(wanted, budget);
    return { from: current, to: wanted, changed: true };
  } catch (error) {
    if (budget.signal?.aborted) return { from: current, to: wanted, changed: false, notReached: true };
    return {
      from: current,
      to: wanted,
      changed: false,
      error: describeError(error),
      errorVerdict: classifyError(error),
    };
  }
}

function groupByRegion(outcomes: readonly Outcome[]): Map<string, Outcome[]> {
  const byRegion = new Map<string, Outcome[]>();
  for (const outcome of outcomes) {
    const list = byRegion.get(outcome.region) ?? [];
    list.push(outcome);
    byRegion.set(outcome.region, list);
  }
  return byRegion;
}

function problemsOf(reports: readonly RegionReport[], undelivered: readonly Undelivered[]): RunProblem[] {
  const problems = reports.flatMap((report): RunProblem[] => [
    ...(report.error === undefined
      ? []
      : [
          {
            message: `region ${report.region} could not be read: ${report.error}`,
            verdict: report.errorVerdict ?? 'UNKNOWN',
            ...(report.notEnabled ? { regionNotEnabled: report.region } : {}),
            ...(report.notDelegatedAdministrator ? { notDelegatedAdministrator: report.region } : {}),
          },
        ]),
    ...(report.orgPackagePaths?.error === undefined
      ? []
      : [
          {
            message: `region ${report.region}: orgPackagePaths could not be updated: ${report.orgPackagePaths.error}`,
            verdict: report.orgPackagePaths.errorVerdict ?? 'UNKNOWN',
          },
        ]),
  ]);
  // Each undelivered message carries whether sending it again can work (queue.ts): an entry SQS refuses
  // for good, or a denied queue, makes the run "not retried" rather than send every other message again.
  if (undelivered.length > 0) {
    const reasons = [...new Set(undelivered.map((entry) => entry.error))];
    problems.push({
      message: `${undelivered.length} failures could not be sent to the failed-accounts queue: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? ` (and ${reasons.length - 3} other reasons)` : ''}`,
      verdict: combinedVerdict(undelivered.map((entry) => entry.verdict)) ?? 'UNKNOWN',
    });
  }
  return problems;
}
