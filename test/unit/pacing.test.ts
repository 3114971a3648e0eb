import { TokenBucket } from '../../lambda/reconciler/aws/pacing';

/** A clock that only moves when the bucket sleeps. */
function fakeTime() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms), elapsed: () => now };
}

describe('TokenBucket', () => {
  it("lets a second's burst through at once, then one request every 1/rate seconds", async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(10, time.now, time.sleep);
    const at: number[] = [];
    for (let i = 0; i < 30; i++) {
      await bucket.take();
      at.push(time.elapsed());
    }
    expect(at.slice(0, 10)).toEqual(Array(10).fill(0));
    // 20 more at 10 a second: the last one at 2 s.
    expect(at[29]).toBeCloseTo(2000, 5);
    for (let i = 11; i < 30; i++) expect((at[i] ?? 0) - (at[i - 1] ?? 0)).toBeCloseTo(100, 5);
  });

  it('serves concurrent callers in order, never faster than the rate', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(5, time.now, time.sleep);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 15 }, (_, i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(time.elapsed()).toBeCloseTo(2000, 5);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow('a request rate must be positive, got 0');
  });
});
