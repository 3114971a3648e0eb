import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { AccountManagementRegions } from './aws/account-regions';
import { type Clients, createClients } from './aws/clients';
import { InspectorRegion } from './aws/inspector';
import { OrganizationsDirectory, OrganizationsEffectivePolicies } from './aws/organizations';
import { ParameterLedgerStore } from './aws/ledger-store';
import { ParameterPolicySource } from './aws/policy-store';
import { SqsFailureQueue } from './aws/queue';
import type { RegionSecurityHub } from './aws/securityhub';
import { type Config, loadConfig } from './config';
import { marginsFor } from './deadline/deadline';
import { describeError } from './errors/describe-error';
import { classifyError, combinedVerdict } from './errors/classification';
import { RunFailedError } from './errors/errors';
import { type Invocation, parseInvocation } from './event';
import { publishFindingsMetrics } from './findings/metrics';
import type { FindingsReport } from './findings/sync';
import { type CoverageSummary, measureCoverage } from './coverage/measure';
import { METRIC, REGION_TOTALS_MESSAGE } from './observability/names';
import { publishCoverageMetrics, publishRunMetrics, regionTotals } from './observability/metrics';
import { logger, metrics } from './observability/powertools';
import { reconcile } from './run/reconcile';
import type { RunProblem } from './run/types';
import { fitSummary, type RunSummary } from './run/summary';
import { sliceWindow } from './scan-configuration/slice';

// Created once per container and reused by every invocation.
let clients: Clients | undefined;

/** The account id in `arn:aws:lambda:eu-west-1:111122223333:function:name`. */
function accountOf(functionArn: string): string {
  const accountId = functionArn.split(':')[4];
  if (accountId === undefined || !/^\d{12}$/.test(accountId)) {
    throw new Error(`cannot read the account id from the function ARN ${JSON.stringify(functionArn)}`);
  }
  return accountId;
}

/** What a scheduled run returns instead of throwing when a retry would fail the same way. */
export interface NotRetried {
  readonly failed: true;
  readonly retried: false;
  readonly error: string;
}

/**
 * Serves the schedule, the console and the CLI alike: validates, runs, logs one summary line, returns it.
 * Failures are classified by cause (errors/classification.ts). A scheduled run that fails for a reason a
 * retry would meet again (an invalid policy, access denied, a region the account has not enabled) logs
 * it and returns "not retried", so that Lambda does not retry it twice for nothing; it counts in
 * RunsFailedNotRetried (its own alarm), except a run whose only problem is regions not enabled, or
 * regions where the account is not Inspector's delegated administrator, which RegionsNotEnabled and
 * RegionsNotDelegatedAdministrator count. Any other failure throws, and Lambda retries it: a transient one (throttled,
 * timed out, a 5xx) says "transient".
 */
