/**
 * Effective coverage: of the EC2 instances Inspector sees in the accounts the policy manages, how
 * many are really deep-inspected, and why the others are not. Pure: pages of ListCoverage are folded
 * into counts per account as they arrive, so memory grows with accounts and reasons, never with
 * instances.
 *
 * The rule (from the inspector2 model's ScanStatus, ScanMode and CoveredResource, botocore 1.43.67, and
 * the Inspector user guide): deep inspection runs through the Inspector SSM plugin, on Linux, in an
 * account whose deep inspection is ACTIVATED ("Amazon Inspector deep inspection for Linux-based Amazon EC2
 * instances"). Each `scanMode` is read so:
 * - EC2_SSM_AGENT_BASED (or none reported): the SSM plugin. Deep-inspected when the package scan is ACTIVE
 *   with reason SUCCESSFUL, on a platform that is not Windows or macOS, in an ACTIVATED account. ACTIVE
 *   with a `DEEP_INSPECTION_*` reason still scans the operating system's packages, but deep inspection
 *   failed there: not deep-inspected.
 * - EC2_AGENTLESS: agentless scanning from EBS snapshots ("Scanning Amazon EC2 instances"): no plugin, so
 *   never deep-inspected (AGENTLESS_SCAN, fixable: make SSM manage the instance).
 * - EC2_INSPECTOR_AGENT_BASED, VM_INSPECTOR_AGENT_BASED: the Inspector VM scanner (Enhanced EC2 Scanning;
 *   installed by Inspector through SSM, or by hand as agent-based scanning without SSM: "Manual installation
 *   and configuration"). The deep-inspection page notes "This page applies to customers that have not opted
 *   in to Enhanced EC2 Scanning"; no page says whether the deep-inspection setting or its custom paths reach
 *   the VM scanner, whose scan locations are set on the instance. Counted apart (VM_SCANNER, expected): not the deep inspection this project
 *   reconciles, and nothing to fix. That the two `*_INSPECTOR_AGENT_BASED` values name the VM scanner is read
 *   from their names and the VM scanner pages; the API reference does not define them.
 * A resource that is not an AWS EC2 instance (resourceType other than AWS_EC2_INSTANCE, or a `provider`
 * other than AWS: ListCoverage covers Azure virtual machines too) is never counted as one.
 */

/** What ListCoverage says of one instance: the fields the rule reads. */
export interface CoveredInstance {
  /** ListCoverage's resourceType: AWS_EC2_INSTANCE, or another (Microsoft.Compute/virtualMachines, …). */
  readonly resourceType?: string;
  /** AWS or AZURE: the cloud the resource is in. */
  readonly provider?: string;
  readonly accountId?: string;
  readonly scanStatus?: { readonly statusCode?: string; readonly reason?: string };
  readonly scanMode?: string;
  readonly platform?: string;
}

/** An instance that is not deep-inspected, and why. */
export interface NotDeepInspected {
  readonly reason: string;
  /** Something the operator can fix (SSM management, inventory, the plugin's limits), not an expected state. */
  readonly fixable: boolean;
}

