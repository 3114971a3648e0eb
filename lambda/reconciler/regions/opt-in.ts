import type { RegionOptStatuses } from '../aws/account-regions';
import { describeError } from '../errors/describe-error';
import { classifyError, NOT_ENABLED_ANSWER, type RetryVerdict } from '../errors/classification';

/** Why a whole Region failed. Pure: no calls. */
export interface RegionFailure {
  /** The Region's `error` in the summary: what is wrong, and what to do. */
  readonly message: string;
  /** Each of its accounts' `errorMessage`: short, as the Region's `error` says the rest. */
  readonly accountMessage: string;
  readonly verdict: RetryVerdict;
  /**
   * The account has not enabled the Region (or it is being enabled or disabled): its accounts are
   * FAILED `REGION_NOT_ENABLED` and never queued one by one.
   */
  readonly notEnabled: boolean;
  /**
   * This account is not Inspector's delegated administrator in the Region (delegated-administrator.ts):
   * nothing is read or written there, nothing queued; its own metric and alarm.
   */
  readonly notDelegatedAdministrator?: boolean;
}

/** The Regions whose RegionOptStatus takes calls: ENABLED or ENABLED_BY_DEFAULT (Account Management API reference, ListRegions). */
export function regionsTakingCalls(byRegion: ReadonlyMap<string, string>): string[] {
  return [...byRegion]
    .filter(([, status]) => status === 'ENABLED' || status === 'ENABLED_BY_DEFAULT')
    .map(([region]) => region);
}

/** What to do about a Region the account has not enabled. */
export function enableOrRemove(region: string): string {
  return `enable ${region} for this account, or remove it from the policy`;
}

/** Which answer a Region the policy names gets from its RegionOptStatus, when ListRegions gave one. */
function statusOf(region: string, statuses: RegionOptStatuses | undefined): string | undefined {
  return statuses?.listed ? statuses.byRegion.get(region) : undefined;
}

/**
 * Before any call in a Region: a RegionOptStatus other than ENABLED or ENABLED_BY_DEFAULT means every
 * call there would answer UnrecognizedClientException, so none is made. DISABLED is permanent; ENABLING
 * and DISABLING are transient (Account Management API reference, EnableRegion: preparing the account "takes a few
 * minutes for most accounts, but it can take several hours"). Not listed, or ListRegions unavailable: undefined, and the Region's answers tell.
 */
export function optInFailure(region: string, statuses: RegionOptStatuses | undefined): RegionFailure | undefined {
  switch (statusOf(region, statuses)) {
    case 'DISABLED': {
      const accountMessage = `${region} is not enabled for this account (RegionOptStatus DISABLED)`;
      return {
        message: `${accountMessage}: ${enableOrRemove(region)}`,
        accountMessage,
        verdict: 'PERMANENT',
        notEnabled: true,
      };
    }
    case 'ENABLING': {
      const accountMessage = `${region} is being enabled for this account (RegionOptStatus ENABLING)`;
      return {
        message: `${accountMessage}: retry later; runs are retried until it is ENABLED`,
        accountMessage,
        verdict: 'TRANSIENT',
        notEnabled: true,
      };
    }
    case 'DISABLING': {
      const accountMessage = `${region} is being disabled for this account (RegionOptStatus DISABLING)`;
      return {
        message: `${accountMessage}: retry later; once it is DISABLED, ${enableOrRemove(region)}`,
        accountMessage,
        verdict: 'TRANSIENT',
        notEnabled: true,
      };
    }
    default:
      return undefined;
  }
}

/** Version 1 session tokens from the global STS endpoint are valid only in Regions enabled by default (IAM User Guide, id_credentials_temp_enable-regions.html). */
const VERSION_1_TOKENS =
  'the credentials are session tokens of version 1 from the global STS endpoint (sts.amazonaws.com), which opt-in Regions refuse: get them from a regional STS endpoint, or make the global endpoint issue version 2 tokens (aws iam set-security-token-service-preferences --global-endpoint-token-version v2Token)';

/**
 * A Region whose read failed. UnrecognizedClientException is what AWS answers in a Region the account
 * has not enabled, and also to version 1 global STS tokens in an opt-in Region: when ListRegions could
 * not tell which, the message names both, and the Region counts as not enabled (one problem, not one
 * failure per account). Anything else: the error's own verdict (errors/classification.ts).
 */
export function readFailure(region: string, error: unknown, statuses: RegionOptStatuses | undefined): RegionFailure {
  const description = describeError(error);
  if ((error as { name?: unknown } | null)?.name !== NOT_ENABLED_ANSWER) {
    return { message: description, accountMessage: description, verdict: classifyError(error), notEnabled: false };
  }
  const status = statusOf(region, statuses);
  if (status === 'ENABLED') {
    return {
      message: `${description}: ${region} is enabled for this account (RegionOptStatus ENABLED), so it refuses the credentials: ${VERSION_1_TOKENS}`,
      accountMessage: description,
      verdict: 'PERMANENT',
      notEnabled: false,
    };
  }
  if (status === 'ENABLED_BY_DEFAULT') {
    return {
      message: `${description}: ${region} is enabled by default for this account, so the credentials themselves are not valid (a deleted or deactivated access key)`,
      accountMessage: description,
      verdict: 'PERMANENT',
      notEnabled: false,
    };
  }
  const unknown =
    statuses === undefined
      ? 'its RegionOptStatus was not asked'
      : statuses.listed
        ? `ListRegions does not list ${region}`
        : `ListRegions could not tell which (${statuses.error})`;
  return {
    message: `${description}: either ${region} is not enabled for this account (${enableOrRemove(region)}), or ${VERSION_1_TOKENS}; ${unknown}`,
    accountMessage: description,
    verdict: 'PERMANENT',
    notEnabled: true,
  };
}
