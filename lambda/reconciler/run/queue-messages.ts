import { FAILURE_MESSAGE_VERSION, failureMessage, type QueueMessage } from '../aws/queue';
import type { Outcome } from '../model';
import type { RegionReport } from './region';

/**
 * The queue messages of one region: one per FAILED account, except in a region that failed as a whole
 * for a reason no retry heals, which would otherwise send the same hundreds of messages every run. Such
 * a region sends one region message (access denied there, say), or none when the account has not
 * enabled the region or is not Inspector's delegated administrator there: each of those has its own
 * metric and alarm (RegionsNotEnabled, RegionsNotDelegatedAdministrator). Its accounts
 * stay FAILED, counted and listed in the summary.
 */
export function queueMessages(
  report: RegionReport,
  keys: { readonly runId: string; readonly run: string; readonly timestamp: string },
): QueueMessage[] {
  const ownAlarm = report.notEnabled === true || report.notDelegatedAdministrator === true;
  const regionWide = ownAlarm || report.errorVerdict === 'PERMANENT';
  const isRegionWide = (o: Outcome) =>
    regionWide && o.kind === 'FAILED' && (o.reason === 'REGION_UNREADABLE' || o.reason === 'REGION_NOT_ENABLED');
  const accounts = report.outcomes.flatMap((o) =>
    o.kind === 'FAILED' && !isRegionWide(o) ? [failureMessage(o, keys)] : [],
  );
  const failedWithRegion = report.outcomes.filter(isRegionWide).length;
  if (ownAlarm || !regionWide || failedWithRegion === 0) return accounts;
  return [
    ...accounts,
    {
      version: FAILURE_MESSAGE_VERSION,
      scope: 'REGION',
      runId: keys.runId,
      deduplicationKey: `${keys.run} ${report.region}`,
      timestamp: keys.timestamp,
      region: report.region,
      reason: 'REGION_UNREADABLE',
      errorMessage: report.error ?? 'the region could not be read',
      accounts: failedWithRegion,
    },
  ];
}
