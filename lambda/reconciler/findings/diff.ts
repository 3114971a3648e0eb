import {
  archivedFinding,
  type AsffFinding,
  buildFinding,
  FIELD,
  fingerprintOf,
  findingId,
  ruleFindingId,
} from './asff';
import type { RegionExceptions } from './decide';
import { isScanConfigurationReason } from './exception';

/**
 * The level-triggered step: what to import and archive so that Security Hub shows exactly the
 * current exceptions, and nothing else moves. Pure: the open findings and the time are passed in.
 */

/**
 * Security Hub deletes a finding 90 days after its last update (User Guide, "Security Hub quotas":
 * finding retention), so an open finding nobody changed is re-imported once it is this old: well
 * before 90 days, and seldom enough that a steady state costs almost nothing.
 */
export const REFRESH_AFTER_DAYS = 7;
const DAY_MS = 86_400_000;

export interface FindingsPlan {
  /** New findings, changed ones, and open ones due for refresh: each sent whole, with a later UpdatedAt. */
  readonly imports: readonly AsffFinding[];
  /**
   * The Ids of the findings no open one matched and no `archived` one was given for: any of them may be
   * an exception that comes back, whose archived finding holds its history (see DiffInput.archived).
   */
  readonly created: readonly string[];
  /** Open findings the run saw resolved: Compliance PASSED, RecordState ARCHIVED. */
  readonly archives: readonly AsffFinding[];
  readonly counts: {
    readonly new: number;
    /** Archived findings made ACTIVE again: the exception came back; its CreatedAt and FirstObservedAt kept. */
    readonly reopened: number;
    readonly changed: number;
    readonly refreshed: number;
    readonly unchanged: number;
    /**
     * Open findings this run cannot judge (not evaluated, not reached, in transition, a rule fact in an
     * incomplete run, a report-only rule with an account in transition), left exactly as they are.
     */
    readonly untouched: number;
  };
}

export interface DiffInput {
  /** This product's ACTIVE findings in the region, as GetFindings returned them. */
  readonly open: readonly AsffFinding[];
  readonly region: RegionExceptions;
  /**
   * This product's ARCHIVED findings with the Ids of `created` of a first diff, when asked for: an
   * exception that comes back is imported over its archived finding with that finding's CreatedAt and
   * FirstObservedAt, so its history in Security Hub stays one finding. @default none
   */
  readonly archived?: readonly AsffFinding[];
  readonly partition: string;
  readonly ownAccountId: string;
  readonly now: Date;
}

/**
 * Compares the open findings with the exceptions. A finding is imported when it is new, when its
 * fingerprint changed (the time, the policy parameter's version and Inspector's wording are not part
 * of it), or when it was last updated REFRESH_AFTER_DAYS ago. An open finding is archived only when
 * the run saw its subject settled without it: an account finding when its account was evaluated in
 * the region with a settled outcome; a rule finding when the region was evaluated completely.
 * Everything else is left exactly as it is.
 */
