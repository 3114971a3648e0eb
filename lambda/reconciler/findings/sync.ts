import type { FindingsFilter, ImportFailure, RegionSecurityHub } from '../aws/securityhub';
import { type CallBudget, DeadlineReached, UNLIMITED } from '../deadline/budget';
import { describeError } from '../errors/describe-error';
import { utcDay } from '../policy/expiry';
import type { Outcome } from '../model';
import type { Policy } from '../policy/schema';
import type { ScanConfigurationOutcome } from '../scan-configuration/outcome';
import { type AsffFinding, GENERATOR_ID, arnPartitionOf, productArn } from './asff';
import { exceptionsByRegion, type RegionExceptions } from './decide';
import type { AccountExceptionReason, RuleExceptionReason } from './exception';
import { diffFindings, sweepFindings } from './diff';

/**
 * The findings step of a run: for each region the run evaluated and could read, make Security Hub's
 * open findings of this product exactly the exceptions the run saw. Never throws for Security Hub's
 * sake: a region without Security Hub, a refused call or the deadline end up in the report.
 */

/** What the run covered: findings outside it are never touched, regions outside it never called. */
export interface FindingsScope {
  /** The regions the run evaluated: the policy's, or those the invocation named. */
  readonly regions: readonly string[];
  /** Of those, the regions whose Inspector the run could read; the others are left as they are. */
  readonly readRegions: readonly string[];
  /** The run evaluated every account of the organization (the invocation named no `accounts`). */
  readonly wholeOrganization: boolean;
  /**
   * Regions outside the policy where this account may still hold findings of this product: its enabled
   * regions the policy no longer names. Only a run of the whole policy (no `regions`, no `accounts` in
   * the invocation) gives them; their open findings are archived, since no exception of the current
   * policy is about them. Security Hub CSPM not enabled there is no warning. @default none
   */
  readonly sweepRegions?: readonly string[];
  /** Why a run of the whole policy could not tell which regions to sweep (ListRegions failed): for the report. */
  readonly sweepSkipped?: string;
}

export interface SyncFindingsInput {
  /** Every outcome of the run, one per account and region evaluated, after apply. */
  readonly outcomes: readonly Outcome[];
  /**
   * The scan configuration's outcomes after apply, when the policy manages scan configuration; absent when it
   * manages none (then any open scan configuration finding of a settled account is archived).
   */
  readonly scanConfiguration?: readonly ScanConfigurationOutcome[];
  /**
   * With `scanConfiguration`: every account of the run's scope whose scan configuration the policy manages,
   * read this run or not. An open scan configuration finding of an account the run settled that is not
   * among them is archived (the policy no longer manages it); absent, none is archived for that.
   */
  readonly scanConfigurationManaged?: ReadonlySet<string>;
  readonly policy: Policy;
  readonly scope: FindingsScope;
  /** A dry run (the CLI's plan) writes nothing: no call is made at all. */
  readonly dryRun: boolean;
  /** The run's clock: timestamps, the refresh age, and the day rule expiry is judged on. */
  readonly now: Date;
  /** The account the function runs in, the Inspector delegated administrator: the findings' AwsAccountId and product. */
  readonly ownAccountId: string;
  /** @default the partition of the scope's first region */
  readonly partition?: string;
}

export interface SyncFindingsDependencies {
  /** A Security Hub port per region; only the regions in scope are asked for. */
  readonly securityHubFor: (region: string) => RegionSecurityHub;
  /** The run's deadline: no call starts once it says stop, calls in flight are aborted. @default UNLIMITED */
  readonly budget?: CallBudget;
}

export type ExceptionReason = AccountExceptionReason | RuleExceptionReason;

/** Failures listed at most, so the summary line stays small; all are counted. */
export const MAX_LISTED_FAILURES = 100;

