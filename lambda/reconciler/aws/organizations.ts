import {
  type Account,
  DescribeAccountCommand,
  DescribeEffectivePolicyCommand,
  EffectivePolicyNotFoundException,
  type OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListParents,
  paginateListRoots,
} from '@aws-sdk/client-organizations';
import { mapWithConcurrency } from '../batches';
import { describeError } from '../errors/describe-error';
import type { EffectivePolicyReader } from '../inspector-policy';
import type { OrganizationAccount } from '../model';

/** Organizations' documented MaxResults ceiling for the List* operations used here. */
export const ORGANIZATIONS_PAGE_SIZE = 20;
/** Parents walked at once; Organizations' request rate is low, and throttling is retried by the SDK. */
const TREE_WALK_CONCURRENCY = 4;
/** OUs nest at most five levels below the root: an account's chain of parents is never longer. */
const MAX_PARENTS = 6;

/**
 * A run scoped to at most this many accounts reads just them (DescribeAccount, and ListParents up to
 * the root when a rule names OUs: 1 + depth calls an account, depth at most 6) instead of listing the
 * organization (one ListAccounts page per 20 accounts, plus the tree walk). 50 accounts cost at most
 * 350 calls, what listing a 7,000-account organization costs; past that the listing is the safer bet,
 * since the organization's size is not known before listing it.
 */
export const MAX_ACCOUNTS_READ_ONE_BY_ONE = 50;

export interface AccountDirectory {
  /** Every account of the organization; with `withAncestors`, each account's root and OU ancestry too. */
  listAccounts(options: { withAncestors: boolean; abortSignal?: AbortSignal }): Promise<OrganizationAccount[]>;
  /**
   * Just these accounts, those the organization has (an id it does not have is left out): the cost
   * follows the accounts asked about and the OU depth, not the organization's size.
   */
  describeAccounts?(
    accountIds: readonly string[],
    options: { withAncestors: boolean; abortSignal?: AbortSignal },
  ): Promise<OrganizationAccount[]>;
}

/**
 * The accounts a run needs: the ones it asks about, when they are few enough to read one by one (and
 * the directory can), or the whole organization. `complete` says whether it is the whole
 * organization, which lint needs to tell an account the organization does not have.
 */
export async function accountsFor(
  directory: AccountDirectory,
  accountIds: readonly string[] | undefined,
  options: { withAncestors: boolean; abortSignal?: AbortSignal },
): Promise<{ accounts: OrganizationAccount[]; complete: boolean }> {
  if (accountIds !== undefined && accountIds.length <= MAX_ACCOUNTS_READ_ONE_BY_ONE && directory.describeAccounts) {
    return { accounts: await directory.describeAccounts(accountIds, options), complete: false };
  }
  return { accounts: await directory.listAccounts(options), complete: true };
}

/** Reads the organization through the Organizations API: ListAccounts, and a tree walk only when needed. */
export class OrganizationsDirectory implements AccountDirectory {
  constructor(private readonly client: OrganizationsClient) {}

  async listAccounts({
    withAncestors,
    abortSignal,
  }: {
    withAncestors: boolean;
    abortSignal?: AbortSignal;
  }): Promise<OrganizationAccount[]> {
    const options = { abortSignal };
    const listed: Account[] = [];
    // The paginator keeps going while NextToken is set, even past an empty page.
    for await (const page of paginateListAccounts(
      { client: this.client, pageSize: ORGANIZATIONS_PAGE_SIZE },
      {},
      options,
    )) {
      listed.push(...(page.Accounts ?? []).filter((account) => account.Id !== undefined));
    }
    if (!withAncestors) return listed.map((account) => toAccount(account));

    if (listed.every((account) => (account.Paths?.length ?? 0) > 0)) {
      return listed.map((account) => toAccount(account, ancestorsFromPaths(account.Paths ?? [])));
    }
    const { ancestorsById, chainByUnit } = await this.walkTree(options);
    // An account the walk did not place moved (or joined) while it ran: ask for its parents directly.
    const unplaced = listed.filter((account) => !ancestorsById.has(account.Id as string));
    await mapWithConcurrency(unplaced, TREE_WALK_CONCURRENCY, async (account) => {
      const id = account.Id as string;
      try {
        ancestorsById.set(id, await this.ancestorsOf(id, chainByUnit, options));
      } catch (error) {
        ancestorsById.set(id, { unresolved: describeError(error) });
      }
    });
    return listed.map((account) => {
      const ancestry = ancestorsById.get(account.Id as string) ?? { unresolved: 'not placed in the organization' };
      return Array.isArray(ancestry)
        ? toAccount(account, ancestry)
        : { ...toAccount(account), ancestryUnresolved: ancestry.unresolved };
    });
  }