export function diffFindings({ open, region, archived = [], partition, ownAccountId, now }: DiffInput): FindingsPlan {
  const at = now.getTime();
  const openById = new Map(open.map((finding) => [finding.Id, finding]));
  const archivedById = new Map(archived.map((finding) => [finding.Id, finding]));
  const wanted = region.exceptions.filter((exception) => exception.kind === 'ACCOUNT' || region.complete);
  const wantedIds = new Set(wanted.map(findingId));
  // A report-only rule with an account in transition (RegionExceptions.unsettledRules): its finding is
  // neither changed nor archived, only refreshed when due.
  const heldIds = new Set(
    [...region.unsettledRules].map((rule) => ruleFindingId(region.region, rule, 'REPORT_ONLY_MISMATCH')),
  );
  const imports: AsffFinding[] = [];
  const archives: AsffFinding[] = [];
  const created: string[] = [];
  const counts = { new: 0, reopened: 0, changed: 0, refreshed: 0, unchanged: 0, untouched: 0 };

  for (const exception of wanted) {
    const id = findingId(exception);
    const existing = openById.get(id);
    if (existing === undefined) {
      const previous = archivedById.get(id);
      if (previous === undefined) {
        counts.new += 1;
        created.push(id);
        imports.push(buildFinding(exception, { partition, ownAccountId, now: now.toISOString() }));
      } else {
        counts.reopened += 1;
        imports.push(
          buildFinding(exception, {
            partition,
            ownAccountId,
            now: laterThan(previous.UpdatedAt, at),
            createdAt: previous.CreatedAt,
            firstObservedAt: previous.FirstObservedAt,
          }),
        );
      }
      continue;
    }
    const due =
      at - Date.parse(existing.UpdatedAt) >= REFRESH_AFTER_DAYS * DAY_MS ||
      Number.isNaN(Date.parse(existing.UpdatedAt));
    if (heldIds.has(existing.Id)) {
      // Held as it is, but kept from Security Hub's 90-day deletion: the same content, a later UpdatedAt.
      if (due) {
        counts.refreshed += 1;
        imports.push({ ...existing, UpdatedAt: laterThan(existing.UpdatedAt, at) });
      } else counts.untouched += 1;
      continue;
    }
    const changed = existing.ProductFields[FIELD.fingerprint] !== fingerprintOf(exception);
    if (!changed && !due) {
      counts.unchanged += 1;
      continue;
    }
    counts[changed ? 'changed' : 'refreshed'] += 1;
    imports.push(
      buildFinding(exception, {
        partition,
        ownAccountId,
        now: laterThan(existing.UpdatedAt, at),
        createdAt: existing.CreatedAt,
        firstObservedAt: existing.FirstObservedAt,
      }),
    );
  }

  for (const finding of open) {
    if (wantedIds.has(finding.Id)) continue;
    if (resolved(finding, region) && !heldIds.has(finding.Id)) {
      archives.push(archivedFinding(finding, laterThan(finding.UpdatedAt, at)));
    } else counts.untouched += 1;
  }
  return { imports, archives, created, counts };
}

/**
 * Every open finding of a region outside the policy, archived: no exception of the current policy is
 * about that region. Findings this product does not recognise are never touched.
 */
export function sweepFindings(open: readonly AsffFinding[], now: Date): AsffFinding[] {
  return open
    .filter(
      (finding) => finding.ProductFields[FIELD.kind] === 'ACCOUNT' || finding.ProductFields[FIELD.kind] === 'RULE',
    )
    .map((finding) => archivedFinding(finding, laterThan(finding.UpdatedAt, now.getTime())));
}

/** Whether the run saw the subject of an open finding it no longer wants settled. */
function resolved(finding: AsffFinding, region: RegionExceptions): boolean {
  const kind = finding.ProductFields[FIELD.kind];
  if (kind === 'ACCOUNT') {
    const accountId = finding.ProductFields[FIELD.accountId];
    if (accountId === undefined) return false;
    // Gone: a run over the whole organization that read the region did not meet it.
    const gone = region.complete && !region.evaluatedAccounts.has(accountId);
    // A scan configuration finding is settled by its own stream (an account's is read once a day), or by a
    // policy that no longer manages the account's scan configuration (RegionExceptions.scanUnmanagedAccounts).
    if (isScanConfigurationReason(finding.ProductFields[FIELD.reason] ?? '')) {
      return region.scanSettledAccounts.has(accountId) || gone || region.scanUnmanagedAccounts.has(accountId);
    }
    // Settled now, or gone.
    return region.settledAccounts.has(accountId) || gone;
  }
  // A finding this product does not recognise is never touched.
  return kind === 'RULE' && region.complete;
}

/**
 * `at`, as the UpdatedAt of an update: Security Hub ignores an update whose UpdatedAt is not after
 * the finding's (finding-update-batchimportfindings), so a clock behind the last import moves it on by 1 ms.
 */
function laterThan(updatedAt: string, at: number): string {
  const previous = Date.parse(updatedAt);
  return new Date(Number.isNaN(previous) || at > previous ? at : previous + 1).toISOString();
}

/** The ids a plan would leave open: the open findings minus those archived, plus those imported. For reports and tests. */
export function openAfter(open: readonly AsffFinding[], plan: FindingsPlan): Set<string> {
  const ids = new Set(open.map((finding) => finding.Id));
  for (const finding of plan.archives) ids.delete(finding.Id);
  for (const finding of plan.imports) ids.add(finding.Id);
  return ids;
}
