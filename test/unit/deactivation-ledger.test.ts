import {
  allowance,
  budgetFrom,
  type LedgerEntry,
  ledgerDocumentSchema,
  MAX_LEDGER_ENTRIES,
  withEntry,
} from '../../lambda/reconciler/guardrail/ledger';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3600_000).toISOString();
const entry = (hours: number, run: string, deactivations: number): LedgerEntry => ({
  at: hoursAgo(hours),
  run,
  deactivations,
});
const limits = { perRun: 50, perDay: 100 };

describe('budgetFrom', () => {
  it('counts the last 24 hours for the day and this run’s own entries for the run', () => {
    const entries = [
      entry(25, 'schedule A', 40),
      entry(23, 'schedule B', 30),
      entry(1, 'schedule C', 10),
      entry(0, 'schedule C', 5),
    ];
    expect(budgetFrom(entries, limits, 'schedule C', NOW)).toEqual({
      perRun: { limit: 50, used: 15 },
      perDay: { limit: 100, used: 45 },
    });
  });

  it('an entry exactly 24 hours old no longer counts', () => {
    expect(budgetFrom([entry(24, 'x', 7)], limits, 'y', NOW).perDay?.used).toBe(0);
  });
});

describe('allowance', () => {
  it('is the smaller of what the run and the day leave, and never negative', () => {
    expect(allowance({ perRun: { limit: 50, used: 10 }, perDay: { limit: 100, used: 70 } })).toBe(30);
    expect(allowance({ perRun: { limit: 50, used: 10 }, perDay: { limit: 100, used: 20 } })).toBe(40);
    expect(allowance({ perRun: { limit: 5, used: 9 } })).toBe(0);
  });

  it('is zero when the ledger could not be read', () => {
    expect(allowance({ perRun: { limit: 50, used: 0 }, unavailable: 'x' })).toBe(0);
  });
});

describe('withEntry', () => {
  it('drops entries older than the window and appends the new one in time order', () => {
    const next = withEntry([entry(30, 'old', 9), entry(2, 'b', 1)], entry(0, 'c', 2), NOW);
    expect(next.map((e) => e.run)).toEqual(['b', 'c']);
  });

  it('merges the oldest past the cap into one entry dated at the newest merged, keeping the total', () => {
    const many = Array.from({ length: MAX_LEDGER_ENTRIES + 5 }, (_, i) => entry(20 - i * 0.5, `run ${i}`, 1));
    const next = withEntry(many, entry(0, 'now', 3), NOW);
    expect(next).toHaveLength(MAX_LEDGER_ENTRIES);
    expect(next.reduce((sum, e) => sum + e.deactivations, 0)).toBe(MAX_LEDGER_ENTRIES + 5 + 3);
    expect(next[0]).toMatchObject({ run: 'merged', deactivations: 7, at: many[6]?.at });
  });

  it('keeps a full ledger well inside a Standard parameter', () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      entry(23 - i * 0.1, `schedule 2026-11-29T${String(i % 24).padStart(2, '0')}:00:00Z`, 50),
    );
    const document = JSON.stringify({
      version: 1,
      entries: withEntry(many, entry(0, `invocation ${'f'.repeat(36)}`, 50), NOW),
    });
    expect(Buffer.byteLength(document)).toBeLessThan(4096);
  });
});

describe('ledgerDocumentSchema', () => {
  it('refuses what is not a ledger', () => {
    expect(
      ledgerDocumentSchema.safeParse({ version: 1, entries: [{ at: 'yesterday', run: 'x', deactivations: 1 }] })
        .success,
    ).toBe(false);
    expect(ledgerDocumentSchema.safeParse({ version: 2, entries: [] }).success).toBe(false);
    expect(ledgerDocumentSchema.safeParse({ version: 1, entries: [] }).success).toBe(true);
  });
});
