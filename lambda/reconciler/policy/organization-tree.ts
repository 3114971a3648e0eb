import type { OrganizationAccount } from '../model';
import type { PolicyRule } from './schema';

/*
 * What lint knows of the organization's tree, and how the ids rules name relate through it: which rule takes
 * or may reach the accounts another names. Pure; lint.ts reads it.
 */

/** What the run knows of the organization: its accounts, each account's OU chain, and which OU lies under which. */
export interface Organization {
  readonly accounts: ReadonlyMap<string, readonly string[] | undefined>;
  /** OU → every root and OU above it. */
  readonly unitAncestors: ReadonlyMap<string, ReadonlySet<string>>;
  /** False when ancestry was not resolved (no rule names an OU): nothing can be said of OUs. */
  readonly placed: boolean;
}

export function organizationOf(accounts: readonly OrganizationAccount[]): Organization {
  const unitAncestors = new Map<string, Set<string>>();
  for (const account of accounts) {
    account.ancestors?.forEach((unit, depth) => {
      const above = unitAncestors.get(unit) ?? new Set<string>();
      for (const ancestor of account.ancestors?.slice(0, depth) ?? []) above.add(ancestor);
      unitAncestors.set(unit, above);
    });
  }
  return {
    accounts: new Map(accounts.map((account) => [account.id, account.ancestors])),
    unitAncestors,
    placed: accounts.some((account) => account.ancestors !== undefined),
  };
}

export interface IndexedRule {
  readonly rule: PolicyRule;
  readonly index: number;
}

/** The account and OU (or root) ids a rule names. */
export function idsOf(rule: PolicyRule): string[] {
  return [...(rule.accounts ?? []), ...(rule.organizationalUnits ?? [])];
}

/**
 * True when `taker` takes every account of `id` (an account, OU or root id a later rule names): it
 * names the root, the id itself, or (with the tree) an OU above it. Only a root rule takes a root.
 */
export function covers(taker: PolicyRule, id: string, tree: Organization | undefined): boolean {
  const units = taker.organizationalUnits ?? [];
  if (units.some((unit) => unit.startsWith('r-'))) return true;
  if (id.startsWith('r-')) return false;
  if (/^\d/.test(id)) {
    return (taker.accounts?.includes(id) ?? false) || units.some((unit) => tree?.accounts.get(id)?.includes(unit));
  }
  return units.includes(id) || units.some((above) => tree?.unitAncestors.get(id)?.has(above));
}

/** True unless the OU tree (or the ids alone) shows that no account matched by `a` is matched by `b`. */
export function mayOverlap(a: PolicyRule, b: PolicyRule, tree: Organization | undefined): boolean {
  return idsOf(b).some((id) => covers(a, id, tree) || reaches(a, id, tree));
}

/** True when some account under `id` (an account, OU or root that another rule names) may be one `rule` names. */
export function reaches(rule: PolicyRule, id: string, tree: Organization | undefined): boolean {
  if (id.startsWith('r-')) return true;
  const placed = tree?.placed === true;
  // An account: named, or (without the tree) perhaps under an OU the rule names.
  if (/^\d/.test(id)) return (rule.accounts ?? []).includes(id) || (!placed && rule.organizationalUnits !== undefined);
  // An OU: without the tree, any account or OU the rule names may lie under it.
  if (!placed) return true;
  return (
    (rule.accounts ?? []).some((account) => tree.accounts.get(account)?.includes(id)) ||
    (rule.organizationalUnits ?? []).some((unit) => tree.unitAncestors.get(unit)?.has(id))
  );
}
