/** The least API calls a run needs, and the least time they can take under a rate limit and a latency. Pure. */

export const ORGANIZATIONS_PAGE = 20;
export const INSPECTOR_BATCH = 100;
export const SQS_BATCH = 10;

export interface LowerBounds {
  readonly ListAccounts: number;
  /** Per region. */
  readonly BatchGetAccountStatus: number;
  readonly BatchGetMemberEc2DeepInspectionStatus: number;
  readonly BatchUpdateMemberEc2DeepInspectionStatus: number;
  /** For the whole run. */
  readonly SendMessageBatch: number;
}

/** ⌈N/20⌉ ListAccounts once; per region ⌈N/100⌉ of each read and ⌈changes/100⌉ updates; ⌈failures/10⌉ messages. */
export function lowerBounds(accounts: number, changesPerRegion: number, failures: number): LowerBounds {
  return {
    ListAccounts: Math.ceil(accounts / ORGANIZATIONS_PAGE),
    BatchGetAccountStatus: Math.ceil(accounts / INSPECTOR_BATCH),
    BatchGetMemberEc2DeepInspectionStatus: Math.ceil(accounts / INSPECTOR_BATCH),
    BatchUpdateMemberEc2DeepInspectionStatus: Math.ceil(changesPerRegion / INSPECTOR_BATCH),
    SendMessageBatch: Math.ceil(failures / SQS_BATCH),
  };
}

export interface Limits {
  /** Requests a second per operation and region, with a burst of one second's worth. */
  readonly perSecond: number;
  /** Added to every call, in seconds. */
  readonly latency: number;
}

/**
 * Seconds `calls` requests to one operation need at least: the rate limit lets a second's burst
 * through and then one every 1/rate; a paginated operation also waits for each page's answer.
 */
export function operationFloor(calls: number, limits: Limits, { paginated }: { paginated: boolean }): number {
  if (calls === 0) return 0;
  const byRate = Math.max(0, calls - limits.perSecond) / limits.perSecond + limits.latency;
  const byLatency = paginated ? calls * limits.latency : limits.latency;
  return Math.max(byRate, byLatency);
}

/**
 * The least wall time a run can take: the policy read, then the account listing, then every region's
 * reads (regions and the two reads in parallel), then the updates, then the failure messages.
 */
export function runFloor(
  calls: { reads: number; updates: number } & Pick<LowerBounds, 'ListAccounts' | 'SendMessageBatch'>,
  limits: Limits,
): number {
  return (
    limits.latency +
    operationFloor(calls.ListAccounts, limits, { paginated: true }) +
    operationFloor(calls.reads, limits, { paginated: false }) +
    operationFloor(calls.updates, limits, { paginated: false }) +
    operationFloor(calls.SendMessageBatch, limits, { paginated: false })
  );
}
