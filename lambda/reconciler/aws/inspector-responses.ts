import type {
  BatchGetAccountStatusResponse,
  BatchGetMemberEc2DeepInspectionStatusResponse,
  BatchUpdateMemberEc2DeepInspectionStatusResponse,
} from '@aws-sdk/client-inspector2';
import type { DeepInspectionStatus, Observation, ObservedSkip } from '../model';

/** Inspector's answers folded into the reconciler's terms. Pure: no calls, no clock. */

/**
 * BatchGetAccountStatus `failedAccounts[].errorCode` (the model's `ErrorCode` enum) by what it means
 * for this run. Codes not listed (INTERNAL_ERROR, SSM_* and EVENTBRIDGE_* unavailable or throttled,
 * and the rest) leave the status unread: the account FAILED, queued, and read again next run.
 */
export const ACCOUNT_STATUS_ERRORS: Readonly<Record<string, ObservedSkip>> = {
  // Inspector does not know the account as a member here (Terraform's provider reads ACCESS_DENIED the same way).
  ACCESS_DENIED: 'NOT_INSPECTOR_MEMBER',
  RESOURCE_NOT_FOUND: 'NOT_INSPECTOR_MEMBER',
  // Inspector is itself changing the account: nothing to do until it is done; the next run looks again.
  ENABLE_IN_PROGRESS: 'INSPECTOR_STATUS_CHANGING',
  DISABLE_IN_PROGRESS: 'INSPECTOR_STATUS_CHANGING',
  SUSPEND_IN_PROGRESS: 'INSPECTOR_STATUS_CHANGING',
  ACCOUNT_IS_ISOLATED: 'ACCOUNT_ISOLATED',
  BLOCKED_BY_ORGANIZATION_POLICY: 'BLOCKED_BY_ORGANIZATION_POLICY',
};

type AccountStatus =
  { readonly kind: 'READ'; readonly ec2ScanStatus: string } | Exclude<Observation, { kind: 'OBSERVED' }>;

/**
 * Joins the two batch reads into one observation per account, one response at a time and in any
 * order; an account neither read mentions is left out.
 */
export class ObservationCollector {
  private readonly statusById = new Map<string, AccountStatus>();
  private readonly deepById = new Map<string, { status?: DeepInspectionStatus; errorMessage?: string }>();
  private readonly deniedIds = new Set<string>();

  /** How many of these accounts BatchGetAccountStatus answered ACCESS_DENIED. */
  accessDenied(accountIds: readonly string[]): number {
    return accountIds.filter((id) => this.deniedIds.has(id)).length;
  }

  addAccountStatus(page: BatchGetAccountStatusResponse): void {
    for (const failed of page.failedAccounts ?? []) {
      if (!failed.accountId) continue;
      const detail = [failed.errorCode, failed.errorMessage].filter(Boolean).join(': ');
      const skip = ACCOUNT_STATUS_ERRORS[failed.errorCode ?? ''];
      if (failed.errorCode === 'ACCESS_DENIED') this.deniedIds.add(failed.accountId);
      this.statusById.set(
        failed.accountId,
        skip !== undefined
          ? { kind: 'SKIP', reason: skip, detail }
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

/** Per account result of a write: Inspector confirmed it, said why not, or the run stopped before asking. */
export type UpdateResult =
  | { readonly accountId: string; readonly ok: true; readonly status: string }
  | {
      readonly accountId: string;
      readonly ok: false;
      readonly errorMessage: string;
      readonly ec2ScanStatus?: string;
      /** The run's deadline came before this account's change was confirmed. */
      readonly notReached?: true;
    };

/**
 * A change is confirmed only when Inspector says so: the requested status or PENDING (it settles
 * asynchronously), and no `errorMessage`. Anything else failed, with Inspector's own words.
 */
export function confirmation(
  accountId: string,
  activate: boolean,
  answer: { status?: string; errorMessage?: string },
): UpdateResult {
  const requested = activate ? 'ACTIVATED' : 'DEACTIVATED';
  const { status, errorMessage } = answer;
  if (errorMessage === undefined && (status === requested || status === 'PENDING')) {
    return { accountId, ok: true, status };
  }
  const said = status === undefined ? 'no status' : `status ${status}`;
  return {
    accountId,
    ok: false,
    errorMessage: errorMessage ?? `Inspector answered ${said}, not ${requested} or PENDING`,
  };
}

/** Reads both lists of an update response; an account the response does not mention was not confirmed. */
export function updateResults(
  requested: readonly { accountId: string; activate: boolean }[],
  response: BatchUpdateMemberEc2DeepInspectionStatusResponse,
): UpdateResult[] {
  const activateById = new Map(requested.map((change) => [change.accountId, change.activate]));
  const byId = new Map<string, UpdateResult>();
  for (const entry of response.accountIds ?? []) {
    const activate = entry.accountId === undefined ? undefined : activateById.get(entry.accountId);
    if (entry.accountId !== undefined && activate !== undefined) {
      byId.set(entry.accountId, confirmation(entry.accountId, activate, entry));
    }
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
  return requested.map(
    ({ accountId }) =>
      byId.get(accountId) ?? { accountId, ok: false, errorMessage: 'not acknowledged in the update response' },
  );
}