export interface FindingsReport {
  readonly dryRun: boolean;
  /** Findings created, changed or refreshed (ACTIVE), as Security Hub accepted them. */
  readonly imported: number;
  /** Findings resolved: Compliance PASSED, RecordState ARCHIVED. */
  readonly archived: number;
  /** Open findings that match the exception and are not due for refresh: not sent. */
  readonly unchanged: number;
  /** Open findings the run could not judge, left as they are. */
  readonly untouched: number;
  /** Findings Security Hub refused twice, or that a failed call carried. */
  readonly failed: number;
  /** Findings not sent because the run's deadline came. */
  readonly notReached: number;
  /** Security Hub requests made, every region together. */
  readonly calls: number;
  readonly regionsWithoutSecurityHub: readonly string[];
  /** Regions outside the policy whose open findings were read, and archived if there were any. */
  readonly regionsSwept: readonly string[];
  /**
   * Regions outside the policy that could not be swept, and why: reported, never alarmed on, since a
   * region an SCP denies (a region-deny policy) answers AccessDenied every run; the next run tries again.
   */
  readonly sweepErrors: readonly { readonly region: string; readonly error: string }[];
  /** Set when the regions to sweep could not be told (ListRegions failed): nothing outside the policy was swept. */
  readonly sweepSkipped?: string;
  /** Regions whose findings could not be synced: GetFindings or the import failed whole. */
  readonly regionErrors: readonly { readonly region: string; readonly error: string }[];
  /** Regions the run's deadline kept this step from. */
  readonly regionsNotReached: readonly string[];
  readonly failures: readonly (ImportFailure & { readonly region: string })[];
  /** The exceptions the run saw, by reason, in the regions it evaluated: the metric of open exceptions. */
  readonly exceptions: Partial<Record<ExceptionReason, number>>;
  /** One line each for the log: a region without Security Hub, a region that failed. */
  readonly warnings: readonly string[];
}

/**
 * Whether to sync at all. The stack setting grants the permissions, the policy setting turns the
 * findings on: off in the stack means no Security Hub permissions and no call; a policy that asks for
 * findings the stack does not allow gets one warning.
 */
export function findingsGate(settings: { readonly stackGranted: boolean; readonly policyAsks: boolean }): {
  readonly sync: boolean;
  readonly warning?: string;
} {
  if (!settings.policyAsks) return { sync: false };
  if (!settings.stackGranted) {
    return {
      sync: false,
      warning:
        'the policy asks for Security Hub findings, but the stack does not grant Security Hub permissions: deploy with the findings setting on, or turn them off in the policy',
    };
  }
  return { sync: true };
}

/**
 * Syncs the run's exceptions to Security Hub, region by region, in parallel.
 * @returns what was imported, archived and left, with every call counted
 */
export async function syncFindings(input: SyncFindingsInput, deps: SyncFindingsDependencies): Promise<FindingsReport> {
  const budget = deps.budget ?? UNLIMITED;
  const byRegion = exceptionsByRegion(input.outcomes, input.policy, {
    today: utcDay(input.now),
    wholeOrganization: input.scope.wholeOrganization,
    ...(input.scanConfiguration === undefined ? {} : { scanConfiguration: input.scanConfiguration }),
    ...(input.scanConfigurationManaged === undefined
      ? {}
      : { scanConfigurationManaged: input.scanConfigurationManaged }),
  });
  const exceptions: Partial<Record<ExceptionReason, number>> = {};
  for (const region of input.scope.regions) {
    for (const exception of byRegion.get(region)?.exceptions ?? []) {
      exceptions[exception.reason] = (exceptions[exception.reason] ?? 0) + 1;
    }
  }
  const report = {
    ...emptyFindingsReport(input.dryRun, exceptions),
    ...(input.scope.sweepSkipped === undefined || input.dryRun ? {} : { sweepSkipped: input.scope.sweepSkipped }),
  };
  if (input.dryRun) return report;

  const readable = new Set(input.scope.readRegions);
  const regions = input.scope.regions.filter((region) => readable.has(region));
  const partition = input.partition ?? arnPartitionOf(input.scope.regions[0] ?? 'us-east-1');
  const swept = input.scope.wholeOrganization
    ? (input.scope.sweepRegions ?? []).filter((region) => !input.scope.regions.includes(region))
    : [];
  const context = { partition, ownAccountId: input.ownAccountId, now: input.now, budget };
  const results = await Promise.all([
    ...regions.map((region) =>
      syncRegion(region, {
        exceptions: byRegion.get(region) ?? {
          region,
          exceptions: [],
          settledAccounts: new Set<string>(),
          evaluatedAccounts: new Set<string>(),
          // A region with no outcome evaluated no account: nothing in it is settled.
          unsettledRules: new Set<string>(),
          complete: false,
          scanSettledAccounts: new Set<string>(),
          scanUnmanagedAccounts: new Set<string>(),
        },
        port: deps.securityHubFor(region),
        ...context,
      }),
    ),
    ...swept.map((region) => sweepRegion(region, { port: deps.securityHubFor(region), ...context })),
  ]);
  return results.reduce(merge, report);
}

