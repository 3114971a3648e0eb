import type { DeepInspectionStatus } from '../lambda/reconciler';
import { SimulatedCoverage } from './simulated-coverage';

/** Inspector's view of one account in one region. */
export interface SimulatedInspectorAccount {
  member: boolean;
  /** Inspector's `Status` enum: ENABLING | ENABLED | DISABLING | DISABLED | SUSPENDING | SUSPENDED. */
  ec2ScanStatus: string;
  deepInspection: DeepInspectionStatus;
  /** Inspector's reason when `deepInspection` is FAILED. */
  errorMessage?: string;
  /** An update Inspector accepted and has not finished: the account reads PENDING until `settlesAt`. */
  pending?: { readonly to: 'ACTIVATED' | 'DEACTIVATED'; readonly settlesAt: number; readonly fails: boolean };
  /** BatchGetAccountStatus lists the account in `failedAccounts` with this `ErrorCode` (e.g. ACCOUNT_IS_ISOLATED). */
  accountStatusError?: string;
  /**
   * The account's own EC2 scan configuration (GetConfiguration's `ec2Configuration`). Absent on a member:
   * it inherits the delegated administrator's, so an administrator change reaches it; set once the
   * administrator configures the member individually (UpdateConfiguration with its `accountId`), cleared by
   * INHERIT_FROM_ADMIN. The API never tells a caller which members inherit.
   */
  ec2Configuration?: SimulatedEc2Configuration;
  /**
   * A member reset to inherit (INHERIT_FROM_ADMIN) reads the administrator's configuration PENDING until then
   * (epoch ms), as any other accepted change does.
   */
  ec2InheritanceSettlesAt?: number;
  /** The account's own ECR rescan duration (UpdateConfiguration `ecrConfiguration`), once set. */
  ecrRescanDuration?: { readonly rescanDuration: string; readonly updatedAt: number };
}

/** One account's EC2 scan configuration: the scan mode (EC2_HYBRID is hybrid scanning) and the Inspector VM scanner. */
export interface SimulatedEc2Configuration {
  readonly scanMode: 'EC2_SSM_AGENT_BASED' | 'EC2_HYBRID';
  /** The Inspector VM scanner (Enhanced EC2 Scanning): `vmScannerState.activated`. */
  readonly vmScannerActivated: boolean;
  /** When the VM scanner was activated (epoch ms). */
  readonly vmScannerActivatedAt?: number;
  /** An update of the scan mode accepted and not yet in effect: scanModeStatus reads PENDING until then (epoch ms). */
  readonly settlesAt?: number;
  /**
   * An update of the VM scanner (`activateVMScanner` given) accepted and not yet in effect: vmScannerState.status
   * reads PENDING until then. An update that sets only the scan mode leaves it as it was.
   */
  readonly vmScannerSettlesAt?: number;
  /** The VM scanner's activation ends FAILED (vmScannerState.status) instead of SUCCESS. */
  readonly vmScannerFails?: boolean;
}

/**
 * An account's configuration before anyone sets it: hybrid scanning ("When you activate Amazon Inspector for the
 * first time, your account is automatically enrolled in hybrid scanning", Inspector user guide, Scanning Amazon
 * EC2 instances), the VM scanner not activated (Enhanced EC2 Scanning is opted into: UpdateConfiguration's
 * `activateVMScanner`).
 */
export const DEFAULT_EC2_CONFIGURATION: SimulatedEc2Configuration = {
  scanMode: 'EC2_HYBRID',
  vmScannerActivated: false,
};

/** An Organizations Inspector policy's EC2 part, as attached to a root, an OU or an account. */
export interface SimulatedInspectorPolicy {
  readonly enableInRegions?: readonly string[];
  readonly disableInRegions?: readonly string[];
}

/** Brings an account's pending update to its end once its time has come. */
export function settle(account: SimulatedInspectorAccount, now: number): SimulatedInspectorAccount {
  const pending = account.pending;
  if (pending !== undefined && now >= pending.settlesAt) {
    account.pending = undefined;
    account.deepInspection = pending.fails ? 'FAILED' : pending.to;
    account.errorMessage = pending.fails
      ? `Simulated failure to ${pending.to === 'ACTIVATED' ? 'activate' : 'deactivate'} deep inspection`
      : undefined;
  }
  return account;
}

export interface SimulatedAccount {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly parentId: string;
}

