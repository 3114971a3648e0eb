import * as z from 'zod';

/**
 * The deactivations runs have made, kept where the next invocation finds them: the guardrail's
 * memory across Lambda's retries, Scheduler's retries, manual runs and the schedule itself. Pure:
 * the document, its rolling window, and what is left of each limit. The store is a port
 * (`aws/ledger-store.ts` keeps it in an SSM parameter).
 */

/** How far back the daily limit looks. */
export const LEDGER_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Older entries are merged past this many, so the document stays well inside a Standard parameter's 4 KB. */
export const MAX_LEDGER_ENTRIES = 30;
/** The run an entry stands for when it merged older entries, or stood for a run whose write was lost. */
export const MERGED_RUN = 'merged';
export const UNKNOWN_CONCURRENT_RUN = 'unknown concurrent run';

const entrySchema = z.strictObject({
  /** When the deactivations were reserved (ISO 8601, UTC). */
  at: z.iso.datetime(),
  /** The run they count against: `schedule <scheduled time>` for every attempt of one scheduled run. */
  run: z.string().min(1).max(200),
  /** Distinct accounts reserved for deactivation, across regions. */
  deactivations: z.number().int().min(1),
});

export const ledgerDocumentSchema = z.strictObject({
  version: z.literal(1),
  entries: z.array(entrySchema),
});

export type LedgerEntry = z.output<typeof entrySchema>;

/** The document as stored, and the store's version of it (0 when there is none yet). */
export interface LedgerSnapshot {
  readonly entries: readonly LedgerEntry[];
  readonly version: number;
}

/** Where the ledger lives. `write` returns the store's new version, so a write in between shows. */
export interface LedgerStore {
  /** Where it is, for messages: `SSM parameter /name`. */
  readonly name: string;
  read(signal?: AbortSignal): Promise<LedgerSnapshot>;
  write(entries: readonly LedgerEntry[], signal?: AbortSignal): Promise<number>;
}

export const EMPTY_LEDGER = JSON.stringify({ version: 1, entries: [] });

/** What the limits leave for this run, from the ledger as read. */
export interface DeactivationBudget {
  readonly perRun: { readonly limit: number; readonly used: number };
  /** Absent where no ledger is kept (a CLI run without one): the daily limit is then not enforced. */
  readonly perDay?: { readonly limit: number; readonly used: number };
  /** Why the ledger could not be read: nothing may be deactivated without force. */
  readonly unavailable?: string;
}

function within(entry: LedgerEntry, now: Date): boolean {
  return now.getTime() - Date.parse(entry.at) < LEDGER_WINDOW_MS;
}

function total(entries: readonly LedgerEntry[]): number {
  return entries.reduce((sum, entry) => sum + entry.deactivations, 0);
}

/** The budget of `run` at `now`, from the entries of the last 24 hours. */
export function budgetFrom(
  entries: readonly LedgerEntry[],
  limits: { readonly perRun: number; readonly perDay: number },
  run: string,
  now: Date,
): DeactivationBudget {
  const recent = entries.filter((entry) => within(entry, now));
  return {
    perRun: { limit: limits.perRun, used: total(recent.filter((entry) => entry.run === run)) },
    perDay: { limit: limits.perDay, used: total(recent) },
  };
}

/** How many more accounts the run may deactivate without force. */
export function allowance(budget: DeactivationBudget): number {
  if (budget.unavailable !== undefined) return 0;
  const perRun = budget.perRun.limit - budget.perRun.used;
  const perDay = budget.perDay ? budget.perDay.limit - budget.perDay.used : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(perRun, perDay));
}

/**
 * The entries to store after reserving `entry`: those older than the window dropped, and past
 * MAX_LEDGER_ENTRIES the oldest merged into one dated at the newest of them, so that a merge can
 * only make the window count them longer, never shorter.
 */
export function withEntry(entries: readonly LedgerEntry[], entry: LedgerEntry, now: Date): LedgerEntry[] {
  const kept = [...entries.filter((e) => within(e, now)), entry].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (kept.length <= MAX_LEDGER_ENTRIES) return kept;
  const merged = kept.slice(0, kept.length - MAX_LEDGER_ENTRIES + 1);
  const newest = merged[merged.length - 1] as LedgerEntry;
  return [
    { at: newest.at, run: MERGED_RUN, deactivations: total(merged) },
    ...kept.slice(kept.length - MAX_LEDGER_ENTRIES + 1),
  ];
}
