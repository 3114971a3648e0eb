import type { Ec2ScanConfiguration } from '../aws/inspector';
import type { RetryVerdict } from '../errors/classification';
import type { Outcome } from '../model';
import type { RegionFailure } from '../regions/opt-in';
import type { ScanConfigurationReport } from '../scan-configuration/outcome';

/*
 * One region's result, in one shape: RegionReport is what the apply step answers for a region, and the
 * other views of a region are projections of it, declaring no field of their own twice: the plan's
 * region (PlannedRegion, before apply) and the summary's (RegionSummary, summary.ts: the outcomes counted).
 * The queue messages, the problems, the findings step and the summary all read RegionReport.
 */

/** The organization's package paths in a region after the apply step: what they were, what they are to be. */
export interface OrgPackagePathsResult {
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly changed: boolean;
  readonly error?: string;
  /** With `error`: whether a retry can heal it. */
  readonly errorVerdict?: RetryVerdict;
  /** The run's deadline came first; the next run updates them. */
  readonly notReached?: true;
}

/** One region of a run, applied: its outcomes, and how the region went as a whole. */
export interface RegionReport {
  readonly region: string;
  /** One per account evaluated in the region. */
  readonly outcomes: readonly Outcome[];
  /**
   * Set when the region could not be read as a whole; its accounts are FAILED with REGION_UNREADABLE,
   * or REGION_NOT_ENABLED when the account has not enabled the region (then `notEnabled` is set).
   */
  readonly error?: string;
  /** With `error`: whether a retry can heal it (errors/classification.ts). */
  readonly errorVerdict?: RetryVerdict;
  /** The account has not enabled the region, or it is being enabled or disabled (RegionOptStatus). */
  readonly notEnabled?: true;
  /**
   * This account is not Inspector's delegated administrator in the region (GetDelegatedAdminAccount, or
   * every member read ACCESS_DENIED): its accounts are FAILED REGION_UNREADABLE, none queued.
   */
  readonly notDelegatedAdministrator?: true;
  /**
   * Accounts Inspector answers as not members because the region's members reached its cap of 10,000
   * (a delegated administrator has no more): skipped NOT_INSPECTOR_MEMBER, each one's detail saying so.
   */
  readonly pastInspectorMemberLimit?: number;
  readonly orgPackagePaths?: OrgPackagePathsResult;
  /**
   * The delegated administrator's own EC2 scan configuration in the region (GetConfiguration without
   * `accountId`), which members that were not configured one by one inherit: its scan mode (EC2_HYBRID is
   * hybrid scanning) and its Inspector VM scanner (Enhanced EC2 Scanning).
   */
  readonly ec2ScanConfiguration?: Ec2ScanConfiguration;
  /**
   * The scan configuration step (scan-configuration/), when the policy manages scan configuration: one
   * outcome per account whose configuration the run evaluated here, and the member reads it made.
   */
  readonly scanConfiguration?: ScanConfigurationReport;
}

/**
 * One region as the read and plan steps leave it, before the guardrail and apply: the report's fields as
 * far as they are known by then (a region that failed as a whole has its `error`, `errorVerdict` and flags
 * already), except the organization's package paths, which are still as read, not yet reconciled.
 */
export type PlannedRegion = Omit<RegionReport, 'outcomes' | 'orgPackagePaths'> & {
  readonly outcomes: Outcome[];
  /** The organization's package paths now, or why they could not be read. */
  readonly orgPackagePaths?: readonly string[] | { readonly error: string };
};

/** A region's failure as a whole, as its result says it: the failure's message and verdict, and its flags when set. */
export function regionFailureFields(
  failure: RegionFailure,
): Pick<RegionReport, 'error' | 'errorVerdict' | 'notEnabled' | 'notDelegatedAdministrator'> {
  return {
    error: failure.message,
    errorVerdict: failure.verdict,
    ...(failure.notEnabled ? { notEnabled: true as const } : {}),
    ...(failure.notDelegatedAdministrator ? { notDelegatedAdministrator: true as const } : {}),
  };
}
