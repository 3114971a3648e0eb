import {
  type CoverageResult,
  type CoverageSummary,
  type Ec2ScanConfiguration,
  FIXABLE_REASONS,
  type LintWarning,
} from '../lambda/reconciler';
import type { Explanation, ScanSettingComparison } from './explanation';
import { formatScanConfiguration } from './scan-configuration-report';
import type { ApplyTotals, PlanTotals, RunView } from './view';

/** Columns aligned: the first to the left, the others (numbers) to the right; a group's label spans its columns. */
function table(
  columns: readonly string[],
  rows: readonly string[][],
  group?: { readonly label: string; readonly from: number; readonly to: number },
): string[] {
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const lines = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (group !== undefined) {
    const start = widths.slice(0, group.from).reduce((sum, w) => sum + w + 2, 0);
    const span = widths.slice(group.from, group.to + 1).reduce((sum, w) => sum + w + 2, -2);
    lines.unshift(`${' '.repeat(start + Math.max(0, Math.floor((span - group.label.length) / 2)))}${group.label}`);
  }
  return lines;
}

/**
 * The table's column for each count of the JSON: the same words, the JSON's camelCase spelled out
 * (docs/cli.md lists them). The report-only pair sits under a "report-only rules" heading.
 */
export const COLUMNS: Readonly<Record<keyof PlanTotals | keyof ApplyTotals, string>> = {
  accounts: 'accounts',
  compliant: 'compliant',
  wouldActivate: 'would activate',
  wouldDeactivate: 'would deactivate',
  activated: 'activated',
  deactivated: 'deactivated',
  reportOnlyWouldActivate: 'would activate',
  reportOnlyWouldDeactivate: 'would deactivate',
  skipped: 'skipped',
  failed: 'failed',
};
const REPORT_ONLY_HEADING = 'report-only (never written)';

/** The first `max` of a list, and a heading that says how many there are and how to see the rest. */
function cut<T>(
  title: string,
  items: readonly T[],
  max: number,
  allOf = '--output json',
): { heading: string; shown: readonly T[] } {
  if (items.length <= max) return { heading: `${title} (${items.length}):`, shown: items };
  const more = items.length - max;
  return {
    heading: `${title} (${items.length}; the first ${max} here, ${more} more: ${allOf} lists them all):`,
    shown: items.slice(0, max),
  };
}

/** A large change set in counts: per rule, how many to ACTIVATED and to DEACTIVATED (the table above has each region's). */
function changesByRule(changes: RunView['changes']): string[] {
  const byRule = new Map<string, { ACTIVATED: number; DEACTIVATED: number }>();
  for (const change of changes) {
    const rule = change.rule ?? 'default';
    const counts = byRule.get(rule) ?? { ACTIVATED: 0, DEACTIVATED: 0 };
    if (change.to === 'ACTIVATED' || change.to === 'DEACTIVATED') counts[change.to]++;
    byRule.set(rule, counts);
  }
  return [
    `Changes by rule (${byRule.size}):`,
    ...[...byRule].map(
      ([rule, counts]) =>
        `  ${rule === 'default' ? 'default' : `rule "${rule}"`}: ${counts.ACTIVATED} to ACTIVATED, ${counts.DEACTIVATED} to DEACTIVATED`,
    ),
  ];
}

/** How many of each list (changes, report-only, failures) the table shows; --output json has them all. */
export const MAX_LISTED = 10;

