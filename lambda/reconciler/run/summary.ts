import { addCounts } from '../counts';
import type { Ec2ScanningOffReport } from '../inspector-policy';
import type { FindingsReport } from '../findings/sync';
import type { LintWarning } from '../policy/lint';
import type { GuardrailVerdict } from '../guardrail/limits';
import { isReportOnly, type Outcome, type SkipReason } from '../model';
import type { RegionReport } from './region';
import {
  addScanConfigurationTotals,
  emptyScanConfigurationTotals,
  type ScanConfigurationListed,
  scanConfigurationList,
  type ScanConfigurationTotals,
  scanConfigurationTotals,
} from '../scan-configuration/summary';

/**
 * The most the summary takes as JSON, in bytes, where it is logged as one line and returned: a log line
 * under 256 KB (PutLogEvents' event limit until 2025, now 1 MB, and still the limit of many log
 * pipelines), with room left for the logger's own keys. The lists are cut to fit; the totals never are.
 */
export const MAX_SUMMARY_BYTES = 200 * 1024;

/** The summary's lists, cut first when it must fit in MAX_SUMMARY_BYTES (the last only when the policy manages scan configuration). */
const LISTS = ['failures', 'changes', 'reportOnly', 'warnings', 'scanConfigurationChanges'] as const;
type ListName = (typeof LISTS)[number];
type Omitted = Readonly<Record<Exclude<ListName, 'scanConfigurationChanges'>, number>> & {
  readonly scanConfigurationChanges?: number;
};

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
export type RegionSummary = Omit<RegionReport, 'outcomes' | 'scanConfiguration'> & {
  readonly totals: Totals;
  readonly skipped: Partial<Record<SkipReason, number>>;
  /** The scan configuration's outcomes counted, when the policy manages it. */
  readonly scanConfiguration?: ScanConfigurationTotals;
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
  readonly omitted: Omitted;
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
  /** The scan configuration's counts over every region, when the policy manages it (scan-configuration/summary.ts). */
  readonly scanConfiguration?: ScanConfigurationTotals;
  /** What the scan configuration changed (or would), would change by report-only rules, held, or failed. */
  readonly scanConfigurationChanges?: readonly ScanConfigurationListed[];
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
  const scanReports = input.regions.flatMap((report) => (report.scanConfiguration ? [report.scanConfiguration] : []));
  const scanOutcomes = scanReports.flatMap((report) => report.outcomes);
  return {
    runId: input.runId,
    dryRun: input.dryRun,
    ...(input.policy === undefined ? {} : { policy: input.policy }),
    totals: regions.reduce((sum, region) => addCounts(sum, region.totals), emptyTotals()),
    regions,
    guardrail: input.guardrail,
    changes,
    reportOnly,
    failures,
    omitted: {
      failures: 0,
      changes: 0,
      reportOnly: 0,
      warnings: 0,
      ...(scanReports.length === 0 ? {} : { scanConfigurationChanges: 0 }),
    },
    queue: input.queue,
    warnings: input.warnings ?? [],
    deadlineReached:
      all.some((o) => o.kind === 'FAILED' && o.reason === 'TIMEOUT_NOT_REACHED') ||
      scanOutcomes.some((o) => o.kind === 'FAILED' && o.reason === 'TIMEOUT_NOT_REACHED') ||
      input.regions.some((r) => r.orgPackagePaths?.notReached === true) ||
      (input.findings?.report !== undefined &&
        (input.findings.report.regionsNotReached.length > 0 || input.findings.report.notReached > 0)),
    ...findingsSummary(input.findings),
    ...(input.ec2ScanningOff === undefined ? {} : { ec2ScanningOff: input.ec2ScanningOff }),
    ...(scanReports.length === 0
      ? {}
      : {
          scanConfiguration: scanReports
            .map((report) => scanConfigurationTotals(report.outcomes, report.reads))
            .reduce(addScanConfigurationTotals, emptyScanConfigurationTotals()),
          scanConfigurationChanges: scanConfigurationList(scanOutcomes),
        }),
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
    ...(report.scanConfiguration === undefined
      ? {}
      : {
          scanConfiguration: scanConfigurationTotals(report.scanConfiguration.outcomes, report.scanConfiguration.reads),
        }),
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
  const names = LISTS.filter((name) => summary[name] !== undefined);
  const lists = Object.fromEntries(names.map((name) => [name, summary[name] ?? []])) as Record<
    ListName,
    readonly unknown[]
  >;
  const omittedOf = (name: ListName) => summary.omitted[name] ?? 0;
  // Sized with every list empty and every count at its largest: keeping entries only shrinks the counts.
  const bare = {
    ...summary,
    ...Object.fromEntries(names.map((name) => [name, []])),
    omitted: Object.fromEntries(names.map((name) => [name, omittedOf(name) + lists[name].length])),
  };
  let budget = maxBytes - byteLength(bare);
  const kept = Object.fromEntries(names.map((name) => [name, 0])) as Record<ListName, number>;
  const open = new Set<ListName>(names.filter((name) => lists[name].length > 0));
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
    ...Object.fromEntries(names.map((name) => [name, lists[name].slice(0, kept[name])])),
    omitted: Object.fromEntries(
      names.map((name) => [name, omittedOf(name) + lists[name].length - kept[name]]),
    ) as unknown as Omitted,
  };
}
