/**
 * EC2 instances as Inspector's coverage reports them, generated from the organization without being
 * stored (300,000 instances cost nothing to hold), each from a profile that also says what it
 * means: the ground truth the tests check the reconciler's counts against, written here
 * independently of its classifier.
 */
export interface InstanceProfile {
  readonly platform: 'LINUX' | 'WINDOWS' | 'MACOS' | 'UNKNOWN';
  readonly statusCode: 'ACTIVE' | 'INACTIVE';
  readonly reason: string;
  readonly scanMode: 'EC2_SSM_AGENT_BASED' | 'EC2_AGENTLESS' | 'EC2_INSPECTOR_AGENT_BASED';
  /** Share of instances, in thousandths. */
  readonly weight: number;
  /**
   * What a correct report says of it in an account whose deep inspection is ACTIVATED; for the VM scanner's
   * (EC2_INSPECTOR_AGENT_BASED), in any account: they are counted apart from deep inspection whatever its setting.
   */
  readonly truth: { readonly deepInspected: true } | { readonly reason: string; readonly fixable: boolean };
  /**
   * For an instance whose scanner the account has not configured (agentless scanning without EC2_HYBRID, the
   * VM scanner not activated): the `reason` of the SSM plugin's profile it has instead.
   */
  readonly withoutItsScanner?: string;
}

const linux = { platform: 'LINUX', scanMode: 'EC2_SSM_AGENT_BASED' } as const;
/** Scanned by the Inspector VM scanner (Enhanced EC2 Scanning): counted apart, never deep inspection. */
const vmScanner = { platform: 'LINUX', scanMode: 'EC2_INSPECTOR_AGENT_BASED' } as const;

/** A fleet's usual mix: mostly healthy, a tail of the usual problems. Weights add up to 1,000. */
export const INSTANCE_PROFILES: readonly InstanceProfile[] = [
  { ...linux, statusCode: 'ACTIVE', reason: 'SUCCESSFUL', weight: 600, truth: { deepInspected: true } },
  {
    ...vmScanner,
    statusCode: 'ACTIVE',
    reason: 'SUCCESSFUL',
    weight: 30,
    truth: { reason: 'VM_SCANNER', fixable: false },
    // Without the VM scanner, the SSM plugin scans it.
    withoutItsScanner: 'SUCCESSFUL',
  },
  {
    ...vmScanner,
    statusCode: 'INACTIVE',
    reason: 'RESOURCE_STOPPED',
    weight: 5,
    truth: { reason: 'RESOURCE_STOPPED', fixable: false },
    withoutItsScanner: 'EC2_INSTANCE_STOPPED',
  },
  {
    ...linux,
    statusCode: 'INACTIVE',
    reason: 'RESOURCE_UNMANAGED',
    weight: 5,
    truth: { reason: 'RESOURCE_UNMANAGED', fixable: true },
  },
  {
    platform: 'WINDOWS',
    scanMode: 'EC2_SSM_AGENT_BASED',
    statusCode: 'ACTIVE',
    reason: 'SUCCESSFUL',
    weight: 90,
    truth: { reason: 'NOT_LINUX', fixable: false },
  },
  {
    platform: 'LINUX',
    scanMode: 'EC2_AGENTLESS',
    statusCode: 'ACTIVE',
    reason: 'SUCCESSFUL',
    weight: 40,
    truth: { reason: 'AGENTLESS_SCAN', fixable: true },
    // SSM does not manage it: without hybrid scanning, nothing scans it.
    withoutItsScanner: 'UNMANAGED_EC2_INSTANCE',
  },
  {
    ...linux,
    statusCode: 'INACTIVE',
    reason: 'UNMANAGED_EC2_INSTANCE',
    weight: 60,
    truth: { reason: 'UNMANAGED_EC2_INSTANCE', fixable: true },
  },
  {
    ...linux,
    statusCode: 'INACTIVE',
    reason: 'EC2_INSTANCE_STOPPED',
    weight: 50,
    truth: { reason: 'EC2_INSTANCE_STOPPED', fixable: false },
  },
  {
    ...linux,
    statusCode: 'ACTIVE',
    reason: 'DEEP_INSPECTION_NO_INVENTORY',
    weight: 35,
    truth: { reason: 'DEEP_INSPECTION_NO_INVENTORY', fixable: true },
  },
  {
    ...linux,
    statusCode: 'INACTIVE',
    reason: 'STALE_INVENTORY',
    weight: 25,
    truth: { reason: 'STALE_INVENTORY', fixable: true },
  },
  {
    ...linux,
    statusCode: 'ACTIVE',
    reason: 'DEEP_INSPECTION_PACKAGE_COLLECTION_LIMIT_EXCEEDED',
    weight: 15,
    truth: { reason: 'DEEP_INSPECTION_PACKAGE_COLLECTION_LIMIT_EXCEEDED', fixable: true },
  },
  {
    ...linux,
    statusCode: 'ACTIVE',
    reason: 'DEEP_INSPECTION_DAILY_SSM_INVENTORY_LIMIT_EXCEEDED',
    weight: 10,
    truth: { reason: 'DEEP_INSPECTION_DAILY_SSM_INVENTORY_LIMIT_EXCEEDED', fixable: true },
  },
  {
    ...linux,
    statusCode: 'ACTIVE',
    reason: 'DEEP_INSPECTION_COLLECTION_TIME_LIMIT_EXCEEDED',
    weight: 5,
    truth: { reason: 'DEEP_INSPECTION_COLLECTION_TIME_LIMIT_EXCEEDED', fixable: true },
  },
  {
    ...linux,
    statusCode: 'INACTIVE',
    reason: 'UNSUPPORTED_OS',
    weight: 15,
    truth: { reason: 'UNSUPPORTED_OS', fixable: false },
  },
  {
    ...linux,
    statusCode: 'INACTIVE',
    reason: 'NO_INVENTORY',
    weight: 10,
    truth: { reason: 'NO_INVENTORY', fixable: true },
  },
  {
    ...linux,
    statusCode: 'INACTIVE',
    reason: 'PENDING_INITIAL_SCAN',
    weight: 5,
    truth: { reason: 'PENDING_INITIAL_SCAN', fixable: false },
  },
];

