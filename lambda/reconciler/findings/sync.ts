import type { ImportFailure, RegionSecurityHub } from '../aws/securityhub';
import { type CallBudget, DeadlineReached, UNLIMITED } from '../deadline';
import { describeError } from '../describe-error';
import { utcDay } from '../policy/expiry';
import type { Outcome } from '../model';
import type { Policy } from '../policy/schema';
import { GENERATOR_ID, partitionOf, productArn } from './asff';
import {
  type AccountExceptionReason,
  exceptionsByRegion,
  type RegionExceptions,
  type RuleExceptionReason,
} from './decide';
import { diffFindings } from './diff';

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
}

export interface SyncFindingsInput {
  /** Every outcome of the run, one per account and region evaluated, after apply. */
  readonly outcomes: readonly Outcome[];
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
  /** Regions whose findings could not be synced: DescribeHub or GetFindings failed. */
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
  });
  const exceptions: Partial<Record<ExceptionReason, number>> = {};
  for (const region of input.scope.regions) {
    for (const exception of byRegion.get(region)?.exceptions ?? []) {
      exceptions[exception.reason] = (exceptions[exception.reason] ?? 0) + 1;
    }
  }
  const report = emptyReport(input.dryRun, exceptions);
  if (input.dryRun) return report;

  const readable = new Set(input.scope.readRegions);
  const regions = input.scope.regions.filter((region) => readable.has(region));
  const partition = input.partition ?? partitionOf(input.scope.regions[0] ?? 'us-east-1');
  const results = await Promise.all(
    regions.map((region) =>
      syncRegion(region, {
        exceptions: byRegion.get(region) ?? {
          region,
          exceptions: [],
          settledAccounts: new Set<string>(),
          evaluatedAccounts: new Set<string>(),
          // A region with no outcome evaluated no account: nothing in it is settled.
          complete: false,
        },
        port: deps.securityHubFor(region),
        partition,
        ownAccountId: input.ownAccountId,
        now: input.now,
        budget,
      }),
    ),
  );
  return results.reduce(merge, report);
}

type RegionResult = Omit<FindingsReport, 'dryRun' | 'exceptions'>;

async function syncRegion(
  region: string,
  context: {
    exceptions: RegionExceptions;
    port: RegionSecurityHub;
    partition: string;
    ownAccountId: string;
    now: Date;
    budget: CallBudget;
  },
): Promise<RegionResult> {
  const { port, budget } = context;
  const callsBefore = port.calls;
  const done = (changes: Partial<RegionResult>): RegionResult => ({
    ...emptyRegionResult(),
    ...changes,
    calls: port.calls - callsBefore,
  });
  try {
    if (!budget.canContinue()) return done({ regionsNotReached: [region] });
    const hub = await port.describeHub(budget);
    if (!hub.enabled) {
      return done({
        regionsWithoutSecurityHub: [region],
        warnings: [`Security Hub not enabled in ${region}: its exceptions were not imported (${hub.reason})`],
      });
    }
    const product = productArn(context.partition, region, context.ownAccountId);
    const { findings: open } = await port.openFindings(
      { productArn: product, generatorId: GENERATOR_ID, awsAccountId: context.ownAccountId, region },
      budget,
    );
    const plan = diffFindings({
      open,
      region: context.exceptions,
      partition: context.partition,
      ownAccountId: context.ownAccountId,
      now: context.now,
    });
    const archivedIds = new Set(plan.archives.map((finding) => finding.Id));
    const sent = [...plan.imports, ...plan.archives];
    const outcome =
      sent.length === 0 ? { imported: [], failed: [], notReached: [] } : await port.importFindings(sent, budget);
    return done({
      imported: outcome.imported.filter((id) => !archivedIds.has(id)).length,
      archived: outcome.imported.filter((id) => archivedIds.has(id)).length,
      unchanged: plan.counts.unchanged,
      untouched: plan.counts.untouched,
      failed: outcome.failed.length,
      notReached: outcome.notReached.length,
      failures: outcome.failed.map((failure) => ({ ...failure, region })),
    });
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
    regionErrors: [],
    regionsNotReached: [],
    failures: [],
    warnings: [],
  };
}

function emptyReport(dryRun: boolean, exceptions: FindingsReport['exceptions']): FindingsReport {
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
    regionErrors: [...report.regionErrors, ...region.regionErrors],
    regionsNotReached: [...report.regionsNotReached, ...region.regionsNotReached],
    failures: [...report.failures, ...region.failures].slice(0, MAX_LISTED_FAILURES),
    warnings: [...report.warnings, ...region.warnings],
  };
}
