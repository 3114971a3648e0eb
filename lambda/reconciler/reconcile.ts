import { applyRegion } from './apply';
import type { Ec2ScanConfiguration, RegionInspector } from './aws/inspector';
import type { AccountDirectory } from './aws/organizations';
import type { PolicySource } from './aws/policy-store';
import { type FailureQueue, failureMessage, type Undelivered } from './aws/queue';
import {
  CALL_TIMEOUTS,
  type CallBudget,
  Deadline,
  DeadlineReached,
  type DeadlineMargins,
  marginsFor,
  NOT_REACHED,
} from './deadline';
import { describeError } from './describe-error';
import { utcDay } from './expiry';
import { InvocationError } from './errors';
import type { LedgerStore } from './deactivation-ledger';
import { limitDeactivations } from './limit-deactivations';
import type { Outcome } from './model';
import { accountsToRead, planRegion, type RegionObservations, resolveTargets, type Target } from './plan';
import { needsOrganizationalUnits, type Policy } from './policy';
import { lintPolicy } from './policy-lint';
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
  /** Deactivations across invocations, for the daily limit and retries. Absent: the per-run limit within this invocation only. */
  readonly ledger?: LedgerStore;
  readonly now?: () => Date;
  /** Told each step as it finishes, for a long run's progress on a terminal. */
  readonly progress?: (message: string) => void;
}

export interface RunResult {
  readonly summary: RunSummary;
  /** Every outcome, one per account and region evaluated, for callers that print them all. */
  readonly outcomes: readonly Outcome[];
  /** Failures the queue would not take: the caller must log them and fail the run. */
  readonly undelivered: readonly Undelivered[];
  /** Why the run must be marked failed even though it finished: failed regions, undelivered failures. */
  readonly problems: readonly string[];
}

/** One run: policy → accounts → per region read and plan → guardrail → apply → queue → summary. */
export async function reconcile(request: ReconcileRequest, deps: Dependencies): Promise<RunResult> {
  const deadline = new Deadline(request.remainingTimeMs, request.deadlineMargins ?? marginsFor(CALL_TIMEOUTS));
  try {
    return await run(request, deps, deadline);
  } finally {
    deadline.dispose();
  }
}

async function run(request: ReconcileRequest, deps: Dependencies, deadline: Deadline): Promise<RunResult> {
  const now = deps.now ?? (() => new Date());
  const progress = deps.progress ?? (() => undefined);
  const policy = await deps.policy.load();
  const regions = selectRegions(policy, request);
  // What the guardrail counts the run by, and what keys its queue messages: every attempt of one run shares it.
  const guardrailRun = request.guardrailRun ?? request.runId;
  progress(`policy valid; regions ${regions.join(', ')}`);

  const accounts = await deps.directory.listAccounts({
    withAncestors: needsOrganizationalUnits(policy),
    abortSignal: deadline.signal,
  });
  const today = utcDay(now());
  const targets = resolveTargets(accounts, policy, today, request.accountIds);
  const warnings = lintPolicy(policy, { today, accounts });
  progress(`${accounts.length} accounts in the organization; ${accountsToRead(targets).length} to read in each region`);

  const planned = await Promise.all(
    regions.map(async (region) => {
      const result = await readAndPlan(region, targets, policy, request, deps, deadline);
      progress(`${region}: ${result.error ? `could not be read: ${result.error}` : `read and planned`}`);
      return result;
    }),
  );
  const guarded = await limitDeactivations(
    planned.flatMap((region) => region.outcomes),
    {
      limits: { perRun: policy.guardrails.maxDeactivationsPerRun, perDay: policy.guardrails.maxDeactivationsPerDay },
      run: guardrailRun,
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
      if (region.error !== undefined) return { region: region.region, outcomes, error: region.error, ...scan };
      const inspector = deps.inspectorFor(region.region);
      const [applied, orgPackagePaths] = await Promise.all([
        request.dryRun ? outcomes : applyRegion(inspector, outcomes, request.ownAccountId, deadline),
        reconcileOrgPackagePaths(inspector, policy, region.orgPackagePaths, request.dryRun, deadline),
      ]);
      if (!request.dryRun) progress(`${region.region}: applied`);
      return { region: region.region, outcomes: applied, ...scan, ...(orgPackagePaths ? { orgPackagePaths } : {}) };
    }),
  );

  const outcomes = reports.flatMap((report) => report.outcomes);
  const timestamp = now().toISOString();
  const keys = { runId: request.runId, run: guardrailRun, timestamp };
  const messages = outcomes.flatMap((o) => (o.kind === 'FAILED' ? [failureMessage(o, keys)] : []));
  const delivery =
    request.dryRun || messages.length === 0
      ? { sent: 0, undelivered: [] }
      : await deps.queue.send(messages, deadline.queueSignal);

  const summary = summarize({
    runId: request.runId,
    dryRun: request.dryRun,
    regions: reports,
    guardrail: guarded.verdict,
    queue: { sent: delivery.sent, undelivered: delivery.undelivered.length },
    warnings,
    ...(policy.origin === undefined ? {} : { policy: policy.origin }),
  });
  return {
    summary,
    outcomes,
    undelivered: delivery.undelivered,
    problems: problemsOf(reports, delivery.undelivered),
  };
}