export async function handler(event: unknown, context: Context): Promise<RunSummary | CoverageSummary | NotRetried> {
  logger.addContext(context);
  let invocation: Invocation | undefined;
  try {
    invocation = parseInvocation(event);
    const config = loadConfig(process.env);
    clients ??= createClients(config.region, config.clients);
    return invocation.coverage
      ? await runCoverage(invocation, context, config, clients)
      : await runReconcile(invocation, context, config, clients);
  } catch (error) {
    logger.error('reconciliation failed', { error: describeError(error) });
    if (invocation?.trigger !== 'schedule' || classifyError(error) !== 'PERMANENT') throw error;
    logger.error('not retried: a retry would fail the same way until the cause is fixed', {
      error: describeError(error),
    });
    if (!(error instanceof RunFailedError && error.regionsNotEnabledOnly)) {
      metrics.addMetric(METRIC.runsFailedNotRetried, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    }
    return { failed: true, retried: false, error: describeError(error) };
  }
}

/** What both kinds of run share: the invocation's own account, its deadline, and what it asked for. */
function scope(invocation: Invocation, context: Context, config: Config, aws: Clients) {
  return {
    runId: context.awsRequestId,
    ownAccountId: accountOf(context.invokedFunctionArn),
    defaultRegion: config.region,
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
    deadlineMargins: marginsFor(aws.timeouts),
    ...(invocation.accountIds ? { accountIds: invocation.accountIds } : {}),
    ...(invocation.regions ? { regions: invocation.regions } : {}),
  };
}

function readers(config: Config, aws: Clients) {
  return {
    policy: new ParameterPolicySource(aws.ssm, config.policyParameterName),
    directory: new OrganizationsDirectory(aws.organizations),
    effectivePolicies: new OrganizationsEffectivePolicies(aws.organizations),
    regions: new AccountManagementRegions(aws.account),
    inspectorFor: (region: string) => new InspectorRegion(aws.inspector(region)),
  };
}

async function runReconcile(
  invocation: Invocation,
  context: Context,
  config: Config,
  aws: Clients,
): Promise<RunSummary> {
  const startedAt = Date.now();
  const result = await reconcile(
    {
      ...scope(invocation, context, config, aws),
      // Lambda retries an asynchronous invocation with the same request id; Scheduler's retries are
      // new invocations of the same scheduled time. Either way, one run's deactivations count once.
      guardrailRun: invocation.scheduledTime
        ? `schedule ${invocation.scheduledTime}`
        : `invocation ${context.awsRequestId}`,
      dryRun: invocation.dryRun,
      force: invocation.force,
      // The scan configuration slice: a run naming no accounts reads the window of the day its time (the
      // scheduled time for every attempt of one scheduled run) ends; a run naming accounts reads them.
      ...(invocation.accountIds
        ? {}
        : {
            scanConfigurationReads: {
              window: sliceWindow(new Date(invocation.scheduledTime ?? Date.now()), config.schedulePeriodSeconds),
            },
          }),
    },
    {
      ...readers(config, aws),
      queue: new SqsFailureQueue(aws.sqs, config.failedAccountsQueueUrl),
      ledger: new ParameterLedgerStore(aws.ssm, config.guardrailLedgerParameterName),
      // Loaded and created only when the findings step runs: with the findings off (stack or policy), no
      // Security Hub code evaluated, no client, no call.
      findings: {
        stackGranted: config.securityHubFindings,
        loadSecurityHub: () => loadSecurityHub(aws),
      },
    },
  );
  // The line and the response are cut to fit (fitSummary); the queue and the metrics have everything.
  const summary = fitSummary(result.summary);
  logger.info('reconciliation summary', { trigger: invocation.trigger, summary });
  if (result.summary.warnings.length > 0) {
    logger.warn('the policy names what the organization does not have', { warnings: result.summary.warnings });
  }
  if (result.summary.guardrail.ledgerUnavailable !== undefined) {
    logger.error('the deactivation ledger could not be read: every deactivation is held until it is back', {
      ledger: result.summary.guardrail.ledgerUnavailable,
    });
  }
  for (const { message, error } of result.undelivered) {
    logger.error('failure not delivered to the failed-accounts queue', { failure: message, error });
  }
  logFindings(result.summary, result.findings);
  // A run its deadline stopped has reported and queued what it did not reach; it returns, but does not
  // count as completed. A run whose only problem is regions the account has not enabled did all it can
  // do, and RegionNotEnabled alarms on it: it counts as completed, so NoSuccessfulRun keeps watching for
  // a reconciler that stopped instead of firing a second alarm for the same cause.
  const regionsNotEnabledOnly = onlyRegionsWithTheirOwnAlarm(result.problems);
  const succeeded = (result.problems.length === 0 || regionsNotEnabledOnly) && !result.summary.deadlineReached;
  publishRunMetrics(metrics, { ...result, succeeded, durationMs: Date.now() - startedAt });
  // What the dashboard draws per region, as log lines rather than ~200 metric series (docs/reference.md#cost).
  if (!result.summary.dryRun) {
    for (const record of regionTotals(result)) logger.info(REGION_TOTALS_MESSAGE, { ...record });
  }
  if (result.findings) publishFindingsMetrics(metrics, result.findings);
  const verdict = combinedVerdict(result.problems.map((problem) => problem.verdict));
  if (verdict !== undefined) {
    throw new RunFailedError(
      result.problems.map((problem) => problem.message),
      { verdict, regionsNotEnabledOnly },
    );
  }
  return summary;
}

/**
 * Each region's Security Hub, for a run whose findings step runs. The adapter, and with it the Security
 * Hub SDK client, is imported here rather than at the top so that a cold start with the findings off (the
 * default) does not pay for it: esbuild bundles a dynamically imported module inside a wrapper that
 * evaluates it on its first import (about 200 KB and 30 ms of module initialization: BENCHMARKS.md).
 */
async function loadSecurityHub(aws: Clients): Promise<(region: string) => RegionSecurityHub> {
  const { createSecurityHubClient, SecurityHubRegion } = await import('./aws/securityhub');
  return (region) => new SecurityHubRegion(aws.securityHub(region, createSecurityHubClient));
}

/**
 * The findings step's warnings, each once: the policy asks for findings the stack does not grant; a region
 * without Security Hub; a region whose findings could not be synced; the findings Security Hub refused
 * (up to MAX_LISTED_FAILURES). The summary line has the counts; the metrics and alarms have the rest.
 */
function logFindings(summary: RunSummary, report: FindingsReport | undefined): void {
  if (summary.findings !== undefined && 'notGranted' in summary.findings) {
    logger.warn('Security Hub findings not synced', { warning: summary.findings.notGranted });
  }
  if (report === undefined) return;
  for (const warning of report.warnings) logger.warn('Security Hub findings', { warning });
  if (report.failures.length > 0) {
    logger.warn('findings Security Hub refused', { failed: report.failed, failures: report.failures });
  }
}

/**
 * True when every problem is a region with its own alarm: one the account has not enabled, for good
 * (DISABLED, not one being enabled), or one where it is not Inspector's delegated administrator.
 */
function onlyRegionsWithTheirOwnAlarm(problems: readonly RunProblem[]): boolean {
  return (
    problems.length > 0 &&
    problems.every(
      (problem) =>
        (problem.regionNotEnabled !== undefined || problem.notDelegatedAdministrator !== undefined) &&
        problem.verdict === 'PERMANENT',
    )
  );
}

/** Effective coverage: read-only; a region whose coverage could not be read fails the invocation after the others are reported. */
async function runCoverage(
  invocation: Invocation,
  context: Context,
  config: Config,
  aws: Clients,
): Promise<CoverageSummary> {
  const { summary } = await measureCoverage(scope(invocation, context, config, aws), readers(config, aws));
  logger.info('coverage summary', { trigger: invocation.trigger, summary });
  publishCoverageMetrics(metrics, summary);
  const unread = summary.regions.filter((region) => region.error !== undefined);
  const verdict = combinedVerdict(unread.map((region) => region.errorVerdict ?? 'UNKNOWN'));
  if (verdict !== undefined) {
    throw new RunFailedError(
      unread.map((region) => `region ${region.region}: coverage could not be read: ${region.error}`),
      {
        verdict,
        regionsNotEnabledOnly: unread.every((region) => region.notEnabled && region.errorVerdict === 'PERMANENT'),
      },
    );
  }
  return summary;
}
