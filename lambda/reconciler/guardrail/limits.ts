import { allowance, type DeactivationBudget } from './ledger';
import type { Outcome } from '../model';
import { isNarrowing, type ScanConfigurationOutcome } from '../scan-configuration/outcome';
import { describeProjection, type ProjectedNarrowing, projectNarrowing, type SliceSample } from './projection';

/** How to apply what the guardrail held, in both places a run is asked from. */
export const FORCE_HINT = 'invoke with "force": true, or --force in the CLI, to apply';

export interface GuardrailVerdict {
  /** guardrails.maxDeactivationsPerRun. */
  readonly limit: number;
  /** guardrails.maxDeactivationsPerDay, where a ledger is kept. */
  readonly dailyLimit?: number;
  /**
   * Distinct accounts the run would deactivate, across all regions: deep inspection deactivations and scan
   * configuration narrowing (VM scanner → DEACTIVATED, scan mode → EC2_SSM_AGENT_BASED) together, an
   * account once; an administrator configuration's narrowing counts every account it may reach.
   */
  readonly wouldDeactivate: number;
  /** Of them, the accounts whose scan configuration the run would narrow, when it manages any. */
  readonly wouldNarrowScanConfiguration?: number;
  /**
   * A run that read a slice of the scan configuration (a scheduled run): its narrowing projected to the
   * organization, and `deactivations`, the count the limits were held to (guardrail/projection.ts).
   */
  readonly projected?: ProjectedNarrowing;
  /** True when deactivations were held back. */
  readonly tripped: boolean;
  /** True when a limit was exceeded but the invocation said `force`. */
  readonly forced: boolean;
  /** Deactivations this run had already made: earlier attempts of the same scheduled run or invocation. */
  readonly usedThisRun: number;
  /** Deactivations of the 24 hours before this run, where a ledger is kept. */
  readonly usedToday?: number;
  /** What is left once this run is done: for a retry of this run, and for any run within 24 hours. */
  readonly remaining: { readonly thisRun: number; readonly today?: number };
  /** Why deactivations were held, when they were. */
  readonly heldBecause?: string;
  /**
   * Set when the deactivation ledger could not be read (deleted, say): every deactivation is held,
   * whether or not this run had any, and `remaining` is 0 until the ledger is back.
   */
  readonly ledgerUnavailable?: string;
}

function deactivatedAccounts(outcomes: readonly Outcome[]): Set<string> {
  return new Set(outcomes.filter((o) => o.kind === 'DEACTIVATE').map((o) => o.accountId));
}

/** A scan configuration update that narrows scanning: what the guardrail counts and holds. */
function narrows(outcome: ScanConfigurationOutcome): outcome is Extract<ScanConfigurationOutcome, { kind: 'UPDATE' }> {
  return outcome.kind === 'UPDATE' && outcome.changes.some(isNarrowing);
}

/**
 * The accounts scan configuration updates narrow: a member write its account, an administrator write
 * every ACTIVE account it may reach (those whose setting the policy's default decides).
 */
export function narrowedAccounts(scan: readonly ScanConfigurationOutcome[]): Set<string> {
  return new Set(
    scan
      .filter(narrows)
      .flatMap((o) => (o.write === 'ADMINISTRATOR' ? [o.accountId, ...(o.mayReach ?? [])] : [o.accountId])),
  );
}

/**
 * Distinct accounts the outcomes deactivate or narrow, across regions and both streams: what the guardrail
 * counts. An account deactivated in one region and narrowed in another counts once.
 */
export function countDeactivations(
  outcomes: readonly Outcome[],
  scan: readonly ScanConfigurationOutcome[] = [],
): number {
  return new Set([...deactivatedAccounts(outcomes), ...narrowedAccounts(scan)]).size;
}

/**
 * Every narrowing scan configuration update becomes a skip that says why it was held; widening is never held.
 * Where the administrator's configuration is held, the members that were to follow it (FOLLOWS_ADMINISTRATOR)
 * are held with it: nothing they inherit changes.
 */
export function holdNarrowing(scan: readonly ScanConfigurationOutcome[], why: string): ScanConfigurationOutcome[] {
  const detail = `${why}; ${FORCE_HINT}`;
  const heldAdministrator = new Set(scan.filter((o) => narrows(o) && o.write === 'ADMINISTRATOR').map((o) => o.region));
  return scan.map((o): ScanConfigurationOutcome => {
    if (o.kind === 'SKIPPED' && o.reason === 'FOLLOWS_ADMINISTRATOR' && heldAdministrator.has(o.region)) {
      return {
        ...o,
        reason: 'NARROWING_HELD_BY_GUARDRAIL',
        detail: `the administrator configuration it inherits is held, so it does not change: ${detail}`,
      };
    }
    return narrows(o)
      ? {
          kind: 'SKIPPED',
          accountId: o.accountId,
          region: o.region,
          ...(o.observed === undefined ? {} : { observed: o.observed }),
          reason: 'NARROWING_HELD_BY_GUARDRAIL',
          detail,
          changes: o.changes,
          write: o.write,
        }
      : o;
  });
}

