import { type AccountClient, paginateListRegions } from '@aws-sdk/client-account';
import { describeError } from '../errors/describe-error';
import { classifyError, type RetryVerdict } from '../errors/classification';

/** ListRegions' MaxResults ceiling (1–50 in the Account Management model, account.json). */
export const MAX_REGIONS_PER_PAGE = 50;

/**
 * Each Region's RegionOptStatus for the caller's own account, by Region name: ENABLED_BY_DEFAULT,
 * ENABLED, ENABLING, DISABLING or DISABLED (the model's RegionOptStatus enum); or why ListRegions
 * could not say.
 */
export type RegionOptStatuses =
  | { readonly listed: true; readonly byRegion: ReadonlyMap<string, string> }
  | { readonly listed: false; readonly error: string; readonly verdict: RetryVerdict };

export interface AccountRegions {
  /**
   * The Regions of the account the credentials belong to (the delegated administrator) and whether it
   * has enabled each. Never throws: a failed ListRegions (denied, say) comes back as `listed: false`
   * with the error, and the run falls back on what each Region's calls answer.
   */
  optStatuses(abortSignal?: AbortSignal): Promise<RegionOptStatuses>;
}

/**
 * Account Management's ListRegions, without `AccountId`: "it defaults to the Amazon Web Services
 * account of the identity used to call the operation" (API reference, ListRegions), so it needs no
 * trusted access for Account Management in the organization, only `account:ListRegions` on the
 * account itself (`arn:${Partition}:account::${Account}:account`, Service Authorization Reference).
 */
export class AccountManagementRegions implements AccountRegions {
  constructor(private readonly client: AccountClient) {}

  async optStatuses(abortSignal?: AbortSignal): Promise<RegionOptStatuses> {
    const byRegion = new Map<string, string>();
    try {
      for await (const page of paginateListRegions(
        { client: this.client, pageSize: MAX_REGIONS_PER_PAGE },
        {},
        { abortSignal },
      )) {
        for (const region of page.Regions ?? []) {
          if (region.RegionName && region.RegionOptStatus) byRegion.set(region.RegionName, region.RegionOptStatus);
        }
      }
    } catch (error) {
      return { listed: false, error: describeError(error), verdict: classifyError(error) };
    }
    return { listed: true, byRegion };
  }
}
