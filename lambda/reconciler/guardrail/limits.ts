import { allowance, type DeactivationBudget } from './ledger';
import type { Outcome } from '../model';
import { isNarrowing, type ScanConfigurationOutcome } from '../scan-configuration/outcome';

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

/** Every narrowing scan configuration update becomes a skip that says why it was held; widening is never held. */
export function holdNarrowing(scan: readonly ScanConfigurationOutcome[], why: string): ScanConfigurationOutcome[] {
  const detail = `${why}; invoke with "force": true to apply`;
  return scan.map((o): ScanConfigurationOutcome =>
    narrows(o)
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
      : o,
  );
}

/** Every deactivation becomes a skip that says why it was held; activations are never held. */
export function holdDeactivations(outcomes: readonly Outcome[], why: string): Outcome[] {
  const detail = `${why}; invoke with "force": true to apply`;
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

function whyHeld(count: number, budget: DeactivationBudget): string {
  if (budget.unavailable !== undefined) {
    return `would deactivate ${count} accounts, but the deactivation ledger could not be read (${budget.unavailable}), so the daily limit cannot be checked`;
  }
  const perRunLeft = budget.perRun.limit - budget.perRun.used;
  const perDayLeft = budget.perDay ? budget.perDay.limit - budget.perDay.used : Number.POSITIVE_INFINITY;
  if (perRunLeft <= perDayLeft) {
    const earlier = budget.perRun.used > 0 ? ` after its earlier attempts deactivated ${budget.perRun.used}` : '';
    return `would deactivate ${count} accounts, more than guardrails.maxDeactivationsPerRun (${budget.perRun.limit}) leaves this run${earlier} (${Math.max(0, perRunLeft)})`;
  }
  return `would deactivate ${count} accounts, more than guardrails.maxDeactivationsPerDay (${budget.perDay?.limit}) leaves after ${budget.perDay?.used} in the last 24 hours (${Math.max(0, perDayLeft)})`;
}

/**
 * Holds back every deactivation when a run would deactivate more accounts than its budget allows
 * (the per-run limit less what earlier attempts of the same run did, and the rolling daily limit
 * less the last 24 hours), unless forced: a typo in a policy must never switch deep inspection off
 * across an organization, neither at once nor an hour at a time. Activations are never held. Pure.
 */
export function applyGuardrail(
  outcomes: readonly Outcome[],
  budget: DeactivationBudget,
  force: boolean,
  scan: readonly ScanConfigurationOutcome[] = [],
): { outcomes: Outcome[]; scanConfiguration: ScanConfigurationOutcome[]; verdict: GuardrailVerdict } {
  const count = countDeactivations(outcomes, scan);
  const exceeded = count > allowance(budget);
  const tripped = exceeded && !force;
  const applied = tripped ? 0 : count;
  const heldBecause = tripped ? whyHeld(count, budget) : undefined;
  const verdict: GuardrailVerdict = {
    limit: budget.perRun.limit,
    ...(budget.perDay ? { dailyLimit: budget.perDay.limit } : {}),
    wouldDeactivate: count,
    ...(scan.length > 0 ? { wouldNarrowScanConfiguration: narrowedAccounts(scan).size } : {}),
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
