import type { FindingsReport } from '../../lambda/reconciler/findings/sync';
import type { GuardrailVerdict } from '../../lambda/reconciler/guardrail/limits';
import type { Outcome } from '../../lambda/reconciler/model';
import { fitSummary, MAX_SUMMARY_BYTES, summarize } from '../../lambda/reconciler/run/summary';

const guardrail: GuardrailVerdict = {
  limit: 50,
  wouldDeactivate: 0,
  tripped: false,
  forced: false,
  usedThisRun: 0,
  remaining: { thisRun: 50 },
};

const account = (i: number) => String(100_000_000_000 + i);
const failed = (i: number): Outcome => ({
  kind: 'FAILED',
  accountId: account(i),
  region: 'eu-west-1',
  desired: 'ACTIVATED',
  reason: 'UPDATE_FAILED',
  errorMessage: `Inspector refused account ${i}: `.padEnd(300, 'x'),
});
const activated = (i: number): Outcome => ({
  kind: 'ACTIVATE',
  accountId: account(i),
  region: 'eu-west-1',
  from: 'DEACTIVATED',
  to: 'ACTIVATED',
});

const run = (outcomes: Outcome[]) =>
  summarize({
    runId: 'run-1',
    dryRun: false,
    regions: [{ region: 'eu-west-1', outcomes }],
    guardrail,
    queue: { sent: 0, undelivered: 0 },
  });

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('summarize', () => {
  it('lists every change and failure: the command line’s JSON prints the whole summary', () => {
    const summary = run([
      ...Array.from({ length: 2500 }, (_, i) => failed(i)),
      ...Array.from({ length: 1500 }, (_, i) => activated(10_000 + i)),
    ]);
    expect(summary.failures).toHaveLength(2500);
    expect(summary.changes).toHaveLength(1500);
    expect(summary.omitted).toEqual({ failures: 0, changes: 0, reportOnly: 0, warnings: 0 });
  });

  const report = (overrides: Partial<FindingsReport> = {}): FindingsReport => ({
    dryRun: false,
    imported: 2,
    archived: 1,
    unchanged: 5,
    untouched: 0,
    failed: 1,
    notReached: 0,
    calls: 6,
    regionsWithoutSecurityHub: [],
    regionsSwept: [],
    sweepErrors: [],
    regionErrors: [],
    regionsNotReached: [],
    failures: [{ id: 'f', errorCode: 'InvalidInput', errorMessage: 'x'.repeat(1000), region: 'eu-west-1' }],
    exceptions: { NOT_INSPECTOR_MEMBER: 7 },
    warnings: ['Security Hub not enabled in ap-south-1'],
    ...overrides,
  });
  const withFindings = (findings: Parameters<typeof summarize>[0]['findings']) =>
    summarize({
      runId: 'run-1',
      dryRun: false,
      regions: [{ region: 'eu-west-1', outcomes: [activated(1)] }],
      guardrail,
      queue: { sent: 0, undelivered: 0 },
      findings,
    });

  it('carries the findings step’s counts, not its failures or warnings (the log has those)', () => {
    const { failures: _failures, warnings: _warnings, ...counts } = report();
    expect(withFindings({ report: report() }).findings).toEqual(counts);
    expect(withFindings({ notGranted: 'no permission' }).findings).toEqual({ notGranted: 'no permission' });
    expect(withFindings(undefined)).not.toHaveProperty('findings');
  });

  it('says the deadline was reached when the findings step did not reach a region or a finding', () => {
    expect(withFindings({ report: report() }).deadlineReached).toBe(false);
    expect(withFindings({ report: report({ regionsNotReached: ['eu-west-1'] }) }).deadlineReached).toBe(true);
    expect(withFindings({ report: report({ notReached: 3 }) }).deadlineReached).toBe(true);
  });
});

describe('fitSummary', () => {
  it('returns a summary that fits as it is', () => {
    const summary = run([failed(1), activated(2)]);
    expect(fitSummary(summary)).toBe(summary);
  });

  it('cuts the lists by size, not by count, each keeping its first entries, and counts what it cut', () => {
    const summary = run([
      ...Array.from({ length: 5000 }, (_, i) => failed(i)),
      ...Array.from({ length: 5000 }, (_, i) => activated(10_000 + i)),
    ]);
    expect(bytes(summary)).toBeGreaterThan(MAX_SUMMARY_BYTES);

    const fitted = fitSummary(summary);

    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    // Nearly the whole budget is used: what is left could not hold one more entry of each.
    expect(bytes(fitted)).toBeGreaterThan(MAX_SUMMARY_BYTES - bytes(summary.failures[0]) - bytes(summary.changes[0]));
    expect(fitted.failures).toEqual(summary.failures.slice(0, fitted.failures.length));
    expect(fitted.changes).toEqual(summary.changes.slice(0, fitted.changes.length));
    expect(fitted.omitted.failures).toBe(5000 - fitted.failures.length);
    expect(fitted.omitted.changes).toBe(5000 - fitted.changes.length);
    // Taken in turn: the list of small entries is not starved by the list of large ones, nor the reverse.
    expect(fitted.failures.length).toBeGreaterThan(100);
    expect(fitted.changes.length).toBeGreaterThanOrEqual(fitted.failures.length - 1);
    // The totals are never cut.
    expect(fitted.totals).toEqual(summary.totals);
    expect(fitted.regions).toEqual(summary.regions);
  });

  it('gives what one list does not need to the others', () => {
    const summary = run([...Array.from({ length: 5000 }, (_, i) => failed(i)), activated(99_999)]);
    const fitted = fitSummary(summary, 50_000);
    expect(bytes(fitted)).toBeLessThanOrEqual(50_000);
    expect(fitted.changes).toHaveLength(1);
    expect(fitted.failures.length).toBeGreaterThan(100);
    expect(fitted.omitted).toEqual({ failures: 5000 - fitted.failures.length, changes: 0, reportOnly: 0, warnings: 0 });
  });
});