export interface SimulatedUnit {
  readonly id: string;
  readonly name: string;
  readonly parentId: string;
}

/** Sizes and mix of a generated organization. */
export interface OrganizationShape {
  readonly accounts: number;
  readonly regions: readonly string[];
  /** Depth of the OU tree under the root (each level has `unitsPerLevel` OUs under every OU of the level above). */
  readonly depth?: number;
  readonly unitsPerLevel?: number;
  /** Fractions of accounts, 0–1. */
  readonly closed?: number;
  readonly nonMembers?: number;
  readonly ec2ScanningOff?: number;
  readonly activated?: number;
  readonly seed?: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so a seed always builds the same organization. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An AWS Organization and its Inspector state per region, in memory. */
export class SimulatedOrganization {
  readonly organizationId = 'o-exampleorg1';
  readonly rootId = 'r-ex12';
  readonly units = new Map<string, SimulatedUnit>();
  readonly accounts: SimulatedAccount[] = [];
  /** region → account id → Inspector state. */
  readonly inspector = new Map<string, Map<string, SimulatedInspectorAccount>>();
  readonly orgPackagePaths = new Map<string, string[]>();
  /**
   * Organizations Inspector policies (INSPECTOR_POLICY), by the root, OU or account they are attached to:
   * an account's effective policy is theirs combined from the root down (effectiveInspectorPolicy).
   */
  readonly inspectorPolicies = new Map<string, SimulatedInspectorPolicy>();
  /** The EC2 instances Inspector's coverage reports: 3 an account and region on average unless set. */
  coverage: SimulatedCoverage = new SimulatedCoverage(this, 3);
  /** The same account objects by id: the endpoint looks up every id of every batch, 170,000 a run at scale. */
  private readonly accountsById = new Map<string, SimulatedAccount>();

  constructor(readonly delegatedAdminAccountId: string) {}

  addAccount(account: SimulatedAccount): void {
    this.accounts.push(account);
    this.accountsById.set(account.id, account);
  }

  account(id: string): SimulatedAccount | undefined {
    return this.accountsById.get(id);
  }

  static generate(shape: OrganizationShape): SimulatedOrganization {
    const next = random(shape.seed ?? 42);
    const admin = accountId(0);
    const organization = new SimulatedOrganization(admin);
    let parents = [organization.rootId];
    for (let level = 0; level < (shape.depth ?? 2); level++) {
      const children: string[] = [];
      for (const parentId of parents) {
        for (let i = 0; i < (shape.unitsPerLevel ?? 2); i++) {
          const id = `ou-ex12-${String(organization.units.size + 1).padStart(8, '0')}`;
          organization.units.set(id, { id, name: `unit-${level}-${i}`, parentId });
          children.push(id);
        }
      }
      parents = children;
    }
    const allParents = [organization.rootId, ...organization.units.keys()];
    for (const region of shape.regions) {
      organization.inspector.set(region, new Map());
      organization.orgPackagePaths.set(region, []);
    }
    for (let index = 0; index < shape.accounts; index++) {
      const id = index === 0 ? admin : accountId(index);
      const closed = index > 0 && next() < (shape.closed ?? 0);
      organization.addAccount({
        id,
        name: `account-${index}`,
        state: closed ? 'CLOSED' : 'ACTIVE',
        parentId: index === 0 ? organization.rootId : (allParents[Math.floor(next() * allParents.length)] as string),
      });
      for (const region of shape.regions) {
        organization.inspector.get(region)?.set(id, {
          member: index === 0 || next() >= (shape.nonMembers ?? 0),
          ec2ScanStatus: index > 0 && next() < (shape.ec2ScanningOff ?? 0) ? 'DISABLED' : 'ENABLED',
          deepInspection: next() < (shape.activated ?? 0.5) ? 'ACTIVATED' : 'DEACTIVATED',
        });
      }
    }
    return organization;
  }

  /** Root and OU ids from the root down to the account's parent. */
  ancestorsOf(accountIdToFind: string): string[] {
    const account = this.account(accountIdToFind);
    const chain: string[] = [];
    for (let parent = account?.parentId; parent !== undefined; parent = this.units.get(parent)?.parentId) {
      chain.unshift(parent);
    }
    return chain;
  }

  inspectorAccount(region: string, id: string): SimulatedInspectorAccount | undefined {
    return this.inspector.get(region)?.get(id);
  }