/** Reasons the account's operator can act on, with the usual fix (the README's table). */
export const FIXABLE_REASONS: Readonly<Record<string, string>> = {
  UNMANAGED_EC2_INSTANCE:
    'make SSM manage the instance: SSM agent running, an instance profile or Default Host Management',
  NO_INVENTORY: 'SSM inventory never arrived: check the Inspector SSM associations run on the instance',
  STALE_INVENTORY: 'SSM inventory is old: check the SSM agent and the Inspector associations',
  ACCESS_DENIED: 'a resource policy keeps Inspector out: update it',
  AGENTLESS_SCAN:
    'scanned agentless (from EBS snapshots), so not deep-inspected: make SSM manage it for agent-based scanning',
  DEEP_INSPECTION_NO_INVENTORY:
    'the Inspector plugin has not collected packages yet; after 6 hours, check the InvokeInspectorLinuxSsmPlugin association and that the instance profile allows ssm:PutInventory and ssm:GetParameter',
  DEEP_INSPECTION_PACKAGE_COLLECTION_LIMIT_EXCEEDED:
    'over 5,000 packages: narrow the organization’s custom package paths (orgPackagePaths)',
  DEEP_INSPECTION_DAILY_SSM_INVENTORY_LIMIT_EXCEEDED:
    'SSM’s daily inventory quota for the instance is used up: reduce other inventory collection on it',
  DEEP_INSPECTION_COLLECTION_TIME_LIMIT_EXCEEDED:
    'package collection took over 15 minutes: narrow the custom package paths',
  RESOURCE_UNMANAGED:
    'Inspector does not manage the instance: make SSM manage it (SSM agent running, an instance profile or Default Host Management) for the SSM plugin, or for a VM scanner Inspector installs; a VM scanner installed by hand needs no SSM, only its agent running',
};

/** Which scanner collected an instance's packages, by ListCoverage's `scanMode` (see the rule above). */
export type Scanner = 'ssmPlugin' | 'vmScanner' | 'agentless' | 'notReported';
export const SCANNER_OF_SCAN_MODE: Readonly<Record<string, Scanner>> = {
  EC2_SSM_AGENT_BASED: 'ssmPlugin',
  EC2_AGENTLESS: 'agentless',
  EC2_INSPECTOR_AGENT_BASED: 'vmScanner',
  VM_INSPECTOR_AGENT_BASED: 'vmScanner',
};
export type ScannerCounts = Record<Scanner, number>;
const noScanners = (): ScannerCounts => ({ ssmPlugin: 0, vmScanner: 0, agentless: 0, notReported: 0 });

export function scannerOf(instance: CoveredInstance): Scanner {
  return (instance.scanMode === undefined ? undefined : SCANNER_OF_SCAN_MODE[instance.scanMode]) ?? 'notReported';
}

/** Whether ListCoverage's resource is an AWS EC2 instance (absent fields: the EC2 filter's answer, as before). */
export function isEc2Instance(instance: CoveredInstance): boolean {
  return (
    (instance.resourceType === undefined || instance.resourceType === 'AWS_EC2_INSTANCE') &&
    (instance.provider === undefined || instance.provider === 'AWS')
  );
}

/** Not deep-inspected by design or by state; nothing to fix here. */
export const NOT_LINUX = 'NOT_LINUX';
export const DEEP_INSPECTION_NOT_ACTIVATED = 'DEEP_INSPECTION_NOT_ACTIVATED';
export const NO_SCAN_STATUS = 'NO_SCAN_STATUS';
/** Scanned by the Inspector VM scanner: not deep inspection, whose page applies to accounts not opted in to it. */
export const VM_SCANNER = 'VM_SCANNER';

/** Deep-inspected, or not and why. Pure. */
export function classifyInstance(
  instance: CoveredInstance,
  accountActivated: boolean,
): NotDeepInspected | 'DEEP_INSPECTED' {
  if (scannerOf(instance) === 'vmScanner') {
    const { statusCode, reason } = instance.scanStatus ?? {};
    if (statusCode === undefined || reason === undefined) return { reason: NO_SCAN_STATUS, fixable: false };
    if (statusCode === 'ACTIVE' && reason === 'SUCCESSFUL') return { reason: VM_SCANNER, fixable: false };
    // Whatever its state, a VM scanner instance is outside the deep-inspection percentage: counting its
    // failures against it and its successes nowhere would make a healthy VM scanner fleet read 0%.
    // Where it does not scan, `vmScannerNotScanning` says so.
    return { reason, fixable: false };
  }
  if (instance.platform === 'WINDOWS' || instance.platform === 'MACOS') return { reason: NOT_LINUX, fixable: false };
  if (!accountActivated) return { reason: DEEP_INSPECTION_NOT_ACTIVATED, fixable: false };
  const reason = instance.scanStatus?.reason;
  if (instance.scanStatus?.statusCode === undefined || reason === undefined) {
    return { reason: NO_SCAN_STATUS, fixable: false };
  }
  if (instance.scanStatus.statusCode === 'ACTIVE' && reason === 'SUCCESSFUL') {
    return instance.scanMode === 'EC2_AGENTLESS' ? { reason: 'AGENTLESS_SCAN', fixable: true } : 'DEEP_INSPECTED';
  }
  return { reason, fixable: reason in FIXABLE_REASONS };
}

