import type { RegionOptStatuses } from '../aws/account-regions';
import { accountsFor } from '../aws/organizations';
import { failStep } from '../errors/classification';
import { InvocationError, PolicyError } from '../errors/errors';
import { partitionOf } from '../ids';
import { needsOrganizationalUnits, type Policy } from '../policy/schema';
import { resolveTargets, type Target } from '../plan';
import { utcDay } from '../policy/expiry';
import type { Deadline } from '../deadline/deadline';
import type { Dependencies, ReconcileRequest } from './types';

/** The policy's regions, or those of them the request names; a region outside the policy is refused. */
export function selectRegions(
  policy: Policy,
  request: { readonly regions?: readonly string[]; readonly defaultRegion: string },
): readonly string[] {
  const policyRegions = policy.regions ?? [request.defaultRegion];
  // The policy's regions are one partition (validatePolicy); it must be the one the run is in.
  const home = partitionOf(request.defaultRegion);
  const foreign = policyRegions.findIndex((region) => home !== undefined && partitionOf(region) !== home);
  if (foreign >= 0) {
    throw new PolicyError(policy.origin ?? 'the policy', [
      {
        path: `$.regions[${foreign}]`,
        message: `${policyRegions[foreign]} is in the ${partitionOf(policyRegions[foreign] as string)} partition; this runs in ${request.defaultRegion} (${home}): one deployment serves one partition`,
      },
    ]);
  }
  if (request.regions === undefined) return policyRegions;
  const outside = request.regions.filter((region) => !policyRegions.includes(region));
  if (outside.length > 0) {
    throw new InvocationError(
      outside.map((region) => ({
        path: `$.regions[${request.regions?.indexOf(region)}]`,
        message:
          policy.regions === undefined
            ? `${region} is not a region of this run: the policy names no regions, so it runs in its home region ${request.defaultRegion} alone`
            : `${region} is not one of the policy's regions (${policyRegions.join(', ')})`,
      })),
    );
  }
  return request.regions;
}

/** The policy, or why not: a transient failure says so (TransientError), for the run to be retried. */
export function loadPolicy(deps: Pick<Dependencies, 'policy'>, signal: AbortSignal): Promise<Policy> {
  return deps.policy.load(signal).catch(failStep('reading the policy'));
}

/**
 * The accounts the run needs (every account of the organization, or just the few it asks about: see
 * accountsFor), or why not: a transient failure says so (TransientError).
 */
export function listAccounts(
  deps: Pick<Dependencies, 'directory'>,
  withAncestors: boolean,
  abortSignal: AbortSignal,
  accountIds?: readonly string[],
) {
  return accountsFor(deps.directory, accountIds, { withAncestors, abortSignal }).catch(
    failStep('reading the organization (Organizations)'),
  );
}

/** What a run or a coverage measurement covers: the policy, its regions, the accounts and what the policy wants of each. */
export interface RunScope {
  readonly policy: Policy;
  readonly regions: readonly string[];
  readonly accounts: Awaited<ReturnType<typeof listAccounts>>['accounts'];
  /** Whether `accounts` is the whole organization (ListAccounts) rather than the requested accounts read one by one. */
  readonly complete: boolean;
  /** Which regions the account has enabled, when Dependencies.regions is given. */
  readonly optStatuses: RegionOptStatuses | undefined;
  /** The UTC day the policy's expiries are read against. */
  readonly today: string;
  readonly targets: readonly Target[];
}

/**
 * The scope step: the policy (and its regions, with the request's), then the organization's accounts and
 * the account's enabled regions in parallel, and what the policy wants of each account. Writes nothing.
 */
export async function readScope(
  request: Pick<ReconcileRequest, 'accountIds' | 'regions' | 'defaultRegion'>,
  deps: Pick<Dependencies, 'policy' | 'directory' | 'regions' | 'now'>,
  deadline: Deadline,
  progress: (message: string) => void = () => undefined,
): Promise<RunScope> {
  const now = deps.now ?? (() => new Date());
  const policy = await loadPolicy(deps, deadline.signal);
  const regions = selectRegions(policy, request);
  progress(`policy valid; regions ${regions.join(', ')}`);
  const [{ accounts, complete }, optStatuses] = await Promise.all([
    listAccounts(deps, needsOrganizationalUnits(policy), deadline.signal, request.accountIds),
    deps.regions?.optStatuses(deadline.signal),
  ]);
  const today = utcDay(now());
  const targets = resolveTargets(accounts, policy, today, request.accountIds);
  return { policy, regions, accounts, complete, optStatuses, today, targets };
}