/** `plan` and `apply`: a table per region, then what changes, what report-only rules would change, the failures. */
export function formatRun(
  view: RunView,
  options: {
    /** How many changes, report-only changes and failures to list; @default MAX_LISTED */
    maxListed?: number;
    /** Add the changes' counts by rule and direction (a large plan before apply's question). */
    byRule?: boolean;
    /** What lists every change, named in the heading of a list cut short. @default '--output json' */
    allOf?: string;
  } = {},
): string {
  const maxListed = options.maxListed ?? MAX_LISTED;
  const keys = Object.keys(view.totals) as (keyof typeof view.totals)[];
  const counts = (totals: RunView['totals']) => Object.values(totals).map(String);
  const rows = view.regions.map((r) => [r.region, ...counts(r.totals)]);
  rows.push(['total', ...counts(view.totals)]);
  const reportOnlyFrom = keys.indexOf('reportOnlyWouldActivate') + 1;
  const lines = table(['region', ...keys.map((key) => COLUMNS[key])], rows, {
    label: REPORT_ONLY_HEADING,
    from: reportOnlyFrom,
    to: reportOnlyFrom + 1,
  });
  const would = view.written ? '' : 'would ';
  for (const region of view.regions) {
    const reasons = Object.entries(region.skipped)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, count]) => `${reason} ${count}`);
    if (reasons.length > 0) lines.push(`  ${region.region} skipped: ${reasons.join(', ')}`);
    if (region.error) lines.push(`  ${region.region} ERROR: ${region.error}`);
    const scan = region.ec2ScanConfiguration;
    if (scan !== undefined) {
      lines.push(`  ${region.region} administrator EC2 scan configuration: ${describeScanConfiguration(scan)}`);
    }
    const paths = region.orgPackagePaths;
    if (paths?.changed)
      lines.push(
        `  ${region.region} orgPackagePaths: ${would}set [${paths.from.join(', ')}] → [${paths.to.join(', ')}]`,
      );
  }
  const off = view.ec2ScanningOff;
  if (off !== undefined && off.disabledByPolicy + off.noPolicy + off.notDisabledByPolicy > 0) {
    lines.push(
      `EC2 scanning off: ${off.disabledByPolicy} disabled by the organization's Inspector policy, ${off.noPolicy} where no Inspector policy applies, ${off.notDisabledByPolicy} where the policy does not disable it (${off.asked} DescribeEffectivePolicy calls)`,
    );
  }
  if (off?.couldNotTell !== undefined) lines.push(`EC2 scanning off: ${off.couldNotTell}`);
  // A summary saved before the list existed has none: the count above still says how many.
  const disabledByPolicy = off?.disabledByPolicyIn ?? [];
  if (off !== undefined && disabledByPolicy.length > 0) {
    const title = "Disabled by the organization's Inspector policy";
    // The summary lists the first MAX_DISABLED_LISTED; the count is of them all.
    const disabled =
      disabledByPolicy.length === off.disabledByPolicy
        ? cut(title, disabledByPolicy, maxListed, options.allOf)
        : {
            heading: `${title} (${off.disabledByPolicy}; the first ${Math.min(maxListed, disabledByPolicy.length)} here, ${off.disabledByPolicy - Math.min(maxListed, disabledByPolicy.length)} more: --output json lists the first ${disabledByPolicy.length}):`,
            shown: disabledByPolicy.slice(0, maxListed),
          };
    lines.push(disabled.heading, ...disabled.shown.map(({ region, accountId }) => `  ${region}  ${accountId}`));
  }
  if (view.warnings.length > 0) {
    lines.push(`Policy warnings (${view.warnings.length}):`);
    for (const warning of view.warnings) lines.push(`  ${warning.path}: ${warning.message}`);
  }
  const guardrail = view.guardrail;
  if (guardrail.tripped) {
    lines.push(
      view.written
        ? `Guardrail tripped: ${guardrail.wouldDeactivate} deactivations held back: ${guardrail.heldBecause ?? `limit ${guardrail.limit}`}; apply with --force to write them.`
        : `Guardrail: apply would hold ${guardrail.wouldDeactivate} deactivations back: ${guardrail.heldBecause ?? `limit ${guardrail.limit}`}; apply --force would write them.`,
    );
  }
  if (options.byRule && view.changes.length > 0) lines.push(...changesByRule(view.changes));
  const changes = cut(view.written ? 'Changed' : 'Would change', view.changes, maxListed, options.allOf);
  if (view.changes.length > 0) lines.push(changes.heading);
  for (const change of changes.shown) {
    lines.push(`  ${change.region}  ${change.accountId}  ${change.from} → ${change.to}`);
  }
  const reportOnly = cut('Report-only rules would change (never written)', view.reportOnly, maxListed);
  if (view.reportOnly.length > 0) lines.push(reportOnly.heading);
  for (const change of reportOnly.shown) {
    lines.push(`  ${change.region}  ${change.accountId}  ${change.from} → ${change.to}  (rule "${change.rule}")`);
  }
  lines.push(...formatScanConfiguration(view, (title, items) => cut(title, items, maxListed, options.allOf)));
  const failures = cut('Failures', view.failures, maxListed);
  if (view.failures.length > 0) lines.push(failures.heading);
  for (const failure of failures.shown) {
    lines.push(`  ${failure.region}  ${failure.accountId}  ${failure.reason}  ${failure.errorMessage ?? ''}`.trimEnd());
  }
  return lines.join('\n');
}

/**
 * One account's EC2 scan configuration in words. EC2_HYBRID is hybrid scanning (agent-based plus agentless);
 * Enhanced EC2 Scanning is the Inspector VM scanner, a setting of its own (aws/inspector.ts, Ec2ScanConfiguration).
 */
