import { createHash } from 'node:crypto';

/*
 * The verification slice: which managed accounts a scheduled run reads the scan configuration of. At
 * 10,000 accounts × 17 regions a full read is 170,000 GetConfiguration calls, about 1,000 s a region at 10
 * a second, past one invocation's 900 s; so each scheduled run reads a window of the day and consecutive
 * runs tile it: every managed account is read once in any 24 hours of scheduled runs. Pure.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** A part of the UTC day as positions in [0, 1): `from` ≤ position < `to`, wrapping past midnight when `to` ≤ `from`. */
export interface SliceWindow {
  readonly from: number;
  readonly to: number;
}

/** Which members' scan configuration a run reads: a window of the day (a scheduled run) or every managed one. */
export type ScanConfigurationReads = { readonly window: SliceWindow } | 'all';

/** An account's stable place in the day, in [0, 1): the first 48 bits of SHA-256 of its id. */
export function slicePosition(accountId: string): number {
  return createHash('sha256').update(accountId).digest().readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The window a run at `at` reads: [t − P, t) with t = `at` quantized down to the schedule period P
 * (`floor(at / P) * P`), as positions of the UTC day. Quantizing makes a schedule's runs (EventBridge
 * Scheduler's `rate()` starts counting when the schedule is created, not on the hour) and every retry of
 * one scheduled time read the same window, and consecutive runs adjacent windows. A period of a day or
 * more reads the whole day.
 * @param periodSeconds the schedule's period (the stack's `schedule`, SCHEDULE_PERIOD_SECONDS)
 */
export function sliceWindow(at: Date, periodSeconds: number): SliceWindow {
  if (!(periodSeconds > 0)) throw new RangeError(`a schedule period must be positive, got ${periodSeconds}`);
  const periodMs = periodSeconds * 1000;
  if (periodMs >= DAY_MS) return { from: 0, to: 1 };
  const end = Math.floor(at.getTime() / periodMs) * periodMs;
  const ofDay = (ms: number) => (((ms % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
  return { from: ofDay(end - periodMs), to: ofDay(end) };
}

/** Whether a position falls in the window (`to` of 0 is the end of the day). */
export function inWindow(position: number, { from, to }: SliceWindow): boolean {
  if (to === 0 || to === 1) return position >= from;
  return from < to ? position >= from && position < to : position >= from || position < to;
}

/** Whether the run reads this account's scan configuration for its slice. */
export function inSlice(accountId: string, reads: ScanConfigurationReads): boolean {
  return reads === 'all' || inWindow(slicePosition(accountId), reads.window);
}

/** The part of the day a window covers, in (0, 1]: 1/24 for an hourly schedule's. */
export function windowFraction({ from, to }: SliceWindow): number {
  const end = to === 0 ? 1 : to;
  return end > from ? end - from : 1 - from + end;
}
