import {
  BatchGetAccountStatusCommand,
  type BatchGetAccountStatusResponse,
  BatchGetMemberEc2DeepInspectionStatusCommand,
  type BatchGetMemberEc2DeepInspectionStatusResponse,
  BatchUpdateMemberEc2DeepInspectionStatusCommand,
  GetEc2DeepInspectionConfigurationCommand,
  type Inspector2Client,
  UpdateEc2DeepInspectionConfigurationCommand,
  UpdateOrgEc2DeepInspectionConfigurationCommand,
} from '@aws-sdk/client-inspector2';
import { chunk, mapWithConcurrency } from '../batches';
import type { DeepInspectionStatus, Observation } from '../model';

/** Inspector's documented ceiling for every Batch* operation used here. */
export const MAX_ACCOUNTS_PER_CALL = 100;
/** Batch calls in flight per operation and region; the SDK's adaptive retry absorbs any throttling. */
const BATCH_CONCURRENCY = 2;

/** BatchGetAccountStatus error codes that mean Inspector does not know the account as a member here. */
const NOT_A_MEMBER = new Set(['ACCESS_DENIED', 'RESOURCE_NOT_FOUND']);

export interface DeepInspectionConfiguration {
  readonly status?: DeepInspectionStatus;
  readonly errorMessage?: string;
  readonly orgPackagePaths: readonly string[];
}

export interface RegionRead {
  readonly observations: ReadonlyMap<string, Observation>;
  readonly configuration?: DeepInspectionConfiguration;
}

/** Per account result of a write: Inspector accepted it, said why not, or the run stopped before asking. */
export type UpdateResult =
  | { readonly accountId: string; readonly ok: true; readonly status?: string }
  | {
      readonly accountId: string;
      readonly ok: false;
      readonly errorMessage: string;
      readonly ec2ScanStatus?: string;
      /** The run's deadline came before this account's batch was sent. */
      readonly notReached?: true;
    };

/** Asked before each batch: false once the run must stop calling out to finish in time. */
export type CanContinue = () => boolean;
const always: CanContinue = () => true;

export const NOT_REACHED = "not reached before the invocation's deadline";

/** Thrown by a read that the run's deadline stopped between batches. */
export class DeadlineReached extends Error {
  override readonly name = 'DeadlineReached';
  constructor() {
    super(NOT_REACHED);
  }
}

/** Everything the reconciler asks of Inspector in one region. */
export interface RegionInspector {
  /**
   * Reads scan and deep-inspection status of the given accounts. The account the function runs in
   * (the delegated administrator) is read through its own configuration, which is also returned
   * when `includeConfiguration` is set.
   */
  read(request: {
    accountIds: readonly string[];
    ownAccountId: string;
    includeConfiguration: boolean;
    canContinue?: CanContinue;
  }): Promise<RegionRead>;
  /**
   * Member accounts only; the delegated administrator cannot change itself through the member API.
   * Batches not yet sent when `canContinue` turns false come back as not reached.
   */
  updateMembers(
    changes: readonly { accountId: string; activate: boolean }[],
    canContinue?: CanContinue,
  ): Promise<UpdateResult[]>;
  updateOwnAccount(accountId: string, activate: boolean): Promise<UpdateResult>;
  /** Replaces the organization's whole list of custom package paths. */
  updateOrgPackagePaths(paths: readonly string[]): Promise<void>;
}

export class InspectorRegion implements RegionInspector {
  constructor(private readonly client: Inspector2Client) {}

