import type { Undelivered } from '../aws/queue';
import { combinedVerdict } from '../errors/classification';
import type { Outcome } from '../model';
import type { RegionReport } from './region';
import type { RunProblem } from './types';

export function groupByRegion<T extends Pick<Outcome, 'region'>>(outcomes: readonly T[]): Map<string, T[]> {
  const byRegion = new Map<string, T[]>();
  for (const outcome of outcomes) {
    const list = byRegion.get(outcome.region) ?? [];
    list.push(outcome);
    byRegion.set(outcome.region, list);
  }
  return byRegion;
}

export function problemsOf(reports: readonly RegionReport[], undelivered: readonly Undelivered[]): RunProblem[] {
  const problems = reports.flatMap((report): RunProblem[] => [
    ...(report.error === undefined
      ? []
      : [
          {
            message: `region ${report.region} could not be read: ${report.error}`,
            verdict: report.errorVerdict ?? 'UNKNOWN',
            ...(report.notEnabled ? { regionNotEnabled: report.region } : {}),
            ...(report.notDelegatedAdministrator ? { notDelegatedAdministrator: report.region } : {}),
          },
        ]),
    ...(report.orgPackagePaths?.error === undefined
      ? []
      : [
          {
            message: `region ${report.region}: orgPackagePaths could not be updated: ${report.orgPackagePaths.error}`,
            verdict: report.orgPackagePaths.errorVerdict ?? 'UNKNOWN',
          },
        ]),
  ]);
  // Each undelivered message carries whether sending it again can work (queue.ts): an entry SQS refuses
  // for good, or a denied queue, makes the run "not retried" rather than send every other message again.
  if (undelivered.length > 0) {
    const reasons = [...new Set(undelivered.map((entry) => entry.error))];
    problems.push({
      message: `${undelivered.length} failures could not be sent to the failed-accounts queue: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? ` (and ${reasons.length - 3} other reasons)` : ''}`,
      verdict: combinedVerdict(undelivered.map((entry) => entry.verdict)) ?? 'UNKNOWN',
    });
  }
  return problems;
}
