import { isChange, type Outcome, type PlannedRegion, type RunPlan } from '../../lambda/reconciler';
import { holdScanConfiguration, unseenScanConfiguration } from './hold-scan';
import type { SavedPlan } from './schema';

/** A planned change that `apply FILE` leaves alone: where, what was planned, and what is there now. */
export interface Drift {
  readonly accountId: string;
  readonly region: string;
  readonly message: string;
}

/** A fresh read held to a saved plan: what is written, and what is not, by why. */
export interface HeldToPlan {
  readonly plan: RunPlan;
  /** Changed since the plan (or not in it): left alone, to be planned again. */
  readonly drifts: Drift[];
  /** Planned changes already made or under way (PENDING): the plan applied before, or someone else; nothing to write. */
  readonly already: { readonly accountId: string; readonly region: string }[];
  /** Deactivations the guardrail held back when planning that would now be written (`--force`): left alone. */
  readonly held: { readonly accountId: string; readonly region: string }[];
}

const key = (region: string, accountId: string) => `${region} ${accountId}`;
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item) => b.includes(item));

function now(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'COMPLIANT':
      return `it is ${outcome.state} already`;
    case 'SKIPPED':
      return `it is skipped now (${outcome.reason})`;
    case 'FAILED':
      return `it failed (${outcome.reason})`;
    default:
      return `it is ${outcome.from}, to go ${outcome.to}${outcome.rule ? ` by rule ${outcome.rule}` : ''}`;
  }
}

/**
 * Pure: a fresh read-and-plan held to a saved plan, so that applying it writes exactly the saved plan's
 * changes whose account is still where the plan found it. An account planned to change whose state (or
 * deciding rule) moved, and one the saved plan left alone that would now change, becomes SKIPPED
 * `CHANGED_SINCE_PLAN` (left alone, and reported); a FAILED outcome stays a failure. Organization package
 * paths are written only where the saved plan replaces them and they are still what it found.
 */
export function holdToSavedPlan(fresh: RunPlan, saved: SavedPlan): HeldToPlan {
  const planned = new Map(saved.changes.map((change) => [key(change.region, change.accountId), change]));
  const heldWhenPlanned = new Set((saved.held ?? []).map((entry) => key(entry.region, entry.accountId)));
  const seen = new Set<string>();
  const drifts: Drift[] = [];
  const already: HeldToPlan['already'] = [];
  const held: HeldToPlan['held'] = [];
  const seenScan = new Set<string>();
  const changedSincePlan = (outcome: Outcome, detail: string): Outcome => {
    drifts.push({ accountId: outcome.accountId, region: outcome.region, message: detail });
    return {
      accountId: outcome.accountId,
      region: outcome.region,
      ...(outcome.rule === undefined ? {} : { rule: outcome.rule }),
      kind: 'SKIPPED',
      reason: 'CHANGED_SINCE_PLAN',
      detail,
    };
  };
  const regions = fresh.regions.map((region): PlannedRegion => {
    const outcomes = region.outcomes.map((outcome) => {
      const change = planned.get(key(outcome.region, outcome.accountId));
      if (change !== undefined) seen.add(key(outcome.region, outcome.accountId));
      if (outcome.kind === 'FAILED') return outcome;
      if (change === undefined) {
        if (!isChange(outcome)) return outcome;
        if (outcome.to === 'DEACTIVATED' && heldWhenPlanned.has(key(outcome.region, outcome.accountId))) {
          // The plan's guardrail held it back: nothing changed since; --force on apply FILE does not add it.
          held.push({ accountId: outcome.accountId, region: outcome.region });
          const { from: _from, to: _to, kind: _kind, ...base } = outcome;
          return {
            ...base,
            kind: 'SKIPPED',
            reason: 'DEACTIVATION_HELD_BY_GUARDRAIL',
            detail: 'held back by the guardrail when planned: plan again with --force to include it',
          } satisfies Outcome;
        }
        return changedSincePlan(outcome, `planned no change; now ${now(outcome)}: plan again to include it`);
      }
      const same =
        isChange(outcome) && outcome.from === change.from && outcome.to === change.to && outcome.rule === change.rule;
      if (same) return outcome;
      const underWay = outcome.kind === 'SKIPPED' && outcome.reason === 'DEEP_INSPECTION_PENDING';
      if ((outcome.kind === 'COMPLIANT' && outcome.state === change.to) || underWay) {
        // Made already, or an update under way (Inspector says PENDING; this plan's own earlier apply, likely).
        already.push({ accountId: outcome.accountId, region: outcome.region });
        return outcome;
      }
      if (outcome.kind === 'COMPLIANT' && outcome.state === change.from) {
        // Still where the plan found it, yet the policy (the same, by its hash) does not change it: the rule
        // that decides it moved (an OU move, say), or the change was written into the plan by hand.
        return changedSincePlan(
          outcome,
          `planned ${change.from} → ${change.to} by ${change.rule}; the policy keeps it ${outcome.state} (rule ${outcome.rule ?? 'default'}): left alone, plan again`,
        );
      }
      return changedSincePlan(
        outcome,
        `planned ${change.from} → ${change.to} by ${change.rule}; now ${now(outcome)}: left alone, plan again`,
      );
    });
    const paths = saved.orgPackagePaths.find((entry) => entry.region === region.region);
    const current = region.orgPackagePaths;
    const keepPaths = paths !== undefined && Array.isArray(current) && sameSet(current, paths.from);
    if (paths !== undefined && !keepPaths && Array.isArray(current) && !sameSet(current, paths.to)) {
      drifts.push({
        accountId: '',
        region: region.region,
        message: `orgPackagePaths: planned ${JSON.stringify(paths.from)} → ${JSON.stringify(paths.to)}; now ${JSON.stringify(current)}: left alone, plan again`,
      });
    }
    const wanted = fresh.policy.orgPackagePaths;
    if (paths === undefined && Array.isArray(current) && wanted !== undefined && !sameSet(current, wanted)) {
      drifts.push({
        accountId: '',
        region: region.region,
        message: `orgPackagePaths: now ${JSON.stringify(current)}, not the policy's, and the saved plan does not replace them: left alone, plan again`,
      });
    }
    const scan =
      region.scanConfiguration === undefined
        ? undefined
        : holdScanConfiguration(region.scanConfiguration.outcomes, saved, seenScan);
    if (scan !== undefined) {
      drifts.push(...scan.drifts);
      already.push(...scan.already);
      held.push(...scan.held);
    }
    const { orgPackagePaths: _dropped, ...rest } = region;
    // An error reading them stays, to be reported; otherwise only a replacement the saved plan holds is made.
    const kept = keepPaths || (current !== undefined && !Array.isArray(current)) ? { orgPackagePaths: current } : {};
    return {
      ...rest,
      outcomes,
      ...(scan === undefined || region.scanConfiguration === undefined
        ? {}
        : { scanConfiguration: { ...region.scanConfiguration, outcomes: scan.outcomes } }),
      ...(kept.orgPackagePaths === undefined ? {} : { orgPackagePaths: kept.orgPackagePaths }),
    };
  });
  for (const change of saved.changes) {
    if (!seen.has(key(change.region, change.accountId))) {
      drifts.push({
        accountId: change.accountId,
        region: change.region,
        message: `planned ${change.from} → ${change.to} by ${change.rule}; the account is no longer in the run: left alone`,
      });
    }
  }
  drifts.push(...unseenScanConfiguration(saved, seenScan));
  return { plan: { ...fresh, regions }, drifts, already, held };
}
