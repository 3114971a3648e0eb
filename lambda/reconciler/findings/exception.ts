import type { Ec2ScanningOffCause, FailureReason, SkipReason, TargetState } from '../model';

/*
 * The exceptions a run's outcomes call for, one finding each: their reasons and shapes, and a verdict's.
 * Which outcome calls for which is decide.ts (deep inspection) and scan-configuration-verdict.ts, after the
 * tables in docs/findings.md.
 */

/** The account facts that need a person: one finding per account, region and reason. */
export const ACCOUNT_EXCEPTION_REASONS = [
  'UPDATE_FAILED',
  'STATUS_UNREADABLE',
  'ORGANIZATIONAL_UNIT_UNRESOLVED',
  'EC2_SCANNING_NOT_ENABLED',
  'NOT_INSPECTOR_MEMBER',
  'BLOCKED_BY_ORGANIZATION_POLICY',
  'ACCOUNT_ISOLATED',
  'DEACTIVATION_HELD_BY_GUARDRAIL',
] as const satisfies readonly (FailureReason | SkipReason)[];

/** The scan configuration's account facts that need a person: one finding per account, region and reason. */
export const SCAN_CONFIGURATION_EXCEPTION_REASONS = [
  /** UpdateConfiguration refused the change the policy asks for. */
  'SCAN_CONFIGURATION_UPDATE_FAILED',
  /** GetConfiguration read the VM scanner's status FAILED: Inspector accepted a change it could not apply. */
  'VM_SCANNER_FAILED',
  /**
   * An organization policy keeps Inspector from changing the account (BLOCKED_BY_ORGANIZATION_POLICY), or the
   * organization's Inspector policy disables its EC2 scanning: the policy's scan configuration cannot hold.
   */
  'SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY',
] as const;
export type ScanConfigurationExceptionReason = (typeof SCAN_CONFIGURATION_EXCEPTION_REASONS)[number];

/** Every account fact: deep inspection's and the scan configuration's. */
export type AccountExceptionReason = (typeof ACCOUNT_EXCEPTION_REASONS)[number] | ScanConfigurationExceptionReason;

/** The policy facts that need a person: one finding per rule and region. */
export const RULE_EXCEPTION_REASONS = ['REPORT_ONLY_MISMATCH', 'RULE_EXPIRING'] as const;
export type RuleExceptionReason = (typeof RULE_EXCEPTION_REASONS)[number];

/** Security Hub's `SeverityLabel` values this product uses. */
export type SeverityLabel = 'LOW' | 'MEDIUM' | 'HIGH';
/** `Compliance.Status` of an open exception: FAILED when the policy is known not to hold, WARNING when it cannot be judged or applied. */
export type ExceptionStatus = 'FAILED' | 'WARNING';

interface ExceptionBase {
  readonly region: string;
  readonly severity: SeverityLabel;
  readonly status: ExceptionStatus;
}

export interface AccountException extends ExceptionBase {
  readonly kind: 'ACCOUNT';
  readonly reason: AccountExceptionReason;
  readonly accountId: string;
  /** The rule that decided the account, or "default"; absent when the decision could not be made. */
  readonly rule?: string;
  /** What the policy wants for the account, when it could say. */
  readonly desired?: TargetState;
  /** A stable fact beside the reason (the EC2 scan status, the observed deep-inspection status): part of what "changed" means. */
  readonly detail?: string;
  /** Inspector's own words (an errorMessage): shown, but a new wording alone is not a change worth a re-import. */
  readonly message?: string;
  /** EC2_SCANNING_NOT_ENABLED: what the organization's Inspector policy says of it, when the run asked. */
  readonly ec2ScanningOff?: Ec2ScanningOffCause;
  /**
   * A scan configuration fact: what the policy wants of the settings concerned (`vmScanner ACTIVATED, scanMode
   * EC2_HYBRID`), when known: the finding's Desired.
   */
  readonly scanTarget?: string;
}

export interface RuleException extends ExceptionBase {
  readonly kind: 'RULE';
  readonly reason: RuleExceptionReason;
  readonly rule: string;
  /** Every account the fact concerns in the region, sorted. */
  readonly accounts: readonly string[];
  /** REPORT_ONLY_MISMATCH: what enforcing the rule would set. */
  readonly to?: TargetState;
  /** RULE_EXPIRING: the rule's last day (UTC, `YYYY-MM-DD`), its owner and reason as the policy says. */
  readonly expires?: string;
  readonly owner?: string;
  readonly ruleReason?: string;
}

export type PolicyException = AccountException | RuleException;

/**
 * What one outcome means for the findings of its account and region:
 * - `settled`: the run saw the current truth; `exception` is the one account fact it calls for, if any
 *   (its absence resolves every open account finding of the pair);
 * - `unsettled`: the run does not know (not reached, region unreadable, in transition): leave the pair's findings as they are.
 */
export type FindingsVerdict =
  { readonly settled: true; readonly exception?: AccountException } | { readonly settled: false; readonly why: string };

/** Whether an account finding's reason is the scan configuration's (settled by its own stream). */
export function isScanConfigurationReason(reason: string): reason is ScanConfigurationExceptionReason {
  return (SCAN_CONFIGURATION_EXCEPTION_REASONS as readonly string[]).includes(reason);
}
