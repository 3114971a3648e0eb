import type { RunSummary } from '../lambda/reconciler/summary';

/** A readable table per region of a run summary, for the demo and the command line. */
export function formatSummary(summary: RunSummary, options: { maxChanges?: number } = {}): string {
  const maxChanges = options.maxChanges ?? 10;
  const verb = summary.dryRun ? 'would ' : '';
  const columns = ['region', 'accounts', 'compliant', `${verb}activate`, `${verb}deactivate`, 'skipped', 'failed'];
  const rows = summary.regions.map((r) => [
    r.region,
    ...[
      r.totals.accounts,
      r.totals.compliant,
      r.totals.activated,
      r.totals.deactivated,
      r.totals.skipped,
      r.totals.failed,
    ].map(String),
  ]);
  const t = summary.totals;
  rows.push(['total', ...[t.accounts, t.compliant, t.activated, t.deactivated, t.skipped, t.failed].map(String)]);
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
      `Guardrail tripped: ${summary.guardrail.wouldDeactivate} deactivations held back (limit ${summary.guardrail.limit}); rerun with force to apply.`,
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
  if (summary.failures.length > 0) {
    lines.push(`Failures (${summary.failures.length + summary.omitted.failures}):`);
    for (const failure of summary.failures.slice(0, maxChanges)) {
      lines.push(`  ${failure.region}  ${failure.accountId}  ${failure.reason}  ${failure.errorMessage ?? ''}`);
    }
  }
  return lines.join('\n');
}
