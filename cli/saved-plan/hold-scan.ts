import type { ScanConfigurationOutcome } from '../../lambda/reconciler';
import type { SavedPlan } from './schema';

/*
 * `apply FILE` and the EC2 scan configuration: a fresh read held to the saved plan's scan configuration
 * updates, as hold.ts does deep inspection's. Pure.
 */

type SavedUpdate = NonNullable<SavedPlan['scanConfigurationChanges']>[number];

const key = (region: string, accountId: string) => `${region} ${accountId}`;

/** The changes of an outcome, as a saved plan writes them, for comparison. */
const signature = (
  write: string | undefined,
  changes: readonly { setting: string; from?: string; to: string; rule: string }[],
) => JSON.stringify([write, changes.map(({ setting, from, to, rule }) => [setting, from ?? null, to, rule])]);

function describe(update: SavedUpdate): string {
  return update.changes
    .map((change) => `${change.setting} ${change.from ?? '?'} → ${change.to} by ${change.rule}`)
    .join(', ');
}

export interface ScanHeldToPlan {
  readonly outcomes: ScanConfigurationOutcome[];
  readonly drifts: { readonly accountId: string; readonly region: string; readonly message: string }[];
  readonly already: { readonly accountId: string; readonly region: string }[];
  readonly held: { readonly accountId: string; readonly region: string }[];
}

/**
 * One region's fresh scan configuration outcomes held to the saved plan: an update the plan saved, still
 * planned the same way from the same values, is written; one already made (COMPLIANT) or under way
 * (PENDING, or following the administrator configuration) is left; narrowing the plan's guardrail held stays
 * held; anything else that would write is SKIPPED CHANGED_SINCE_PLAN. A FAILED outcome stays a failure.
 */
export function holdScanConfiguration(
  outcomes: readonly ScanConfigurationOutcome[],
  saved: SavedPlan,
  seen: Set<string>,
): ScanHeldToPlan {
  const planned = new Map(
    (saved.scanConfigurationChanges ?? []).map((update) => [key(update.region, update.accountId), update]),
  );
  const heldWhenPlanned = new Set(
    (saved.scanConfigurationHeld ?? []).map((entry) => key(entry.region, entry.accountId)),
  );
  const result: ScanHeldToPlan = { outcomes: [], drifts: [], already: [], held: [] };
  const changedSincePlan = (outcome: ScanConfigurationOutcome, message: string): ScanConfigurationOutcome => {
    result.drifts.push({
      accountId: outcome.accountId,
      region: outcome.region,
      message: `scan configuration: ${message}`,
    });
    return {
      kind: 'SKIPPED',
      accountId: outcome.accountId,
      region: outcome.region,
      ...(outcome.observed === undefined ? {} : { observed: outcome.observed }),
      reason: 'CHANGED_SINCE_PLAN',
      detail: message,
    };
  };
  for (const outcome of outcomes) {
    const id = key(outcome.region, outcome.accountId);
    const update = planned.get(id);
    if (update !== undefined) seen.add(id);
    if (outcome.kind === 'FAILED') {
      result.outcomes.push(outcome);
      continue;
    }
    if (update === undefined) {
      if (outcome.kind !== 'UPDATE') result.outcomes.push(outcome);
      else if (heldWhenPlanned.has(id)) {
        result.held.push({ accountId: outcome.accountId, region: outcome.region });
        result.outcomes.push({
          kind: 'SKIPPED',
          accountId: outcome.accountId,
          region: outcome.region,
          reason: 'NARROWING_HELD_BY_GUARDRAIL',
          detail: 'held back by the guardrail when planned: plan again with --force to include it',
          changes: outcome.changes,
          write: outcome.write,
        });
      } else {
        result.outcomes.push(
          changedSincePlan(outcome, 'planned no change; now it would change: plan again to include it'),
        );
      }
      continue;
    }
    if (
      outcome.kind === 'UPDATE' &&
      signature(outcome.write, outcome.changes) === signature(update.write, update.changes)
    ) {
      result.outcomes.push(outcome);
      continue;
    }
    const underWay =
      outcome.kind === 'COMPLIANT' ||
      (outcome.kind === 'SKIPPED' &&
        (outcome.reason === 'SCAN_CONFIGURATION_PENDING' || outcome.reason === 'FOLLOWS_ADMINISTRATOR'));
    if (underWay) {
      result.already.push({ accountId: outcome.accountId, region: outcome.region });
      result.outcomes.push(outcome);
      continue;
    }
    result.outcomes.push(
      changedSincePlan(outcome, `planned ${describe(update)}; now ${outcome.kind}: left alone, plan again`),
    );
  }
  return result;
}

/** Saved updates whose account the fresh read no longer evaluates: left alone, said. */
export function unseenScanConfiguration(saved: SavedPlan, seen: ReadonlySet<string>): ScanHeldToPlan['drifts'] {
  return (saved.scanConfigurationChanges ?? [])
    .filter((update) => !seen.has(key(update.region, update.accountId)))
    .map((update) => ({
      accountId: update.accountId,
      region: update.region,
      message: `scan configuration: planned ${describe(update)}; the account is no longer in the run: left alone`,
    }));
}