  /**
   * The EC2 scan configuration `accountIdToRead` has in `region`: its own when it was configured
   * individually, else the delegated administrator's (which members inherit).
   */
  ec2ConfigurationOf(region: string, accountIdToRead: string): SimulatedEc2Configuration {
    const account = this.inspectorAccount(region, accountIdToRead);
    if (account?.ec2Configuration !== undefined) return account.ec2Configuration;
    const inherited =
      this.inspectorAccount(region, this.delegatedAdminAccountId)?.ec2Configuration ?? DEFAULT_EC2_CONFIGURATION;
    const reset = account?.ec2InheritanceSettlesAt;
    if (reset === undefined) return inherited;
    return {
      ...inherited,
      settlesAt: Math.max(inherited.settlesAt ?? 0, reset),
      vmScannerSettlesAt: Math.max(inherited.vmScannerSettlesAt ?? 0, reset),
    };
  }

  /**
   * The account's effective Inspector policy: the policies attached to its root, its OUs and itself, each
   * list taken from the one nearest the account (a simplification of Organizations' inheritance operators,
   * docs/local-endpoint.md), or undefined when none applies.
   */
  effectiveInspectorPolicy(accountIdToRead: string): SimulatedInspectorPolicy | undefined {
    const attached = [...this.ancestorsOf(accountIdToRead), accountIdToRead].flatMap((id) => {
      const policy = this.inspectorPolicies.get(id);
      return policy === undefined ? [] : [policy];
    });
    if (attached.length === 0) return undefined;
    return attached.reduce((effective, policy) => ({ ...effective, ...policy }), {});
  }

  /** Deep-inspection state of every account in a region; with `eventually`, as pending updates will leave it. */
  deepInspectionStates(region: string, { eventually = false } = {}): Map<string, DeepInspectionStatus> {
    return new Map(
      [...(this.inspector.get(region) ?? [])].map(([id, state]) => [
        id,
        eventually && state.pending ? (state.pending.fails ? 'FAILED' : state.pending.to) : state.deepInspection,
      ]),
    );
  }

  /** `o-…/r-…/ou-…/…/<account id>/`, as Organizations' `Account.Paths` spells it. */
  pathOf(accountIdToFind: string): string {
    return `${[this.organizationId, ...this.ancestorsOf(accountIdToFind), accountIdToFind].join('/')}/`;
  }

  /**
   * When the last pending update settles (epoch ms): deep inspection's, and the scan configuration's (its scan
   * mode, its VM scanner, a reset to inherit); 0 when none is pending; Infinity while one waits for `settleNow`.
   */
  lastSettlement(): number {
    let last = 0;
    for (const accounts of this.inspector.values()) {
      for (const state of accounts.values()) {
        const configuration = state.ec2Configuration;
        last = Math.max(
          last,
          state.pending?.settlesAt ?? 0,
          configuration?.settlesAt ?? 0,
          configuration?.vmScannerSettlesAt ?? 0,
          state.ec2InheritanceSettlesAt ?? 0,
        );
      }
    }
    return last;
  }

  /**
   * Brings every accepted update still PENDING (deep inspection, and a scan configuration's GetConfiguration
   * status: its scan mode, its VM scanner, a reset to inherit) to its end as of `now`, as if Inspector had finished it then: to the requested state, or FAILED
   * when it was to fail. Only when an update settles changes, never what it settles to.
   */
  settleNow(now = Date.now()): void {
    for (const accounts of this.inspector.values()) {
      for (const state of accounts.values()) {
        if (state.pending && state.pending.settlesAt > now) state.pending = { ...state.pending, settlesAt: now };
        settle(state, now);
        const configuration = state.ec2Configuration;
        const early = (at: number | undefined) => (at !== undefined && at > now ? now : at);
        if (configuration !== undefined) {
          const { settlesAt: _scanMode, vmScannerSettlesAt: _vmScanner, ...rest } = configuration;
          const settlesAt = early(configuration.settlesAt);
          const vmScannerSettlesAt = early(configuration.vmScannerSettlesAt);
          state.ec2Configuration = {
            ...rest,
            ...(settlesAt === undefined ? {} : { settlesAt }),
            ...(vmScannerSettlesAt === undefined ? {} : { vmScannerSettlesAt }),
          };
        }
        state.ec2InheritanceSettlesAt = early(state.ec2InheritanceSettlesAt);
      }
    }
  }
}

export function accountId(index: number): string {
  return String(100000000000 + index).padStart(12, '0');
}
