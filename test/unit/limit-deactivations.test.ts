import { limitDeactivations, type LimitOptions } from '../../lambda/reconciler/guardrail/limit-deactivations';
import type { Outcome } from '../../lambda/reconciler/model';
import { InMemoryLedger } from '../support/in-memory';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const deactivations = (count: number, offset = 0): Outcome[] =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'DEACTIVATE',
    accountId: String(100000000000 + offset + i),
    region: 'us-east-1',
    from: 'ACTIVATED',
    to: 'DEACTIVATED',
  }));
const activation: Outcome = {
  kind: 'ACTIVATE',
  accountId: '999999999999',
  region: 'us-east-1',
  from: 'DEACTIVATED',
  to: 'ACTIVATED',
};
const kinds = (outcomes: readonly Outcome[]) => outcomes.map((o) => o.kind);

function options(ledger: InMemoryLedger, overrides: Partial<LimitOptions> = {}): LimitOptions {
  return {
    limits: { perRun: 3, perDay: 5 },
    run: 'schedule 2026-11-29T12:00:00Z',
    now: NOW,
    force: false,
    dryRun: false,
    ledger,
    ...overrides,
  };
}

describe('limitDeactivations', () => {
  it('reserves the deactivations in the ledger before anything is written', async () => {
    const ledger = new InMemoryLedger();
    const { outcomes, verdict } = await limitDeactivations(deactivations(2), options(ledger));
    expect(kinds(outcomes)).toEqual(['DEACTIVATE', 'DEACTIVATE']);
    expect(ledger.entries).toEqual([{ at: NOW.toISOString(), run: 'schedule 2026-11-29T12:00:00Z', deactivations: 2 }]);
    expect(verdict).toMatchObject({
      tripped: false,
      usedThisRun: 0,
      usedToday: 0,
      remaining: { thisRun: 1, today: 3 },
    });
  });

  it('a retry of the same scheduled run gets only what its earlier attempts left of the per-run limit', async () => {
    const ledger = new InMemoryLedger();
    await limitDeactivations(deactivations(3), options(ledger));
    // The region that failed the first attempt comes back with two more accounts to switch off.
    const retry = await limitDeactivations(
      deactivations(2, 10),
      options(ledger, { now: new Date(NOW.getTime() + 60_000) }),
    );
    expect(kinds(retry.outcomes)).toEqual(['SKIPPED', 'SKIPPED']);
    expect(retry.verdict).toMatchObject({ tripped: true, usedThisRun: 3, remaining: { thisRun: 0 } });
    expect(ledger.entries.reduce((sum, e) => sum + e.deactivations, 0)).toBe(3);
  });

  it('the next scheduled runs share the rolling daily limit, and it frees up after 24 hours', async () => {
    const ledger = new InMemoryLedger();
    const hourly = (hour: number, count: number) =>
      limitDeactivations(
        deactivations(count, hour * 10),
        options(ledger, { run: `schedule ${hour}`, now: new Date(NOW.getTime() + hour * 3600_000) }),
      );
    expect((await hourly(0, 3)).verdict.tripped).toBe(false);
    expect((await hourly(1, 2)).verdict.tripped).toBe(false);
    const third = await hourly(2, 1);
    expect(third.verdict).toMatchObject({ tripped: true, usedToday: 5 });
    expect(third.verdict.heldBecause).toMatch(/maxDeactivationsPerDay \(5\)/);
    expect((await hourly(24, 3)).verdict).toMatchObject({ tripped: false, usedToday: 2 });
  });

  it('a dry run reads the budget and writes nothing', async () => {
    const ledger = new InMemoryLedger();
    const { verdict } = await limitDeactivations(deactivations(2), options(ledger, { dryRun: true }));
    expect(verdict.tripped).toBe(false);
    expect(ledger.writes).toBe(0);
  });

  it('a run with nothing to deactivate writes nothing', async () => {
    const ledger = new InMemoryLedger();
    await limitDeactivations([activation], options(ledger));
    expect(ledger.writes).toBe(0);
  });

  it('holds every deactivation, not activations, when the ledger cannot be read', async () => {
    const ledger = new InMemoryLedger();
    ledger.failReads = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    const { outcomes, verdict } = await limitDeactivations([...deactivations(1), activation], options(ledger));
    expect(kinds(outcomes)).toEqual(['SKIPPED', 'ACTIVATE']);
    expect(verdict.heldBecause).toMatch(/could not be read \(in-memory ledger: AccessDeniedException: denied\)/);
    expect(ledger.writes).toBe(0);
  });

  it('holds every deactivation when the reservation cannot be written', async () => {
    const ledger = new InMemoryLedger();
    ledger.failWrites = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const { outcomes, verdict } = await limitDeactivations(deactivations(2), options(ledger));
    expect(kinds(outcomes)).toEqual(['SKIPPED', 'SKIPPED']);
    expect(verdict).toMatchObject({ tripped: true });
    expect(verdict.heldBecause).toMatch(/could not record them \(ThrottlingException: slow down\)/);
  });

  it('when another run wrote in between, holds its own and records an unknown run’s worth for the other', async () => {
    const ledger = new InMemoryLedger();
    ledger.beforeNextWrite = () => {
      ledger.entries = [{ at: NOW.toISOString(), run: 'invocation other', deactivations: 1 }];
      ledger.version += 1;
    };
    const { outcomes, verdict } = await limitDeactivations(deactivations(2), options(ledger));
    expect(kinds(outcomes)).toEqual(['SKIPPED', 'SKIPPED']);
    expect(verdict.heldBecause).toMatch(/another run wrote in-memory ledger at the same time/);
    expect(ledger.entries.map((e) => [e.run, e.deactivations])).toEqual([
      ['schedule 2026-11-29T12:00:00Z', 2],
      ['unknown concurrent run', 3],
    ]);
  });

  it('forced, applies past both limits and still records what it deactivates', async () => {
    const ledger = new InMemoryLedger();
    const { outcomes, verdict } = await limitDeactivations(deactivations(7), options(ledger, { force: true }));
    expect(kinds(outcomes).every((kind) => kind === 'DEACTIVATE')).toBe(true);
    expect(verdict).toMatchObject({ forced: true, tripped: false, remaining: { thisRun: 0, today: 0 } });
    expect(ledger.entries[0]?.deactivations).toBe(7);
  });

  it('without a ledger, enforces the per-run limit alone and reports no daily figures', async () => {
    const { verdict } = await limitDeactivations(deactivations(4), {
      ...options(new InMemoryLedger()),
      ledger: undefined,
    });
    expect(verdict).toMatchObject({ tripped: true, limit: 3, remaining: { thisRun: 3 } });
    expect(verdict.dailyLimit).toBeUndefined();
  });
});
