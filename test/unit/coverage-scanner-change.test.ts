import { projectScanners, scannerChanges } from '../../lambda/reconciler/coverage/scanner-change';
import type { AccountCoverage, ScannerCounts } from '../../lambda/reconciler/coverage/tally';
import type { ScanDecision } from '../../lambda/reconciler/scan-configuration/scope';
import type { ScanConfigurationRead } from '../../lambda/reconciler/aws/inspector';

const region = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';

const counts = (c: Partial<ScannerCounts> = {}): ScannerCounts => ({
  ssmPlugin: 0,
  vmScanner: 0,
  agentless: 0,
  notReported: 0,
  ...c,
});
const account = (
  accountId: string,
  byScanner: ScannerCounts,
  unmanaged: Partial<ScannerCounts> = {},
): AccountCoverage => ({
  region,
  accountId,
  activated: true,
  instances: Object.values(byScanner).reduce((sum, n) => sum + n, 0),
  deepInspected: 0,
  notDeepInspected: {},
  fixable: 0,
  byScanner,
  unmanagedByScanner: counts(unmanaged),
  vmScannerNotScanning: 0,
});
const fleet = counts({ ssmPlugin: 10, vmScanner: 2, agentless: 3, notReported: 1 });

describe('projectScanners: instances by scanner as a planned change would leave them', () => {
  it.each<
    [string, { setting: 'vmScanner' | 'scanMode'; to: string }[], Partial<ScannerCounts> & { unscanned?: number }]
  >([
    [
      'the VM scanner ACTIVATED takes over the SSM plugin’s instances',
      [{ setting: 'vmScanner', to: 'ACTIVATED' }],
      { ssmPlugin: 0, vmScanner: 12 },
    ],
    [
      'the VM scanner DEACTIVATED gives its instances back to the plugin',
      [{ setting: 'vmScanner', to: 'DEACTIVATED' }],
      { ssmPlugin: 12, vmScanner: 0 },
    ],
    [
      'EC2_SSM_AGENT_BASED stops agentless scanning',
      [{ setting: 'scanMode', to: 'EC2_SSM_AGENT_BASED' }],
      { agentless: 0, unscanned: 3 },
    ],
    [
      'EC2_HYBRID scans agentless the instances SSM does not manage',
      [{ setting: 'scanMode', to: 'EC2_HYBRID' }],
      { ssmPlugin: 8, notReported: 0, agentless: 6 },
    ],
    [
      'both: EC2_HYBRID and the VM scanner ACTIVATED',
      [
        { setting: 'scanMode', to: 'EC2_HYBRID' },
        { setting: 'vmScanner', to: 'ACTIVATED' },
      ],
      { ssmPlugin: 0, vmScanner: 10, notReported: 0, agentless: 6 },
    ],
  ])('%s', (_name, changes, expected) => {
    const after = projectScanners(account(A, fleet, { ssmPlugin: 2, notReported: 1 }), changes as never);
    expect(after).toEqual({ ...fleet, unscanned: 0, ...expected });
    // The same instances, one scanner or none each.
    expect(Object.values(after).reduce((sum, n) => sum + n, 0)).toBe(16);
  });
});

describe('scannerChanges: the accounts whose planned change moves instances', () => {
  const target = (
    vmScanner: 'ACTIVATED' | 'DEACTIVATED',
    enforcement: 'enforce' | 'report' = 'enforce',
  ): ScanDecision => ({
    target: { vmScanner: { value: vmScanner, rule: 'vm ou', enforcement } },
  });
  const read = (activated: boolean, status = 'SUCCESS'): ScanConfigurationRead => ({
    scanMode: 'EC2_HYBRID',
    scanModeStatus: 'SUCCESS',
    vmScanner: { activated, status },
  });

  it('lists an account whose enforced change moves instances, with both counts, and sums them', () => {
    const result = scannerChanges(
      region,
      [account(A, fleet), account(B, fleet), account(C, fleet), account(D, counts())],
      new Map([
        [A, target('ACTIVATED')],
        // Already as the policy wants: nothing moves.
        [B, target('ACTIVATED')],
        // A report-only rule plans nothing for apply.
        [C, target('ACTIVATED', 'report')],
        // No instances: not read, nothing to move.
        [D, target('ACTIVATED')],
      ]),
      new Map([
        [A, read(false)],
        [B, read(true)],
        [C, read(false)],
      ]),
      3,
    );
    expect(result.accounts).toEqual([
      {
        accountId: A,
        region,
        changes: [{ setting: 'vmScanner', from: 'DEACTIVATED', to: 'ACTIVATED', rule: 'vm ou' }],
        before: fleet,
        after: { ...fleet, ssmPlugin: 0, vmScanner: 12, unscanned: 0 },
      },
    ]);
    expect(result.before).toEqual(fleet);
    expect(result.after).toEqual({ ...fleet, ssmPlugin: 0, vmScanner: 12, unscanned: 0 });
    expect(result.reads).toBe(3);
    expect(result.unread).toEqual([]);
  });

  it('does not project an account whose configuration could not be read or is PENDING, and says so', () => {
    const result = scannerChanges(
      region,
      [account(A, fleet), account(B, fleet), account(C, fleet)],
      new Map([
        [A, target('ACTIVATED')],
        [B, target('ACTIVATED')],
        [C, target('ACTIVATED')],
      ]),
      new Map<string, ScanConfigurationRead>([
        [A, { error: 'ThrottlingException: slow down' }],
        [B, read(false, 'PENDING')],
      ]),
      2,
    );
    expect(result.accounts).toEqual([]);
    expect(result.unread).toEqual([
      { accountId: A, why: 'ThrottlingException: slow down' },
      { accountId: B, why: 'a change is PENDING' },
      { accountId: C, why: 'not read' },
    ]);
  });
});
