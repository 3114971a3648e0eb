import type { Ec2ScanningOffReport } from '../inspector-policy';
import type { FindingsReport } from '../findings/sync';
import type { LintWarning } from '../policy/lint';
import type { GuardrailVerdict } from '../guardrail/limits';
import { isReportOnly, type Outcome, type SkipReason } from '../model';
import type { RegionReport } from './region';

/**
 * The most the summary takes as JSON, in bytes, where it is logged as one line and returned: a log line
 * under 256 KB (PutLogEvents' event limit until 2025, now 1 MB, and still the limit of many log
 * pipelines), with room left for the logger's own keys. The lists are cut to fit; the totals never are.
 */
export const MAX_SUMMARY_BYTES = 200 * 1024;

/** The summary's lists, cut first when it must fit in MAX_SUMMARY_BYTES. */
const LISTS = ['failures', 'changes', 'reportOnly', 'warnings'] as const;
type ListName = (typeof LISTS)[number];

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

/** A region in the summary: its report with the outcomes counted (totals, skips by reason) in their place. */
export type RegionSummary = Omit<RegionReport, 'outcomes'> & {
  readonly totals: Totals;
  readonly skipped: Partial<Record<SkipReason, number>>;
};

/**
 * The findings step in the summary: its counts and the regions it could not serve, never the findings
 * themselves (Security Hub has them). `notGranted`: the policy asks for findings and the stack grants no
 * Security Hub permission, so none were synced.
 */
export type FindingsSummary = Omit<FindingsReport, 'failures' | 'warnings'> | { readonly notGranted: string };

export interface RunSummary {
  readonly runId: string;
  readonly dryRun: boolean;
  /** The policy the run used, and its version: `SSM parameter /name version 7`. */
  readonly policy?: string;
  readonly totals: Totals;
  readonly regions: readonly RegionSummary[];
  readonly guardrail: GuardrailVerdict;
  /** The changes the run made (ACTIVATE, DEACTIVATE), or in a dry run the ones it would make. */
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
  /**
   * How many entries were cut from each list above to keep the logged line small (fitSummary): never
   * out of the totals, the queue, or the summary the command line prints.
   */
  readonly omitted: Readonly<Record<ListName, number>>;
  readonly queue: { sent: number; undelivered: number };
  /** What lint finds in the policy against the organization (unreachable, unknown, expired, expiring), each with its JSON path. */
  readonly warnings: readonly LintWarning[];
  /**
   * True when the invocation's deadline stopped the run: the accounts it did not reach are FAILED with
   * TIMEOUT_NOT_REACHED, or the findings step did not reach a region or a finding.
   */
  readonly deadlineReached: boolean;
  /** The findings step, when the policy asks for Security Hub findings (docs/findings.md). */
  readonly findings?: FindingsSummary;
  /**
   * Where EC2 scanning is off, what the organization's Inspector policy says (inspector-policy.ts): the
   * DescribeEffectivePolicy calls made, the outcomes it explains, and "could not tell" once when it was refused.
   */
  readonly ec2ScanningOff?: Ec2ScanningOffReport;
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
  findings?: { readonly report?: FindingsReport; readonly notGranted?: string };
  ec2ScanningOff?: Ec2ScanningOffReport;
}): RunSummary {
  const regions = input.regions.map(regionSummary);
  const all = input.regions.flatMap((report) => report.outcomes);
  const { changes, reportOnly, failures } = runLists(all);
  return {
    runId: input.runId,
    dryRun: input.dryRun,
    ...(input.policy === undefined ? {} : { policy: input.policy }),
    totals: regions.reduce((sum, region) => addTotals(sum, region.totals), emptyTotals()),
    regions,
    guardrail: input.guardrail,
    changes,
    reportOnly,
    failures,
    omitted: { failures: 0, changes: 0, reportOnly: 0, warnings: 0 },
    queue: input.queue,
    warnings: input.warnings ?? [],
    deadlineReached:
      all.some((o) => o.kind === 'FAILED' && o.reason === 'TIMEOUT_NOT_REACHED') ||
      input.regions.some((r) => r.orgPackagePaths?.notReached === true) ||
      (input.findings?.report !== undefined &&
        (input.findings.report.regionsNotReached.length > 0 || input.findings.report.notReached > 0)),
    ...findingsSummary(input.findings),
    ...(input.ec2ScanningOff === undefined ? {} : { ec2ScanningOff: input.ec2ScanningOff }),
  };
}

