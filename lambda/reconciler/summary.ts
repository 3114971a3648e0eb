import type { Ec2ScanConfiguration } from './aws/inspector';
import type { Verdict } from './error-classification';
import type { LintWarning } from './policy-lint';
import type { GuardrailVerdict } from './guardrail';
import { isReportOnly, type Outcome, type SkipReason } from './model';

/** Lists in the summary stop here so the log line and the invocation response stay within their limits. */
export const MAX_LISTED = 1000;

export interface Totals {
  /** Account evaluations: one per account and region. Always the sum of the seven outcome counts. */
  accounts: number;
  compliant: number;
  activated: number;
  deactivated: number;
  /** Mismatches a report-only rule decides: counted apart, never written. */
  wouldActivate: number;
  wouldDeactivate: number;
  skipped: number;
  failed: number;
}

export interface OrgPackagePathsResult {
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly changed: boolean;
  readonly error?: string;
  /** With `error`: whether a retry can heal it. */
  readonly errorVerdict?: Verdict;
  /** The run's deadline came first; the next run updates them. */
  readonly notReached?: true;
}

export interface RegionSummary {
  readonly region: string;
  readonly totals: Totals;
  readonly skipped: Partial<Record<SkipReason, number>>;
  /**
   * Set when the region could not be read as a whole; its accounts are FAILED with REGION_UNREADABLE,
   * or REGION_NOT_ENABLED when the account has not enabled the region (then `notEnabled` is set).
   */
  readonly error?: string;
  /** With `error`: whether a retry can heal it (error-classification.ts). */
  readonly errorVerdict?: Verdict;
  /** The account has not enabled the region, or it is being enabled or disabled (RegionOptStatus). */
  readonly notEnabled?: true;
  readonly orgPackagePaths?: OrgPackagePathsResult;
  /** GetConfiguration's EC2 scan mode for the region: EC2_HYBRID means Enhanced EC2 Scanning is on. */
  readonly ec2ScanConfiguration?: Ec2ScanConfiguration;
}

export interface RunSummary {
  readonly runId: string;
  readonly dryRun: boolean;
  /** The policy the run used, and its version: `SSM parameter /name version 7`. */
  readonly policy?: string;
  readonly totals: Totals;
  readonly regions: readonly RegionSummary[];
  readonly guardrail: GuardrailVerdict;
  /** In a dry run: what would change. */
  readonly changes: readonly { accountId: string; region: string; from: string; to: string; rule?: string }[];
  /** What report-only rules would change, with the rule: never written, in any run. */
  readonly reportOnly: readonly { accountId: string; region: string; from: string; to: string; rule?: string }[];
  readonly failures: readonly {
    accountId: string;
    region: string;
    desired?: string;
    reason: string;
    errorMessage?: string;
    /** The rule that decided the account, or "default". */
    rule?: string;
  }[];
  /** How many changes and failures were left out of the lists above (never out of the totals or the queue). */
  readonly omitted: { changes: number; reportOnly: number; failures: number };
  readonly queue: { sent: number; undelivered: number };
  /** What lint finds in the policy against the organization (unreachable, unknown, expired, expiring), each with its JSON path. */
  readonly warnings: readonly LintWarning[];
  /** True when the invocation's deadline stopped the run: the accounts it did not reach are FAILED with TIMEOUT_NOT_REACHED. */
  readonly deadlineReached: boolean;
}

export interface RegionReport {
  readonly region: string;
  readonly outcomes: readonly Outcome[];
  readonly error?: string;
  readonly errorVerdict?: Verdict;
  readonly notEnabled?: true;
  readonly orgPackagePaths?: OrgPackagePathsResult;
  readonly ec2ScanConfiguration?: Ec2ScanConfiguration;
}

export function emptyTotals(): Totals {
  return {
    accounts: 0,
    compliant: 0,
    activated: 0,
    deactivated: 0,
    wouldActivate: 0,
    wouldDeactivate: 0,
    skipped: 0,
    failed: 0,
  };
}

