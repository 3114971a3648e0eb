import type { CoverageSummary } from '../lambda/reconciler';

/*
 * The coverage table's "before and after a planned change" part: each region's accounts whose planned scan
 * configuration change moves instances between scanners, now → as planned. The JSON has the same in each
 * region's `scannerChanges` (lambda/reconciler/coverage/scanner-change.ts says what "after" assumes).
 */

type Counts = NonNullable<CoverageSummary['regions'][number]['scannerChanges']>['before'];
type Projected = NonNullable<CoverageSummary['regions'][number]['scannerChanges']>['after'];

/** How many accounts are listed a region; the JSON lists every one. */
export const LISTED_MOVES = 20;

const counts = (c: Counts | Projected) =>
  `SSM plugin ${c.ssmPlugin}, VM scanner ${c.vmScanner}, agentless ${c.agentless}` +
  (c.notReported > 0 ? `, not reported ${c.notReported}` : '') +
  ('unscanned' in c && c.unscanned > 0 ? `, no longer scanned ${c.unscanned}` : '');

/** The lines, or none when no region has a planned move (or the policy manages no scan configuration). */
export function formatScannerChanges(summary: CoverageSummary): string[] {
  const regions = summary.regions.filter((region) => region.scannerChanges !== undefined);
  if (regions.length === 0) return [];
  const lines = [
    '',
    'Instances by scanner, now → as the policy plans (apply), for accounts whose scan configuration change moves them.',
    'Assumes: the VM scanner activated takes over the SSM plugin’s instances (Inspector installs it through SSM); deactivated, they go back to the plugin; EC2_SSM_AGENT_BASED stops agentless scanning; EC2_HYBRID scans agentless the instances SSM does not manage. Nothing else changes.',
  ];
  for (const region of regions) {
    const changes = region.scannerChanges;
    if (changes === undefined) continue;
    if (changes.accounts.length === 0) {
      lines.push(`  ${region.region}: no planned change moves instances`);
    } else {
      lines.push(
        `  ${region.region}: ${changes.accounts.length} account${changes.accounts.length === 1 ? '' : 's'}: ${counts(changes.before)} → ${counts(changes.after)}`,
      );
      for (const move of changes.accounts.slice(0, LISTED_MOVES)) {
        const what = move.changes.map((c) => `${c.setting} ${c.from ?? 'not reported'} → ${c.to}`).join(', ');
        lines.push(`    ${move.accountId} (${what}): ${counts(move.before)} → ${counts(move.after)}`);
      }
      if (changes.accounts.length > LISTED_MOVES) {
        lines.push(`    … and ${changes.accounts.length - LISTED_MOVES} more (--output json lists them all)`);
      }
    }
    if (changes.unread.length > 0) {
      lines.push(
        `    not projected: ${changes.unread.length} account${changes.unread.length === 1 ? '' : 's'} whose configuration could not be read or is PENDING (first: ${changes.unread[0]?.accountId}: ${changes.unread[0]?.why})`,
      );
    }
  }
  return lines;
}
