/*
 * The function's one entry for the rest of the project: lib/ (synth), cli/, local/, bench/, scripts/ and
 * bin/ import it from here and from nowhere else in lambda/reconciler/ (dependency-cruiser checks it in
 * `npm run lint`). The files behind it are the function's own, free to move. Modelled on the AWS CDK CLI's
 * toolkit-lib, whose lib/index.ts exports the public API and keeps the rest private.
 *
 * What is exported here constructs nothing when imported: the function's Powertools Logger and Metrics
 * (observability/powertools.ts) load only with the handler, which `loadHandler` imports on demand, so
 * `cdk synth` creates neither (test/infra/synth-constructs-no-powertools.test.ts).
 *
 * The Lambda bundle's entry is handler.ts itself (lib/reconciler-function.ts), not this file.
 */

import type * as HandlerModule from './handler';

// A run: what it is asked, its ports, its plan and its result; the steps that make them.
export { applyPlan, planRun, reconcile } from './run/reconcile';
export type { Dependencies, ProgressEvent, ReconcileRequest, RunPlan, RunProblem, RunResult } from './run/types';
export type { PlannedRegion } from './run/region';
export { type RegionSummary, runLists, type RunSummary, type Totals } from './run/summary';
export { CALL_TIMEOUTS, type CallBudget, DeadlineReached, marginsFor, NOT_REACHED, UNLIMITED } from './run/deadline';

// The policy: its schema, text, file, lint and expiry (pure; shared with synth and the CLI).
export { DEFAULT_RULE, parsePolicy, type Policy, policyDocumentSchema, SCAN_SETTINGS } from './policy/schema';
export { PARAMETER_TIERS, type ParameterTier, policyText } from './policy/read';
export { readPolicyFile } from './policy/file';
export { type LintWarning, lintPolicy } from './policy/lint';
export { utcDay } from './policy/expiry';
export { syntaxProblem } from './policy/text';
export { desiredStateOf, matchRule } from './plan';

// The model of accounts and outcomes; identifiers; the event's limits.
export {
  type DeepInspectionStatus,
  isChange,
  isReportOnly,
  type Observation,
  type OrganizationAccount,
  type Outcome,
  SKIP_REASONS,
} from './model';
export { ACCOUNT_ID, accountIdSchema, partitionOf, regionProblem } from './ids';
export { MAX_REQUESTED_ACCOUNTS } from './event';
export { nearestKey, problemsFrom } from './validation';
export { chunk } from './batches';

// Regions: the supported list; why one fails as a whole.
export { REGIONS } from './regions/list';
export type { DelegatedAdministratorAnswer } from './regions/delegated-administrator';

// Errors and their classification.
export { InvocationError, PolicyError } from './errors/errors';
export { classifyError, combinedVerdict } from './errors/classification';
export { describeError } from './errors/describe-error';

// Observability: the names the stack's alarms and dashboard read, and the publishers the benchmarks measure.
export {
  DIMENSION,
  FINDINGS_METRIC,
  METRIC,
  METRICS_NAMESPACE,
  REGION_TOTALS_MESSAGE,
  SERVICE_NAME,
} from './observability/names';
export { publishCoverageMetrics, publishRunMetrics } from './observability/metrics';
export { publishFindingsMetrics } from './findings/metrics';

// Capabilities: coverage, findings, the guardrail, the Inspector policy's explanation.
export { type CoverageResult, type CoverageSummary, measureCoverage } from './coverage/measure';
export { type CoveredInstance, FIXABLE_REASONS } from './coverage/tally';
export { type AsffFinding, FIELD } from './findings/asff';
export { securityHubStatements } from './findings/permissions';
export { emptyFindingsReport } from './findings/sync';
export { EMPTY_LEDGER, type LedgerEntry, type LedgerSnapshot, type LedgerStore } from './guardrail/ledger';
export type { GuardrailVerdict } from './guardrail/limits';
export { ec2ScanningOffText, type EffectivePolicyReader } from './inspector-policy';

// The EC2 scan configuration as policy (issue 26): its outcomes, their counts and list, the slice, the planner's parts.
export {
  describeChange,
  isNarrowing,
  isScanConfigurationUpdate,
  type ObservedScanConfiguration,
  type ObservedScanValue,
  SCAN_CONFIGURATION_FAILURE_REASONS,
  SCAN_CONFIGURATION_SKIP_REASONS,
  SCAN_CONFIGURATION_WRITES,
  type ScanConfigurationFailureReason,
  type ScanConfigurationOutcome,
  type ScanConfigurationReport,
  type ScanConfigurationSkipReason,
  type ScanConfigurationUpdate,
  type ScanConfigurationWrite,
  type ScanSettingChange,
  settingName,
} from './scan-configuration/outcome';
export {
  type ScanConfigurationListed,
  scanConfigurationList,
  type ScanConfigurationTotals,
  scanConfigurationTotals,
} from './scan-configuration/summary';
export {
  inSlice,
  type ScanConfigurationReads,
  type SliceWindow,
  slicePosition,
  sliceWindow,
} from './scan-configuration/slice';
export {
  type AdministratorWrite,
  type ScanConfigurationScope,
  scanConfigurationScope,
} from './scan-configuration/scope';
export { managesScanConfiguration, type ScanTarget, scanTargetOf } from './plan';

// The AWS adapters, one a service, for the CLI (which builds its own clients) and the benchmarks.
export { AccountManagementRegions, type AccountRegions } from './aws/account-regions';
export { type Clients, createClients } from './aws/clients';
export {
  type Ec2ScanConfiguration,
  InspectorRegion,
  type ScanConfigurationRead,
  type ScanConfigurationRequest,
  type ScanConfigurationWriteResult,
  MAX_ACCOUNTS_PER_CALL,
  MAX_COVERAGE_PER_PAGE,
  type RegionInspector,
  type RegionRead,
  type UpdateResult,
} from './aws/inspector';
export {
  type AccountDirectory,
  accountsFor,
  OrganizationsDirectory,
  OrganizationsEffectivePolicies,
} from './aws/organizations';
export { ParameterPolicySource, type PolicySource } from './aws/policy-store';
export { type FailureMessage, type FailureQueue, type QueueMessage, SqsFailureQueue } from './aws/queue';
// Types only: the Security Hub adapter loads its SDK client, which a run with the findings off never loads.
export type { FindingsFilter, ImportResult, OpenFindings, RegionSecurityHub } from './aws/securityhub';

/**
 * The Lambda handler, imported when asked: it creates the function's Logger and Metrics as it loads, with
 * the POWERTOOLS_* settings of that moment (the demo sets them first).
 */
export async function loadHandler(): Promise<typeof HandlerModule.handler> {
  return (await import('./handler')).handler;
}