  async read({
    accountIds,
    ownAccountId,
    includeConfiguration,
    canContinue = always,
  }: {
    accountIds: readonly string[];
    ownAccountId: string;
    includeConfiguration: boolean;
    canContinue?: CanContinue;
  }): Promise<RegionRead> {
    const includesOwn = accountIds.includes(ownAccountId);
    const memberIds = accountIds.filter((id) => id !== ownAccountId);
    // Each response is folded in as it arrives: at 10,000 accounts × 17 regions, keeping the SDK's
    // response objects until the last batch came back was most of the run's memory.
    const collector = new ObservationCollector();
    // The first failure aborts the calls in flight and stops new ones, and read() returns only once
    // every call has settled: no call of a failed region goes on behind the run's back.
    const abort = new AbortController();
    const abortSignal = abort.signal;
    const [, , configuration] = await settleAll(abort, [
      this.eachChunk(accountIds, canContinue, abortSignal, async (ids) =>
        collector.addAccountStatus(
          await this.client.send(new BatchGetAccountStatusCommand({ accountIds: ids }), { abortSignal }),
        ),
      ),
      this.eachChunk(memberIds, canContinue, abortSignal, async (ids) =>
        collector.addDeepInspectionStatus(
          await this.client.send(new BatchGetMemberEc2DeepInspectionStatusCommand({ accountIds: ids }), {
            abortSignal,
          }),
        ),
      ),
      includesOwn || includeConfiguration ? this.getConfiguration(abortSignal) : Promise.resolve(undefined),
    ] as const);
    const observations = collector.observations();
    if (includesOwn && configuration !== undefined) {
      const own = observations.get(ownAccountId);
      if (own?.kind === 'OBSERVED') {
        observations.set(ownAccountId, {
          kind: 'OBSERVED',
          ec2ScanStatus: own.ec2ScanStatus,
          ...(configuration.status === undefined
            ? {
                deepInspectionError: configuration.errorMessage ?? 'no deep inspection status in the configuration',
              }
            : { deepInspection: configuration.status }),
        });
      }
    }
    return { observations, ...(configuration === undefined ? {} : { configuration }) };
  }

  async updateMembers(
    changes: readonly { accountId: string; activate: boolean }[],
    canContinue: CanContinue = always,
  ): Promise<UpdateResult[]> {
    const pages = await mapWithConcurrency(chunk(changes, MAX_ACCOUNTS_PER_CALL), BATCH_CONCURRENCY, async (batch) => {
      if (!canContinue()) {
        return batch.map((change): UpdateResult => ({
          accountId: change.accountId,
          ok: false,
          errorMessage: NOT_REACHED,
          notReached: true,
        }));
      }
      const requested = batch.map((change) => ({
        accountId: change.accountId,
        activateDeepInspection: change.activate,
      }));
      try {
        const response = await this.client.send(
          new BatchUpdateMemberEc2DeepInspectionStatusCommand({ accountIds: requested }),
        );
        return updateResults(
          batch.map((change) => change.accountId),
          response,
        );
      } catch (error) {
        // A batch that fails after the SDK's retries fails its accounts, not the region.
        const errorMessage = describe(error);
        return batch.map((change): UpdateResult => ({ accountId: change.accountId, ok: false, errorMessage }));
      }
    });
    return pages.flat();
  }

  async updateOwnAccount(accountId: string, activate: boolean): Promise<UpdateResult> {
    try {
      const response = await this.client.send(
        new UpdateEc2DeepInspectionConfigurationCommand({ activateDeepInspection: activate }),
      );
      if (response.status === 'FAILED') {
        return {
          accountId,
          ok: false,
          errorMessage: response.errorMessage ?? 'deep inspection status is FAILED',
        };
      }
      return { accountId, ok: true, ...(response.status === undefined ? {} : { status: response.status }) };
    } catch (error) {
      return { accountId, ok: false, errorMessage: describe(error) };
    }
  }

  async updateOrgPackagePaths(paths: readonly string[]): Promise<void> {
    await this.client.send(new UpdateOrgEc2DeepInspectionConfigurationCommand({ orgPackagePaths: [...paths] }));
  }

  private async getConfiguration(abortSignal: AbortSignal): Promise<DeepInspectionConfiguration> {
    const response = await this.client.send(new GetEc2DeepInspectionConfigurationCommand({}), { abortSignal });
    return {
      orgPackagePaths: response.orgPackagePaths ?? [],
      ...(response.status === undefined ? {} : { status: response.status }),
      ...(response.errorMessage === undefined ? {} : { errorMessage: response.errorMessage }),
    };
  }

  private eachChunk<R>(
    ids: readonly string[],
    canContinue: CanContinue,
    abortSignal: AbortSignal,
    call: (ids: string[]) => Promise<R>,
  ): Promise<R[]> {
    return mapWithConcurrency(chunk(ids, MAX_ACCOUNTS_PER_CALL), BATCH_CONCURRENCY, async (batch) => {
      abortSignal.throwIfAborted();
      if (!canContinue()) throw new DeadlineReached();
      return call(batch);
    });
  }
}

