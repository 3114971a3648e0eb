import { type ScanSettingChange, settingName } from '../lambda/reconciler';
import {
  isScanConfigurationUpdate,
  type RunView,
  type ScanConfigurationChange,
  scanConfigurationUpdated,
} from './view';

/*
 * The EC2 scan configuration in `plan` and `apply`: its counts, then each change with the rule that decided
 * it, the administrator configuration's with whom it reaches; what report-only rules would change; what
 * was held, waits, follows the administrator or failed. report.ts calls it; the JSON has the same lists.
 */

type Listed = Pick<ScanSettingChange, 'setting' | 'from' | 'to' | 'rule'>;

/** `VM scanner DEACTIVATED → ACTIVATED (rule "to the VM scanner")`. */
function change(listed: Listed): string {
  const rule = listed.rule === 'default' ? 'default: scanConfiguration' : `rule "${listed.rule}"`;
  return `${settingName(listed.setting)} ${listed.from ?? 'not reported'} → ${listed.to} (${rule})`;
}

/** One listed account on one line: where, what, how it is written, and why when it is not. */
export function scanConfigurationLine(entry: ScanConfigurationChange): string {
  const changes = entry.changes.map(change).join(', ');
  if (entry.write === 'ADMINISTRATOR') {
    const reach =
      isScanConfigurationUpdate(entry) || entry.kind === 'REPORT_ONLY_WOULD_UPDATE'
        ? `; reaches every member that inherits it${entry.mayReach === undefined ? '' : ` (up to ${entry.mayReach} accounts the default decides)`}`
        : '';
    return `  ${entry.region}  the administrator configuration (${entry.accountId}): ${changes}${reach}${why(entry)}`;
  }
  const how = entry.write === 'INHERIT_FROM_ADMIN' ? ' [reset to inherit the administrator configuration]' : '';
  return `  ${entry.region}  ${entry.accountId}  ${changes}${how}${why(entry)}`;
}

function why(entry: ScanConfigurationChange): string {
  if (entry.kind === 'FAILED') return `: ${entry.reason} ${entry.errorMessage ?? ''}`.trimEnd();
  if (entry.kind === 'SKIPPED') return `: ${entry.reason}${entry.detail === undefined ? '' : ` (${entry.detail})`}`;
  return entry.detail === undefined ? '' : ` (${entry.detail})`;
}

/** The lines `formatRun` adds when the policy manages scan configuration. */
export function formatScanConfiguration(
  view: RunView,
  cut: <T>(title: string, items: readonly T[]) => { heading: string; shown: readonly T[] },
): string[] {
  const totals = view.scanConfiguration;
  if (totals === undefined) return [];
  const would = view.written ? '' : 'would ';
  const lines = [
    `EC2 scan configuration: ${totals.accounts} evaluated, ${totals.compliant} compliant, ${scanConfigurationUpdated(totals)} ${view.written ? 'updated' : 'would update'}, ${totals.reportOnlyWouldUpdate} report-only, ${totals.skipped} skipped, ${totals.failed} failed (${totals.reads} GetConfiguration reads)`,
    `  as read: VM scanner ACTIVATED ${totals.vmScanner.ACTIVATED}, DEACTIVATED ${totals.vmScanner.DEACTIVATED}, FAILED ${totals.vmScanner.FAILED}; scan mode EC2_HYBRID ${totals.scanMode.EC2_HYBRID}, EC2_SSM_AGENT_BASED ${totals.scanMode.EC2_SSM_AGENT_BASED}`,
  ];
  const entries = view.scanConfigurationChanges ?? [];
  const groups: [string, readonly ScanConfigurationChange[]][] = [
    [`Scan configuration ${view.written ? 'changed' : `${would}change`}`, entries.filter(isScanConfigurationUpdate)],
    [
      'Scan configuration report-only rules would change (never written)',
      entries.filter((e) => e.kind === 'REPORT_ONLY_WOULD_UPDATE'),
    ],
    ['Scan configuration not changed this run', entries.filter((e) => e.kind === 'SKIPPED')],
    ['Scan configuration failures', entries.filter((e) => e.kind === 'FAILED')],
  ];
  for (const [title, items] of groups) {
    if (items.length === 0) continue;
    const { heading, shown } = cut(title, items);
    lines.push(heading, ...shown.map(scanConfigurationLine));
  }
  return lines;
}

/** apply's question, the scan configuration part: how many writes, and the administrator's reach. */
export function scanConfigurationQuestion(updates: readonly ScanConfigurationChange[]): string {
  const administrator = updates.filter((entry) => entry.write === 'ADMINISTRATOR');
  const members = updates.length - administrator.length;
  const parts = [
    ...(members > 0 ? [`${members} member account-regions`] : []),
    ...(administrator.length > 0
      ? [
          `the administrator configuration in ${administrator.map((entry) => entry.region).join(', ')}, which reaches every member that inherits it`,
        ]
      : []),
  ];
  return `the EC2 scan configuration of ${parts.join(' and ')}`;
}