export interface AccountCoverage {
  readonly region: string;
  readonly accountId: string;
  /** Whether the account's deep inspection read ACTIVATED in the region. */
  readonly activated: boolean;
  instances: number;
  deepInspected: number;
  /** Not deep-inspected, by reason. */
  readonly notDeepInspected: Record<string, number>;
  fixable: number;
  /** Instances by the scanner that collected their packages. */
  readonly byScanner: ScannerCounts;
  /** Of those, the instances not managed by SSM (reason UNMANAGED_EC2_INSTANCE): hybrid scanning's agentless part would scan them. */
  readonly unmanagedByScanner: ScannerCounts;
  /** VM scanner instances it does not scan (any state but ACTIVE and SUCCESSFUL). */
  vmScannerNotScanning: number;
}

export interface CoverageTotals {
  readonly instances: number;
  readonly deepInspected: number;
  /** Not deep-inspected for a reason the operator can fix. */
  readonly fixable: number;
  /** Not deep-inspected as expected: stopped, not Linux, unsupported, deactivated by the policy… */
  readonly expected: number;
  /** VM scanner instances the VM scanner does not scan: outside the percentage, counted here. */
  readonly vmScannerNotScanning: number;
  /**
   * deepInspected / (deepInspected + fixable) over the ACTIVATED accounts, in percent: of the instances
   * deep inspection could reach, how many it does. Absent when there are none.
   */
  readonly effectivePercent?: number;
}

export interface RegionCoverage {
  readonly region: string;
  readonly totals: CoverageTotals;
  readonly notDeepInspected: Readonly<Record<string, number>>;
  /** The accounts with the most instances to fix, most first. */
  readonly worstAccounts: readonly {
    readonly accountId: string;
    readonly fixable: number;
    readonly instances: number;
    readonly effectivePercent?: number;
  }[];
  /** Instances of accounts the policy does not manage (or the run was not asked about): not counted. */
  readonly outside: number;
  /** Resources ListCoverage gave that are not AWS EC2 instances (an Azure virtual machine): never counted. */
  readonly notEc2: number;
  /** The counted instances by the scanner that collected their packages. */
  readonly byScanner: ScannerCounts;
  readonly pages: number;
  /** Why the region's coverage could not be read. */
  readonly error?: string;
  /** With `error`: whether a retry can heal it (errors/classification.ts). */
  readonly errorVerdict?: 'TRANSIENT' | 'PERMANENT' | 'UNKNOWN';
  /** The account has not enabled the region, or it is being enabled or disabled (RegionOptStatus). */
  readonly notEnabled?: true;
  /** This account is not Inspector's delegated administrator in the region (delegated-administrator.ts). */
  readonly notDelegatedAdministrator?: true;
}

/** How many accounts the summary names as the worst of a region. */
export const WORST_ACCOUNTS = 10;

function percent(deepInspected: number, fixable: number): number | undefined {
  const reachable = deepInspected + fixable;
  return reachable === 0 ? undefined : Math.round((1000 * deepInspected) / reachable) / 10;
}

/** Folds ListCoverage pages for one region into counts per account, page by page. */
export class CoverageTally {
  private readonly accounts = new Map<string, AccountCoverage>();
  private outside = 0;
  private notEc2 = 0;
  private pages = 0;

