import { DeadlineReached } from '../../lambda/reconciler/deadline/budget';
import { CALL_TIMEOUTS, Deadline, marginsFor } from '../../lambda/reconciler/deadline/deadline';

describe('the deadline margins', () => {
  it('are derived from the call timeouts: one attempt before the abort, two queue attempts after it, then the summary', () => {
    expect(marginsFor({ connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 })).toEqual({
      stopStartingMs: 41_000,
      abortCallsMs: 28_000,
      abortQueueMs: 2_000,
    });
  });

  it('grow with the timeouts, so a slower client never outlives the run', () => {
    const fast = marginsFor({ connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const slow = marginsFor({ connectionTimeoutMs: 5_000, requestTimeoutMs: 30_000 });
    expect(slow.stopStartingMs - fast.stopStartingMs).toBe(3 * (35_000 - 3_000));
    expect(slow.abortCallsMs).toBeGreaterThan(fast.abortCallsMs);
  });

  it('leave room within the shortest timeout the stack allows (1 minute) for a real run', () => {
    expect(marginsFor(CALL_TIMEOUTS).stopStartingMs).toBeLessThan(60_000);
  });
});

describe('Deadline', () => {
  it('aborts calls in flight, then the queue, as the remaining time passes each margin', () => {
    // On Jest's fake clock (Date and the timers alike): the margins are 100 ms apart, which a loaded machine's
    // real clock could skip over.
    jest.useFakeTimers();
    try {
      const end = Date.now() + 300;
      const deadline = new Deadline(() => end - Date.now(), {
        stopStartingMs: 250,
        abortCallsMs: 200,
        abortQueueMs: 100,
      });
      expect(deadline.canContinue()).toBe(true);
      expect(deadline.signal.aborted).toBe(false);

      jest.advanceTimersByTime(120);
      expect(deadline.canContinue()).toBe(false);
      expect(deadline.signal.aborted).toBe(true);
      expect(deadline.signal.reason).toBeInstanceOf(DeadlineReached);
      expect(deadline.queueSignal.aborted).toBe(false);

      jest.advanceTimersByTime(120);
      expect(deadline.queueSignal.aborted).toBe(true);
      deadline.dispose();
    } finally {
      jest.useRealTimers();
    }
  });

  it('without a remaining time, never stops and never aborts', () => {
    const deadline = new Deadline(undefined, marginsFor(CALL_TIMEOUTS));
    expect(deadline.canContinue()).toBe(true);
    expect(deadline.signal.aborted).toBe(false);
    deadline.dispose();
  });
});
