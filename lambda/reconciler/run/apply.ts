import type { RegionInspector, UpdateResult } from '../aws/inspector';
import { type CallBudget, UNLIMITED } from '../deadline/budget';
import { type Change, isChange, type Outcome } from '../model';
import type { Policy } from '../policy/schema';
import { applyScanConfiguration } from '../scan-configuration/apply';
import type { ScanConfigurationOutcome } from '../scan-configuration/outcome';
import { reconcileOrgPackagePaths } from './org-package-paths';
import type { PlannedRegion, RegionReport } from './region';
import type { Dependencies, ReconcileRequest } from './types';

/** Applies a region's planned changes: members through the batch API, the function's own account through its configuration. */
export async function applyRegion(
  inspector: RegionInspector,
  outcomes: readonly Outcome[],
  ownAccountId: string,
  budget: CallBudget = UNLIMITED,
): Promise<Outcome[]> {
  const changes = outcomes.filter(isChange);
  const memberChanges = changes.filter((change) => change.accountId !== ownAccountId);
  const ownChange = changes.find((change) => change.accountId === ownAccountId);
  const results = await inspector.updateMembers(
    memberChanges.map((change) => ({ accountId: change.accountId, activate: change.to === 'ACTIVATED' })),
    budget,
  );
  if (ownChange !== undefined) {
    results.push(await inspector.updateOwnAccount(ownChange.accountId, ownChange.to === 'ACTIVATED', budget));
  }
  return settle(outcomes, results);
}

/** A change stays a change only when Inspector confirmed it; otherwise the account FAILED with Inspector's reason. Pure. */
export function settle(outcomes: readonly Outcome[], results: readonly UpdateResult[]): Outcome[] {
  const byId = new Map(results.map((result) => [result.accountId, result]));
  return outcomes.map((outcome) => (isChange(outcome) ? settleChange(outcome, byId.get(outcome.accountId)) : outcome));
}

function settleChange(change: Change, result: UpdateResult | undefined): Outcome {
  if (result?.ok) return change;
  return {
    kind: 'FAILED',
    accountId: change.accountId,
    region: change.region,
    rule: change.rule,
    reason: result !== undefined && !result.ok && result.notReached ? 'TIMEOUT_NOT_REACHED' : 'UPDATE_FAILED',
    desired: change.to,
    observed: change.from,
    errorMessage: result?.errorMessage ?? 'no update result for this account',
    ...(result?.ec2ScanStatus === undefined ? {} : { ec2ScanStatus: result.ec2ScanStatus }),
  };
}

/**
 * The apply step of one planned region, after the guardrail: its deep inspection changes, the organization's
 * package paths when the run covers the whole organization, then its scan configuration updates (widening
 * before narrowing). A region that could not be read is reported as it was planned, with its failure; a dry
 * run writes nothing.
 */
export async function applyPlannedRegion(
  region: PlannedRegion,
  scanOutcomes: readonly ScanConfigurationOutcome[],
  policy: Policy,
  request: Pick<ReconcileRequest, 'dryRun' | 'ownAccountId' | 'accountIds'>,
  deps: Pick<Dependencies, 'inspectorFor'>,
  deadline: CallBudget,
  progress: (message: string) => void,
): Promise<RegionReport> {
  const { outcomes } = region;
  const scan = {
    ...(region.ec2ScanConfiguration ? { ec2ScanConfiguration: region.ec2ScanConfiguration } : {}),
    ...(region.scanConfiguration ? { scanConfiguration: { ...region.scanConfiguration, outcomes: scanOutcomes } } : {}),
  };
  if (region.error !== undefined) {
    return {
      region: region.region,
      outcomes,
      error: region.error,
      ...(region.errorVerdict === undefined ? {} : { errorVerdict: region.errorVerdict }),
      ...(region.notEnabled ? { notEnabled: true as const } : {}),
      ...(region.notDelegatedAdministrator ? { notDelegatedAdministrator: true as const } : {}),
      ...scan,
    };
  }
  const inspector = deps.inspectorFor(region.region);
  const [applied, orgPackagePaths] = await Promise.all([
    request.dryRun ? outcomes : applyRegion(inspector, outcomes, request.ownAccountId, deadline),
    // An organization-wide setting: a run scoped to some accounts leaves it to the full runs.
    request.accountIds === undefined
      ? reconcileOrgPackagePaths(inspector, policy, region.orgPackagePaths, request.dryRun, deadline)
      : undefined,
  ]);
  // After the deep inspection writes: their activations are the widening an account's narrowing may wait for.
  const scanApplied =
    region.scanConfiguration && !request.dryRun
      ? {
          scanConfiguration: {
            ...region.scanConfiguration,
            outcomes: await applyScanConfiguration(inspector, scanOutcomes, deadline),
          },
        }
      : {};
  if (!request.dryRun) progress(`${region.region}: applied`);
  return {
    region: region.region,
    outcomes: applied,
    ...scan,
    ...scanApplied,
    ...(orgPackagePaths ? { orgPackagePaths } : {}),
    ...(region.pastInspectorMemberLimit ? { pastInspectorMemberLimit: region.pastInspectorMemberLimit } : {}),
  };
}
