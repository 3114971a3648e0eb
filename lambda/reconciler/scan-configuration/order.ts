import type { Outcome } from '../model';
import {
  isNarrowing,
  type ScanConfigurationOutcome,
  type ScanConfigurationUpdate,
  type ScanSettingChange,
} from './outcome';

/*
 * The order rule: an account is never left scanned less in between. Widening (deep inspection ACTIVATE, VM
 * scanner → ACTIVATED, scan mode → EC2_HYBRID) goes first; a narrowing change (deep inspection DEACTIVATE,
 * VM scanner → DEACTIVATED, scan mode → EC2_SSM_AGENT_BASED) to the same account waits, SKIPPED
 * WAITS_FOR_WIDENING, for a later run in which the widening reads SUCCESS (a PENDING widening still holds
 * it). That run reads the account again: a deep inspection change puts it in the run's scan configuration
 * reads (step.ts), and the slice reads it within the day. Pure.
 */

const WAITS = 'WAITS_FOR_WIDENING' as const;

const describe = (changes: readonly ScanSettingChange[]) =>
  changes.map((change) => `${change.setting} → ${change.to}`).join(', ');

/** Account → why its scanning widens this run (or may: under way, or unknown), first reason kept. */
class Reasons extends Map<string, string> {
  note(accountId: string, why: string): void {
    if (!this.has(accountId)) this.set(accountId, why);
  }
}

/**
 * Both streams of one region with the order rule applied.
 * @param deep the deep inspection outcomes of the region
 * @param scan the scan configuration outcomes of the region (the administrator's included)
 */
export function orderChanges(
  deep: readonly Outcome[],
  scan: readonly ScanConfigurationOutcome[],
): { deep: Outcome[]; scan: ScanConfigurationOutcome[] } {
  // What holds a scan configuration narrowing: deep inspection activated this run, or still PENDING.
  const deepWidens = new Reasons();
  for (const outcome of deep) {
    if (outcome.kind === 'ACTIVATE') deepWidens.note(outcome.accountId, 'deep inspection → ACTIVATED reads SUCCESS');
    if (outcome.kind === 'SKIPPED' && outcome.reason === 'DEEP_INSPECTION_PENDING') {
      deepWidens.note(outcome.accountId, 'deep inspection, now PENDING, reads SUCCESS');
    }
  }
  // What widens a scan configuration this run, the administrator's reaching every member that inherits it.
  const scanWidens = new Reasons();
  // What holds a deep inspection deactivation besides: a scan configuration PENDING, or not read this run.
  const scanUnsettled = new Reasons();
  for (const outcome of scan) {
    if (outcome.kind === 'UPDATE') {
      const widens = outcome.changes.filter((change) => !isNarrowing(change));
      if (widens.length === 0) continue;
      const why = `${describe(widens)} reads SUCCESS`;
      scanWidens.note(outcome.accountId, why);
      if (outcome.write === 'ADMINISTRATOR') {
        for (const id of outcome.mayReach ?? []) scanWidens.note(id, `the administrator configuration's ${why}`);
      }
    } else if (outcome.kind === 'SKIPPED' && outcome.reason === 'SCAN_CONFIGURATION_PENDING') {
      scanUnsettled.note(outcome.accountId, 'its scan configuration, now PENDING, reads SUCCESS');
    } else if (
      outcome.kind === 'FAILED' &&
      (outcome.reason === 'CONFIGURATION_UNREADABLE' || outcome.reason === 'TIMEOUT_NOT_REACHED')
    ) {
      scanUnsettled.note(outcome.accountId, 'a run reads its scan configuration');
    }
  }

  const orderedDeep = deep.map((outcome): Outcome => {
    if (outcome.kind !== 'DEACTIVATE') return outcome;
    const first = scanWidens.get(outcome.accountId) ?? scanUnsettled.get(outcome.accountId);
    if (first === undefined) return outcome;
    return {
      kind: 'SKIPPED',
      accountId: outcome.accountId,
      region: outcome.region,
      ...(outcome.rule === undefined ? {} : { rule: outcome.rule }),
      reason: WAITS,
      detail: `deep inspection ${outcome.from} → DEACTIVATED waits until ${first}`,
    };
  });

  const orderedScan = scan.map((outcome): ScanConfigurationOutcome => {
    if (outcome.kind !== 'UPDATE') return outcome;
    const narrowing = outcome.changes.filter(isNarrowing);
    if (narrowing.length === 0) return outcome;
    const widens = outcome.changes.filter((change) => !isNarrowing(change));
    if (widens.length > 0) {
      // Both in one configuration: the widening is written alone (a member one by one: a reset to inherit
      // would take both at once), and the narrowing waits.
      return {
        ...outcome,
        write: outcome.write === 'ADMINISTRATOR' ? 'ADMINISTRATOR' : 'MEMBER',
        changes: widens,
        waiting: narrowing,
      };
    }
    const reached =
      outcome.write === 'ADMINISTRATOR' ? [outcome.accountId, ...(outcome.mayReach ?? [])] : [outcome.accountId];
    for (const id of reached) {
      const first = deepWidens.get(id) ?? scanWidens.get(id);
      if (first === undefined) continue;
      const where = id === outcome.accountId ? '' : ` (it reaches ${id})`;
      return waiting(outcome, narrowing, `waits until ${first}${where}`);
    }
    return outcome;
  });
  return { deep: orderedDeep, scan: orderedScan };
}

function waiting(
  outcome: ScanConfigurationUpdate,
  narrowing: readonly ScanSettingChange[],
  detail: string,
): ScanConfigurationOutcome {
  return {
    kind: 'SKIPPED',
    accountId: outcome.accountId,
    region: outcome.region,
    ...(outcome.observed === undefined ? {} : { observed: outcome.observed }),
    reason: WAITS,
    detail: `${describe(narrowing)} ${detail}`,
    changes: narrowing,
    write: outcome.write,
  };
}