/** A region's report as the summary holds it: its outcomes counted, each other field kept when set. Pure. */
export function regionSummary(report: RegionReport): RegionSummary {
  return {
    region: report.region,
    totals: totalsOf(report.outcomes),
    skipped: skippedByReason(report.outcomes),
    ...(report.error === undefined ? {} : { error: report.error }),
    ...(report.errorVerdict === undefined ? {} : { errorVerdict: report.errorVerdict }),
    ...(report.notEnabled ? { notEnabled: true as const } : {}),
    ...(report.notDelegatedAdministrator ? { notDelegatedAdministrator: true as const } : {}),
    ...(report.pastInspectorMemberLimit ? { pastInspectorMemberLimit: report.pastInspectorMemberLimit } : {}),
    ...(report.orgPackagePaths === undefined ? {} : { orgPackagePaths: report.orgPackagePaths }),
    ...(report.ec2ScanConfiguration === undefined ? {} : { ec2ScanConfiguration: report.ec2ScanConfiguration }),
  };
}

/** The findings report cut to counts and region lists (at most one entry a region), for the summary line. */
function findingsSummary(findings: { readonly report?: FindingsReport; readonly notGranted?: string } | undefined) {
  if (findings?.report !== undefined) {
    const { failures: _failures, warnings: _warnings, ...counts } = findings.report;
    return { findings: counts };
  }
  if (findings?.notGranted !== undefined) return { findings: { notGranted: findings.notGranted } };
  return {};
}

const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * The run's lists of accounts, whole: what changed (or would, in a dry run), what report-only rules would
 * change, what failed. The one place they are made: the summary holds them (cut to size by fitSummary for
 * the log), the CLI's views print them whole.
 */
export function runLists(outcomes: readonly Outcome[]): Pick<RunSummary, 'changes' | 'reportOnly' | 'failures'> {
  const changes = outcomes.flatMap((o) =>
    o.kind === 'ACTIVATE' || o.kind === 'DEACTIVATE'
      ? [{ accountId: o.accountId, region: o.region, from: o.from, to: o.to, ...(o.rule ? { rule: o.rule } : {}) }]
      : [],
  );
  const reportOnly = outcomes.flatMap((o) =>
    isReportOnly(o)
      ? [{ accountId: o.accountId, region: o.region, from: o.from, to: o.to, ...(o.rule ? { rule: o.rule } : {}) }]
      : [],
  );
  const failures = outcomes.flatMap((o) =>
    o.kind === 'FAILED'
      ? [
          {
            accountId: o.accountId,
            region: o.region,
            ...(o.desired === undefined ? {} : { desired: o.desired }),
            reason: o.reason,
            ...(o.errorMessage === undefined ? {} : { errorMessage: o.errorMessage }),
            ...(o.rule ? { rule: o.rule } : {}),
          },
        ]
      : [],
  );
  return { changes, reportOnly, failures };
}

/**
 * The summary cut to at most `maxBytes` of JSON, for the log line and the invocation's response: each
 * list keeps its first entries, taken in turn one from each list while they fit, and `omitted` counts
 * the rest. The totals, the regions and the guardrail are never cut. A summary that fits is returned as is.
 */
export function fitSummary(summary: RunSummary, maxBytes = MAX_SUMMARY_BYTES): RunSummary {
  if (byteLength(summary) <= maxBytes) return summary;
  const lists: Record<ListName, readonly unknown[]> = {
    failures: summary.failures,
    changes: summary.changes,
    reportOnly: summary.reportOnly,
    warnings: summary.warnings,
  };
  // Sized with every list empty and every count at its largest: keeping entries only shrinks the counts.
  const bare = {
    ...summary,
    ...Object.fromEntries(LISTS.map((name) => [name, []])),
    omitted: Object.fromEntries(LISTS.map((name) => [name, summary.omitted[name] + lists[name].length])),
  };
  let budget = maxBytes - byteLength(bare);
  const kept: Record<ListName, number> = { failures: 0, changes: 0, reportOnly: 0, warnings: 0 };
  const open = new Set<ListName>(LISTS.filter((name) => lists[name].length > 0));
  while (open.size > 0) {
    for (const name of open) {
      const next = lists[name][kept[name]];
      // One more entry costs its JSON and a comma.
      const cost = next === undefined ? Number.POSITIVE_INFINITY : byteLength(next) + 1;
      if (cost > budget) {
        open.delete(name);
        continue;
      }
      budget -= cost;
      kept[name] += 1;
    }
  }
  return {
    ...summary,
    failures: summary.failures.slice(0, kept.failures),
    changes: summary.changes.slice(0, kept.changes),
    reportOnly: summary.reportOnly.slice(0, kept.reportOnly),
    warnings: summary.warnings.slice(0, kept.warnings),
    omitted: {
      failures: summary.omitted.failures + summary.failures.length - kept.failures,
      changes: summary.omitted.changes + summary.changes.length - kept.changes,
      reportOnly: summary.omitted.reportOnly + summary.reportOnly.length - kept.reportOnly,
      warnings: summary.omitted.warnings + summary.warnings.length - kept.warnings,
    },
  };
}
