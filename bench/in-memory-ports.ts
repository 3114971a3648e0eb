import {
  type AccountDirectory,
  type CallBudget,
  chunk,
  type CoveredInstance,
  DeadlineReached,
  type DelegatedAdministratorAnswer,
  type Ec2ScanConfiguration,
  type FailureMessage,
  type FailureQueue,
  MAX_ACCOUNTS_PER_CALL,
  MAX_COVERAGE_PER_PAGE,
  NOT_REACHED,
  type Observation,
  type OrganizationAccount,
  parsePolicy,
  type Policy,
  type PolicySource,
  type QueueMessage,
  type RegionInspector,
  type RegionRead,
  type ScanConfigurationRead,
  type ScanConfigurationRequest,
  type ScanConfigurationWriteResult,
  UNLIMITED,
  type UpdateResult,
} from '../lambda/reconciler';
import { reportedScanStatus } from '../local/simulated-coverage';
import type { SimulatedOrganization } from '../local/simulated-organization';

/*
 * The reconciler's ports served from a simulated organization in memory: the metrics benchmark
 * (bench/metrics.ts) runs the real reconcile over 10,000 accounts on them, and the tests use them as fakes
 * (test/support/in-memory.ts re-exports them beside the tests' other fakes). They live here, not in test/,
 * because the benchmarks import no test code (dependency-cruiser's `only-tests-import-tests`).
 */

/** The reconciler's ports served from a simulated organization, counting every call. No AWS, no network. */

export class InMemoryDirectory implements AccountDirectory {
  constructor(private readonly organization: SimulatedOrganization) {}

  async listAccounts({ withAncestors }: { withAncestors: boolean }): Promise<OrganizationAccount[]> {
    return this.organization.accounts.map((account) => ({
      id: account.id,
      name: account.name,
      state: account.state,
      ...(withAncestors ? { ancestors: this.organization.ancestorsOf(account.id) } : {}),
    }));
  }
}

export interface InspectorFaults {
  /** The whole region fails every call with this error. */
  regionError?: Error;
  /** These accounts appear in `failedAccountIds` of the update. */
  failingAccounts?: ReadonlySet<string>;
  /**
   * This account is not Inspector's delegated administrator here: GetDelegatedAdminAccount names
   * `administrator` (another account; absent: none), or answers with `error`; every member read answers
   * ACCESS_DENIED, as the local endpoint does.
   */
  notAdministrator?: { readonly administrator?: string } | { readonly error: Error };
}

export class InMemoryInspector implements RegionInspector {
  readonly writes: { operation: string; accountIds: string[] }[] = [];

  constructor(
    private readonly organization: SimulatedOrganization,
    private readonly region: string,
    private readonly faults: InspectorFaults = {},
  ) {}

  async listCoverage(onPage: (page: readonly CoveredInstance[]) => void, budget = UNLIMITED): Promise<number> {
    this.failIfRegionDown();
    let page: CoveredInstance[] = [];
    let pages = 0;
    const flush = () => {
      if (!budget.canContinue()) throw new DeadlineReached();
      onPage(page);
      pages += 1;
      page = [];
    };
    for (const { accountId, profile } of this.organization.coverage.instances(this.region)) {
      const activated = this.organization.inspectorAccount(this.region, accountId)?.deepInspection === 'ACTIVATED';
      page.push({
        accountId,
        scanStatus: reportedScanStatus(profile, activated),
        scanMode: profile.scanMode,
        platform: profile.platform,
      });
      if (page.length === MAX_COVERAGE_PER_PAGE) flush();
    }
    if (page.length > 0 || pages === 0) flush();
    return pages;
  }

  async delegatedAdministrator(): Promise<DelegatedAdministratorAnswer> {
    const not = this.faults.notAdministrator;
    if (not === undefined)
      return { accountId: this.organization.delegatedAdminAccountId, relationshipStatus: 'ENABLED' };
    if ('error' in not) return { error: not.error };
    return not.administrator === undefined ? {} : { accountId: not.administrator, relationshipStatus: 'ENABLED' };
  }

  async read({
    accountIds,
    ownAccountId,
    includeConfiguration,
    budget = UNLIMITED,
  }: Parameters<RegionInspector['read']>[0]): Promise<RegionRead> {
    this.failIfRegionDown();
    if (!budget.canContinue()) throw new DeadlineReached();
    const observations = new Map<string, Observation>();
    const members = { read: 0, accessDenied: 0 };
    for (const id of accountIds) {
      const state = this.organization.inspectorAccount(this.region, id);
      const denied = state === undefined || !state.member || (this.faults.notAdministrator && id !== ownAccountId);
      if (id !== ownAccountId) {
        members.read += 1;
        if (denied) members.accessDenied += 1;
      }
      if (state === undefined || denied) {
        observations.set(id, { kind: 'SKIP', reason: 'NOT_INSPECTOR_MEMBER', detail: 'ACCESS_DENIED' });
      } else {
        observations.set(id, {
          kind: 'OBSERVED',
          ec2ScanStatus: state.ec2ScanStatus,
          deepInspection: state.deepInspection,
        });
      }
    }
    const configuration =
      includeConfiguration || accountIds.includes(ownAccountId)
        ? {
            orgPackagePaths: this.organization.orgPackagePaths.get(this.region) ?? [],
            status: this.organization.inspectorAccount(this.region, ownAccountId)?.deepInspection,
          }
        : undefined;
    const ec2ScanConfiguration = this.scanConfiguration(ownAccountId);
    return { observations, ec2ScanConfiguration, members, ...(configuration ? { configuration } : {}) };
  }

