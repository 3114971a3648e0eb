import { chunk, mapWithConcurrency } from '../../lambda/reconciler/batches';

describe('chunk', () => {
  it('splits 250 items into 100, 100 and 50', () => {
    expect(
      chunk(
        Array.from({ length: 250 }, (_, i) => i),
        100,
      ).map((part) => part.length),
    ).toEqual([100, 100, 50]);
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => chunk([1], 0)).toThrow('chunk size must be a positive integer, got 0');
  });
});

describe('mapWithConcurrency', () => {
  it('keeps input order with at most `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const result = await mapWithConcurrency([30, 10, 20, 5], 2, async (ms, index) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return index;
    });

    expect(result).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
  });

  it('starts no new call once one fails, and rejects only when the calls in flight are done', async () => {
    const started: number[] = [];
    let slowFinished = false;
    const run = mapWithConcurrency([0, 1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      if (item === 0) throw new Error('first batch refused');
      await new Promise((resolve) => setTimeout(resolve, 20));
      slowFinished = true;
      return item;
    });

    await expect(run).rejects.toThrow('first batch refused');
    expect(started).toEqual([0, 1]);
    expect(slowFinished).toBe(true);
  });
});