export interface SimulatedInstance {
  readonly instanceId: string;
  readonly accountId: string;
  readonly profile: InstanceProfile;
}

/** A well-mixed 32-bit hash: the same account, region and index always make the same instance. */
function hash(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ part, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The SSM plugin's Linux profiles by reason: what an instance is where its own scanner is not configured. */
const PLUGIN_PROFILE = new Map(
  INSTANCE_PROFILES.filter((p) => p.scanMode === 'EC2_SSM_AGENT_BASED' && p.platform === 'LINUX').map((p) => [
    p.reason,
    p,
  ]),
);

/**
 * The profile as the account's EC2 scan configuration allows it: agentless instances only under hybrid
 * scanning (EC2_HYBRID, "agent-based plus agentless", Scanning Amazon EC2 instances), the VM scanner's only
 * where it is activated (vmScannerState.activated). A VM scanner installed by hand without Enhanced EC2
 * Scanning is not simulated.
 */
function configured(
  profile: InstanceProfile,
  scan: { scanMode: string; vmScannerActivated: boolean },
): InstanceProfile {
  const allowed =
    profile.scanMode === 'EC2_AGENTLESS'
      ? scan.scanMode === 'EC2_HYBRID'
      : profile.scanMode === 'EC2_INSPECTOR_AGENT_BASED'
        ? scan.vmScannerActivated
        : true;
  if (allowed || profile.withoutItsScanner === undefined) return profile;
  const instead = PLUGIN_PROFILE.get(profile.withoutItsScanner);
  if (instead === undefined) throw new Error(`no SSM plugin profile with reason ${profile.withoutItsScanner}`);
  return instead;
}

function profileFor(draw: number): InstanceProfile {
  let left = draw % 1000;
  for (const profile of INSTANCE_PROFILES) {
    if (left < profile.weight) return profile;
    left -= profile.weight;
  }
  return INSTANCE_PROFILES[0] as InstanceProfile;
}

/**
 * What the coverage reads of the simulated organization (SimulatedOrganization has it): declared here so
 * that the organization, which owns its coverage, and the coverage import each other in one direction only.
 */
export interface CoveredOrganization {
  readonly accounts: readonly { readonly id: string; readonly state: string }[];
  inspectorAccount(
    region: string,
    id: string,
  ): { readonly member: boolean; readonly ec2ScanStatus?: string } | undefined;
  /** The account's EC2 scan configuration: which scanners its instances are scanned by. */
  ec2ConfigurationOf(
    region: string,
    id: string,
  ): { readonly scanMode: 'EC2_SSM_AGENT_BASED' | 'EC2_HYBRID'; readonly vmScannerActivated: boolean };
}

/**
 * The instances of every account that can have coverage (ACTIVE, an Inspector member with EC2
 * scanning ENABLED), `perAccount` on average in each region (0 to twice that, so totals vary), each
 * scanned as the account's EC2 scan configuration says at the time it is listed.
 */
export class SimulatedCoverage {
  constructor(
    private readonly organization: CoveredOrganization,
    readonly perAccount: number,
    private readonly seed = 1,
  ) {}

  instanceCount(region: string, accountIndex: number): number {
    const account = this.organization.accounts[accountIndex];
    if (!account || account.state !== 'ACTIVE') return 0;
    const state = this.organization.inspectorAccount(region, account.id);
    if (!state?.member || state.ec2ScanStatus !== 'ENABLED') return 0;
    // Uniform over 0 … 2 × perAccount: the mean is perAccount, fractions included.
    return Math.floor((hash(this.seed, regionNumber(region), accountIndex) / 2 ** 32) * (2 * this.perAccount + 1));
  }

  instance(region: string, accountIndex: number, index: number): SimulatedInstance {
    const account = this.organization.accounts[accountIndex];
    const draw = hash(this.seed, regionNumber(region), accountIndex, index, 7);
    const id = `${accountIndex.toString(16).padStart(8, '0')}${index.toString(16).padStart(9, '0')}`;
    const scan = this.organization.ec2ConfigurationOf(region, account?.id ?? '');
    return { instanceId: `i-${id}`, accountId: account?.id ?? '', profile: configured(profileFor(draw), scan) };
  }

  /** Every instance in the region, account by account: for ground truth in tests. */
  *instances(region: string): Generator<SimulatedInstance> {
    for (let a = 0; a < this.organization.accounts.length; a++) {
      const count = this.instanceCount(region, a);
      for (let i = 0; i < count; i++) yield this.instance(region, a, i);
    }
  }
}

/**
 * The scan status Inspector reports for an instance of `profile`: deep inspection reasons appear
 * only where the account's deep inspection is ACTIVATED (elsewhere the plugin does not run, and the
 * package scan reads SUCCESSFUL).
 */
export function reportedScanStatus(
  profile: InstanceProfile,
  accountActivated: boolean,
): { statusCode: string; reason: string } {
  return accountActivated || !profile.reason.startsWith('DEEP_INSPECTION_')
    ? { statusCode: profile.statusCode, reason: profile.reason }
    : { statusCode: 'ACTIVE', reason: 'SUCCESSFUL' };
}

/** Azure virtual machines Inspector covers in each region beside the organization's EC2 instances. */
export const AZURE_VIRTUAL_MACHINES = 3;

/** One Azure virtual machine as ListCoverage reports it: not an EC2 instance, whatever its account. */
export function azureVirtualMachine(accountId: string, index: number): Record<string, unknown> {
  const subscription = '0a1b2c3d-0000-4000-8000-00000000000a';
  return {
    resourceType: 'Microsoft.Compute/virtualMachines',
    resourceId: `/subscriptions/${subscription}/resourcegroups/apps/providers/microsoft.compute/virtualmachines/vm-${index}`,
    accountId,
    scanType: 'PACKAGE',
    scanStatus: { statusCode: 'ACTIVE', reason: 'SUCCESSFUL' },
    resourceMetadata: { vmInstance: { platform: 'LINUX' } },
    scanMode: 'VM_INSPECTOR_AGENT_BASED',
    provider: 'AZURE',
    providerAccountId: subscription,
    providerRegion: 'eastus',
    providerPartition: 'AzureCloud',
  };
}

function regionNumber(region: string): number {
  let n = 0;
  for (const char of region) n = Math.imul(n, 31) + char.charCodeAt(0);
  return n >>> 0;
}
