import {
  type GuardrailVerdict,
  type LintWarning,
  type RegionSummary,
  type RunResult,
  runLists,
  type ScanConfigurationListed,
  type ScanConfigurationTotals,
  type Totals,
} from '../lambda/reconciler';

/**
 * The version of the JSON that `plan` and `apply` print (`--output json`), documented in docs/cli.md.
 * It rises when a name changes or goes; adding a field does not change it.
 */
export const RUN_VIEW_SCHEMA_VERSION = 1;

/** A plan's counts: what applying it would write, named as such. */
export interface PlanTotals {
  accounts: number;
  compliant: number;
  wouldActivate: number;
  wouldDeactivate: number;
  /** Mismatches report-only rules decide: never written, by plan or apply. */
  reportOnlyWouldActivate: number;
  reportOnlyWouldDeactivate: number;
  skipped: number;
  failed: number;
}

/** An apply's counts: what it wrote, Inspector confirming each. */
export interface ApplyTotals {
  accounts: number;
  compliant: number;
  activated: number;
  deactivated: number;
  reportOnlyWouldActivate: number;
  reportOnlyWouldDeactivate: number;
  skipped: number;
  failed: number;
}

/** A plan's scan configuration counts (the summary's, with `updated` named for what it is: would update). */
export type PlanScanConfigurationTotals = Omit<ScanConfigurationTotals, 'updated' | 'wouldUpdate'> & {
  /** What apply would write. */
  wouldUpdate: number;
  /** Only report-only changes: never written, by plan or apply. */
  reportOnlyWouldUpdate: number;
};

/** An apply's scan configuration counts: `updated` is written, Inspector agreeing. */
export type ApplyScanConfigurationTotals = Omit<ScanConfigurationTotals, 'wouldUpdate'> & {
  reportOnlyWouldUpdate: number;
};

/**
 * One scan configuration entry as plan and apply list it: the summary's, with its kind named as deep inspection's
 * counts are: a plan's `WOULD_UPDATE` is what apply would write, an apply's `UPDATE` what it wrote, and
 * `REPORT_ONLY_WOULD_UPDATE` what a report-only rule would change, never written (the summary's `WOULD_UPDATE`).
 */
export type ScanConfigurationChange = Omit<ScanConfigurationListed, 'kind'> & {
  readonly kind: 'UPDATE' | 'WOULD_UPDATE' | 'REPORT_ONLY_WOULD_UPDATE' | 'SKIPPED' | 'FAILED';
};

interface Listed {
  readonly accountId: string;
  readonly region: string;
  readonly from: string;
  readonly to: string;
  readonly rule?: string;
}

/**
 * What `plan` and `apply` print, in the table and as JSON alike: the function's run summary with its
 * counts named for what they are in this command (a plan's `wouldActivate` is the table's "would
 * activate", never an `activated` that did not happen), and every list whole: the CLI is not held to
 * the Lambda response's size, so it has no `omitted`.
 */
export interface RunView<T extends PlanTotals | ApplyTotals = PlanTotals | ApplyTotals> {
  readonly schemaVersion: typeof RUN_VIEW_SCHEMA_VERSION;
  readonly command: 'plan' | 'apply';
  /** Whether anything was written: false for a plan, and for an apply that found nothing to write. */
  readonly written: boolean;
  readonly runId: string;
  readonly policy?: string;
  readonly totals: T;
  readonly regions: readonly (Omit<RegionSummary, 'totals' | 'scanConfiguration'> & {
    readonly totals: T;
    readonly scanConfiguration?: PlanScanConfigurationTotals | ApplyScanConfigurationTotals;
  })[];
  readonly guardrail: GuardrailVerdict;
  /** Every change: for a plan, to be written; for an apply, written and confirmed. */
  readonly changes: readonly Listed[];
  /** Every mismatch a report-only rule decides: never written. */
  readonly reportOnly: readonly Listed[];
  readonly failures: RunResult['summary']['failures'];
  /** Failures sent to --failed-accounts-queue-url, and those the queue would not take. A plan sends none. */
  readonly queue: { readonly sent: number; readonly undelivered: number };
  readonly warnings: readonly LintWarning[];
  readonly deadlineReached: boolean;
  /** Where EC2 scanning is off, what the organization's Inspector policy says (the run summary's). */
  readonly ec2ScanningOff?: RunResult['summary']['ec2ScanningOff'];
  /** The EC2 scan configuration's counts, when the policy manages it: a plan's `wouldUpdate`, an apply's `updated`. */
  readonly scanConfiguration?: PlanScanConfigurationTotals | ApplyScanConfigurationTotals;
  /** Every scan configuration change (to be written, or written), report-only change, held, waiting or failed one. */
  readonly scanConfigurationChanges?: readonly ScanConfigurationChange[];
}