  /** @param managed the accounts to count, each with whether its deep inspection is ACTIVATED */
  constructor(
    managed: ReadonlyMap<string, boolean>,
    private readonly region: string,
  ) {
    for (const [accountId, activated] of managed) {
      this.accounts.set(accountId, {
        region,
        accountId,
        activated,
        instances: 0,
        deepInspected: 0,
        notDeepInspected: {},
        fixable: 0,
        byScanner: noScanners(),
        unmanagedByScanner: noScanners(),
        vmScannerNotScanning: 0,
      });
    }
  }

  /** One page; an empty page (ListCoverage may answer one with a nextToken) counts as a page and nothing else. */
  add(page: readonly CoveredInstance[]): void {
    this.pages += 1;
    for (const instance of page) {
      if (!isEc2Instance(instance)) {
        this.notEc2 += 1;
        continue;
      }
      const account = instance.accountId === undefined ? undefined : this.accounts.get(instance.accountId);
      if (!account) {
        this.outside += 1;
        continue;
      }
      account.instances += 1;
      account.byScanner[scannerOf(instance)] += 1;
      if (instance.scanStatus?.reason === 'UNMANAGED_EC2_INSTANCE') account.unmanagedByScanner[scannerOf(instance)] += 1;
      const verdict = classifyInstance(instance, account.activated);
      if (verdict === 'DEEP_INSPECTED') {
        account.deepInspected += 1;
      } else {
        account.notDeepInspected[verdict.reason] = (account.notDeepInspected[verdict.reason] ?? 0) + 1;
        if (verdict.fixable) account.fixable += 1;
        if (scannerOf(instance) === 'vmScanner' && verdict.reason !== VM_SCANNER) account.vmScannerNotScanning += 1;
      }
    }
  }

  /** Every managed account's counts, for the CLI's per-account table and CSV. */
  perAccount(): AccountCoverage[] {
    return [...this.accounts.values()];
  }

  summary(): RegionCoverage {
    const accounts = this.perAccount();
    const notDeepInspected: Record<string, number> = {};
    let instances = 0;
    let deepInspected = 0;
    let fixable = 0;
    let activatedDeep = 0;
    let activatedFixable = 0;
    let vmScannerNotScanning = 0;
    const byScanner = noScanners();
    for (const account of accounts) {
      for (const scanner of Object.keys(byScanner) as Scanner[]) byScanner[scanner] += account.byScanner[scanner];
      instances += account.instances;
      deepInspected += account.deepInspected;
      fixable += account.fixable;
      vmScannerNotScanning += account.vmScannerNotScanning;
      if (account.activated) {
        activatedDeep += account.deepInspected;
        activatedFixable += account.fixable;
      }
      for (const [reason, count] of Object.entries(account.notDeepInspected)) {
        notDeepInspected[reason] = (notDeepInspected[reason] ?? 0) + count;
      }
    }
    const effectivePercent = percent(activatedDeep, activatedFixable);
    const worstAccounts = accounts
      .filter((account) => account.fixable > 0)
      .sort((a, b) => b.fixable - a.fixable || a.accountId.localeCompare(b.accountId))
      .slice(0, WORST_ACCOUNTS)
      .map((account) => {
        const accountPercent = percent(account.deepInspected, account.fixable);
        return {
          accountId: account.accountId,
          fixable: account.fixable,
          instances: account.instances,
          ...(accountPercent === undefined ? {} : { effectivePercent: accountPercent }),
        };
      });
    return {
      region: this.region,
      totals: {
        instances,
        deepInspected,
        fixable,
        expected: instances - deepInspected - fixable,
        vmScannerNotScanning,
        ...(effectivePercent === undefined ? {} : { effectivePercent }),
      },
      notDeepInspected,
      worstAccounts,
      outside: this.outside,
      notEc2: this.notEc2,
      byScanner,
      pages: this.pages,
    };
  }
}