export function totalsOf(outcomes: readonly Outcome[]): Totals {
  const totals = emptyTotals();
  for (const outcome of outcomes) {
    totals.accounts += 1;
    if (outcome.kind === 'COMPLIANT') totals.compliant += 1;
    else if (outcome.kind === 'ACTIVATE') totals.activated += 1;
    else if (outcome.kind === 'DEACTIVATE') totals.deactivated += 1;
    else if (outcome.kind === 'WOULD_ACTIVATE') totals.wouldActivate += 1;
    else if (outcome.kind === 'WOULD_DEACTIVATE') totals.wouldDeactivate += 1;
    else if (outcome.kind === 'SKIPPED') totals.skipped += 1;
    else totals.failed += 1;
  }
  return totals;
}

function addTotals(a: Totals, b: Totals): Totals {
  return {
    accounts: a.accounts + b.accounts,
    compliant: a.compliant + b.compliant,
    activated: a.activated + b.activated,
    deactivated: a.deactivated + b.deactivated,
    wouldActivate: a.wouldActivate + b.wouldActivate,
    wouldDeactivate: a.wouldDeactivate + b.wouldDeactivate,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
  };
}

function skippedByReason(outcomes: readonly Outcome[]): Partial<Record<SkipReason, number>> {
  const counts: Partial<Record<SkipReason, number>> = {};
  for (const outcome of outcomes) {
    if (outcome.kind === 'SKIPPED') counts[outcome.reason] = (counts[outcome.reason] ?? 0) + 1;
  }
  return counts;
}

export function summarize(input: {
  runId: string;
  dryRun: boolean;
  regions: readonly RegionReport[];
  guardrail: GuardrailVerdict;
  queue: { sent: number; undelivered: number };
  warnings?: readonly LintWarning[];
  policy?: string;
}): RunSummary {
  const regions = input.regions.map((report): RegionSummary => ({
    region: report.region,
    totals: totalsOf(report.outcomes),
    skipped: skippedByReason(report.outcomes),
    ...(report.error === undefined ? {} : { error: report.error }),
    ...(report.errorVerdict === undefined ? {} : { errorVerdict: report.errorVerdict }),
    ...(report.notEnabled ? { notEnabled: true as const } : {}),
    ...(report.orgPackagePaths === undefined ? {} : { orgPackagePaths: report.orgPackagePaths }),
    ...(report.ec2ScanConfiguration === undefined ? {} : { ec2ScanConfiguration: report.ec2ScanConfiguration }),
  }));
  const all = input.regions.flatMap((report) => report.outcomes);
  const changes = all.flatMap((o) =>
    o.kind === 'ACTIVATE' || o.kind === 'DEACTIVATE'
      ? [{ accountId: o.accountId, region: o.region, from: o.from, to: o.to, ...(o.rule ? { rule: o.rule } : {}) }]
      : [],
  );
  const reportOnly = all.flatMap((o) =>
    isReportOnly(o)
      ? [{ accountId: o.accountId, region: o.region, from: o.from, to: o.to, ...(o.rule ? { rule: o.rule } : {}) }]
      : [],
  );
  const failures = all.flatMap((o) =>
    o.kind === 'FAILED'
      ? [
          {
            accountId: o.accountId,
            region: o.region,
            ...(o.desired === undefined ? {} : { desired: o.desired }),
            reason: o.reason,
            errorMessage: o.errorMessage,
            ...(o.rule ? { rule: o.rule } : {}),
          },
        ]
      : [],
  );
  return {
    runId: input.runId,
    dryRun: input.dryRun,
    ...(input.policy === undefined ? {} : { policy: input.policy }),
    totals: regions.reduce((sum, region) => addTotals(sum, region.totals), emptyTotals()),
    regions,
    guardrail: input.guardrail,
    changes: changes.slice(0, MAX_LISTED),
    reportOnly: reportOnly.slice(0, MAX_LISTED),
    failures: failures.slice(0, MAX_LISTED),
    omitted: {
      changes: Math.max(0, changes.length - MAX_LISTED),
      reportOnly: Math.max(0, reportOnly.length - MAX_LISTED),
      failures: Math.max(0, failures.length - MAX_LISTED),
    },
    queue: input.queue,
    warnings: input.warnings ?? [],
    deadlineReached:
      all.some((o) => o.kind === 'FAILED' && o.reason === 'TIMEOUT_NOT_REACHED') ||
      input.regions.some((r) => r.orgPackagePaths?.notReached === true),
  };
}
