import {
  BatchGetAccountStatusCommand,
  BatchGetMemberEc2DeepInspectionStatusCommand,
  BatchUpdateMemberEc2DeepInspectionStatusCommand,
  GetConfigurationCommand,
  GetDelegatedAdminAccountCommand,
  GetEc2DeepInspectionConfigurationCommand,
  type Inspector2Client,
  paginateListCoverage,
  UpdateEc2DeepInspectionConfigurationCommand,
  UpdateOrgEc2DeepInspectionConfigurationCommand,
} from '@aws-sdk/client-inspector2';
import { chunk, mapWithConcurrency } from '../batches';
import { type CallBudget, DeadlineReached, NOT_REACHED, UNLIMITED } from '../deadline/budget';
import type { CoveredInstance } from '../coverage/tally';
import type { DelegatedAdministratorAnswer } from '../regions/delegated-administrator';
import { describeError } from '../errors/describe-error';
import type { DeepInspectionStatus, Observation } from '../model';
import {
  type Ec2ScanConfiguration,
  ec2ScanConfigurationOf,
  readMemberConfigurations,
  type ScanConfigurationRead,
  type ScanConfigurationRequest,
  type ScanConfigurationWriteResult,
  updateConfiguration,
} from './inspector-configuration';
import { confirmation, ObservationCollector, type UpdateResult, updateResults } from './inspector-responses';

export type { UpdateResult } from './inspector-responses';
export {
  type Ec2ScanConfiguration,
  ec2ScanConfigurationOf,
  type ScanConfigurationRead,
  type ScanConfigurationRequest,
  type ScanConfigurationWriteResult,
} from './inspector-configuration';

/** Inspector's documented ceiling for every Batch* operation used here. */
export const MAX_ACCOUNTS_PER_CALL = 100;
/** ListCoverage's documented ceiling for maxResults. */
export const MAX_COVERAGE_PER_PAGE = 200;
/** The coverage deep inspection concerns: every EC2 instance's package scan. */
const EC2_PACKAGE_SCANS = {
  resourceType: [{ comparison: 'EQUALS' as const, value: 'AWS_EC2_INSTANCE' }],
  scanType: [{ comparison: 'EQUALS' as const, value: 'PACKAGE' }],
};
/** Batch calls in flight per operation and region; pacing keeps them under the service's rate. */
const BATCH_CONCURRENCY = 2;

export interface DeepInspectionConfiguration {
  readonly status?: DeepInspectionStatus;
  readonly errorMessage?: string;
  readonly orgPackagePaths: readonly string[];
}

export interface RegionRead {
  readonly observations: ReadonlyMap<string, Observation>;
  /** The delegated administrator's deep-inspection configuration, when asked for and readable. */
  readonly configuration?: DeepInspectionConfiguration;
  /** Why GetEc2DeepInspectionConfiguration failed: only the administrator's own account and the org paths suffer. */
  readonly configurationError?: string;
  readonly ec2ScanConfiguration: Ec2ScanConfiguration;
  /**
   * The accounts other than this one that BatchGetAccountStatus was asked about, and how many of them it
   * answered ACCESS_DENIED: all of them, in a Region where this account is not the administrator.
   */
  readonly members: { readonly read: number; readonly accessDenied: number };
}

