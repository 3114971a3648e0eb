/** Domain types shared by the planner, the adapters and the summary. No AWS SDK types leak past the adapters. */

export type DeepInspectionStatus = 'ACTIVATED' | 'DEACTIVATED' | 'PENDING' | 'FAILED';
export type TargetState = 'ACTIVATED' | 'DEACTIVATED';

/** An account as Organizations lists it. */
export interface OrganizationAccount {
  readonly id: string;
  readonly name?: string;
  /** Organizations' `State` (or the retired `Status` where `State` is absent). */
  readonly state: string;
  /** Root and OU ids from the root down to the account's parent; present only when the policy names OUs. */
  readonly ancestors?: readonly string[];
  /** Why the account's place in the organization could not be found, when the policy needed it. */
  readonly ancestryUnresolved?: string;
}

/** Why Inspector's own answer leaves an account out of this run (from BatchGetAccountStatus' error codes). */
export type ObservedSkip =
  'NOT_INSPECTOR_MEMBER' | 'INSPECTOR_STATUS_CHANGING' | 'ACCOUNT_ISOLATED' | 'BLOCKED_BY_ORGANIZATION_POLICY';

/** What Inspector says about one account in one region, read before planning. */
export type Observation =
  | { readonly kind: 'SKIP'; readonly reason: ObservedSkip; readonly detail: string }
  | { readonly kind: 'UNREADABLE'; readonly errorMessage: string }
  | {
      readonly kind: 'OBSERVED';
      /** Inspector's EC2 scan status: ENABLING | ENABLED | DISABLING | DISABLED | SUSPENDING | SUSPENDED. */
      readonly ec2ScanStatus: string;
      /** Absent when Inspector could not say; `deepInspectionError` then tells why. */
      readonly deepInspection?: DeepInspectionStatus;
      readonly deepInspectionError?: string;
    };

/** What the organization's Inspector policy says of EC2 scanning: its region lists, as its effective content has them. */
export interface Ec2ScanningPolicy {
  readonly enableInRegions: readonly string[];
  readonly disableInRegions: readonly string[];
}

/** Why EC2 scanning is off in one account and region, as far as the organization's Inspector policy tells. */
export type Ec2ScanningOffCause =
  | ({ readonly kind: 'DISABLED_BY_POLICY' } & Ec2ScanningPolicy)
  | ({ readonly kind: 'POLICY_DOES_NOT_DISABLE' } & Ec2ScanningPolicy)
  | { readonly kind: 'NO_POLICY' }
  | { readonly kind: 'COULD_NOT_TELL'; readonly why: string };

export const SKIP_REASONS = [
  'ACCOUNT_NOT_ACTIVE',
  'NOT_IN_ORGANIZATION',
  'NOT_INSPECTOR_MEMBER',
  'INSPECTOR_STATUS_CHANGING',
  'ACCOUNT_ISOLATED',
  'BLOCKED_BY_ORGANIZATION_POLICY',
  'EC2_SCANNING_NOT_ENABLED',
  'DEEP_INSPECTION_PENDING',
  'UNMANAGED',
  'DEACTIVATION_HELD_BY_GUARDRAIL',
  /** A deactivation waiting for the same account's scan configuration widening to read SUCCESS (scan-configuration/order.ts). */
  'WAITS_FOR_WIDENING',
  /** `apply FILE`: the account is not in the state the saved plan was made from; left alone until planned again. */
  'CHANGED_SINCE_PLAN',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const FAILURE_REASONS = [
  'STATUS_UNREADABLE',
  'REGION_UNREADABLE',
  'REGION_NOT_ENABLED',
  'UPDATE_FAILED',
  'TIMEOUT_NOT_REACHED',
  'ORGANIZATIONAL_UNIT_UNRESOLVED',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

interface OutcomeBase {
  readonly accountId: string;
  readonly region: string;
  /** The rule that decided the desired state, or "default". */
  readonly rule?: string;
}

/** Exactly one per account and region evaluated. */
export type Outcome =
  | (OutcomeBase & { readonly kind: 'COMPLIANT'; readonly state: DeepInspectionStatus })
  | (OutcomeBase & {
      /** Written (in a dry run: would be). */
      readonly kind: 'ACTIVATE' | 'DEACTIVATE';
      readonly from: DeepInspectionStatus;
      readonly to: TargetState;
    })
  | (OutcomeBase & {
      /** A report-only rule's mismatch: planned as usual, never written. */
      readonly kind: 'WOULD_ACTIVATE' | 'WOULD_DEACTIVATE';
      readonly from: DeepInspectionStatus;
      readonly to: TargetState;
    })
  | (OutcomeBase & {
      readonly kind: 'SKIPPED';
      readonly reason: SkipReason;
      readonly detail?: string;
      /** EC2_SCANNING_NOT_ENABLED: what the organization's Inspector policy says of it (inspector-policy.ts). */
      readonly ec2ScanningOff?: Ec2ScanningOffCause;
    })
  | (OutcomeBase & {
      readonly kind: 'FAILED';
      readonly reason: FailureReason;
      /** Absent only when the policy's decision could not be made (ORGANIZATIONAL_UNIT_UNRESOLVED). */
      readonly desired?: TargetState;
      readonly observed?: DeepInspectionStatus;
      readonly errorMessage?: string;
      readonly ec2ScanStatus?: string;
    });

export type Change = Extract<Outcome, { kind: 'ACTIVATE' | 'DEACTIVATE' }>;
export type ReportOnlyChange = Extract<Outcome, { kind: 'WOULD_ACTIVATE' | 'WOULD_DEACTIVATE' }>;
export type Failure = Extract<Outcome, { kind: 'FAILED' }>;

export function isChange(outcome: Outcome): outcome is Change {
  return outcome.kind === 'ACTIVATE' || outcome.kind === 'DEACTIVATE';
}

export function isReportOnly(outcome: Outcome): outcome is ReportOnlyChange {
  return outcome.kind === 'WOULD_ACTIVATE' || outcome.kind === 'WOULD_DEACTIVATE';
}
