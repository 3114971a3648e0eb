import type { Enforcement, ScanMode, ScanSetting, VmScannerState } from '../policy/schema';

/*
 * The scan configuration's outcomes: a second stream beside deep inspection's, one per account and region
 * whose EC2 scan configuration (scan mode, Inspector VM scanner) the run evaluated. The planner
 * (plan.ts) makes them, the order rule (order.ts) and the guardrail adjust them, apply.ts settles them;
 * the summary, the queue, the CLI and the saved plan read them. docs/reference.md has the table.
 */

/**
 * A setting as GetConfiguration reads it (inspector2 model, botocore 1.43.67, `Ec2ConfigurationState`): the
 * scan mode; the VM scanner ACTIVATED or DEACTIVATED by `vmScannerState.activated`, FAILED when its
 * `status` is FAILED (Inspector could not apply the last change).
 */
export type ObservedScanValue = ScanMode | VmScannerState | 'FAILED';

/** One account's configuration as read, per setting, and whether a change Inspector accepted is still PENDING. */
export interface ObservedScanConfiguration {
  readonly scanMode?: ScanMode;
  readonly vmScanner?: ObservedScanValue;
  readonly pending: boolean;
}

/** One setting the run changes (or would), from what was read to what the policy decides, and who decided it. */
export interface ScanSettingChange {
  readonly setting: ScanSetting;
  /** As read; absent when GetConfiguration did not say. */
  readonly from?: ObservedScanValue;
  readonly to: ScanMode | VmScannerState;
  /** The rule that decided it, or "default" (the policy's `scanConfiguration`). */
  readonly rule: string;
  readonly enforcement: Enforcement;
}

/** A managed setting as the policy decides it for one account, and the rule that decides it (or "default"). */
export interface DecidedScanSetting {
  readonly setting: ScanSetting;
  readonly value: ScanMode | VmScannerState;
  readonly rule: string;
}

/**
 * How a change is written (UpdateConfiguration, inspector2 model):
 * - MEMBER: with the member's `accountId`; `ec2Configuration.scanMode` always present (the model requires it),
 *   `activateVMScanner` when the VM scanner changes. The member is then individually configured.
 * - INHERIT_FROM_ADMIN: with `accountId` and `updateConfigurationInheritance.ec2Configuration`: the member
 *   inherits the administrator's configuration again (chosen when that equals what the policy wants of it).
 * - ADMINISTRATOR: the delegated administrator's own configuration, without `accountId`: it reaches every
 *   member that inherits it, a set no call lists.
 */
export const SCAN_CONFIGURATION_WRITES = ['MEMBER', 'INHERIT_FROM_ADMIN', 'ADMINISTRATOR'] as const;
export type ScanConfigurationWrite = (typeof SCAN_CONFIGURATION_WRITES)[number];

export const SCAN_CONFIGURATION_SKIP_REASONS = [
  /** Inspector's own answer leaves the account out (BatchGetAccountStatus), as for deep inspection. */
  'NOT_INSPECTOR_MEMBER',
  'INSPECTOR_STATUS_CHANGING',
  'ACCOUNT_ISOLATED',
  'BLOCKED_BY_ORGANIZATION_POLICY',
  'EC2_SCANNING_NOT_ENABLED',
  /** GetConfiguration reads PENDING: a change is under way; neither rewritten nor failed. */
  'SCAN_CONFIGURATION_PENDING',
  /** A narrowing change past the guardrail's limits. */
  'NARROWING_HELD_BY_GUARDRAIL',
  /** A narrowing change waiting for this account's widening change to read SUCCESS (order.ts). */
  'WAITS_FOR_WIDENING',
  /** A member the administrator's configuration reaches, written (or under way) this run: it follows it. */
  'FOLLOWS_ADMINISTRATOR',
  /** The administrator's own configuration differs, and writing it would reach accounts a rule decides otherwise. */
  'ADMINISTRATOR_WRITE_NOT_ALLOWED',
  /** `apply FILE`: not as the saved plan found it; left alone until planned again. */
  'CHANGED_SINCE_PLAN',
] as const;
export type ScanConfigurationSkipReason = (typeof SCAN_CONFIGURATION_SKIP_REASONS)[number];

export const SCAN_CONFIGURATION_FAILURE_REASONS = [
  /** GetConfiguration failed for the account (after the SDK's retries), or answered no scan mode. */
  'CONFIGURATION_UNREADABLE',
  /** BatchGetAccountStatus could not say whether the account is a member with EC2 scanning. */
  'STATUS_UNREADABLE',
  'REGION_UNREADABLE',
  'REGION_NOT_ENABLED',
  /** UpdateConfiguration refused: Inspector's reason in `errorMessage`. */
  'UPDATE_FAILED',
  /** The run's deadline came before the read or write: not verified this run. */
  'TIMEOUT_NOT_REACHED',
  'ORGANIZATIONAL_UNIT_UNRESOLVED',
] as const;
export type ScanConfigurationFailureReason = (typeof SCAN_CONFIGURATION_FAILURE_REASONS)[number];