/** Everything the reconciler asks of Inspector in one region. */
export interface RegionInspector {
  /**
   * Reads scan and deep-inspection status of the given accounts. The account the function runs in
   * (the delegated administrator) is read through its own configuration, which is also returned
   * when `includeConfiguration` is set. The region's EC2 scan configuration is read once.
   */
  read(request: {
    accountIds: readonly string[];
    ownAccountId: string;
    includeConfiguration: boolean;
    budget?: CallBudget;
  }): Promise<RegionRead>;
  /**
   * GetDelegatedAdminAccount: the account Inspector names as the organization's delegated administrator in
   * this Region, none (`{}`: ResourceNotFoundException, or no `delegatedAdmin`), or why it could not answer
   * (`{ error }`): never throws, as the member reads tell when it cannot (delegated-administrator.ts).
   */
  delegatedAdministrator(budget?: CallBudget): Promise<DelegatedAdministratorAnswer>;
  /**
   * Member accounts only; the delegated administrator cannot change itself through the member API.
   * Batches not yet sent when the budget runs out, or cut off by its signal, come back as not reached.
   */
  updateMembers(
    changes: readonly { accountId: string; activate: boolean }[],
    budget?: CallBudget,
  ): Promise<UpdateResult[]>;
  updateOwnAccount(accountId: string, activate: boolean, budget?: CallBudget): Promise<UpdateResult>;
  /** Replaces the organization's whole list of custom package paths. */
  updateOrgPackagePaths(paths: readonly string[], budget?: CallBudget): Promise<void>;
  /**
   * One account's EC2 scan configuration in the region (one GetConfiguration): a member's with its
   * `accountId` (the delegated administrator reads its members'), the administrator's own without. Never
   * throws: a refused or failed read comes back as `{ error }`.
   */
  accountScanConfiguration(accountId: string, ownAccountId: string, budget?: CallBudget): Promise<Ec2ScanConfiguration>;
  /**
   * Many members' EC2 scan configurations, one GetConfiguration with `accountId` each, paced and a few in
   * flight (inspector-configuration.ts). Never throws: an account's failed read is its `{ error }`, and one
   * the budget did not reach (or cut off) `{ error, notReached }`.
   */
  memberScanConfigurations(
    accountIds: readonly string[],
    budget?: CallBudget,
  ): Promise<Map<string, ScanConfigurationRead>>;
  /** One UpdateConfiguration (a member's, a member reset to inherit, or the administrator's own). Never throws. */
  updateScanConfiguration(
    request: ScanConfigurationRequest,
    budget?: CallBudget,
  ): Promise<ScanConfigurationWriteResult>;
  /**
   * Every EC2 instance's package-scan coverage in the region, for the whole organization as the
   * delegated administrator sees it, handed over page by page (never held). Returns the pages read.
   */
  listCoverage(onPage: (page: readonly CoveredInstance[]) => void, budget?: CallBudget): Promise<number>;
}

export class InspectorRegion implements RegionInspector {
  constructor(private readonly client: Inspector2Client) {}

  async read({
    accountIds,
    ownAccountId,
    includeConfiguration,
    budget = UNLIMITED,
  }: {
    accountIds: readonly string[];
    ownAccountId: string;
    includeConfiguration: boolean;
    budget?: CallBudget;
  }): Promise<RegionRead> {
    const includesOwn = accountIds.includes(ownAccountId);
    const memberIds = accountIds.filter((id) => id !== ownAccountId);
    // Each response is folded in as it arrives: at 10,000 accounts × 17 regions, keeping the SDK's
    // response objects until the last batch came back was most of the run's memory.
    const collector = new ObservationCollector();
    // The first failure of a batch read aborts the calls in flight and stops new ones, and read()
    // returns only once every call has settled: no call of a failed region goes on behind the run's
    // back. The run's deadline aborts them too.
    const abort = new AbortController();
    const abortSignal = budget.signal ? AbortSignal.any([abort.signal, budget.signal]) : abort.signal;
    const [, , configuration, ec2ScanConfiguration] = await settleAll(abort, budget, [
      this.eachChunk(accountIds, budget, abortSignal, async (ids) =>
        collector.addAccountStatus(
          await this.client.send(new BatchGetAccountStatusCommand({ accountIds: ids }), { abortSignal }),
        ),
      ),
      this.eachChunk(memberIds, budget, abortSignal, async (ids) =>
        collector.addDeepInspectionStatus(
          await this.client.send(new BatchGetMemberEc2DeepInspectionStatusCommand({ accountIds: ids }), {
            abortSignal,
          }),
        ),
      ),
      // Neither configuration read may take the region down: they concern one account and the org paths, or are reported.
      includesOwn || includeConfiguration
        ? this.getConfiguration(abortSignal).catch((error: unknown) => ({ error: describeError(error) }))
        : Promise.resolve(undefined),
      this.getEc2ScanConfiguration(abortSignal).catch((error: unknown) => ({ error: describeError(error) })),
    ] as const);
    const observations = collector.observations();
    if (includesOwn) {
      const own = observations.get(ownAccountId);
      if (own?.kind === 'OBSERVED' && configuration !== undefined) {
        observations.set(ownAccountId, {
          kind: 'OBSERVED',
          ec2ScanStatus: own.ec2ScanStatus,
          ...('error' in configuration
            ? { deepInspectionError: configuration.error }
            : configuration.status === undefined
              ? { deepInspectionError: configuration.errorMessage ?? 'no deep inspection status in the configuration' }
              : { deepInspection: configuration.status }),
        });
      }
    }
    return {
      observations,
      ec2ScanConfiguration,
      members: { read: memberIds.length, accessDenied: collector.accessDenied(memberIds) },
      ...(configuration === undefined
        ? {}
        : 'error' in configuration
          ? { configurationError: configuration.error }
          : { configuration }),
    };
  }

