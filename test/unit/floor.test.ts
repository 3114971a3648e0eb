import { lowerBounds, operationFloor, runFloor } from '../../bench/floor';

const limits = { perSecond: 10, latency: 0.04 };

describe('benchmark lower bounds', () => {
  it('counts the least calls: pages of 20, batches of 100, messages of 10', () => {
    expect(lowerBounds(10_000, 9_999, 25)).toEqual({
      ListAccounts: 500,
      BatchGetAccountStatus: 100,
      BatchGetMemberEc2DeepInspectionStatus: 100,
      BatchUpdateMemberEc2DeepInspectionStatus: 100,
      SendMessageBatch: 3,
    });
  });

  it('floors a paginated operation by the rate or by one latency per page, whichever is longer', () => {
    // 500 pages at 10 a second after a burst of 10: 49 s, plus the last answer's 40 ms.
    expect(operationFloor(500, limits, { paginated: true })).toBeCloseTo(49.04, 6);
    // 20 pages with no rate to speak of: one latency per page.
    expect(operationFloor(20, { perSecond: 1000, latency: 0.04 }, { paginated: true })).toBeCloseTo(0.8, 6);
  });

  it('floors independent batches by the rate alone, and an operation with no calls at zero', () => {
    expect(operationFloor(100, limits, { paginated: false })).toBeCloseTo(9.04, 6);
    expect(operationFloor(5, limits, { paginated: false })).toBeCloseTo(0.04, 6);
    expect(operationFloor(0, limits, { paginated: false })).toBe(0);
  });

  it('adds up the phases of a run', () => {
    const floor = runFloor({ ListAccounts: 500, reads: 100, updates: 100, SendMessageBatch: 0 }, limits);
    expect(floor).toBeCloseTo(0.04 + 49.04 + 9.04 + 9.04, 6);
  });
});
