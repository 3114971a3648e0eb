import type { RegionInspector, ScanConfigurationRequest, ScanConfigurationWriteResult } from '../aws/inspector';
import { mapWithConcurrency } from '../batches';
import { SCAN_CONFIGURATION_CONCURRENCY } from '../aws/inspector-configuration';
import { type CallBudget, UNLIMITED } from '../deadline/budget';
import {
  isNarrowing,
  type ScanConfigurationOutcome,
  type ScanConfigurationUpdate,
  isScanConfigurationUpdate,
} from './outcome';
import { scanModeToWrite } from './plan';

/*
 * The scan configuration's apply step in one region: each UPDATE written with one UpdateConfiguration,
 * widening writes first and narrowing ones after (order.ts keeps both from one account), and each settled:
 * accepted stays UPDATE (it reads PENDING until in effect: the next run's read says SUCCESS or FAILED), a
 * refusal is FAILED UPDATE_FAILED with Inspector's reason, a write the deadline did not reach
 * TIMEOUT_NOT_REACHED.
 */

/** The UpdateConfiguration an UPDATE needs, or why none can be made (no scan mode to send). Pure. */
export function requestFor(outcome: ScanConfigurationUpdate): ScanConfigurationRequest | { readonly error: string } {
  if (outcome.write === 'INHERIT_FROM_ADMIN') return { accountId: outcome.accountId, inherit: true };
  const scanMode = scanModeToWrite(outcome);
  if (scanMode === undefined) return { error: 'no EC2 scan mode to send: UpdateConfiguration requires one' };
  const vmScanner = outcome.changes.find((change) => change.setting === 'vmScanner');
  return {
    ...(outcome.write === 'ADMINISTRATOR' ? {} : { accountId: outcome.accountId }),
    scanMode,
    ...(vmScanner === undefined ? {} : { activateVMScanner: vmScanner.to === 'ACTIVATED' }),
  };
}

/** An UPDATE stays one when Inspector accepted it; otherwise FAILED with Inspector's reason. Pure. */
export function settleScanConfiguration(
  outcome: ScanConfigurationUpdate,
  result: ScanConfigurationWriteResult,
): ScanConfigurationOutcome {
  if (result.ok) return outcome;
  return {
    kind: 'FAILED',
    accountId: outcome.accountId,
    region: outcome.region,
    ...(outcome.observed === undefined ? {} : { observed: outcome.observed }),
    reason: result.notReached ? 'TIMEOUT_NOT_REACHED' : 'UPDATE_FAILED',
    errorMessage: result.errorMessage,
    changes: outcome.changes,
    write: outcome.write,
  };
}

/** Writes a region's UPDATEs, widening before narrowing, and settles each; every other outcome as it is. */
export async function applyScanConfiguration(
  inspector: Pick<RegionInspector, 'updateScanConfiguration'>,
  outcomes: readonly ScanConfigurationOutcome[],
  budget: CallBudget = UNLIMITED,
): Promise<ScanConfigurationOutcome[]> {
  const updates = outcomes.filter(isScanConfigurationUpdate);
  const narrows = (outcome: ScanConfigurationUpdate) => outcome.changes.some(isNarrowing);
  const settled = new Map<ScanConfigurationOutcome, ScanConfigurationOutcome>();
  for (const group of [updates.filter((u) => !narrows(u)), updates.filter(narrows)]) {
    const results = await mapWithConcurrency(group, SCAN_CONFIGURATION_CONCURRENCY, async (outcome) => {
      const request = requestFor(outcome);
      return 'error' in request
        ? ({ ok: false, errorMessage: request.error } as const)
        : inspector.updateScanConfiguration(request, budget);
    });
    group.forEach((outcome, index) => {
      settled.set(outcome, settleScanConfiguration(outcome, results[index] as ScanConfigurationWriteResult));
    });
  }
  return outcomes.map((outcome) => settled.get(outcome) ?? outcome);
}
