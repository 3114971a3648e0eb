import { combinedVerdict, measureCoverage } from '../../lambda/reconciler';
import { randomUUID } from 'node:crypto';
import { EXIT } from '../exit-codes';
import { type ParsedOptions, resolveCommon } from '../options';
import { coverageCsv, formatCoverage } from '../report';
import { formatScannerChanges } from '../scanner-changes';
import { openSession } from '../session';
import type { Io } from '../terminal';

/**
 * `coverage`: per region, how many EC2 instances are really deep-inspected, the others by reason
 * with the usual fix, and the worst accounts; where the policy manages the EC2 scan configuration, the
 * instances by scanner before and after its planned change; `--output csv` gives one row an account. Writes nothing.
 */
export async function coverageCommand(parsed: ParsedOptions, io: Io): Promise<number> {
  const options = await resolveCommon(parsed, io.env);
  const session = await openSession(options, io);
  try {
    const coverage = await measureCoverage(
      {
        runId: randomUUID(),
        ownAccountId: await session.ownAccountId(),
        defaultRegion: options.region,
        ...(options.accounts ? { accountIds: options.accounts } : {}),
        ...(options.regions ? { regions: options.regions } : {}),
        // Before and after the planned scan configuration change: only reads when the policy manages one.
        scannerChanges: true,
      },
      {
        policy: session.policy,
        directory: session.directory,
        regions: session.regions,
        inspectorFor: session.inspectorFor,
        progress: session.progress.step,
      },
    );
    session.progress.stop();
    const formats: Record<string, () => string> = {
      table: () =>
        [formatCoverage(coverage.summary, coverage.accounts), ...formatScannerChanges(coverage.summary)].join('\n'),
      json: () => JSON.stringify(coverage.summary, null, 2),
      csv: () => coverageCsv(coverage.accounts),
    };
    io.stdout(`${(formats[options.output] ?? formats.table)?.()}\n`);
    const unread = coverage.summary.regions.filter((region) => region.error !== undefined);
    for (const region of unread) io.stderr(`deep-inspection: region ${region.region}: ${region.error}\n`);
    if (unread.length === 0) return EXIT.DONE;
    const verdict = combinedVerdict(unread.map((region) => region.errorVerdict ?? 'UNKNOWN'));
    return verdict === 'TRANSIENT' ? EXIT.TRANSIENT : EXIT.FAILED;
  } finally {
    session.close();
  }
}