/** The policy's regions, or those of them the request names; a region outside the policy is refused. */
export function selectRegions(
  policy: Policy,
  request: { readonly regions?: readonly string[]; readonly defaultRegion: string },
): readonly string[] {
  const policyRegions = policy.regions ?? [request.defaultRegion];
  if (request.regions === undefined) return policyRegions;
  const outside = request.regions.filter((region) => !policyRegions.includes(region));
  if (outside.length > 0) {
    throw new InvocationError(
      outside.map((region) => ({
        path: `$.regions[${request.regions?.indexOf(region)}]`,
        message: `${region} is not one of the policy's regions (${policyRegions.join(', ')})`,
      })),
    );
  }
  return request.regions;
}

interface PlannedRegion {
  readonly region: string;
  readonly outcomes: Outcome[];
  readonly error?: string;
  /** The organization's package paths now, or why they could not be read. */
  readonly orgPackagePaths?: readonly string[] | { readonly error: string };
  readonly ec2ScanConfiguration?: Ec2ScanConfiguration;
}

/** A region that cannot be read fails its accounts and is reported; it never stops the other regions. */
async function readAndPlan(
  region: string,
  targets: readonly Target[],
  policy: Policy,
  request: ReconcileRequest,
  deps: Dependencies,
  budget: CallBudget,
): Promise<PlannedRegion> {
  let read: RegionObservations;
  let result: Awaited<ReturnType<RegionInspector['read']>>;
  try {
    result = await deps.inspectorFor(region).read({
      accountIds: accountsToRead(targets),
      ownAccountId: request.ownAccountId,
      includeConfiguration: policy.orgPackagePaths !== undefined,
      budget,
    });
    read = { readable: true, observations: result.observations };
  } catch (error) {
    if (error instanceof DeadlineReached) {
      const unread: RegionObservations = { readable: false, errorMessage: NOT_REACHED, reason: 'TIMEOUT_NOT_REACHED' };
      return { region, outcomes: planRegion(region, targets, unread) };
    }
    const errorMessage = describeError(error);
    return { region, outcomes: planRegion(region, targets, { readable: false, errorMessage }), error: errorMessage };
  }
  const orgPackagePaths =
    result.configurationError !== undefined
      ? { error: result.configurationError }
      : result.configuration?.orgPackagePaths;
  return {
    region,
    outcomes: planRegion(region, targets, read),
    ec2ScanConfiguration: result.ec2ScanConfiguration,
    ...(orgPackagePaths ? { orgPackagePaths } : {}),
  };
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
    return { from: current, to: wanted, changed: false, error: describeError(error) };
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

function problemsOf(reports: readonly RegionReport[], undelivered: readonly Undelivered[]): string[] {
  const problems = reports.flatMap((report) => [
    ...(report.error === undefined ? [] : [`region ${report.region} could not be read: ${report.error}`]),
    ...(report.orgPackagePaths?.error === undefined
      ? []
      : [`region ${report.region}: orgPackagePaths could not be updated: ${report.orgPackagePaths.error}`]),
  ]);
  if (undelivered.length > 0)
    problems.push(`${undelivered.length} failures could not be sent to the failed-accounts queue`);
  return problems;
}
