import { FIXABLE_REASONS } from '../lambda/reconciler/coverage';
import type { CoverageResult, CoverageSummary } from '../lambda/reconciler/measure-coverage';
import type { LintWarning } from '../lambda/reconciler/policy-lint';
import type { RunSummary, Totals } from '../lambda/reconciler/summary';
import type { Explanation } from './explain';

/** Columns aligned: the first to the left, the others (numbers) to the right. */
function table(columns: readonly string[], rows: readonly string[][]): string[] {
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** A readable table per region of a run summary, for the demo and the command line. */
export function formatSummary(summary: RunSummary, options: { maxChanges?: number } = {}): string {
  const maxChanges = options.maxChanges ?? 10;
  const verb = summary.dryRun ? 'would ' : '';
  const columns = [
    'region',
    'accounts',
    'compliant',
    `${verb}activate`,
    `${verb}deactivate`,
    'report: on',
    'report: off',
    'skipped',
    'failed',
  ];
  const counts = (t: Totals) =>
    [t.accounts, t.compliant, t.activated, t.deactivated, t.wouldActivate, t.wouldDeactivate, t.skipped, t.failed].map(
      String,
    );
  const rows = summary.regions.map((r) => [r.region, ...counts(r.totals)]);
  rows.push(['total', ...counts(summary.totals)]);
  const lines = table(columns, rows);
  for (const region of summary.regions) {
    const reasons = Object.entries(region.skipped)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, count]) => `${reason} ${count}`);
    if (reasons.length > 0) lines.push(`  ${region.region} skipped: ${reasons.join(', ')}`);
    if (region.error) lines.push(`  ${region.region} ERROR: ${region.error}`);
    const scan = region.ec2ScanConfiguration;
    if (scan !== undefined) {
      const mode =
        'error' in scan
          ? `could not be read: ${scan.error}`
          : `${scan.scanMode ?? 'unknown'}${scan.scanMode === 'EC2_HYBRID' ? ' (Enhanced EC2 Scanning)' : ''}${scan.scanModeStatus === 'PENDING' ? ', changing' : ''}`;
      lines.push(`  ${region.region} EC2 scan mode: ${mode}`);
    }
    const paths = region.orgPackagePaths;
    if (paths?.changed)
      lines.push(
        `  ${region.region} orgPackagePaths: ${verb}set [${paths.from.join(', ')}] → [${paths.to.join(', ')}]`,
      );
  }
  if (summary.warnings.length > 0) {
    lines.push(`Policy warnings (${summary.warnings.length}):`);
    for (const warning of summary.warnings) lines.push(`  ${warning.path}: ${warning.message}`);
  }
  if (summary.guardrail.tripped) {
    lines.push(
      `Guardrail tripped: ${summary.guardrail.wouldDeactivate} deactivations held back: ${summary.guardrail.heldBecause ?? `limit ${summary.guardrail.limit}`}; rerun with --force to apply.`,
    );
  }
  if (summary.changes.length > 0) {
    lines.push(
      `Changes (${Math.min(maxChanges, summary.changes.length)} of ${summary.changes.length + summary.omitted.changes}):`,
    );
    for (const change of summary.changes.slice(0, maxChanges)) {
      lines.push(`  ${change.region}  ${change.accountId}  ${change.from} → ${change.to}`);
    }
  }
  if (summary.reportOnly.length > 0) {
    const total = summary.reportOnly.length + summary.omitted.reportOnly;
    lines.push(
      `Report-only rules would change (${Math.min(maxChanges, summary.reportOnly.length)} of ${total}; never written):`,
    );
    for (const change of summary.reportOnly.slice(0, maxChanges)) {
      lines.push(`  ${change.region}  ${change.accountId}  ${change.from} → ${change.to}  (rule "${change.rule}")`);
    }
  }
  if (summary.failures.length > 0) {
    lines.push(`Failures (${summary.failures.length + summary.omitted.failures}):`);
    for (const failure of summary.failures.slice(0, maxChanges)) {
      lines.push(`  ${failure.region}  ${failure.accountId}  ${failure.reason}  ${failure.errorMessage ?? ''}`);
    }
  }
  return lines.join('\n');
}

/** `npm run reconcile -- explain`: the account, its rules in order, the decision, and each region. */
export function formatExplanation(explanation: Explanation): string {
  const lines = [`Account ${explanation.accountId}${explanation.state ? ` (${explanation.state})` : ''}`];
  if (explanation.ancestors) lines.push(`  OU path: ${explanation.ancestors.join(' / ')}`);
  if (explanation.ancestryUnresolved) lines.push(`  OU path: unknown (${explanation.ancestryUnresolved})`);
  if (explanation.rules.length > 0) lines.push('Rules, in order:');
  for (const rule of explanation.rules) {
    lines.push(`  ${rule.path} "${rule.name}": ${rule.result}: ${rule.why}`);
  }
  lines.push(`Decision: ${explanation.decision}`);
  for (const region of explanation.regions) {
    lines.push(`  ${region.region}: Inspector says ${region.inspector || 'n/a'}; a run ${region.run}`);
  }
  return lines.join('\n');
}

/** `npm run reconcile -- lint`: one line a warning, with its JSON path. */
export function formatLint(warnings: readonly LintWarning[]): string {
  if (warnings.length === 0) return 'Policy lint: no warnings.';
  return [
    `Policy lint: ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`,
    ...warnings.map((warning) => `  ${warning.path}: ${warning.message} [${warning.kind}]`),
  ].join('\n');
}

const percentText = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(1)}%`);

/** `npm run reconcile -- coverage`: a table per region, the reasons with their usual fix, the worst accounts. */
export function formatCoverage(summary: CoverageSummary): string {
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

/** One row an account and region, every reason a column: for auditors' spreadsheets. */
export function coverageCsv(accounts: CoverageResult['accounts']): string {
  const reasons = [...new Set(accounts.flatMap((account) => Object.keys(account.notDeepInspected)))].sort();
  const header = ['region', 'accountId', 'deepInspectionActivated', 'instances', 'deepInspected', 'toFix', ...reasons];
  const rows = accounts.map((account) => [
    account.region,
    account.accountId,
    String(account.activated),
    String(account.instances),
    String(account.deepInspected),
    String(account.fixable),
    ...reasons.map((reason) => String(account.notDeepInspected[reason] ?? 0)),
  ]);
  // Every value is an id, a number, a boolean or an enum name: nothing to quote.
  return [header, ...rows].map((row) => row.join(',')).join('\n');
}
