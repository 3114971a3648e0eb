import { addCounts } from '../counts';
import {
  type ScanConfigurationOutcome,
  type ScanConfigurationSkipReason,
  type ScanConfigurationWrite,
  type ScanSettingChange,
} from './outcome';

/*
 * The scan configuration in the summary: counts by kind, by write, by VM scanner and scan mode as read, and
 * the list of what changed (or would), what a report-only rule would change, what was held or failed. Pure.
 */

/** The scan configuration's counts in a region, or the run's. */
export interface ScanConfigurationTotals {
  /** Accounts whose scan configuration was evaluated: the sum of the five counts below. */
  accounts: number;
  compliant: number;
  /** Written (in a dry run: would be). */
  updated: number;
  /** Only report-only changes: never written. */
  wouldUpdate: number;
  skipped: number;
  failed: number;
  /** Updates by how they are written. */
  byWrite: Record<ScanConfigurationWrite, number>;
  /** The evaluated accounts' VM scanner as read. */
  vmScanner: { ACTIVATED: number; DEACTIVATED: number; FAILED: number };
  /** The evaluated accounts' scan mode as read. */
  scanMode: { EC2_SSM_AGENT_BASED: number; EC2_HYBRID: number };
  skippedByReason: Partial<Record<ScanConfigurationSkipReason, number>>;
  /** GetConfiguration calls with a member's `accountId`. */
  reads: number;
}

export function emptyScanConfigurationTotals(): ScanConfigurationTotals {
  return {
    accounts: 0,
    compliant: 0,
    updated: 0,
    wouldUpdate: 0,
    skipped: 0,
    failed: 0,
    byWrite: { MEMBER: 0, INHERIT_FROM_ADMIN: 0, ADMINISTRATOR: 0 },
    vmScanner: { ACTIVATED: 0, DEACTIVATED: 0, FAILED: 0 },
    scanMode: { EC2_SSM_AGENT_BASED: 0, EC2_HYBRID: 0 },
    skippedByReason: {},
    reads: 0,
  };
}

export function scanConfigurationTotals(
  outcomes: readonly ScanConfigurationOutcome[],
  reads = 0,
): ScanConfigurationTotals {
  const totals = emptyScanConfigurationTotals();
  totals.reads = reads;
  for (const outcome of outcomes) {
    totals.accounts += 1;
    if (outcome.kind === 'COMPLIANT') totals.compliant += 1;
    else if (outcome.kind === 'UPDATE') {
      totals.updated += 1;
      totals.byWrite[outcome.write] += 1;
    } else if (outcome.kind === 'WOULD_UPDATE') totals.wouldUpdate += 1;
    else if (outcome.kind === 'SKIPPED') {
      totals.skipped += 1;
      totals.skippedByReason[outcome.reason] = (totals.skippedByReason[outcome.reason] ?? 0) + 1;
    } else totals.failed += 1;
    const vm = outcome.observed?.vmScanner;
    if (vm === 'ACTIVATED' || vm === 'DEACTIVATED' || vm === 'FAILED') totals.vmScanner[vm] += 1;
    const mode = outcome.observed?.scanMode;
    if (mode !== undefined) totals.scanMode[mode] += 1;
  }
  return totals;
}

export function addScanConfigurationTotals(
  a: ScanConfigurationTotals,
  b: ScanConfigurationTotals,
): ScanConfigurationTotals {
  const { byWrite, vmScanner, scanMode, skippedByReason, ...counts } = a;
  const { byWrite: bByWrite, vmScanner: bVmScanner, scanMode: bScanMode, skippedByReason: bSkipped, ...bCounts } = b;
  const { reads, ...sums } = addCounts(counts, bCounts);
  return {
    ...sums,
    byWrite: addCounts(byWrite, bByWrite),
    vmScanner: addCounts(vmScanner, bVmScanner),
    scanMode: addCounts(scanMode, bScanMode),
    skippedByReason: addCounts(skippedByReason, bSkipped),
    reads,
  };
}

/** One account's scan configuration in the run's list: what changes (or would, or waits), and why not when not. */
export interface ScanConfigurationListed {
  readonly accountId: string;
  readonly region: string;
  readonly kind: 'UPDATE' | 'WOULD_UPDATE' | 'SKIPPED' | 'FAILED';
  readonly write?: ScanConfigurationWrite;
  readonly changes: readonly Pick<ScanSettingChange, 'setting' | 'from' | 'to' | 'rule'>[];
  /** SKIPPED and FAILED: why. */
  readonly reason?: string;
  readonly detail?: string;
  readonly errorMessage?: string;
  /** ADMINISTRATOR: how many ACTIVE accounts it may reach. */
  readonly mayReach?: number;
}

const listed = (changes: readonly ScanSettingChange[]) =>
  changes.map(({ setting, from, to, rule }) => ({ setting, ...(from === undefined ? {} : { from }), to, rule }));

/**
 * The run's list: every update and report-only update, and every skip or failure that has changes it did
 * not make (held, waiting, following the administrator, refused, not reached) or that failed. COMPLIANT and
 * the skips Inspector's own answer explains are counted, not listed.
 */
export function scanConfigurationList(outcomes: readonly ScanConfigurationOutcome[]): ScanConfigurationListed[] {
  return outcomes.flatMap((o): ScanConfigurationListed[] => {
    const base = { accountId: o.accountId, region: o.region, kind: o.kind };
    switch (o.kind) {
      case 'COMPLIANT':
        return [];
      case 'UPDATE':
      case 'WOULD_UPDATE':
        return [
          {
            ...base,
            kind: o.kind,
            write: o.write,
            changes: listed(o.changes),
            ...(o.mayReach === undefined ? {} : { mayReach: o.mayReach.length }),
            ...(o.detail === undefined ? {} : { detail: o.detail }),
          },
        ];
      case 'SKIPPED':
        return o.changes === undefined
          ? []
          : [
              {
                ...base,
                kind: o.kind,
                ...(o.write === undefined ? {} : { write: o.write }),
                changes: listed(o.changes),
                reason: o.reason,
                ...(o.detail === undefined ? {} : { detail: o.detail }),
              },
            ];
      case 'FAILED':
        return [
          {
            ...base,
            kind: o.kind,
            ...(o.write === undefined ? {} : { write: o.write }),
            changes: listed(o.changes ?? []),
            reason: o.reason,
            errorMessage: o.errorMessage,
          },
        ];
    }
    return [];
  });
}