  async accountScanConfiguration(accountId: string, ownAccountId: string): Promise<Ec2ScanConfiguration> {
    this.failIfRegionDown();
    const state = this.organization.inspectorAccount(this.region, accountId);
    if (accountId !== ownAccountId && !state?.member) return { error: `${accountId} is not a member account` };
    return this.scanConfiguration(accountId);
  }

  /** GetConfiguration with `accountId`, one a member, counted in `scanConfigurationReads`. */
  async memberScanConfigurations(
    accountIds: readonly string[],
    budget: CallBudget = UNLIMITED,
  ): Promise<Map<string, ScanConfigurationRead>> {
    this.failIfRegionDown();
    const reads = new Map<string, ScanConfigurationRead>();
    for (const accountId of accountIds) {
      if (!budget.canContinue()) {
        reads.set(accountId, { error: NOT_REACHED, notReached: true });
        continue;
      }
      this.scanConfigurationReads += 1;
      reads.set(accountId, await this.accountScanConfiguration(accountId, this.organization.delegatedAdminAccountId));
    }
    return reads;
  }

  /** GetConfiguration calls with a member's `accountId` made through memberScanConfigurations. */
  scanConfigurationReads = 0;

  /** UpdateConfiguration, settled at once; `faults.failingAccounts` are refused. */
  async updateScanConfiguration(
    request: ScanConfigurationRequest,
    budget: CallBudget = UNLIMITED,
  ): Promise<ScanConfigurationWriteResult> {
    this.failIfRegionDown();
    if (!budget.canContinue()) return { ok: false, errorMessage: NOT_REACHED, notReached: true };
    const accountId = request.accountId ?? this.organization.delegatedAdminAccountId;
    this.writes.push({ operation: 'updateScanConfiguration', accountIds: request.accountId ? [accountId] : [] });
    if (this.faults.failingAccounts?.has(accountId)) return { ok: false, errorMessage: 'simulated refusal' };
    const state = this.organization.inspectorAccount(this.region, accountId);
    if (state === undefined) return { ok: false, errorMessage: `${accountId} is not a member account` };
    if ('inherit' in request) {
      state.ec2Configuration = undefined;
      return { ok: true };
    }
    const current = this.organization.ec2ConfigurationOf(this.region, accountId);
    state.ec2Configuration = {
      scanMode: request.scanMode,
      vmScannerActivated: request.activateVMScanner ?? current.vmScannerActivated,
    };
    return { ok: true };
  }

  /** The account's EC2 scan configuration as GetConfiguration answers it once settled. */
  private scanConfiguration(accountId: string): Ec2ScanConfiguration {
    const configuration = this.organization.ec2ConfigurationOf(this.region, accountId);
    return {
      scanMode: configuration.scanMode,
      scanModeStatus: 'SUCCESS',
      vmScanner: { activated: configuration.vmScannerActivated, status: 'SUCCESS' },
    };
  }

  /** In batches of 100 like Inspector's API, asking `canContinue` before each. */
  async updateMembers(
    changes: readonly { accountId: string; activate: boolean }[],
    budget: CallBudget = UNLIMITED,
  ): Promise<UpdateResult[]> {
    this.failIfRegionDown();
    return chunk(changes, MAX_ACCOUNTS_PER_CALL).flatMap((batch) => {
      if (!budget.canContinue()) {
        return batch.map(({ accountId }): UpdateResult => ({
          accountId,
          ok: false,
          errorMessage: NOT_REACHED,
          notReached: true,
        }));
      }
      this.writes.push({ operation: 'updateMembers', accountIds: batch.map((c) => c.accountId) });
      return batch.map(({ accountId, activate }) => this.update(accountId, activate));
    });
  }

  async updateOwnAccount(accountId: string, activate: boolean, budget: CallBudget = UNLIMITED): Promise<UpdateResult> {
    this.failIfRegionDown();
    if (!budget.canContinue()) return { accountId, ok: false, errorMessage: NOT_REACHED, notReached: true };
    this.writes.push({ operation: 'updateOwnAccount', accountIds: [accountId] });
    return this.update(accountId, activate);
  }

  async updateOrgPackagePaths(paths: readonly string[]): Promise<void> {
    this.failIfRegionDown();
    this.writes.push({ operation: 'updateOrgPackagePaths', accountIds: [] });
    this.organization.orgPackagePaths.set(this.region, [...paths]);
  }

  private update(accountId: string, activate: boolean): UpdateResult {
    const state = this.organization.inspectorAccount(this.region, accountId);
    if (state === undefined || this.faults.failingAccounts?.has(accountId)) {
      return {
        accountId,
        ok: false,
        errorMessage: 'simulated failure',
        ec2ScanStatus: state?.ec2ScanStatus ?? 'DISABLED',
      };
    }
    state.deepInspection = activate ? 'ACTIVATED' : 'DEACTIVATED';
    return { accountId, ok: true, status: state.deepInspection };
  }

  private failIfRegionDown(): void {
    if (this.faults.regionError) throw this.faults.regionError;
  }
}

export class InMemoryQueue implements FailureQueue {
  readonly messages: QueueMessage[] = [];

  /** The messages about one account each (a region failing as a whole for good sends one region message). */
  get accountMessages(): FailureMessage[] {
    return this.messages.filter((message): message is FailureMessage => message.scope === 'ACCOUNT');
  }

  async send(messages: readonly QueueMessage[]) {
    this.messages.push(...messages);
    return { sent: messages.length, undelivered: [] };
  }
}

export class StaticPolicySource implements PolicySource {
  constructor(
    private readonly text: string,
    private readonly source = 'inline policy',
  ) {}

  async load(): Promise<Policy> {
    return parsePolicy(this.text, this.source);
  }
}
