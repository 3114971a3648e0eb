import type { RegionOptStatuses } from '../aws/account-regions';
import type { RegionInspector } from '../aws/inspector';
import { accountsToRead, planRegion, type RegionObservations, type Target } from '../plan';
import type { Policy } from '../policy/schema';
import {
  administratorFailure,
  markPastMemberLimit,
  membersDeniedFailure,
  uncheckedFailure,
} from '../regions/delegated-administrator';
import { optInFailure, type RegionFailure, readFailure } from '../regions/opt-in';
import { type CallBudget, DeadlineReached, NOT_REACHED } from '../deadline/budget';
import { type PlannedRegion, regionFailureFields } from './region';
import type { Dependencies, ReconcileRequest } from './types';

/** A region that cannot be read fails its accounts and is reported; it never stops the other regions. */
export async function readAndPlan(
  region: string,
  targets: readonly Target[],
  policy: Policy,
  request: ReconcileRequest,
  deps: Dependencies,
  budget: CallBudget,
  optStatuses: RegionOptStatuses | undefined,
): Promise<PlannedRegion> {
  const notEnabled = optInFailure(region, optStatuses);
  if (notEnabled !== undefined) return failedRegion(region, targets, notEnabled);
  const inspector = deps.inspectorFor(region);
  // Before any member read: a non-administrator's reads answer ACCESS_DENIED account by account, which
  // would otherwise skip every account as NOT_INSPECTOR_MEMBER in a run that looks successful.
  const administrator = await inspector.delegatedAdministrator(budget);
  const notAdministrator =
    administratorFailure(region, request.ownAccountId, administrator) ??
    uncheckedFailure(region, administrator, (error) => readFailure(region, error, optStatuses));
  if (notAdministrator !== undefined) return failedRegion(region, targets, notAdministrator);
  let read: RegionObservations;
  let result: Awaited<ReturnType<RegionInspector['read']>>;
  let marked: ReturnType<typeof markPastMemberLimit>;
  try {
    result = await inspector.read({
      accountIds: accountsToRead(targets),
      ownAccountId: request.ownAccountId,
      includeConfiguration: policy.orgPackagePaths !== undefined,
      budget,
    });
    marked = markPastMemberLimit(result.observations, request.ownAccountId);
    read = { readable: true, observations: marked.observations };
  } catch (error) {
    if (error instanceof DeadlineReached) {
      const unread: RegionObservations = { readable: false, errorMessage: NOT_REACHED, reason: 'TIMEOUT_NOT_REACHED' };
      return { region, outcomes: planRegion(region, targets, unread) };
    }
    return failedRegion(region, targets, readFailure(region, error, optStatuses));
  }
  const membersDenied = membersDeniedFailure(region, administrator, result.members, request.accountIds === undefined);
  if (membersDenied !== undefined) return failedRegion(region, targets, membersDenied);
  const orgPackagePaths =
    result.configurationError !== undefined
      ? { error: result.configurationError }
      : result.configuration?.orgPackagePaths;
  return {
    region,
    outcomes: planRegion(region, targets, read),
    ec2ScanConfiguration: result.ec2ScanConfiguration,
    ...(orgPackagePaths ? { orgPackagePaths } : {}),
    ...(marked.pastLimit > 0 ? { pastInspectorMemberLimit: marked.pastLimit } : {}),
  };
}

/** A region that failed as a whole: each account FAILED with the region's reason. */
export function failedRegion(region: string, targets: readonly Target[], failure: RegionFailure): PlannedRegion {
  const unread: RegionObservations = {
    readable: false,
    errorMessage: failure.accountMessage,
    reason: failure.notEnabled ? 'REGION_NOT_ENABLED' : 'REGION_UNREADABLE',
  };
  return { region, outcomes: planRegion(region, targets, unread), ...regionFailureFields(failure) };
}
