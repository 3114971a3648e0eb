import type { LintWarning } from '../lambda/reconciler/policy-lint';
import type { RunSummary, Totals } from '../lambda/reconciler/summary';
import type { Explanation } from './explain';

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
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');

  const lines = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
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
