import {
  type DeactivationBudget,
  type LedgerSnapshot,
  type LedgerStore,
  UNKNOWN_CONCURRENT_RUN,
  budgetFrom,
  withEntry,
} from './ledger';
import { describeError } from '../errors/describe-error';
import { applyGuardrail, countDeactivations, type GuardrailVerdict, holdDeactivations, holdNarrowing } from './limits';
import type { Outcome } from '../model';
import type { ScanConfigurationOutcome } from '../scan-configuration/outcome';
import type { SliceSample } from './projection';

export interface LimitOptions {
  readonly limits: { readonly perRun: number; readonly perDay: number };
  /** What the per-run limit counts against: every attempt of one scheduled run shares it. */
  readonly run: string;
  readonly now: Date;
  readonly force: boolean;
  readonly dryRun: boolean;
  /** Absent: only the per-run limit, counted within this invocation (a CLI run without a ledger). */
  readonly ledger?: LedgerStore;
  readonly signal?: AbortSignal;
  /** A run that read a slice of the scan configuration: its narrowing is projected (projection.ts). */
  readonly sample?: SliceSample;
}

/**
 * The guardrail step: reads what the last 24 hours deactivated, holds deactivations past either
 * limit, and reserves the rest in the ledger before anything is written, so that a run cut off
 * halfway, its retries and the next scheduled runs all count them. A ledger that cannot be read or
 * written holds every deactivation (activations go ahead): the limits fail closed.
 */
export async function limitDeactivations(
  outcomes: readonly Outcome[],
  options: LimitOptions,
  scan: readonly ScanConfigurationOutcome[] = [],
): Promise<{ outcomes: Outcome[]; scanConfiguration: ScanConfigurationOutcome[]; verdict: GuardrailVerdict }> {
  const { ledger, limits } = options;
  let snapshot: LedgerSnapshot | undefined;
  let budget: DeactivationBudget = { perRun: { limit: limits.perRun, used: 0 } };
  if (ledger) {
    try {
      snapshot = await ledger.read(options.signal);
      budget = budgetFrom(snapshot.entries, limits, options.run, options.now);
    } catch (error) {
      budget = {
        perRun: { limit: limits.perRun, used: 0 },
        perDay: { limit: limits.perDay, used: 0 },
        unavailable: `${ledger.name}: ${describeError(error)}`,
      };
    }
  }
  const guarded = applyGuardrail(outcomes, budget, options.force, scan, options.sample);
  // The ledger records what is written, not the projection.
  const count = countDeactivations(guarded.outcomes, guarded.scanConfiguration);
  if (options.dryRun || !ledger || count === 0) return guarded;
  // Unreadable and forced: writing would erase what the ledger holds; the operator chose to go ahead.
  if (!snapshot) return guarded;

  const failure = await reserve(
    ledger,
    snapshot,
    { at: options.now.toISOString(), run: options.run, deactivations: count },
    options,
  );
  if (failure === undefined || options.force) return guarded;
  return {
    outcomes: holdDeactivations(guarded.outcomes, failure),
    scanConfiguration: holdNarrowing(guarded.scanConfiguration, failure),
    verdict: { ...guarded.verdict, tripped: true, heldBecause: failure },
  };
}

/** Records the reservation; returns why the deactivations must be held, or undefined to go ahead. */
async function reserve(
  ledger: LedgerStore,
  snapshot: LedgerSnapshot,
  entry: { at: string; run: string; deactivations: number },
  options: LimitOptions,
): Promise<string | undefined> {
  let version: number;
  try {
    version = await ledger.write(withEntry(snapshot.entries, entry, options.now), options.signal);
  } catch (error) {
    return `would deactivate ${entry.deactivations} accounts, but ${ledger.name} could not record them (${describeError(error)})`;
  }
  if (version === snapshot.version + 1) return undefined;
  // Another run wrote in between, and this write may have replaced its entry: count an unknown run's
  // worth for it (it could not deactivate more than the per-run limit without force) and hold ours.
  try {
    const again = await ledger.read(options.signal);
    const stranger = { at: entry.at, run: UNKNOWN_CONCURRENT_RUN, deactivations: Math.max(1, options.limits.perRun) };
    await ledger.write(withEntry(again.entries, stranger, options.now), options.signal);
  } catch {
    // Holding ours is what matters; the next run reads whatever the ledger holds.
  }
  return `would deactivate ${entry.deactivations} accounts, but another run wrote ${ledger.name} at the same time (version ${version}, expected ${snapshot.version + 1})`;
}