type RegionResult = Omit<FindingsReport, 'dryRun' | 'exceptions'>;

interface RegionContext {
  port: RegionSecurityHub;
  partition: string;
  ownAccountId: string;
  now: Date;
  budget: CallBudget;
}

/** The filter that says "this product's findings in this region". */
function filterFor(region: string, context: RegionContext): FindingsFilter {
  return {
    productArn: productArn(context.partition, region, context.ownAccountId),
    generatorId: GENERATOR_ID,
    awsAccountId: context.ownAccountId,
    region,
  };
}

/**
 * One region the run evaluated: GetFindings (which also says whether Security Hub is enabled), the diff,
 * a look-up of the archived findings of exceptions that may have come back (only when there are new
 * ones), then one import of what changed and what resolved.
 */
async function syncRegion(
  region: string,
  context: RegionContext & { exceptions: RegionExceptions },
): Promise<RegionResult> {
  return guarded(region, context, async () => {
    const { port, budget } = context;
    const filter = filterFor(region, context);
    const open = await port.openFindings(filter, budget);
    if (!open.enabled) {
      return {
        regionsWithoutSecurityHub: [region],
        warnings: [
          `Security Hub CSPM not enabled in ${region}: its exceptions were not imported (${open.reason}); BatchImportFindings needs Security Hub CSPM, not only the new Security Hub`,
        ],
      };
    }
    const diffInput = {
      open: open.findings,
      region: context.exceptions,
      partition: context.partition,
      ownAccountId: context.ownAccountId,
      now: context.now,
    };
    const first = diffFindings(diffInput);
    const plan =
      first.created.length === 0
        ? first
        : diffFindings({ ...diffInput, archived: await port.archivedFindings(filter, first.created, budget) });
    return {
      ...(await importPlan(port, plan.imports, plan.archives, budget, region)),
      unchanged: plan.counts.unchanged,
      untouched: plan.counts.untouched,
    };
  });
}

/** One region outside the policy: its open findings of this product archived; no Security Hub there is no warning. */
async function sweepRegion(region: string, context: RegionContext): Promise<RegionResult> {
  const result = await guarded(region, context, async () => {
    const open = await context.port.openFindings(filterFor(region, context), context.budget);
    if (!open.enabled) return { regionsSwept: [region] };
    const archives = sweepFindings(open.findings, context.now);
    return {
      ...(await importPlan(context.port, [], archives, context.budget, region)),
      untouched: open.findings.length - archives.length,
      regionsSwept: [region],
    };
  });
  // Not the policy's region: a failure here is housekeeping left for the next run, not an exception lost.
  const [refused] = result.failures;
  const notArchived =
    refused === undefined
      ? []
      : [
          {
            region,
            error: `${result.failed} finding${result.failed === 1 ? '' : 's'} not archived: ${refused.errorCode}: ${refused.errorMessage}`,
          },
        ];
  return {
    ...result,
    failed: 0,
    failures: [],
    regionErrors: [],
    warnings: [],
    sweepErrors: [...result.regionErrors, ...notArchived],
  };
}

