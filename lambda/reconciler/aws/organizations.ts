import {
  type Account,
  type OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListRoots,
} from '@aws-sdk/client-organizations';
import { mapWithConcurrency } from '../batches';
import type { OrganizationAccount } from '../model';

/** Organizations' documented MaxResults ceiling for the List* operations used here. */
export const ORGANIZATIONS_PAGE_SIZE = 20;
/** Parents walked at once; Organizations' request rate is low, and throttling is retried by the SDK. */
const TREE_WALK_CONCURRENCY = 4;

export interface AccountDirectory {
  /** Every account of the organization; with `withAncestors`, each account's root and OU ancestry too. */
  listAccounts(options: { withAncestors: boolean }): Promise<OrganizationAccount[]>;
}

/** Reads the organization through the Organizations API: ListAccounts, and a tree walk only when needed. */
export class OrganizationsDirectory implements AccountDirectory {
  constructor(private readonly client: OrganizationsClient) {}

  async listAccounts({ withAncestors }: { withAncestors: boolean }): Promise<OrganizationAccount[]> {
    const listed: Account[] = [];
    // The paginator keeps going while NextToken is set, even past an empty page.
    for await (const page of paginateListAccounts({ client: this.client, pageSize: ORGANIZATIONS_PAGE_SIZE }, {})) {
      listed.push(...(page.Accounts ?? []).filter((account) => account.Id !== undefined));
    }
    if (!withAncestors) return listed.map((account) => toAccount(account));

    if (listed.every((account) => (account.Paths?.length ?? 0) > 0)) {
      return listed.map((account) => toAccount(account, ancestorsFromPaths(account.Paths ?? [])));
    }
    const ancestorsById = await this.walkTree();
    return listed.map((account) => toAccount(account, ancestorsById.get(account.Id ?? '') ?? []));
  }

  /** One ListRoots, then per parent its OUs and its accounts: cost grows with OUs + accounts/20, not per account. */
  private async walkTree(): Promise<Map<string, string[]>> {
    const ancestorsById = new Map<string, string[]>();
    let level: { id: string; chain: string[] }[] = [];
    for await (const page of paginateListRoots({ client: this.client, pageSize: ORGANIZATIONS_PAGE_SIZE }, {})) {
      for (const root of page.Roots ?? []) if (root.Id) level.push({ id: root.Id, chain: [root.Id] });
    }
    while (level.length > 0) {
      const children = await mapWithConcurrency(level, TREE_WALK_CONCURRENCY, async (parent) => {
        const config = { client: this.client, pageSize: ORGANIZATIONS_PAGE_SIZE };
        for await (const page of paginateListAccountsForParent(config, { ParentId: parent.id })) {
          for (const account of page.Accounts ?? []) if (account.Id) ancestorsById.set(account.Id, parent.chain);
        }
        const units: { id: string; chain: string[] }[] = [];
        for await (const page of paginateListOrganizationalUnitsForParent(config, { ParentId: parent.id })) {
          for (const unit of page.OrganizationalUnits ?? []) {
            if (unit.Id) units.push({ id: unit.Id, chain: [...parent.chain, unit.Id] });
          }
        }
        return units;
      });
      level = children.flat();
    }
    return ancestorsById;
  }
}

/** `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/111122223333/` → `['r-ab12', 'ou-ab12-11111111']` */
export function ancestorsFromPaths(paths: readonly string[]): string[] {
  const ids = paths.flatMap((path) =>
    path.split('/').filter((part) => part.startsWith('r-') || part.startsWith('ou-')),
  );
  return [...new Set(ids)];
}

function toAccount(account: Account, ancestors?: string[]): OrganizationAccount {
  return {
    id: account.Id as string,
    ...(account.Name === undefined ? {} : { name: account.Name }),
    // `Status` is retired since 2026-09-09: read `State`, and fall back only where an older response lacks it.
    state: account.State ?? account.Status ?? 'UNKNOWN',
    ...(ancestors === undefined ? {} : { ancestors }),
  };
}
