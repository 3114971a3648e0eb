import type { DeepInspectionStatus } from '../lambda/reconciler/model';
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
  /** region → GetConfiguration's EC2 scan mode (EC2_SSM_AGENT_BASED unless set; EC2_HYBRID is Enhanced EC2 Scanning). */
  readonly ec2ScanMode = new Map<string, string>();
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

  /** When the last pending update settles (epoch ms), or 0 when none is pending. */
  lastSettlement(): number {
    let last = 0;
    for (const accounts of this.inspector.values()) {
      for (const state of accounts.values()) if (state.pending) last = Math.max(last, state.pending.settlesAt);
    }
    return last;
  }
}

export function accountId(index: number): string {
  return String(100000000000 + index).padStart(12, '0');
}
