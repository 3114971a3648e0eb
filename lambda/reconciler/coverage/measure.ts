import type { Ec2ScanConfiguration, RegionInspector } from '../aws/inspector';
import type { CallBudget } from '../deadline/budget';
import { managesScanConfiguration } from '../plan';
import { type ScanDecision, scanConfigurationScope } from '../scan-configuration/scope';
import { type RegionScannerChanges, scannerChanges } from './scanner-change';
import type { AccountCoverage, CoverageTotals, RegionCoverage } from './tally';
import { CoverageTally } from './tally';
import { DeadlineReached, NOT_REACHED } from '../deadline/budget';
import { withDeadline } from '../deadline/deadline';
import { readScope } from '../run/scope';
import type { Dependencies, ReconcileRequest } from '../run/types';
import { administratorFailure, membersDeniedFailure, uncheckedFailure } from '../regions/delegated-administrator';
import { optInFailure, type RegionFailure, readFailure } from '../regions/opt-in';

/** What one coverage measurement is asked to do, already validated: a run's scope, and nothing it would write. */
export type CoverageRequest = Pick<
  ReconcileRequest,
  'runId' | 'ownAccountId' | 'defaultRegion' | 'accountIds' | 'regions' | 'remainingTimeMs' | 'deadlineMargins'
> & {
  /**
   * Also count instances by scanner before and after the policy's planned scan configuration change, when the
   * policy manages the scan configuration: one GetConfiguration with `accountId` per counted account with
   * instances in a region. The CLI's `coverage` asks; the function's daily measurement does not (at 10,000
   * accounts × 17 regions those reads would not fit its 900 s). @default false
   */
  readonly scannerChanges?: boolean;
};

/** A region's coverage, and its planned scanner moves when asked for. */
export type RegionCoverageWithChanges = RegionCoverage & {
  /**
   * When the policy manages the EC2 scan configuration and the measurement was asked for it (the CLI's
   * `coverage`): the accounts whose planned change moves instances between scanners, now and as planned
   * (scanner-change.ts).
   */
  readonly scannerChanges?: RegionScannerChanges;
};

export interface CoverageSummary {
  readonly runId: string;
  /** The policy the measurement used, and its version, when the source says. */
  readonly policy?: string;
  readonly totals: CoverageTotals;
  readonly regions: readonly RegionCoverageWithChanges[];
  /** The policy's coverage.minimumEffectivePercent, when set. */
  readonly minimumEffectivePercent?: number;
  /** Regions whose effective coverage is below it. */
  readonly regionsBelowMinimum: readonly string[];
  readonly deadlineReached: boolean;
}

export interface CoverageResult {
  readonly summary: CoverageSummary;
  /** Every managed account's counts per region, for a per-account report (CSV). */
  readonly accounts: readonly AccountCoverage[];
}

type CoverageDependencies = Pick<
  Dependencies,
  'policy' | 'directory' | 'regions' | 'inspectorFor' | 'now' | 'progress'
>;

/**
 * Measures effective coverage: policy → accounts the policy manages (ACTIVATED or DEACTIVATED, not
 * UNMANAGED) → per region, in parallel, their deep inspection status (the reconciler's own batch
 * reads) and the organization's EC2 coverage (ListCoverage, 200 a page, folded as it arrives).
 */