export function planTotals(totals: Totals): PlanTotals {
  return {
    accounts: totals.accounts,
    compliant: totals.compliant,
    wouldActivate: totals.activated,
    wouldDeactivate: totals.deactivated,
    reportOnlyWouldActivate: totals.wouldActivate,
    reportOnlyWouldDeactivate: totals.wouldDeactivate,
    skipped: totals.skipped,
    failed: totals.failed,
  };
}

export function applyTotals(totals: Totals): ApplyTotals {
  return {
    accounts: totals.accounts,
    compliant: totals.compliant,
    activated: totals.activated,
    deactivated: totals.deactivated,
    reportOnlyWouldActivate: totals.wouldActivate,
    reportOnlyWouldDeactivate: totals.wouldDeactivate,
    skipped: totals.skipped,
    failed: totals.failed,
  };
}

export function planScanConfigurationTotals({
  updated,
  wouldUpdate,
  ...totals
}: ScanConfigurationTotals): PlanScanConfigurationTotals {
  const { accounts, compliant, ...rest } = totals;
  return { accounts, compliant, wouldUpdate: updated, reportOnlyWouldUpdate: wouldUpdate, ...rest };
}

export function applyScanConfigurationTotals({
  updated,
  wouldUpdate,
  ...totals
}: ScanConfigurationTotals): ApplyScanConfigurationTotals {
  const { accounts, compliant, ...rest } = totals;
  return { accounts, compliant, updated, reportOnlyWouldUpdate: wouldUpdate, ...rest };
}

/** The summary's entry, its kind named for the command (ScanConfigurationChange). */
function scanConfigurationChange(command: 'plan' | 'apply', entry: ScanConfigurationListed): ScanConfigurationChange {
  if (entry.kind === 'WOULD_UPDATE') return { ...entry, kind: 'REPORT_ONLY_WOULD_UPDATE' };
  if (entry.kind === 'UPDATE' && command === 'plan') return { ...entry, kind: 'WOULD_UPDATE' };
  return entry;
}

/** Pure: a plan (a dry run's result) or an apply's result as the CLI prints it. */
export function runView(command: 'plan', result: RunResult): RunView<PlanTotals>;
export function runView(command: 'apply', result: RunResult): RunView<ApplyTotals>;
export function runView(command: 'plan' | 'apply', result: RunResult): RunView {
  const { summary, outcomes } = result;
  const totalsOf = command === 'plan' ? planTotals : applyTotals;
  const scanTotalsOf = command === 'plan' ? planScanConfigurationTotals : applyScanConfigurationTotals;
  return {
    schemaVersion: RUN_VIEW_SCHEMA_VERSION,
    command,
    written: command === 'apply',
    runId: summary.runId,
    ...(summary.policy === undefined ? {} : { policy: summary.policy }),
    totals: totalsOf(summary.totals),
    regions: summary.regions.map(({ scanConfiguration, ...region }) => ({
      ...region,
      totals: totalsOf(region.totals),
      ...(scanConfiguration === undefined ? {} : { scanConfiguration: scanTotalsOf(scanConfiguration) }),
    })),
    guardrail: summary.guardrail,
    // Whole, from every outcome, made as the summary's are (runLists): the CLI is not held to the log line's size.
    ...runLists(outcomes),
    queue: summary.queue,
    warnings: summary.warnings,
    deadlineReached: summary.deadlineReached,
    ...(summary.ec2ScanningOff === undefined ? {} : { ec2ScanningOff: summary.ec2ScanningOff }),
    ...(summary.scanConfiguration === undefined ? {} : { scanConfiguration: scanTotalsOf(summary.scanConfiguration) }),
    ...(summary.scanConfigurationChanges === undefined
      ? {}
      : {
          scanConfigurationChanges: summary.scanConfigurationChanges.map((entry) =>
            scanConfigurationChange(command, entry),
          ),
        }),
  };
}

/** A plan's scan configuration update that apply would write, or one an apply wrote. */
export const isScanConfigurationUpdate = (entry: ScanConfigurationChange) =>
  entry.kind === 'UPDATE' || entry.kind === 'WOULD_UPDATE';

/** The scan configuration updates a plan writes (or an apply wrote). */
export function scanConfigurationUpdates(view: RunView): readonly ScanConfigurationChange[] {
  return (view.scanConfigurationChanges ?? []).filter(isScanConfigurationUpdate);
}

/** The scan configuration's count of updates: a plan's `wouldUpdate`, an apply's `updated`. */
export function scanConfigurationUpdated(totals: PlanScanConfigurationTotals | ApplyScanConfigurationTotals): number {
  return 'updated' in totals ? totals.updated : totals.wouldUpdate;
}

/** How many accounts each region would write: a plan's changes (scan configuration's too), for apply's progress and its question. */
export function writesByRegion(view: RunView): Map<string, number> {
  const counts = new Map<string, number>();
  for (const change of [...view.changes, ...scanConfigurationUpdates(view)]) {
    counts.set(change.region, (counts.get(change.region) ?? 0) + 1);
  }
  return counts;
}
