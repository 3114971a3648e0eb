import { explainEc2ScanningOff } from '../inspector-policy';
import { findingsStep } from '../findings/step';
import { limitDeactivations } from '../guardrail/limit-deactivations';
import { sliceSample } from '../guardrail/projection';
import { accountsToRead } from '../plan';
import { lintPolicy } from '../policy/lint';
import { regionsTakingCalls } from '../regions/opt-in';
import { managedAccounts, scanConfigurationRun } from '../scan-configuration/step';
import { applyPlannedRegion } from './apply';
import { type Deadline, withDeadline } from '../deadline/deadline';
import { groupByRegion, problemsOf } from './outcomes';
import { queueMessages } from './queue-messages';
import { readAndPlan } from './read-region';
import { readScope } from './scope';
import { summarize } from './summary';
import type { Dependencies, ReconcileRequest, RunPlan, RunResult } from './types';

/*
 * The orchestration of a run, and nothing else: each step is a file of its own in run/ (or its
 * capability's folder), called here in order. docs/how-it-works.md describes the steps.
 */

/**
 * One run: scope (policy → accounts) → per region read and plan → guardrail → apply → queue → findings →
 * summary.
 */
export async function reconcile(request: ReconcileRequest, deps: Dependencies): Promise<RunResult> {
  return withDeadline(request, async (deadline) =>
    finish(await readAndPlanRun(request, deps, deadline), request, deps, deadline),
  );
}

/**
 * The read and plan steps of `reconcile` alone: writes nothing. With `applyPlan`, a caller can show
 * the plan and then apply exactly that plan, with no read in between that could change it (the CLI's
 * `apply` after its confirmation).
 */
export async function planRun(request: ReconcileRequest, deps: Dependencies): Promise<RunPlan> {
  return withDeadline(request, (deadline) => readAndPlanRun(request, deps, deadline));
}

/**
 * The steps of `reconcile` after the plan: guardrail → apply → queue → findings → summary, on a plan
 * `planRun` made. With `request.dryRun` it writes nothing and returns what `reconcile` returns in a dry run.
 */
export async function applyPlan(plan: RunPlan, request: ReconcileRequest, deps: Dependencies): Promise<RunResult> {
  return withDeadline(request, (deadline) => finish(plan, request, deps, deadline));
}

async function readAndPlanRun(request: ReconcileRequest, deps: Dependencies, deadline: Deadline): Promise<RunPlan> {
  const progress = deps.progress ?? (() => undefined);
  const { policy, regions, accounts, complete, optStatuses, today, targets } = await readScope(
    request,
    deps,
    deadline,
    progress,
  );
  // Accounts and OUs the organization does not have can be told only from the whole organization.
  const warnings = lintPolicy(policy, {
    today,
    administratorAccountId: request.ownAccountId,
    ...(complete ? { accounts } : {}),
    ...(optStatuses ? { regionOptStatuses: optStatuses } : {}),
  });
  const toRead = accountsToRead(targets).length;
  progress(
    `${accounts.length} accounts ${complete ? 'in the organization' : 'read one by one'}; ${toRead} to read in each region`,
    { step: 'listed', accounts: accounts.length, toRead },
  );

  // Only when the policy manages scan configuration: otherwise no scan configuration call at all.
  const scan = scanConfigurationRun(policy, accounts, today, request, complete);
  const read = await Promise.all(
    regions.map(async (region) => {
      const result = await readAndPlan(region, targets, policy, request, deps, deadline, optStatuses, scan);
      progress(`${region}: ${result.error !== undefined ? `could not be read: ${result.error}` : `read and planned`}`);
      return result;
    }),
  );
  // After every region is read: one DescribeEffectivePolicy an account with EC2 scanning off, in any region.
  const scanningOff = await explainEc2ScanningOff(
    read.flatMap((region) => region.outcomes),
    deps.effectivePolicies,
    deadline,
    request.ownAccountId,
  );
  const byRegion = groupByRegion(scanningOff.outcomes);
  const planned = read.map((region) => ({ ...region, outcomes: byRegion.get(region.region) ?? [] }));
  const sample = sliceSample(scan);
  return {
    policy,
    warnings,
    regions: planned,
    ...(scanningOff.report ? { ec2ScanningOff: scanningOff.report } : {}),
    ...(optStatuses?.listed ? { enabledRegions: regionsTakingCalls(optStatuses.byRegion) } : {}),
    ...(optStatuses?.listed === false ? { enabledRegionsError: optStatuses.error } : {}),
    ...(scan ? { scanConfigurationManaged: managedAccounts(scan) } : {}),
    ...(sample ? { sliceSample: sample } : {}),
  };
}

async function finish(
  {
    policy,
    warnings,
    regions: planned,
    enabledRegions,
    enabledRegionsError,
    ec2ScanningOff,
    scanConfigurationManaged,
    sliceSample: sample,
  }: RunPlan,
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
      ...(sample ? { sample } : {}),
    },
    planned.flatMap((region) => region.scanConfiguration?.outcomes ?? []),
  );
  const guardedByRegion = groupByRegion(guarded.outcomes);
  const scanByRegion = groupByRegion(guarded.scanConfiguration);

  const reports = await Promise.all(
    planned.map((region) =>
      applyPlannedRegion(
        { ...region, outcomes: guardedByRegion.get(region.region) ?? [] },
        scanByRegion.get(region.region) ?? [],
        policy,
        request,
        deps,
        deadline,
        progress,
      ),
    ),
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
    { policy, reports, outcomes, enabledRegions, enabledRegionsError, scanConfigurationManaged, request, now },
    deps.findings,
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
