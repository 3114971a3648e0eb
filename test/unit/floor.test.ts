import {
  lowerBounds,
  membersRead,
  operationFloor,
  runFloor,
  securityHubFloor,
  securityHubLowerBounds,
} from '../../bench/floor';

const limits = { perSecond: 10, latency: 0.04 };

describe('benchmark lower bounds', () => {
  it('counts the least calls: pages of 20, batches of 100, messages of 10, per region where per region', () => {
    const shape = { accounts: 10_000, regions: 17, memberChangesPerRegion: 9_999, ownAccountChanges: true };
    expect(lowerBounds({ ...shape, failures: 25 })).toEqual({
      GetParameter: 2,
      ListAccounts: 500,
      ListRegions: 1,
      BatchGetAccountStatus: 1_700,
      BatchGetMemberEc2DeepInspectionStatus: 1_700,
      GetEc2DeepInspectionConfiguration: 17,
      GetConfiguration: 17,
      UpdateConfiguration: 0,
      GetDelegatedAdminAccount: 17,
      BatchUpdateMemberEc2DeepInspectionStatus: 1_700,
      UpdateEc2DeepInspectionConfiguration: 17,
      DescribeEffectivePolicy: 0,
      SendMessageBatch: 3,
    });
  });

  it('counts one DescribeEffectivePolicy an account with EC2 scanning off, or one in all when Organizations refuses', () => {
    const shape = { accounts: 100, regions: 3, memberChangesPerRegion: 0, ownAccountChanges: false, failures: 0 };
    expect(lowerBounds(shape).DescribeEffectivePolicy).toBe(0);
    expect(lowerBounds({ ...shape, accountsWithEc2ScanningOff: 7 }).DescribeEffectivePolicy).toBe(1);
    expect(
      lowerBounds({ ...shape, accountsWithEc2ScanningOff: 7, effectivePoliciesReadable: true }).DescribeEffectivePolicy,
    ).toBe(7);
  });

  it('reads the delegated administrator outside the member batches: 101 accounts need one member batch', () => {
    const bounds = lowerBounds({
      accounts: 101,
      regions: 1,
      memberChangesPerRegion: 0,
      ownAccountChanges: false,
      failures: 0,
    });
    expect(bounds.BatchGetAccountStatus).toBe(2);
    expect(bounds.BatchGetMemberEc2DeepInspectionStatus).toBe(1);
    expect(bounds.BatchUpdateMemberEc2DeepInspectionStatus).toBe(0);
    expect(bounds.UpdateEc2DeepInspectionConfiguration).toBe(0);
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

  it("adds up the phases of a run, counting one region's share since regions run in parallel", () => {
    const bounds = lowerBounds({
      accounts: 10_000,
      regions: 17,
      memberChangesPerRegion: 9_999,
      ownAccountChanges: true,
      failures: 0,
    });
    // The policy and the ledger read one after the other: two latencies; GetDelegatedAdminAccount before the reads: one.
    expect(runFloor(bounds, 17, limits)).toBeCloseTo(0.08 + 49.04 + 0.04 + 9.04 + 9.04, 6);
  });
});

describe('benchmark lower bounds with the EC2 scan configuration managed', () => {
  const steady = { accounts: 10_000, regions: 17, memberChangesPerRegion: 0, ownAccountChanges: false, failures: 0 };

  it('adds one GetConfiguration a member read to the regions’ own, one UpdateConfiguration a write, and nothing else', () => {
    const without = lowerBounds(steady);
    const scan = { memberReads: 17 * 417, memberWrites: 17 * 4, administratorWrites: 17 };
    const withScan = lowerBounds({ ...steady, scanConfiguration: scan });
    expect(withScan.GetConfiguration).toBe(17 + 17 * 417);
    expect(withScan.UpdateConfiguration).toBe(17 * 4 + 17);
    expect({ ...withScan, GetConfiguration: 17, UpdateConfiguration: 0 }).toEqual(without);
  });

  it('is the bound of today when the policy manages no scan configuration: no member read, no write', () => {
    expect(lowerBounds(steady).GetConfiguration).toBe(17);
    expect(lowerBounds(steady).UpdateConfiguration).toBe(0);
    expect(
      lowerBounds({ ...steady, scanConfiguration: { memberReads: 0, memberWrites: 0, administratorWrites: 0 } }),
    ).toEqual(lowerBounds(steady));
  });

  it('reads each managed member once: the slice, the named and the deep-inspection-changed together, never the administrator', () => {
    const managed = new Set(['111111111111', '222222222222', '333333333333', '444444444444', '999999999999']);
    const read = membersRead(
      managed,
      {
        slice: ['111111111111', '222222222222', '999999999999'],
        named: ['222222222222', '555555555555'],
        deepInspectionChanged: ['111111111111', '333333333333'],
      },
      '999999999999',
    );
    // 555555555555 is named but not managed; 999999999999 is the administrator; 444444444444 is in none.
    expect([...read].sort()).toEqual(['111111111111', '222222222222', '333333333333']);
  });

  it("paces the members' reads after the status reads and the writes after the deep inspection updates, a region's share each", () => {
    const reads = lowerBounds({
      ...steady,
      scanConfiguration: { memberReads: 17 * 417, memberWrites: 0, administratorWrites: 0 },
    });
    // Today's steady state (policy, ledger, listing, GetDelegatedAdminAccount, reads) plus 417 reads a region
    // at 10 a second after a burst of 10.
    expect(runFloor(reads, 17, limits)).toBeCloseTo(runFloor(lowerBounds(steady), 17, limits) + 40.7 + 0.04, 6);
    const writes = lowerBounds({
      ...steady,
      scanConfiguration: { memberReads: 17 * 417, memberWrites: 17 * 30, administratorWrites: 17 },
    });
    // 31 writes a region: 2.1 s after a burst of 10, plus the last answer's latency.
    expect(runFloor(writes, 17, limits)).toBeCloseTo(runFloor(reads, 17, limits) + 2.1 + 0.04, 6);
  });

  it('adds nothing to the floor when the policy manages no scan configuration', () => {
    expect(runFloor(lowerBounds(steady), 17, limits)).toBeCloseTo(0.08 + 49.04 + 0.04 + 9.04, 6);
  });
});

describe('Security Hub lower bounds', () => {
  it('counts per region a GetFindings page per 100 open (at least one), a look-up per 20 created, an import per 100 to send', () => {
    expect(
      securityHubLowerBounds([
        { open: 100, toSend: 0 },
        { open: 0, created: 100, toSend: 100 },
        { open: 101, created: 21, toSend: 201 },
      ]),
    ).toEqual({ GetFindings: 1 + (1 + 5) + (2 + 2), BatchImportFindings: 0 + 1 + 3 });
  });

  it('a steady state of 17 regions with 100 open findings each: 17 calls, no import', () => {
    const regions = Array.from({ length: 17 }, () => ({ open: 100, toSend: 0 }));
    expect(securityHubLowerBounds(regions)).toEqual({ GetFindings: 17, BatchImportFindings: 0 });
    // Regions in parallel: one page, 40 ms.
    expect(securityHubFloor(regions, limits)).toBeCloseTo(0.04, 6);
  });

  it('floors GetFindings at its own rate of 3 a second: 10 pages after a burst of 3 take 2.3 s', () => {
    expect(securityHubFloor([{ open: 1_000, toSend: 0 }], limits)).toBeCloseTo(7 / 3 + 0.04, 6);
  });
});