/**
 * Like Promise.all, but the first rejection aborts `abort` (so the others stop early) and the result
 * comes only once every promise has settled; it rejects with that first error, not the aborts it caused.
 */
async function settleAll<T extends readonly unknown[]>(
  abort: AbortController,
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
  if (abort.signal.aborted) throw abort.signal.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

type AccountStatus =
  { readonly kind: 'READ'; readonly ec2ScanStatus: string } | Exclude<Observation, { kind: 'OBSERVED' }>;

/**
 * Joins the two batch reads into one observation per account, one response at a time and in any
 * order; an account neither read mentions is left out.
 */
export class ObservationCollector {
  private readonly statusById = new Map<string, AccountStatus>();
  private readonly deepById = new Map<string, { status?: DeepInspectionStatus; errorMessage?: string }>();

  addAccountStatus(page: BatchGetAccountStatusResponse): void {
    for (const failed of page.failedAccounts ?? []) {
      if (!failed.accountId) continue;
      const detail = [failed.errorCode, failed.errorMessage].filter(Boolean).join(': ');
      this.statusById.set(
        failed.accountId,
        NOT_A_MEMBER.has(failed.errorCode ?? '')
          ? { kind: 'NOT_INSPECTOR_MEMBER', detail }
          : { kind: 'UNREADABLE', errorMessage: detail || 'BatchGetAccountStatus failed for this account' },
      );
    }
    for (const account of page.accounts ?? []) {
      if (!account.accountId) continue;
      this.statusById.set(account.accountId, {
        kind: 'READ',
        ec2ScanStatus: account.resourceState?.ec2?.status ?? 'UNKNOWN',
      });
    }
  }

  addDeepInspectionStatus(page: BatchGetMemberEc2DeepInspectionStatusResponse): void {
    for (const entry of page.accountIds ?? []) {
      if (entry.accountId) {
        this.deepById.set(entry.accountId, { status: entry.status, errorMessage: entry.errorMessage });
      }
    }
    for (const entry of page.failedAccountIds ?? []) {
      if (entry.accountId) {
        this.deepById.set(entry.accountId, {
          errorMessage: entry.errorMessage ?? `ec2ScanStatus ${entry.ec2ScanStatus}`,
        });
      }
    }
  }

  observations(): Map<string, Observation> {
    const observations = new Map<string, Observation>();
    for (const [accountId, status] of this.statusById) {
      if (status.kind !== 'READ') {
        observations.set(accountId, status);
        continue;
      }
      const deep = this.deepById.get(accountId);
      observations.set(accountId, {
        kind: 'OBSERVED',
        ec2ScanStatus: status.ec2ScanStatus,
        ...(deep?.status === undefined
          ? {
              deepInspectionError:
                deep?.errorMessage ?? 'BatchGetMemberEc2DeepInspectionStatus returned nothing for this account',
            }
          : { deepInspection: deep.status }),
      });
    }
    return observations;
  }
}

function updateResults(
  requestedIds: readonly string[],
  response: {
    accountIds?: { accountId?: string; status?: string; errorMessage?: string }[];
    failedAccountIds?: { accountId?: string; ec2ScanStatus?: string; errorMessage?: string }[];
  },
): UpdateResult[] {
  const byId = new Map<string, UpdateResult>();
  for (const entry of response.accountIds ?? []) {
    if (!entry.accountId) continue;
    byId.set(
      entry.accountId,
      entry.status === 'FAILED'
        ? {
            accountId: entry.accountId,
            ok: false,
            errorMessage: entry.errorMessage ?? 'deep inspection status is FAILED',
          }
        : {
            accountId: entry.accountId,
            ok: true,
            ...(entry.status === undefined ? {} : { status: entry.status }),
          },
    );
  }
  for (const entry of response.failedAccountIds ?? []) {
    if (!entry.accountId) continue;
    byId.set(entry.accountId, {
      accountId: entry.accountId,
      ok: false,
      errorMessage: entry.errorMessage ?? 'Inspector did not change this account',
      ...(entry.ec2ScanStatus === undefined ? {} : { ec2ScanStatus: entry.ec2ScanStatus }),
    });
  }
  // An account the response does not mention was not confirmed: never count it as changed.
  return requestedIds.map(
    (accountId) =>
      byId.get(accountId) ?? {
        accountId,
        ok: false,
        errorMessage: 'not acknowledged in the update response',
      },
  );
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