export function describeScanConfiguration(scan: Ec2ScanConfiguration): string {
  if ('error' in scan) return `could not be read: ${scan.error}`;
  const mode = `scan mode ${scan.scanMode ?? 'not reported'}${scan.scanMode === 'EC2_HYBRID' ? ' (hybrid scanning)' : ''}${
    scan.scanModeStatus !== undefined && scan.scanModeStatus !== 'SUCCESS' ? ` (${scan.scanModeStatus})` : ''
  }`;
  const vm = scan.vmScanner;
  const scanner =
    vm?.activated === undefined
      ? 'not reported'
      : `${vm.activated ? 'activated' : 'not activated'}${vm.status !== undefined && vm.status !== 'SUCCESS' ? ` (${vm.status})` : ''}`;
  return `${mode}; Inspector VM scanner (Enhanced EC2 Scanning) ${scanner}`;
}

/** `deep-inspection explain`: the account, its rules in order, the decision, and each region. */
export function formatExplanation(explanation: Explanation): string {
  const lines = [`Account ${explanation.accountId}${explanation.state ? ` (${explanation.state})` : ''}`];
  if (explanation.ancestors) lines.push(`  OU path: ${explanation.ancestors.join(' / ')}`);
  if (explanation.ancestryUnresolved) lines.push(`  OU path: unknown (${explanation.ancestryUnresolved})`);
  if (explanation.rules.length > 0) lines.push('Rules, in order:');
  for (const rule of explanation.rules) {
    lines.push(`  ${rule.path} "${rule.name}": ${rule.result}: ${rule.why}`);
  }
  const scan = explanation.scanConfiguration;
  lines.push(`Decision: ${scan === undefined ? '' : 'deep inspection '}${explanation.decision}`);
  if (scan !== undefined) {
    lines.push(`  scan mode ${scan.scanMode.text}`);
    lines.push(`  VM scanner (Enhanced EC2 Scanning) ${scan.vmScanner.text}`);
  }
  for (const region of explanation.regions) {
    lines.push(`  ${region.region}: Inspector says ${region.inspector || 'n/a'}; a run ${region.run}`);
    if (region.ec2ScanConfiguration !== undefined) {
      lines.push(`    EC2 scan configuration: ${describeScanConfiguration(region.ec2ScanConfiguration)}`);
    }
    if (region.scanSettings !== undefined) {
      lines.push(`    against the policy: ${region.scanSettings.map(describeComparison).join('; ')}`);
    }
  }
  return lines.join('\n');
}

const SETTING_NAMES = { scanMode: 'scan mode', vmScanner: 'VM scanner' } as const;

/** `scan mode EC2_SSM_AGENT_BASED, the policy wants EC2_HYBRID (rule "pilots")`, or `VM scanner ACTIVATED, as the policy wants`. */
function describeComparison(comparison: ScanSettingComparison): string {
  const name = SETTING_NAMES[comparison.setting];
  const read = `${name} ${comparison.read ?? 'not reported'}${comparison.status === undefined ? '' : ` (${comparison.status})`}`;
  if (comparison.wanted === undefined) return `${read}, not managed`;
  const by = comparison.rule === 'default' ? 'the default' : `rule "${comparison.rule}"`;
  if (!comparison.differs) return `${read}, as the policy wants (${by})`;
  // What a run does with it: writes it (again, when Inspector could not apply it), or why not.
  const run =
    comparison.notWritten !== undefined
      ? `: a run does not write it (${comparison.notWritten})`
      : comparison.enforcement === 'report'
        ? ': report-only, never written'
        : comparison.status === 'FAILED'
          ? ': a run writes it again'
          : '';
  const failed = comparison.status === 'FAILED' ? ': Inspector could not apply it;' : ',';
  return `${read}${failed} the policy wants ${comparison.wanted} (${by})${run}`;
}

/** `deep-inspection lint`: one line a warning, with its JSON path. */
export function formatLint(warnings: readonly LintWarning[]): string {
  if (warnings.length === 0) return 'Policy lint: no warnings.';
  return [
    `Policy lint: ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`,
    ...warnings.map((warning) => `  ${warning.path}: ${warning.message} [${warning.kind}]`),
  ].join('\n');
}

