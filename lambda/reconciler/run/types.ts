import type { AccountRegions } from '../aws/account-regions';
import type { RegionInspector } from '../aws/inspector';
import type { AccountDirectory } from '../aws/organizations';
import type { PolicySource } from '../aws/policy-store';
import type { FailureQueue, Undelivered } from '../aws/queue';
import type { RetryVerdict } from '../errors/classification';
import type { FindingsPort } from '../findings/step';
import type { FindingsReport } from '../findings/sync';
import type { LedgerStore } from '../guardrail/ledger';
import type { SliceSample } from '../guardrail/projection';
import type { EffectivePolicyReader, Ec2ScanningOffReport } from '../inspector-policy';
import type { Outcome } from '../model';
import type { LintWarning } from '../policy/lint';
import type { Policy } from '../policy/schema';
import type { ScanConfigurationReads } from '../scan-configuration/slice';
import type { DeadlineMargins } from '../deadline/deadline';
import type { PlannedRegion } from './region';
import type { RunSummary } from './summary';

/*
 * The shapes a run is asked and answers with: the request, the ports (Dependencies), the plan and the
 * result (a region's, in region.ts). The steps that make them are the other files of run/, in the order reconcile.ts calls them.
 */

/** What one run is asked to do, already validated. */
export interface ReconcileRequest {
  readonly runId: string;
  readonly dryRun: boolean;
  /** Apply deactivations even when they exceed the policy's guardrail. */
  readonly force: boolean;
  /** Limits the run to these accounts. */
  readonly accountIds?: readonly string[];
  /** Limits the run to these regions; each must be one of the policy's. */
  readonly regions?: readonly string[];
  /** The delegated administrator: the account the run's credentials belong to. */
  readonly ownAccountId: string;
  /** The policy's regions when it names none. */
  readonly defaultRegion: string;
  /** Milliseconds left in the invocation (Lambda's getRemainingTimeInMillis); absent: no deadline. */
  readonly remainingTimeMs?: () => number;
  /**
   * What the per-run deactivation limit counts against: the same for every attempt of one scheduled
   * run (Lambda's retries and Scheduler's), so retries cannot multiply it. @default runId
   */
  readonly guardrailRun?: string;
  /**
   * Whose EC2 scan configuration (GetConfiguration with `accountId`) the run reads, besides the accounts it
   * names and those whose deep inspection it changes: a scheduled run's window of the day (the handler's,
   * from the schedule period: scan-configuration/slice.ts), or every managed account (the CLI). Only when the
   * policy manages scan configuration. @default 'all'
   */
  readonly scanConfigurationReads?: ScanConfigurationReads;
  /** When the run stops starting calls and aborts those in flight. @default marginsFor(CALL_TIMEOUTS) */
  readonly deadlineMargins?: DeadlineMargins;
}

export interface Dependencies {
  readonly policy: PolicySource;
  readonly directory: AccountDirectory;
  readonly inspectorFor: (region: string) => RegionInspector;
  readonly queue: FailureQueue;
  /**
   * Which regions the account has enabled (Account Management ListRegions). Absent: not asked, and a
   * region's own answers tell (UnrecognizedClientException).
   */
  readonly regions?: AccountRegions;
  /** Deactivations across invocations, for the daily limit and retries. Absent: the per-run limit within this invocation only. */
  readonly ledger?: LedgerStore;
  readonly now?: () => Date;
  /** Told each step as it finishes, for a long run's progress on a terminal; counts in `event` where a step has them. */
  readonly progress?: (message: string, event?: ProgressEvent) => void;
  /**
   * Organizations' effective Inspector policies, asked why EC2 scanning is off in the accounts where it is
   * (inspector-policy.ts). Absent: not asked, and those outcomes carry no cause.
   */
  readonly effectivePolicies?: EffectivePolicyReader;
  /**
   * The findings step (docs/findings.md): the function's, after the queue. Absent, as in the CLI: no
   * Security Hub call, whatever the policy says.
   */
  readonly findings?: FindingsPort;
}

/** The counts behind a progress message, for a caller that draws them (the CLI's progress bars). */
export type ProgressEvent = {
  readonly step: 'listed';
  /** Accounts the organization listed. */
  readonly accounts: number;
  /** Accounts read in each region. */
  readonly toRead: number;
};

export interface RunResult {
  readonly summary: RunSummary;
  /** Every outcome, one per account and region evaluated, for callers that print them all. */
  readonly outcomes: readonly Outcome[];
  /** Failures the queue would not take: the caller must log them and fail the run. */
  readonly undelivered: readonly Undelivered[];
  /** Why the run must be marked failed even though it finished: failed regions, undelivered failures. */
  readonly problems: readonly RunProblem[];
  /**
   * The findings step's whole report, when it ran (the policy asks, the stack grants): for the metrics and
   * the log. Never a problem: a Security Hub failure does not fail the run (its metrics and alarms tell).
   */
  readonly findings?: FindingsReport;
}

/** One reason a finished run is marked failed, with whether a retry can heal it. */
export interface RunProblem {
  readonly message: string;
  readonly verdict: RetryVerdict;
  /** Set when the problem is a region the account has not enabled. */
  readonly regionNotEnabled?: string;
  /** Set when the problem is a region where this account is not Inspector's delegated administrator. */
  readonly notDelegatedAdministrator?: string;
}

/** What the read and plan steps found: all that the guardrail, apply, queue and summary steps need. */
export interface RunPlan {
  readonly policy: Policy;
  readonly warnings: readonly LintWarning[];
  readonly regions: readonly PlannedRegion[];
  /**
   * The regions this account has enabled (RegionOptStatus ENABLED or ENABLED_BY_DEFAULT), when
   * ListRegions could list them: where the findings step may find findings of regions the policy no
   * longer names.
   */
  readonly enabledRegions?: readonly string[];
  /** Why ListRegions could not list them, when it was asked and failed. */
  readonly enabledRegionsError?: string;
  /** What the organization's Inspector policy says where EC2 scanning is off, when anything was asked. */
  readonly ec2ScanningOff?: Ec2ScanningOffReport;
  /**
   * The accounts of the run's scope whose scan configuration the policy manages, read this run or not
   * (scan-configuration/step.ts `managedAccounts`): absent when it manages none. For the findings step.
   */
  readonly scanConfigurationManaged?: ReadonlySet<string>;
  /** A run that reads a slice of the scan configuration: what its guardrail projects narrowing from. */
  readonly sliceSample?: SliceSample;
}