  async delegatedAdministrator(budget: CallBudget = UNLIMITED): Promise<DelegatedAdministratorAnswer> {
    try {
      const response = await this.client.send(new GetDelegatedAdminAccountCommand({}), {
        abortSignal: budget.signal,
      });
      const delegatedAdmin = response?.delegatedAdmin;
      return {
        ...(delegatedAdmin?.accountId === undefined ? {} : { accountId: delegatedAdmin.accountId }),
        ...(delegatedAdmin?.relationshipStatus === undefined
          ? {}
          : { relationshipStatus: delegatedAdmin.relationshipStatus }),
      };
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ResourceNotFoundException') return {};
      return { error };
    }
  }

  async updateMembers(
    changes: readonly { accountId: string; activate: boolean }[],
    budget: CallBudget = UNLIMITED,
  ): Promise<UpdateResult[]> {
    const pages = await mapWithConcurrency(chunk(changes, MAX_ACCOUNTS_PER_CALL), BATCH_CONCURRENCY, async (batch) => {
      if (!budget.canContinue() || budget.signal?.aborted) return notReached(batch, NOT_REACHED);
      const requested = batch.map((change) => ({
        accountId: change.accountId,
        activateDeepInspection: change.activate,
      }));
      try {
        const response = await this.client.send(
          new BatchUpdateMemberEc2DeepInspectionStatusCommand({ accountIds: requested }),
          { abortSignal: budget.signal },
        );
        return updateResults(batch, response);
      } catch (error) {
        if (budget.signal?.aborted) return notReached(batch, CUT_OFF);
        // A batch that fails after the SDK's retries fails its accounts, not the region.
        const errorMessage = describeError(error);
        return batch.map((change): UpdateResult => ({ accountId: change.accountId, ok: false, errorMessage }));
      }
    });
    return pages.flat();
  }

  async updateOwnAccount(accountId: string, activate: boolean, budget: CallBudget = UNLIMITED): Promise<UpdateResult> {
    if (!budget.canContinue() || budget.signal?.aborted)
      return notReached([{ accountId }], NOT_REACHED)[0] as UpdateResult;
    try {
      const response = await this.client.send(
        new UpdateEc2DeepInspectionConfigurationCommand({ activateDeepInspection: activate }),
        { abortSignal: budget.signal },
      );
      return confirmation(accountId, activate, response);
    } catch (error) {
      if (budget.signal?.aborted) return notReached([{ accountId }], CUT_OFF)[0] as UpdateResult;
      return { accountId, ok: false, errorMessage: describeError(error) };
    }
  }

  async updateOrgPackagePaths(paths: readonly string[], budget: CallBudget = UNLIMITED): Promise<void> {
    await this.client.send(new UpdateOrgEc2DeepInspectionConfigurationCommand({ orgPackagePaths: [...paths] }), {
      abortSignal: budget.signal,
    });
  }

  async accountScanConfiguration(
    accountId: string,
    ownAccountId: string,
    budget: CallBudget = UNLIMITED,
  ): Promise<Ec2ScanConfiguration> {
    if (!budget.canContinue() || budget.signal?.aborted) return { error: NOT_REACHED };
    try {
      const response = await this.client.send(
        new GetConfigurationCommand(accountId === ownAccountId ? {} : { accountId }),
        { abortSignal: budget.signal },
      );
      return ec2ScanConfigurationOf(response);
    } catch (error) {
      return { error: budget.signal?.aborted ? NOT_REACHED : describeError(error) };
    }
  }

