/*
 * The function's construct-time entry: what `cdk synth` needs of the function (lib/ and bin/app.ts import it,
 * and nothing else of lambda/reconciler/). It is index.ts's light part, and index.ts re-exports it whole: the
 * metric names, the policy (its schema, text, file, lint and expiry), the regions and identifiers, the call
 * timeouts the function's timeout is derived from, the Security Hub statements the stack grants, the ledger's
 * empty snapshot and the errors synth reports.
 *
 * It loads no AWS SDK client and no Powertools module: synth, and every test suite that imports lib/, would
 * otherwise load the five SDK clients the run's adapters use (test/infra/what-synth-loads.test.ts proves it).
 * The AWS CDK CLI's toolkit-lib and Powertools split their packages the same way, a light subpath beside the
 * main entry.
 */

// The policy: its schema, text, file, lint and expiry (pure; shared with synth and the CLI).
export {
  DEFAULT_RULE,
  parsePolicy,
  type Policy,
  policyDocumentSchema,
  RULE_SETTINGS,
  SCAN_SETTINGS,
  type ScanSetting,
} from './policy/schema';
export { PARAMETER_TIERS, type ParameterTier, policyText } from './policy/read';
export { readPolicyFile } from './policy/file';
export { type LintWarning, lintPolicy } from './policy/lint';
export { utcDay } from './policy/expiry';
export { syntaxProblem } from './policy/text';

// Outcomes' reasons; identifiers and partitions; the settings' validation problems.
export { SKIP_REASONS } from './model';
export { ACCOUNT_ID, accountIdSchema, partitionOf, regionProblem } from './ids';
export { nearestKey, problemsFrom } from './validation';

// The supported regions.
export { REGIONS } from './regions/list';

// The errors synth and the CLI report.
export { InvocationError, PolicyError } from './errors/errors';

// The call timeouts and the deadline's margins derived from them (the function's timeout covers them).
export { CALL_TIMEOUTS, marginsFor } from './deadline/deadline';

// The names the stack's alarms and dashboard read.
export {
  DIMENSION,
  FINDINGS_METRIC,
  METRIC,
  METRICS_NAMESPACE,
  REGION_TOTALS_MESSAGE,
  SCAN_CONFIGURATION_METRIC,
  SERVICE_NAME,
} from './observability/names';

// What the stack grants and creates for the function's capabilities.
export { securityHubStatements } from './findings/permissions';
export { EMPTY_LEDGER, type LedgerEntry, type LedgerSnapshot, type LedgerStore } from './guardrail/ledger';
