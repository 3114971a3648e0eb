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
import {
  membersToEvaluate,
  readAndPlanScanConfiguration,
  type ScanConfigurationRun,
  unreadScanConfiguration,
} from '../scan-configuration/step';
import { type CallBudget, DeadlineReached, NOT_REACHED } from '../deadline/budget';
import { type PlannedRegion, regionFailureFields } from './region';
import type { Dependencies, ReconcileRequest } from './types';

/**
 * A region that cannot be read fails its accounts and is reported; it never stops the other regions. With
 * `scan` (the policy manages scan configuration), the scan configuration step follows the deep inspection
 * plan (scan-configuration/step.ts).
 */
export async function readAndPlan(
  region: string,
  targets: readonly Target[],
  policy: Policy,
  request: ReconcileRequest,
  deps: Dependencies,
  budget: CallBudget,
  optStatuses: RegionOptStatuses | undefined,
  scan?: ScanConfigurationRun,
): Promise<PlannedRegion> {
  const failedRegion = (failure: RegionFailure) => failedRegionWithScan(region, targets, failure, scan);
  const notEnabled = optInFailure(region, optStatuses);
  if (notEnabled !== undefined) return failedRegion(notEnabled);
  const inspector = deps.inspectorFor(region);
  // Before any member read: a non-administrator's reads answer ACCESS_DENIED account by account, which
  // would otherwise skip every account as NOT_INSPECTOR_MEMBER in a run that looks successful.
  const administrator = await inspector.delegatedAdministrator(budget);
  const notAdministrator =
    administratorFailure(region, request.ownAccountId, administrator) ??
    uncheckedFailure(region, administrator, (error) => readFailure(region, error, optStatuses));
  if (notAdministrator !== undefined) return failedRegion(notAdministrator);
  let read: RegionObservations;
  let result: Awaited<ReturnType<RegionInspector['read']>>;
  let marked: ReturnType<typeof markPastMemberLimit>;
  try {
    result = await inspector.read({
      // The scan configuration's members too: whether Inspector has them as members, with EC2 scanning.
      accountIds: [...new Set([...accountsToRead(targets), ...(scan ? membersToEvaluate(scan) : [])])],
      ownAccountId: request.ownAccountId,
      includeConfiguration: policy.orgPackagePaths !== undefined,
      budget,
    });
    marked = markPastMemberLimit(result.observations, request.ownAccountId);
    read = { readable: true, observations: marked.observations };
  } catch (error) {
    if (error instanceof DeadlineReached) {
      const unread: RegionObservations = { readable: false, errorMessage: NOT_REACHED, reason: 'TIMEOUT_NOT_REACHED' };
      return {
        region,
        outcomes: planRegion(region, targets, unread),
        ...(scan
          ? { scanConfiguration: unreadScanConfiguration(region, scan, 'TIMEOUT_NOT_REACHED', NOT_REACHED) }
          : {}),
      };
    }
    return failedRegion(readFailure(region, error, optStatuses));
  }
  const membersDenied = membersDeniedFailure(region, administrator, result.members, request.accountIds === undefined);
  if (membersDenied !== undefined) return failedRegion(membersDenied);
  const orgPackagePaths =
    result.configurationError !== undefined
      ? { error: result.configurationError }
      : result.configuration?.orgPackagePaths;
  const deep = planRegion(region, targets, read);
  const planned = scan
    ? await readAndPlanScanConfiguration(region, scan, {
        inspector,
        observations: marked.observations,
        administrator: result.ec2ScanConfiguration,
        deep,
        budget,
      })
    : undefined;
  return {
    region,
    outcomes: planned?.deep ?? deep,
    ...(planned ? { scanConfiguration: planned.scanConfiguration } : {}),
    ec2ScanConfiguration: result.ec2ScanConfiguration,
    ...(orgPackagePaths ? { orgPackagePaths } : {}),
    ...(marked.pastLimit > 0 ? { pastInspectorMemberLimit: marked.pastLimit } : {}),
  };
}

/** A region that failed as a whole: each account FAILED with the region's reason, in both streams. */
export function failedRegionWithScan(
  region: string,
  targets: readonly Target[],
  failure: RegionFailure,
  scan: ScanConfigurationRun | undefined,
): PlannedRegion {
  const reason = failure.notEnabled ? 'REGION_NOT_ENABLED' : 'REGION_UNREADABLE';
  const unread: RegionObservations = { readable: false, errorMessage: failure.accountMessage, reason };
  return {
    region,
    outcomes: planRegion(region, targets, unread),
    ...(scan ? { scanConfiguration: unreadScanConfiguration(region, scan, reason, failure.accountMessage) } : {}),
    ...regionFailureFields(failure),
  };
}
