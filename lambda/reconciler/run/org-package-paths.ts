import type { RegionInspector } from '../aws/inspector';
import { classifyError } from '../errors/classification';
import { describeError } from '../errors/describe-error';
import type { Policy } from '../policy/schema';
import type { CallBudget } from '../deadline/budget';
import type { OrgPackagePathsResult, PlannedRegion } from './region';

/** UpdateOrg… replaces the whole list, so it is called only when the set of paths differs. */
export async function reconcileOrgPackagePaths(
  inspector: RegionInspector,
  policy: Policy,
  current: PlannedRegion['orgPackagePaths'],
  dryRun: boolean,
  budget: CallBudget,
): Promise<OrgPackagePathsResult | undefined> {
  const wanted = policy.orgPackagePaths;
  if (wanted === undefined || current === undefined) return undefined;
  if ('error' in current) {
    return { from: [], to: wanted, changed: false, error: `the current paths could not be read: ${current.error}` };
  }
  const same = current.length === wanted.length && wanted.every((path) => current.includes(path));
  if (same) return { from: current, to: wanted, changed: false };
  if (dryRun) return { from: current, to: wanted, changed: true };
  if (!budget.canContinue()) return { from: current, to: wanted, changed: false, notReached: true };
  try {
    await inspector.updateOrgPackagePaths(wanted, budget);
    return { from: current, to: wanted, changed: true };
  } catch (error) {
    if (budget.signal?.aborted) return { from: current, to: wanted, changed: false, notReached: true };
    return {
      from: current,
      to: wanted,
      changed: false,
      error: describeError(error),
      errorVerdict: classifyError(error),
    };
  }
}
