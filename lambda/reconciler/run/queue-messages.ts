import { FAILURE_MESSAGE_VERSION, type FailureMessage, failureMessage, type QueueMessage } from '../aws/queue';
import type { Outcome } from '../model';
import type { ScanConfigurationOutcome } from '../scan-configuration/outcome';
import type { RegionReport } from './region';

type Keys = { readonly runId: string; readonly run: string; readonly timestamp: string };

/**
 * The scan configuration's failures of one region, one message each, keyed apart from the account's deep
 * inspection message (`<run> <region> <account> scanConfiguration`). A region that failed as a whole is
 * the deep inspection stream's to report (its region message, or its accounts' own).
 */
function scanConfigurationMessages(outcomes: readonly ScanConfigurationOutcome[], keys: Keys): FailureMessage[] {
  return outcomes.flatMap((o): FailureMessage[] =>
    o.kind !== 'FAILED' || o.reason === 'REGION_UNREADABLE' || o.reason === 'REGION_NOT_ENABLED'
      ? []
      : [
          {
            version: FAILURE_MESSAGE_VERSION,
            scope: 'ACCOUNT',
            runId: keys.runId,
            deduplicationKey: `${keys.run} ${o.region} ${o.accountId} scanConfiguration`,
            timestamp: keys.timestamp,
            accountId: o.accountId,
            region: o.region,
            reason: o.reason,
            errorMessage: o.errorMessage,
            ...(o.rule === undefined ? {} : { rule: o.rule }),
            scanConfiguration: {
              ...(o.write === undefined ? {} : { write: o.write }),
              changes: (o.changes ?? []).map(({ setting, from, to, rule }) => ({
                setting,
                ...(from === undefined ? {} : { from }),
                to,
                rule,
              })),
            },
          },
        ],
  );
}

/**
 * The queue messages of one region: one per FAILED account, except in a region that failed as a whole
 * for a reason no retry heals, which would otherwise send the same hundreds of messages every run. Such
 * a region sends one region message (access denied there, say), or none when the account has not
 * enabled the region or is not Inspector's delegated administrator there: each of those has its own
 * metric and alarm (RegionsNotEnabled, RegionsNotDelegatedAdministrator). Its accounts
 * stay FAILED, counted and listed in the summary.
 */
export function queueMessages(report: RegionReport, keys: Keys): QueueMessage[] {
  return [
    ...deepInspectionMessages(report, keys),
    ...scanConfigurationMessages(report.scanConfiguration?.outcomes ?? [], keys),
  ];
}

function deepInspectionMessages(report: RegionReport, keys: Keys): QueueMessage[] {
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