  memberScanConfigurations(
    accountIds: readonly string[],
    budget: CallBudget = UNLIMITED,
  ): Promise<Map<string, ScanConfigurationRead>> {
    return readMemberConfigurations(this.client, accountIds, budget);
  }

  updateScanConfiguration(
    request: ScanConfigurationRequest,
    budget: CallBudget = UNLIMITED,
  ): Promise<ScanConfigurationWriteResult> {
    return updateConfiguration(this.client, request, budget);
  }

  async listCoverage(
    onPage: (page: readonly CoveredInstance[]) => void,
    budget: CallBudget = UNLIMITED,
  ): Promise<number> {
    let pages = 0;
    // 200 a page, the most ListCoverage gives: calls grow with instances / 200. The paginator goes on
    // while nextToken is set, even past an empty page.
    for await (const page of paginateListCoverage(
      { client: this.client, pageSize: MAX_COVERAGE_PER_PAGE },
      { filterCriteria: EC2_PACKAGE_SCANS },
      { abortSignal: budget.signal },
    )) {
      pages += 1;
      onPage(
        (page.coveredResources ?? []).map((resource) => ({
          ...(resource.resourceType === undefined ? {} : { resourceType: resource.resourceType }),
          ...(resource.provider === undefined ? {} : { provider: resource.provider }),
          ...(resource.accountId === undefined ? {} : { accountId: resource.accountId }),
          ...(resource.scanStatus === undefined ? {} : { scanStatus: resource.scanStatus }),
          ...(resource.scanMode === undefined ? {} : { scanMode: resource.scanMode }),
          ...(resource.resourceMetadata?.ec2?.platform === undefined
            ? {}
            : { platform: resource.resourceMetadata.ec2.platform }),
        })),
      );
      if (!budget.canContinue()) throw new DeadlineReached();
    }
    return pages;
  }

  private async getConfiguration(abortSignal: AbortSignal): Promise<DeepInspectionConfiguration> {
    const response = await this.client.send(new GetEc2DeepInspectionConfigurationCommand({}), { abortSignal });
    return {
      orgPackagePaths: response.orgPackagePaths ?? [],
      ...(response.status === undefined ? {} : { status: response.status }),
      ...(response.errorMessage === undefined ? {} : { errorMessage: response.errorMessage }),
    };
  }

  private async getEc2ScanConfiguration(abortSignal: AbortSignal): Promise<Ec2ScanConfiguration> {
    return ec2ScanConfigurationOf(await this.client.send(new GetConfigurationCommand({}), { abortSignal }));
  }

  private eachChunk<R>(
    ids: readonly string[],
    budget: CallBudget,
    abortSignal: AbortSignal,
    call: (ids: string[]) => Promise<R>,
  ): Promise<R[]> {
    return mapWithConcurrency(chunk(ids, MAX_ACCOUNTS_PER_CALL), BATCH_CONCURRENCY, async (batch) => {
      abortSignal.throwIfAborted();
      if (!budget.canContinue()) throw new DeadlineReached();
      return call(batch);
    });
  }
}

/** A write the deadline aborted in flight: Inspector may or may not have applied it; the next run reads it again. */
const CUT_OFF = `${NOT_REACHED}: the call was cut off in flight, and the next run reads the account again`;

function notReached(batch: readonly { accountId: string }[], errorMessage: string): UpdateResult[] {
  return batch.map(({ accountId }) => ({ accountId, ok: false, errorMessage, notReached: true }));
}

/**
 * Like Promise.all, but the first rejection aborts `abort` (so the others stop early) and the result
 * comes only once every promise has settled; it rejects with that first error, not the aborts it caused,
 * or with DeadlineReached when the run's deadline aborted them.
 */
async function settleAll<T extends readonly unknown[]>(
  abort: AbortController,
  budget: CallBudget,
  work: { readonly [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const settled = await Promise.allSettled(
    work.map((promise) =>
      promise.catch((error: unknown) => {
        if (!abort.signal.aborted) abort.abort(error);
        throw error;
      }),
    ),
  );
  // Calls the run's deadline cut off are the deadline's doing, not the region's.
  if (budget.signal?.aborted) throw new DeadlineReached();
  if (abort.signal.aborted) throw abort.signal.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