/** Sends the imports and archives in one stream of batches, and counts what Security Hub took. */
async function importPlan(
  port: RegionSecurityHub,
  imports: readonly AsffFinding[],
  archives: readonly AsffFinding[],
  budget: CallBudget,
  region: string,
): Promise<Partial<RegionResult>> {
  const sent = [...imports, ...archives];
  if (sent.length === 0) return {};
  const archivedIds = new Set(archives.map((finding) => finding.Id));
  const outcome = await port.importFindings(sent, budget);
  const refused =
    outcome.refusedWhole === undefined
      ? {}
      : {
          regionErrors: [{ region, error: `BatchImportFindings refused: ${outcome.refusedWhole}` }],
          warnings: [`Security Hub findings for ${region} could not be imported: ${outcome.refusedWhole}`],
        };
  return {
    ...refused,
    imported: outcome.imported.filter((id) => !archivedIds.has(id)).length,
    archived: outcome.imported.filter((id) => archivedIds.has(id)).length,
    failed: outcome.failed.length,
    notReached: outcome.notReached.length,
    failures: outcome.failed.map((failure) => ({ ...failure, region })),
  };
}

/** A region's step with its calls counted; the deadline and any failure end up in the report, never thrown. */
async function guarded(
  region: string,
  { port, budget }: RegionContext,
  step: () => Promise<Partial<RegionResult>>,
): Promise<RegionResult> {
  const callsBefore = port.calls;
  const done = (changes: Partial<RegionResult>): RegionResult => ({
    ...emptyRegionResult(),
    ...changes,
    calls: port.calls - callsBefore,
  });
  try {
    if (!budget.canContinue()) return done({ regionsNotReached: [region] });
    return done(await step());
  } catch (error) {
    if (error instanceof DeadlineReached || budget.signal?.aborted) return done({ regionsNotReached: [region] });
    const message = describeError(error);
    return done({
      regionErrors: [{ region, error: message }],
      warnings: [`Security Hub findings for ${region} could not be synced: ${message}`],
    });
  }
}

function emptyRegionResult(): RegionResult {
  return {
    imported: 0,
    archived: 0,
    unchanged: 0,
    untouched: 0,
    failed: 0,
    notReached: 0,
    calls: 0,
    regionsWithoutSecurityHub: [],
    regionsSwept: [],
    sweepErrors: [],
    regionErrors: [],
    regionsNotReached: [],
    failures: [],
    warnings: [],
  };
}

/** A findings report with nothing done yet: the step's starting point (and the benchmark's all-zero report). */
export function emptyFindingsReport(dryRun: boolean, exceptions: FindingsReport['exceptions']): FindingsReport {
  return { dryRun, exceptions, ...emptyRegionResult() };
}

function merge(report: FindingsReport, region: RegionResult): FindingsReport {
  return {
    ...report,
    imported: report.imported + region.imported,
    archived: report.archived + region.archived,
    unchanged: report.unchanged + region.unchanged,
    untouched: report.untouched + region.untouched,
    failed: report.failed + region.failed,
    notReached: report.notReached + region.notReached,
    calls: report.calls + region.calls,
    regionsWithoutSecurityHub: [...report.regionsWithoutSecurityHub, ...region.regionsWithoutSecurityHub],
    regionsSwept: [...report.regionsSwept, ...region.regionsSwept],
    sweepErrors: [...report.sweepErrors, ...region.sweepErrors],
    regionErrors: [...report.regionErrors, ...region.regionErrors],
    regionsNotReached: [...report.regionsNotReached, ...region.regionsNotReached],
    failures: [...report.failures, ...region.failures].slice(0, MAX_LISTED_FAILURES),
    warnings: [...report.warnings, ...region.warnings],
  };
}
