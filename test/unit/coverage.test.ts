import {
  classifyInstance,
  CoverageTally,
  type CoveredInstance,
  WORST_ACCOUNTS,
} from '../../lambda/reconciler/coverage/tally';

const ON = '111111111111';
const OFF = '222222222222';
const linux = (reason: string, statusCode = 'ACTIVE', extra: Partial<CoveredInstance> = {}): CoveredInstance => ({
  accountId: ON,
  scanStatus: { statusCode, reason },
  scanMode: 'EC2_SSM_AGENT_BASED',
  platform: 'LINUX',
  ...extra,
});

describe('classifyInstance', () => {
  it.each<[string, CoveredInstance, boolean, ReturnType<typeof classifyInstance>]>([
    ['an agent-based Linux scan, ACTIVE and SUCCESSFUL', linux('SUCCESSFUL'), true, 'DEEP_INSPECTED'],
    [
      'the same with no platform or scan mode reported',
      { accountId: ON, scanStatus: { statusCode: 'ACTIVE', reason: 'SUCCESSFUL' } },
      true,
      'DEEP_INSPECTED',
    ],
    [
      'the same in an account whose deep inspection is off',
      linux('SUCCESSFUL'),
      false,
      { reason: 'DEEP_INSPECTION_NOT_ACTIVATED', fixable: false },
    ],
    [
      'a Windows instance',
      linux('SUCCESSFUL', 'ACTIVE', { platform: 'WINDOWS' }),
      true,
      { reason: 'NOT_LINUX', fixable: false },
    ],
    [
      'a macOS instance',
      linux('SUCCESSFUL', 'ACTIVE', { platform: 'MACOS' }),
      true,
      { reason: 'NOT_LINUX', fixable: false },
    ],
    [
      'an agentless scan',
      linux('SUCCESSFUL', 'ACTIVE', { scanMode: 'EC2_AGENTLESS' }),
      true,
      { reason: 'AGENTLESS_SCAN', fixable: true },
    ],
    [
      'a VM scanner scan of an EC2 instance (EC2_INSPECTOR_AGENT_BASED): not the SSM plugin’s deep inspection',
      linux('SUCCESSFUL', 'ACTIVE', { scanMode: 'EC2_INSPECTOR_AGENT_BASED' }),
      true,
      { reason: 'VM_SCANNER', fixable: false },
    ],
    [
      'a VM scanner scan (VM_INSPECTOR_AGENT_BASED) of a Windows instance',
      linux('SUCCESSFUL', 'ACTIVE', { scanMode: 'VM_INSPECTOR_AGENT_BASED', platform: 'WINDOWS' }),
      true,
      { reason: 'VM_SCANNER', fixable: false },
    ],
    [
      'a VM scanner instance Inspector does not manage: the VM scanner’s problem, not deep inspection’s',
      linux('RESOURCE_UNMANAGED', 'INACTIVE', { scanMode: 'EC2_INSPECTOR_AGENT_BASED' }),
      true,
      { reason: 'RESOURCE_UNMANAGED', fixable: false },
    ],
    [
      'a VM scanner scan of a stopped instance',
      linux('RESOURCE_STOPPED', 'INACTIVE', { scanMode: 'EC2_INSPECTOR_AGENT_BASED' }),
      true,
      { reason: 'RESOURCE_STOPPED', fixable: false },
    ],
    [
      'an instance Inspector does not manage (RESOURCE_UNMANAGED)',
      linux('RESOURCE_UNMANAGED', 'INACTIVE'),
      true,
      { reason: 'RESOURCE_UNMANAGED', fixable: true },
    ],
    [
      'an ACTIVE scan whose deep inspection failed',
      linux('DEEP_INSPECTION_NO_INVENTORY'),
      true,
      { reason: 'DEEP_INSPECTION_NO_INVENTORY', fixable: true },
    ],
    [
      'over the package limit',
      linux('DEEP_INSPECTION_PACKAGE_COLLECTION_LIMIT_EXCEEDED'),
      true,
      { reason: 'DEEP_INSPECTION_PACKAGE_COLLECTION_LIMIT_EXCEEDED', fixable: true },
    ],
    [
      'an instance SSM does not manage',
      linux('UNMANAGED_EC2_INSTANCE', 'INACTIVE'),
      true,
      { reason: 'UNMANAGED_EC2_INSTANCE', fixable: true },
    ],
    [
      'a stopped instance',
      linux('EC2_INSTANCE_STOPPED', 'INACTIVE'),
      true,
      { reason: 'EC2_INSTANCE_STOPPED', fixable: false },
    ],
    ['an unsupported OS', linux('UNSUPPORTED_OS', 'INACTIVE'), true, { reason: 'UNSUPPORTED_OS', fixable: false }],
    ['no scan status at all', { accountId: ON, platform: 'LINUX' }, true, { reason: 'NO_SCAN_STATUS', fixable: false }],
  ])('%s', (_what, instance, activated, expected) => {
    expect(classifyInstance(instance, activated)).toEqual(expected);
  });
});