export async function measureCoverage(request: CoverageRequest, deps: CoverageDependencies): Promise<CoverageResult> {
  return withDeadline(request, async (deadline) => {
    const progress = deps.progress ?? (() => undefined);
    const { policy, regions, optStatuses, targets, accounts, today } = await readScope(request, deps, deadline);
    const managed = targets.flatMap((target) => ('desired' in target ? [target.accountId] : []));
    // Only when asked and the policy manages the scan configuration: otherwise no call beyond today's.
    const scan =
      request.scannerChanges === true && managesScanConfiguration(policy)
        ? scanConfigurationScope(accounts, policy, today, false)
        : undefined;
    progress(`${managed.length} accounts the policy manages; measuring coverage in ${regions.join(', ')}`);

    const measured = await Promise.all(
      regions.map(async (region) => {
        // A region failing as a whole is classified as a run's region is: the same verdicts, the same messages.
        const unreadable = (failure: RegionFailure) => {
          progress(`${region}: coverage could not be read: ${failure.message}`);
          const { message: error, verdict: errorVerdict, notEnabled, notDelegatedAdministrator } = failure;
          return {
            summary: {
              ...new CoverageTally(new Map(), region).summary(),
              error,
              errorVerdict,
              ...(notEnabled ? { notEnabled: true as const } : {}),
              ...(notDelegatedAdministrator ? { notDelegatedAdministrator: true as const } : {}),
            },
            accounts: [],
          };
        };
        const notEnabled = optInFailure(region, optStatuses);
        if (notEnabled !== undefined) return unreadable(notEnabled);
        const inspector = deps.inspectorFor(region);
        // As a run checks it (run/read-region.ts): a non-administrator's reads answer ACCESS_DENIED, which would
        // count every instance as one deep inspection cannot reach, and report 100 % effective coverage.
        const administrator = await inspector.delegatedAdministrator(deadline);
        const notAdministrator =
          administratorFailure(region, request.ownAccountId, administrator) ??
    uncheckedFailure(region, administrator, (error) => readFailure(region, error, optStatuses));
        if (notAdministrator !== undefined) return unreadable(notAdministrator);
        try {
          const read = await inspector.read({
            accountIds: managed,
            ownAccountId: request.ownAccountId,
            includeConfiguration: false,
            budget: deadline,
          });
          const membersDenied = membersDeniedFailure(
            region,
            administrator,
            read.members,
            request.accountIds === undefined,
          );
          if (membersDenied !== undefined) return unreadable(membersDenied);
          const tally = new CoverageTally(
            new Map(
              managed.map((id) => {
                const observation = read.observations.get(id);
                return [id, observation?.kind === 'OBSERVED' && observation.deepInspection === 'ACTIVATED'];
              }),
            ),
            region,
          );
          await inspector.listCoverage((page) => tally.add(page), deadline);
          progress(`${region}: coverage read`);
          const perAccount = tally.perAccount();
          const changes =
            scan === undefined
              ? undefined
              : await plannedScannerChanges(region, perAccount, scan.decisions, {
                  inspector,
                  ownAccountId: request.ownAccountId,
                  administrator: read.ec2ScanConfiguration,
                  budget: deadline,
                });
          return {
            summary: { ...tally.summary(), ...(changes === undefined ? {} : { scannerChanges: changes }) },
            accounts: perAccount,
          };
        } catch (error) {
          if (error instanceof DeadlineReached) {
            return unreadable({
              message: NOT_REACHED,
              accountMessage: NOT_REACHED,
              verdict: 'TRANSIENT',
              notEnabled: false,
            });
          }
          return unreadable(readFailure(region, error, optStatuses));
        }
      }),
    );

    const minimum = policy.coverage?.minimumEffectivePercent;
    const summaries = measured.map((region) => region.summary);
    return {
      summary: {
        runId: request.runId,
        ...(policy.origin === undefined ? {} : { policy: policy.origin }),
        totals: addTotals(summaries.map((region) => region.totals)),
        regions: summaries,
        ...(minimum === undefined ? {} : { minimumEffectivePercent: minimum }),
        regionsBelowMinimum:
          minimum === undefined
            ? []
            : summaries
                .filter(
                  (region) => region.totals.effectivePercent !== undefined && region.totals.effectivePercent < minimum,
                )
                .map((region) => region.region),
        deadlineReached: summaries.some((region) => region.error === NOT_REACHED),
      },
      accounts: measured.flatMap((region) => region.accounts),
    };
  });
}

/**
 * The region's planned scanner moves: GetConfiguration with `accountId` for each counted member whose scan
 * configuration the policy decides and that has instances here (an account without any has nothing to move);
 * the administrator's own configuration as the region's read already found it.
 */
async function plannedScannerChanges(
  region: string,
  accounts: readonly AccountCoverage[],
  decisions: ReadonlyMap<string, ScanDecision>,
  {
    inspector,
    ownAccountId,
    administrator,
    budget,
  }: {
    inspector: Pick<RegionInspector, 'memberScanConfigurations'>;
    ownAccountId: string;
    administrator: Ec2ScanConfiguration;
    budget: CallBudget;
  },
): Promise<RegionScannerChanges> {
  const toRead = accounts
    .filter(
      (account) =>
        account.instances > 0 && account.accountId !== ownAccountId && 'target' in (decisions.get(account.accountId) ?? {}),
    )
    .map((account) => account.accountId);
  const reads = await inspector.memberScanConfigurations(toRead, budget);
  const made = [...reads.values()].filter((answer) => !('notReached' in answer && answer.notReached)).length;
  return scannerChanges(region, accounts, decisions, new Map([...reads, [ownAccountId, administrator]]), made);
}

function addTotals(totals: readonly CoverageTotals[]): CoverageTotals {
  const sum = (key: 'instances' | 'deepInspected' | 'fixable' | 'expected' | 'vmScannerNotScanning') =>
    totals.reduce((total, region) => total + region[key], 0);
  return {
    instances: sum('instances'),
    deepInspected: sum('deepInspected'),
    fixable: sum('fixable'),
    expected: sum('expected'),
    vmScannerNotScanning: sum('vmScannerNotScanning'),
  };
}