/** Every deactivation becomes a skip that says why it was held; activations are never held. */
export function holdDeactivations(outcomes: readonly Outcome[], why: string): Outcome[] {
  const detail = `${why}; ${FORCE_HINT}`;
  return outcomes.map((o): Outcome =>
    o.kind === 'DEACTIVATE'
      ? {
          kind: 'SKIPPED',
          accountId: o.accountId,
          region: o.region,
          rule: o.rule,
          reason: 'DEACTIVATION_HELD_BY_GUARDRAIL',
          detail,
        }
      : o,
  );
}

function whyHeld(count: number, budget: DeactivationBudget, projected?: ProjectedNarrowing): string {
  const would = projected ? describeProjection(projected) : `would deactivate ${count} accounts`;
  if (budget.unavailable !== undefined) {
    return `${would}, but the deactivation ledger could not be read (${budget.unavailable}), so the daily limit cannot be checked`;
  }
  const perRunLeft = budget.perRun.limit - budget.perRun.used;
  const perDayLeft = budget.perDay ? budget.perDay.limit - budget.perDay.used : Number.POSITIVE_INFINITY;
  if (perRunLeft <= perDayLeft) {
    const earlier = budget.perRun.used > 0 ? ` after its earlier attempts deactivated ${budget.perRun.used}` : '';
    return `${would}, more than guardrails.maxDeactivationsPerRun (${budget.perRun.limit}) leaves this run${earlier} (${Math.max(0, perRunLeft)})`;
  }
  return `${would}, more than guardrails.maxDeactivationsPerDay (${budget.perDay?.limit}) leaves after ${budget.perDay?.used} in the last 24 hours (${Math.max(0, perDayLeft)})`;
}

/**
 * Holds back every deactivation when a run would deactivate more accounts than its budget allows
 * (the per-run limit less what earlier attempts of the same run did, and the rolling daily limit
 * less the last 24 hours), unless forced: a typo in a policy must never switch deep inspection off
 * across an organization, neither at once nor an hour at a time. Activations are never held. A run that read
 * a slice of the scan configuration (`sample`) is held to its narrowing projected to the organization
 * (projection.ts), so a policy change is held whole on the first run that sees it. Pure.
 */
export function applyGuardrail(
  outcomes: readonly Outcome[],
  budget: DeactivationBudget,
  force: boolean,
  scan: readonly ScanConfigurationOutcome[] = [],
  sample?: SliceSample,
): { outcomes: Outcome[]; scanConfiguration: ScanConfigurationOutcome[]; verdict: GuardrailVerdict } {
  const count = countDeactivations(outcomes, scan);
  const projected = sample
    ? projectNarrowing(count, deactivatedAccounts(outcomes), narrowedAccounts(scan), scan, sample)
    : undefined;
  const exceeded = (projected?.deactivations ?? count) > allowance(budget);
  const tripped = exceeded && !force;
  // What is written: the remaining budget and the ledger count it, not the projection.
  const applied = tripped ? 0 : count;
  const heldBecause = tripped ? whyHeld(count, budget, projected) : undefined;
  const verdict: GuardrailVerdict = {
    limit: budget.perRun.limit,
    ...(budget.perDay ? { dailyLimit: budget.perDay.limit } : {}),
    wouldDeactivate: count,
    ...(scan.length > 0 ? { wouldNarrowScanConfiguration: narrowedAccounts(scan).size } : {}),
    ...(projected ? { projected } : {}),
    tripped,
    forced: exceeded && force,
    usedThisRun: budget.perRun.used,
    ...(budget.perDay ? { usedToday: budget.perDay.used } : {}),
    remaining:
      budget.unavailable !== undefined && !force
        ? { thisRun: 0, ...(budget.perDay ? { today: 0 } : {}) }
        : {
            thisRun: Math.max(0, budget.perRun.limit - budget.perRun.used - applied),
            ...(budget.perDay ? { today: Math.max(0, budget.perDay.limit - budget.perDay.used - applied) } : {}),
          },
    ...(heldBecause ? { heldBecause } : {}),
    ...(budget.unavailable !== undefined ? { ledgerUnavailable: budget.unavailable } : {}),
  };
  return {
    verdict,
    outcomes: heldBecause ? holdDeactivations(outcomes, heldBecause) : [...outcomes],
    scanConfiguration: heldBecause ? holdNarrowing(scan, heldBecause) : [...scan],
  };
}