interface Base {
  readonly accountId: string;
  readonly region: string;
  /** As read this run, when it was. */
  readonly observed?: ObservedScanConfiguration;
}

interface Planned extends Base {
  readonly write: ScanConfigurationWrite;
  /** What is written (UPDATE) or would be (WOULD_UPDATE). */
  readonly changes: readonly ScanSettingChange[];
  /** Report-only rules' changes to the same account: never written. */
  readonly reportOnly?: readonly ScanSettingChange[];
  /** Narrowing changes that wait for this update's widening to read SUCCESS (order.ts). */
  readonly waiting?: readonly ScanSettingChange[];
  /**
   * ADMINISTRATOR: the ACTIVE accounts the write may reach (those whose setting the policy's default decides,
   * the administrator's own included): what the guardrail counts when it narrows.
   */
  readonly mayReach?: readonly string[];
  /** ADMINISTRATOR: settings it does not write, and why (a rule that decides some account otherwise). */
  readonly detail?: string;
}

/** Exactly one per account and region whose scan configuration the run evaluated. */
export type ScanConfigurationOutcome =
  | (Base & {
      readonly kind: 'COMPLIANT';
      /** The managed settings, each as the policy decides it (and as read). */
      readonly settings: readonly DecidedScanSetting[];
    })
  /** Written (in a dry run: would be). */
  | (Planned & { readonly kind: 'UPDATE' })
  /** Only report-only changes: planned as usual, never written. */
  | (Planned & { readonly kind: 'WOULD_UPDATE' })
  | (Base & {
      readonly kind: 'SKIPPED';
      readonly reason: ScanConfigurationSkipReason;
      readonly detail?: string;
      /** The changes it leaves for a later run, when there were any. */
      readonly changes?: readonly ScanSettingChange[];
      readonly write?: ScanConfigurationWrite;
      /**
       * A member Inspector leaves out (a skip reason of its status read, no GetConfiguration made): what the
       * policy decides of each of its managed settings, so that the findings step can tell whether the policy
       * wants what the block keeps from it (docs/findings.md, "The EC2 scan configuration").
       */
      readonly settings?: readonly DecidedScanSetting[];
    })
  | (Base & {
      readonly kind: 'FAILED';
      readonly reason: ScanConfigurationFailureReason;
      readonly errorMessage: string;
      /** The changes that were to be written, for UPDATE_FAILED and TIMEOUT_NOT_REACHED of a write. */
      readonly changes?: readonly ScanSettingChange[];
      readonly write?: ScanConfigurationWrite;
      /** The rule that could not be decided (ORGANIZATIONAL_UNIT_UNRESOLVED). */
      readonly rule?: string;
    });

export type ScanConfigurationUpdate = Extract<ScanConfigurationOutcome, { kind: 'UPDATE' }>;

export function isScanConfigurationUpdate(outcome: ScanConfigurationOutcome): outcome is ScanConfigurationUpdate {
  return outcome.kind === 'UPDATE';
}

/** What a region's scan configuration step found and did: its outcomes and the member reads it made. */
export interface ScanConfigurationReport {
  readonly outcomes: readonly ScanConfigurationOutcome[];
  /** GetConfiguration calls with a member's `accountId` made (the administrator's own is read with the region). */
  readonly reads: number;
}

/**
 * Narrowing: what could leave an instance scanned less (the guardrail counts it, order.ts makes it wait):
 * the VM scanner to DEACTIVATED, the scan mode to EC2_SSM_AGENT_BASED (hybrid's agentless part goes).
 */
export function isNarrowing(change: Pick<ScanSettingChange, 'setting' | 'to'>): boolean {
  return change.setting === 'vmScanner' ? change.to === 'DEACTIVATED' : change.to === 'EC2_SSM_AGENT_BASED';
}

/** A setting in words, as AWS names it. */
export function settingName(setting: ScanSetting): string {
  return setting === 'vmScanner' ? 'VM scanner' : 'scan mode';
}

/** `VM scanner DEACTIVATED → ACTIVATED (rule "x")`, for plans, summaries and messages. */
export function describeChange(change: ScanSettingChange): string {
  const rule = change.rule === 'default' ? 'default' : `rule "${change.rule}"`;
  return `${settingName(change.setting)} ${change.from ?? 'not reported'} → ${change.to} (${rule})`;
}