const percentText = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(1)}%`);

/**
 * `deep-inspection coverage`: a table per region, the reasons with their usual fix, the worst accounts.
 * `accounts` (every account's counts) says how many accounts with instances to fix the worst list leaves out.
 */
export function formatCoverage(summary: CoverageSummary, accounts: CoverageResult['accounts'] = []): string {
  const columns = ['region', 'instances', 'deep-inspected', 'to fix', 'expected', 'effective'];
  const rows = summary.regions.map((r) => [
    r.region,
    String(r.totals.instances),
    String(r.totals.deepInspected),
    String(r.totals.fixable),
    String(r.totals.expected),
    percentText(r.totals.effectivePercent),
  ]);
  const t = summary.totals;
  rows.push(['total', String(t.instances), String(t.deepInspected), String(t.fixable), String(t.expected), '']);
  const lines = table(columns, rows);
  lines.push(
    'effective: deep-inspected / (deep-inspected + to fix), in the accounts whose deep inspection is ACTIVATED',
  );
  for (const region of summary.regions) {
    if (region.error) lines.push(`  ${region.region} ERROR: ${region.error}`);
    const scanners = region.byScanner;
    if (region.error === undefined) {
      lines.push(
        `  ${region.region} by scanner: SSM plugin ${scanners.ssmPlugin}, VM scanner ${scanners.vmScanner}, agentless ${scanners.agentless}${scanners.notReported > 0 ? `, not reported ${scanners.notReported}` : ''}${region.totals.vmScannerNotScanning > 0 ? ` (the VM scanner does not scan ${region.totals.vmScannerNotScanning} of them: see their reasons)` : ''}`,
      );
    }
    if (region.notEc2 > 0) {
      lines.push(`  ${region.region}: ${region.notEc2} resources that are not AWS EC2 instances left out`);
    }
    const reasons = Object.entries(region.notDeepInspected).sort(([, a], [, b]) => b - a);
    for (const [reason, count] of reasons) {
      const fix = FIXABLE_REASONS[reason];
      lines.push(`  ${region.region} ${reason} ${count}${fix ? `: ${fix}` : ' (expected)'}`);
    }
    for (const account of region.worstAccounts) {
      lines.push(
        `  ${region.region} worst: ${account.accountId} ${account.fixable} to fix of ${account.instances} (${percentText(account.effectivePercent)})`,
      );
    }
    const toFix = accounts.filter((account) => account.region === region.region && account.fixable > 0).length;
    if (toFix > region.worstAccounts.length) {
      lines.push(
        `  ${region.region}: ${toFix - region.worstAccounts.length} more accounts with instances to fix: --output csv lists every account`,
      );
    }
  }
  if (summary.regions.some((region) => region.byScanner.ssmPlugin + region.byScanner.vmScanner > 0)) {
    lines.push(MOVE_TO_VM_SCANNER);
  }
  if (summary.minimumEffectivePercent !== undefined) {
    lines.push(
      summary.regionsBelowMinimum.length === 0
        ? `Every region is at or above the policy's minimum of ${summary.minimumEffectivePercent}%.`
        : `Below the policy's minimum of ${summary.minimumEffectivePercent}%: ${summary.regionsBelowMinimum.join(', ')}`,
    );
  }
  return lines.join('\n');
}

/**
 * What moving an instance from the SSM plugin to the Inspector VM scanner changes, where the pages say so:
 * the plugin's deep inspection scans Inspector's default paths plus the custom paths set "for your
 * organization or for your own account" (orgPackagePaths, packagePaths), and the deep-inspection page notes
 * "This page applies to customers that have not opted in to Enhanced EC2 Scanning" without saying whether the
 * setting or the paths reach the VM scanner; the VM scanner's scan locations are set on the instance
 * (`[sbom] target-directory`, `max-scan-depth`: "Advanced configuration" of the Inspector VM Scanner).
 */
export const MOVE_TO_VM_SCANNER =
  'Moving to the VM scanner (Enhanced EC2 Scanning): the SSM plugin\'s deep inspection scans Inspector\'s default paths plus the custom paths set "for your organization or for your own account" (orgPackagePaths, packagePaths), and its page notes "This page applies to customers that have not opted in to Enhanced EC2 Scanning" (https://docs.aws.amazon.com/inspector/latest/user/deep-inspection.html), without saying whether the setting or those paths reach the VM scanner; the VM scanner\'s own scan locations are set on the instance, its [sbom] target-directory and max-scan-depth (https://docs.aws.amazon.com/inspector/latest/user/inspector-vm-scanner-advanced-config.html).';

/** One row an account and region, its instances by scanner, every reason a column: for auditors' spreadsheets. */
export function coverageCsv(accounts: CoverageResult['accounts']): string {
  const reasons = [...new Set(accounts.flatMap((account) => Object.keys(account.notDeepInspected)))].sort();
  const header = [
    'region',
    'accountId',
    'deepInspectionActivated',
    'instances',
    'deepInspected',
    'toFix',
    'ssmPlugin',
    'vmScanner',
    'agentless',
    'scannerNotReported',
    ...reasons,
  ];
  const rows = accounts.map((account) => [
    account.region,
    account.accountId,
    String(account.activated),
    String(account.instances),
    String(account.deepInspected),
    String(account.fixable),
    String(account.byScanner.ssmPlugin),
    String(account.byScanner.vmScanner),
    String(account.byScanner.agentless),
    String(account.byScanner.notReported),
    ...reasons.map((reason) => String(account.notDeepInspected[reason] ?? 0)),
  ]);
  // Every value is an id, a number, a boolean or an enum name: nothing to quote.
  return [header, ...rows].map((row) => row.join(',')).join('\n');
}
