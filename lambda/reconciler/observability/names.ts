/*
 * The names the function publishes under and the stack's alarms and dashboard read: defined once, here.
 * This module constructs nothing (no Logger, no Metrics), so that `cdk synth`, which imports it, creates
 * no Powertools object; the function's Logger and Metrics are in powertools.ts.
 */

/** The Powertools service name: the `service` dimension of every metric and the `service` key of every log line. */
export const SERVICE_NAME = 'deep-inspection-reconciler';

/** Names shared with the stack's alarms and dashboard: defined once, here. */
export const METRICS_NAMESPACE = 'DeepInspectionReconciler';
export const METRIC = {
  runsCompleted: 'RunsCompleted',
  /** Scheduled runs that failed for a reason a retry would meet again, returned instead of retried. */
  runsFailedNotRetried: 'RunsFailedNotRetried',
  runDuration: 'RunDuration',
  /**
   * Regions of the policy the account has not enabled (RegionOptStatus DISABLED, or every call there
   * answered UnrecognizedClientException): one problem, one metric, one alarm, published every run.
   */
  regionsNotEnabled: 'RegionsNotEnabled',
  /**
   * Regions of the policy where this account is not Inspector's delegated administrator
   * (delegated-administrator.ts): nothing read or queued there; published every run, 0 included.
   */
  regionsNotDelegatedAdministrator: 'RegionsNotDelegatedAdministrator',
  guardrailTripped: 'GuardrailTripped',
  /** 1 when the policy asks for Security Hub findings and the stack grants no Security Hub permission, else 0: every run. */
  findingsNotGranted: 'FindingsNotGranted',
  /** Rules expiring within the policy's warnBeforeExpiryDays: an exception about to lapse. */
  expiringRules: 'ExpiringRules',
  /** Everything lint found in the policy against the organization this run. */
  policyWarnings: 'PolicyWarnings',
  /**
   * Accounts deep inspection is ACTIVATED in after the run / accounts it can apply to, in percent, when a
   * region has any eligible account: one series a region, the one per-region series of a run. The other
   * per-region counts are the `region totals` log lines (regionTotals), which the dashboard reads with
   * Logs Insights: as metrics they were ~200–350 hourly series at 17 regions (bench/metrics.ts).
   */
  coverage: 'DeepInspectionCoverage',
  /** Effective coverage, per region (and per reason for the instances not deep-inspected). */
  coverageMeasured: 'CoverageMeasured',
  instancesDeepInspected: 'InstancesDeepInspected',
  instancesFixable: 'InstancesFixable',
  instancesExpected: 'InstancesExpected',
  effectiveCoverage: 'EffectiveCoverage',
  instancesNotDeepInspected: 'InstancesNotDeepInspected',
  /** Regions whose effective coverage is below the policy's coverage.minimumEffectivePercent. */
  regionsBelowCoverageMinimum: 'RegionsBelowCoverageMinimum',
} as const;
export const DIMENSION = { region: 'Region', reason: 'Reason' } as const;

/**
 * The scan configuration's counts of a run (scan-configuration/summary.ts ScanConfigurationTotals, every region
 * together), published only when the policy manages scan configuration, each every such run, 0 included: ten
 * series whatever the regions (no `Region` dimension; each region's counts are in its `region totals` line). The
 * accounts by VM scanner and scan mode are those the run read (its slice of the day at most, docs/reference.md).
 */
export const SCAN_CONFIGURATION_METRIC = {
  /** Accounts whose scan configuration the run wrote (UpdateConfiguration: member, inherit, administrator). */
  updated: 'ScanConfigurationUpdated',
  /** Accounts a report-only rule (or a report-only scanConfiguration) would change: never written. */
  wouldUpdate: 'ScanConfigurationWouldUpdate',
  /** FAILED outcomes: refused (UPDATE_FAILED), unreadable, not reached; each also on the failed-accounts queue. */
  failed: 'ScanConfigurationFailed',
  /** Narrowing changes the guardrail held (NARROWING_HELD_BY_GUARDRAIL). */
  narrowingHeld: 'ScanConfigurationNarrowingHeld',
  /** Accounts whose configuration GetConfiguration read PENDING: neither rewritten nor failed. */
  pending: 'ScanConfigurationPending',
  /** Accounts read with the Inspector VM scanner ACTIVATED, DEACTIVATED, or its status FAILED. */
  vmScannerActivated: 'VmScannerActivatedAccounts',
  vmScannerDeactivated: 'VmScannerDeactivatedAccounts',
  /** What the VmScannerFailed alarm watches: Inspector could not apply an accepted VM scanner change. */
  vmScannerFailed: 'VmScannerFailedAccounts',
  /** Accounts read with the EC2 scan mode EC2_SSM_AGENT_BASED, or EC2_HYBRID. */
  scanModeAgentBased: 'Ec2SsmAgentBasedAccounts',
  scanModeHybrid: 'Ec2HybridAccounts',
} as const;

/** The message of each region's log line; the dashboard's queries filter on it. */
export const REGION_TOTALS_MESSAGE = 'region totals';

/** Metric names of the findings step, for the dashboard and alarms: defined once, here. */
export const FINDINGS_METRIC = {
  /** Exceptions the run saw, by reason (dimension Reason): the open exceptions on the dashboard. */
  openExceptions: 'OpenExceptions',
  findingsImported: 'FindingsImported',
  findingsArchived: 'FindingsArchived',
  /** Findings Security Hub refused twice, and regions whose findings could not be synced. */
  findingsFailed: 'FindingsFailed',
  findingsRegionErrors: 'FindingsRegionErrors',
  securityHubCalls: 'SecurityHubCalls',
  /** One per region where Security Hub is not enabled (dimension Region): a warning, never a failure. */
  securityHubNotEnabled: 'SecurityHubNotEnabled',
  /**
   * How many regions have no Security Hub, every run, 0 included (no dimension): what the SecurityHubNotEnabled
   * alarm watches, staying in ALARM while a region has none and recovering once it has.
   */
  regionsWithoutSecurityHub: 'RegionsWithoutSecurityHub',
} as const;
