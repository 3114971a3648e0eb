import { SCAN_SETTINGS } from '../policy/schema';
import { isNarrowing, type ScanConfigurationOutcome } from '../scan-configuration/outcome';
import { inSlice, type SliceWindow, windowFraction } from '../scan-configuration/slice';
import type { ScanConfigurationRun } from '../scan-configuration/step';

/*
 * What the guardrail counts of scan configuration narrowing in a run that reads only its slice of the day
 * (a scheduled run: scan-configuration/slice.ts). Counting only what the slice read would let a policy
 * change that narrows every account through an hour at a time, each run under the per-run limit; so the run
 * counts what it read in its slice as the sample it is (a uniform hash of the account id) and projects it to
 * the organization, never past the accounts the policy narrows. A run that reads everything (the CLI) or
 * names its accounts counts exactly. Pure.
 */

/** What a sliced run's guardrail needs besides its outcomes: carried from the plan to the guardrail. */
export interface SliceSample {
  /** The run's window of the day: the accounts in it are a uniform sample of the organization's. */
  readonly window: SliceWindow;
  /**
   * ACTIVE accounts the policy decides a narrowing value for (VM scanner DEACTIVATED, scan mode
   * EC2_SSM_AGENT_BASED) with `enforce`, from the policy alone: the most a narrowing can reach.
   */
  readonly cap: number;
}

/** The projection in the guardrail's verdict, for a run that read a slice. */
export interface ProjectedNarrowing {
  /** The slice's part of the day: 1/24 for an hourly schedule. */
  readonly sliceFraction: number;
  /** Accounts narrowed that the run read only because they fall in its slice. */
  readonly narrowedInSlice: number;
  /**
   * About how many accounts the policy narrows across the organization: those in the slice scaled by
   * 1 / sliceFraction, plus those read for another reason (named, deep inspection changed, reached by the
   * administrator's configuration) as they are, at most `cap`.
   */
  readonly narrowedAcrossOrganization: number;
  /** SliceSample.cap. */
  readonly cap: number;
  /** What the limits are held to: distinct accounts deactivated or narrowed, the narrowing projected. */
  readonly deactivations: number;
}

/** The sample of a run, or undefined when it counts exactly: reads every account, names its accounts, or manages none. */
export function sliceSample(run: ScanConfigurationRun | undefined): SliceSample | undefined {
  if (run === undefined || run.named || run.reads === 'all' || windowFraction(run.reads.window) >= 1) return undefined;
  let cap = 0;
  for (const decision of run.scope.decisions.values()) {
    if (!('target' in decision)) continue;
    const target = decision.target;
    const narrow = SCAN_SETTINGS.some((setting) => {
      const decided = target[setting];
      return decided?.enforcement === 'enforce' && isNarrowing({ setting, to: decided.value });
    });
    if (narrow) cap += 1;
  }
  return { window: run.reads.window, cap };
}

/**
 * The count the limits are held to in a sliced run.
 * @param exact the distinct accounts the run deactivates or narrows, as read
 * @param deactivated the accounts whose deep inspection it deactivates (read in full, counted as they are)
 * @param narrowed the accounts its scan configuration updates narrow (limits.ts narrowedAccounts)
 */
export function projectNarrowing(
  exact: number,
  deactivated: ReadonlySet<string>,
  narrowed: ReadonlySet<string>,
  scan: readonly ScanConfigurationOutcome[],
  sample: SliceSample,
): ProjectedNarrowing {
  const reachedByAdministrator = new Set(
    scan.flatMap((o) =>
      o.kind === 'UPDATE' && o.write === 'ADMINISTRATOR' ? [o.accountId, ...(o.mayReach ?? [])] : [],
    ),
  );
  const sampled = [...narrowed].filter(
    (id) => !deactivated.has(id) && !reachedByAdministrator.has(id) && inSlice(id, { window: sample.window }),
  );
  const fraction = windowFraction(sample.window);
  const projected = narrowed.size - sampled.length + Math.round(sampled.length / fraction);
  const acrossOrganization = Math.max(narrowed.size, Math.min(sample.cap, projected));
  return {
    sliceFraction: fraction,
    narrowedInSlice: sampled.length,
    narrowedAcrossOrganization: acrossOrganization,
    cap: sample.cap,
    deactivations: exact + acrossOrganization - narrowed.size,
  };
}

/** "1/24", or the percentage where the slice is not a whole fraction of the day. */
function part(fraction: number): string {
  const whole = Math.round(1 / fraction);
  return Math.abs(1 / fraction - whole) < 1e-6 ? `1/${whole}` : `${(fraction * 100).toFixed(1)}%`;
}

/** The projection in words, for the guardrail's reason: "would narrow 40 accounts in this run's slice, about 960 …". */
export function describeProjection(projection: ProjectedNarrowing): string {
  const capped =
    projection.narrowedAcrossOrganization === projection.cap && projection.narrowedInSlice > 0
      ? `; at most the ${projection.cap} accounts the policy narrows`
      : '';
  const others =
    projection.deactivations === projection.narrowedAcrossOrganization
      ? ''
      : `, ${projection.deactivations} accounts deactivated or narrowed in all`;
  return `would narrow ${projection.narrowedInSlice} accounts in this run's slice, about ${projection.narrowedAcrossOrganization} across the organization (the slice is ${part(projection.sliceFraction)} of the day${capped})${others}`;
}
