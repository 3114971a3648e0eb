import type { Problem } from './errors';
import type { OrganizationAccount } from './model';
import type { Policy } from './policy';

/**
 * Rules that name what the organization does not have: an account it does not list, or an OU no
 * account of it is under (the OU does not exist, or holds no accounts). Such a rule decides nothing
 * today, and is most often a typo: reported, never silent. Pure.
 */
export function unknownReferences(policy: Policy, accounts: readonly OrganizationAccount[]): Problem[] {
  const accountIds = new Set(accounts.map((account) => account.id));
  // Known only where the run resolved ancestry, that is when some rule names an OU.
  const units = new Set(accounts.flatMap((account) => account.ancestors ?? []));
  const placed = accounts.some((account) => account.ancestors !== undefined);
  return policy.rules.flatMap((rule, index) => [
    ...(rule.accounts ?? []).flatMap((id, position) =>
      accountIds.has(id)
        ? []
        : [{ path: `$.rules[${index}].accounts[${position}]`, message: `account ${id} is not in the organization` }],
    ),
    ...(rule.organizationalUnits ?? []).flatMap((id, position) =>
      !placed || id.startsWith('r-') || units.has(id)
        ? []
        : [
            {
              path: `$.rules[${index}].organizationalUnits[${position}]`,
              message: `no account of the organization is under ${id} (it does not exist, or holds no accounts)`,
            },
          ],
    ),
  ]);
}