describe('CoverageTally', () => {
  const managed = new Map([
    [ON, true],
    [OFF, false],
  ]);

  it('folds pages into counts per account, an empty page (sent with a next token) counting as a page and nothing else', () => {
    const tally = new CoverageTally(managed, 'eu-west-1');
    tally.add([linux('SUCCESSFUL'), linux('SUCCESSFUL'), linux('UNMANAGED_EC2_INSTANCE', 'INACTIVE')]);
    tally.add([]);
    tally.add([
      linux('EC2_INSTANCE_STOPPED', 'INACTIVE'),
      { ...linux('SUCCESSFUL'), accountId: OFF },
      { ...linux('SUCCESSFUL'), accountId: '333333333333' },
    ]);

    const summary = tally.summary();

    expect(summary).toEqual({
      region: 'eu-west-1',
      totals: {
        instances: 5,
        deepInspected: 2,
        fixable: 1,
        expected: 2,
        vmScannerNotScanning: 0,
        effectivePercent: 66.7,
      },
      notDeepInspected: { UNMANAGED_EC2_INSTANCE: 1, EC2_INSTANCE_STOPPED: 1, DEEP_INSPECTION_NOT_ACTIVATED: 1 },
      worstAccounts: [{ accountId: ON, fixable: 1, instances: 4, effectivePercent: 66.7 }],
      outside: 1,
      notEc2: 0,
      byScanner: { ssmPlugin: 5, vmScanner: 0, agentless: 0, notReported: 0 },
      pages: 3,
    });
    expect(tally.perAccount().find((a) => a.accountId === OFF)).toMatchObject({ instances: 1, deepInspected: 0 });
  });

  it('has no effective coverage where no instance could be reached, rather than 0% or 100%', () => {
    const tally = new CoverageTally(managed, 'us-east-1');
    tally.add([linux('EC2_INSTANCE_STOPPED', 'INACTIVE'), { ...linux('SUCCESSFUL'), accountId: OFF }]);
    expect(tally.summary().totals.effectivePercent).toBeUndefined();
  });

  it('counts effective coverage over ACTIVATED accounts only', () => {
    const tally = new CoverageTally(managed, 'us-east-1');
    // The deactivated account's instances are expected, not to fix: they do not lower the percentage.
    tally.add([linux('SUCCESSFUL'), { ...linux('UNMANAGED_EC2_INSTANCE', 'INACTIVE'), accountId: OFF }]);
    expect(tally.summary().totals).toMatchObject({ effectivePercent: 100, fixable: 0, expected: 1 });
  });

  it(`names at most ${WORST_ACCOUNTS} worst accounts, the most to fix first`, () => {
    const accounts = Array.from({ length: 15 }, (_, i) => String(100000000000 + i));
    const tally = new CoverageTally(new Map(accounts.map((id) => [id, true])), 'us-east-1');
    tally.add(
      accounts.flatMap((id, i) =>
        Array.from({ length: i }, () => ({ ...linux('NO_INVENTORY', 'INACTIVE'), accountId: id })),
      ),
    );
    const worst = tally.summary().worstAccounts;
    expect(worst).toHaveLength(WORST_ACCOUNTS);
    expect(worst.map((a) => a.fixable)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);
  });
});

describe('what the tally counts as an EC2 instance, and by which scanner', () => {
  const managed = new Map([[ON, true]]);

  it('never counts a non-AWS resource (an Azure virtual machine) as an EC2 instance of the account', () => {
    const tally = new CoverageTally(managed, 'eu-west-1');
    tally.add([
      linux('SUCCESSFUL'),
      { ...linux('SUCCESSFUL'), resourceType: 'Microsoft.Compute/virtualMachines', provider: 'AZURE' },
      { ...linux('SUCCESSFUL'), provider: 'AZURE' },
    ]);

    const summary = tally.summary();
    expect(summary.totals.instances).toBe(1);
    expect(summary.notEc2).toBe(2);
    expect(tally.perAccount()[0]?.instances).toBe(1);
  });

  it('groups instances by scanner: SSM plugin, VM scanner, agentless, and not reported', () => {
    const tally = new CoverageTally(managed, 'eu-west-1');
    tally.add([
      linux('SUCCESSFUL'),
      linux('SUCCESSFUL', 'ACTIVE', { scanMode: 'EC2_INSPECTOR_AGENT_BASED' }),
      linux('SUCCESSFUL', 'ACTIVE', { scanMode: 'VM_INSPECTOR_AGENT_BASED' }),
      linux('SUCCESSFUL', 'ACTIVE', { scanMode: 'EC2_AGENTLESS' }),
      { accountId: ON, scanStatus: { statusCode: 'ACTIVE', reason: 'SUCCESSFUL' } },
    ]);

    expect(tally.summary().byScanner).toEqual({ ssmPlugin: 1, vmScanner: 2, agentless: 1, notReported: 1 });
    expect(tally.perAccount()[0]?.byScanner).toEqual({ ssmPlugin: 1, vmScanner: 2, agentless: 1, notReported: 1 });
  });

  it('keeps the VM scanner out of the deep-inspection percentage whatever its state, and counts the instances it does not scan apart', () => {
    const tally = new CoverageTally(managed, 'eu-west-1');
    const vmScanned = linux('SUCCESSFUL', 'ACTIVE', { scanMode: 'EC2_INSPECTOR_AGENT_BASED' });
    tally.add([
      ...Array.from({ length: 9 }, () => vmScanned),
      linux('RESOURCE_UNMANAGED', 'INACTIVE', { scanMode: 'EC2_INSPECTOR_AGENT_BASED' }),
    ]);

    const summary = tally.summary();
    expect(summary.totals.effectivePercent).toBeUndefined();
    expect(summary.totals.fixable).toBe(0);
    expect(summary.totals.vmScannerNotScanning).toBe(1);
    expect(summary.notDeepInspected).toEqual({ VM_SCANNER: 9, RESOURCE_UNMANAGED: 1 });
  });
});