  async describeAccounts(
    accountIds: readonly string[],
    { withAncestors, abortSignal }: { withAncestors: boolean; abortSignal?: AbortSignal },
  ): Promise<OrganizationAccount[]> {
    const options = { abortSignal };
    // Each OU's chain is climbed once, however many of the accounts sit under it (the promise is shared).
    const chains = new Map<string, Promise<string[]>>();
    const chainOf = (parentId: string, depth: number): Promise<string[]> => {
      if (parentId.startsWith('r-')) return Promise.resolve([parentId]);
      if (depth >= MAX_PARENTS) return Promise.reject(new Error(`no root found within ${MAX_PARENTS} parents`));
      let chain = chains.get(parentId);
      if (chain === undefined) {
        chain = this.parentOf(parentId, options).then(async (parent) => [
          ...(await chainOf(parent, depth + 1)),
          parentId,
        ]);
        chains.set(parentId, chain);
      }
      return chain;
    };
    const described = await mapWithConcurrency([...new Set(accountIds)], TREE_WALK_CONCURRENCY, async (id) => {
      let account: Account | undefined;
      try {
        account = (await this.client.send(new DescribeAccountCommand({ AccountId: id }), options)).Account;
      } catch (error) {
        if ((error as Error).name === 'AccountNotFoundException') return undefined;
        throw error;
      }
      if (account?.Id === undefined) return undefined;
      if (!withAncestors) return toAccount(account);
      try {
        return toAccount(account, await chainOf(await this.parentOf(id, options), 1));
      } catch (error) {
        return { ...toAccount(account), ancestryUnresolved: describeError(error) };
      }
    });
    return described.filter((account): account is OrganizationAccount => account !== undefined);
  }

  /** The one parent Organizations gives an account or OU (ListParents). */
  private async parentOf(childId: string, options: { abortSignal?: AbortSignal }): Promise<string> {
    let parent: string | undefined;
    for await (const page of paginateListParents({ client: this.client }, { ChildId: childId }, options)) {
      parent ??= page.Parents?.[0]?.Id;
    }
    if (parent === undefined) throw new Error(`ListParents named no parent of ${childId}`);
    return parent;
  }

  /** Climbs ListParents from an account until a root or an OU whose chain the walk already knows. */
  private async ancestorsOf(
    accountId: string,
    chainByUnit: ReadonlyMap<string, string[]>,
    options: { abortSignal?: AbortSignal },
  ): Promise<string[]> {
    const climbed: string[] = [];
    let child = accountId;
    for (let depth = 0; depth < MAX_PARENTS; depth++) {
      const parent = await this.parentOf(child, options);
      const known = chainByUnit.get(parent);
      if (known !== undefined) return [...known, ...climbed];
      climbed.unshift(parent);
      if (parent.startsWith('r-')) return climbed;
      child = parent;
    }
    throw new Error(`no root found within ${MAX_PARENTS} parents of ${accountId}`);
  }

  /** One ListRoots, then per parent its OUs and its accounts: cost grows with OUs + accounts/20, not per account. */
  private async walkTree(options: { abortSignal?: AbortSignal }): Promise<{
    ancestorsById: Map<string, string[] | { unresolved: string }>;
    chainByUnit: Map<string, string[]>;
  }> {
    const ancestorsById = new Map<string, string[] | { unresolved: string }>();
    const chainByUnit = new Map<string, string[]>();
    let level: { id: string; chain: string[] }[] = [];
    for await (const page of paginateListRoots(
      { client: this.client, pageSize: ORGANIZATIONS_PAGE_SIZE },
      {},
      options,
    )) {
      for (const root of page.Roots ?? []) if (root.Id) level.push({ id: root.Id, chain: [root.Id] });
    }
    for (const parent of level) chainByUnit.set(parent.id, parent.chain);
    while (level.length > 0) {
      const children = await mapWithConcurrency(level, TREE_WALK_CONCURRENCY, async (parent) => {
        const config = { client: this.client, pageSize: ORGANIZATIONS_PAGE_SIZE };
        for await (const page of paginateListAccountsForParent(config, { ParentId: parent.id }, options)) {
          for (const account of page.Accounts ?? []) if (account.Id) ancestorsById.set(account.Id, parent.chain);
        }
        const units: { id: string; chain: string[] }[] = [];
        for await (const page of paginateListOrganizationalUnitsForParent(config, { ParentId: parent.id }, options)) {
          for (const unit of page.OrganizationalUnits ?? []) {
            if (unit.Id) units.push({ id: unit.Id, chain: [...parent.chain, unit.Id] });
          }
        }
        return units;
      });
      level = children.flat();
      for (const unit of level) chainByUnit.set(unit.id, unit.chain);
    }
    return { ancestorsById, chainByUnit };
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

/**
 * Organizations DescribeEffectivePolicy, PolicyType INSPECTOR_POLICY, TargetId the account (Organizations API
 * reference): the policy's content, or undefined for EffectivePolicyNotFoundException (no Inspector policy
 * applies). AccessDeniedException (the likely answer for an Inspector administrator asking about another
 * account) and every other error are thrown as the SDK names them.
 */
export class OrganizationsEffectivePolicies implements EffectivePolicyReader {
  constructor(private readonly client: OrganizationsClient) {}

  async inspectorPolicy(accountId: string, abortSignal?: AbortSignal): Promise<string | undefined> {
    try {
      const response = await this.client.send(
        new DescribeEffectivePolicyCommand({ PolicyType: 'INSPECTOR_POLICY', TargetId: accountId }),
        { abortSignal },
      );
      return response.EffectivePolicy?.PolicyContent;
    } catch (error) {
      if (error instanceof EffectivePolicyNotFoundException) return undefined;
      throw error;
    }
  }
}
