import type { Ec2ScanConfiguration, RegionInspector } from '../aws/inspector';
import type { Observation, OrganizationAccount, Outcome } from '../model';
import { managesScanConfiguration } from '../plan';
import type { Policy } from '../policy/schema';
import type { CallBudget } from '../deadline/budget';
import { orderChanges } from './order';
import type { ScanConfigurationFailureReason, ScanConfigurationOutcome, ScanConfigurationReport } from './outcome';
import { administratorState, notReadable, planAdministrator, planMember } from './plan';
import { type ScanConfigurationScope, scanConfigurationScope } from './scope';
import { inSlice, type ScanConfigurationReads } from './slice';

/*
 * The scan configuration step of one region, after its deep inspection read and plan: which members'
 * configuration this run reads, the reads (GetConfiguration with `accountId`, one a member), the plan, and
 * the order rule applied to both streams. A policy that manages no scan configuration never gets here.
 */

/** What the step needs of the run, once for every region. */
export interface ScanConfigurationRun {
  readonly policy: Policy;
  readonly scope: ScanConfigurationScope;
  /** A scheduled run's window of the day, or every managed account (the CLI, a run naming accounts). */
  readonly reads: ScanConfigurationReads;
  /** The run names its accounts: each is read, whatever the slice. */
  readonly named: boolean;
  readonly ownAccountId: string;
}

/**
 * The members whose configuration the run evaluates in a region: managed (a setting decided, or a rule that
 * cannot be decided) and in the run's slice, or named by the run, or (`deepChanged`) whose deep inspection
 * the run changes in the region, so that the order rule sees both. The administrator is not among them: its
 * own configuration is read with the region.
 */
export function membersToEvaluate(run: ScanConfigurationRun, deepChanged: ReadonlySet<string> = new Set()): string[] {
  return [...run.scope.decisions.keys()].filter(
    (accountId) =>
      accountId !== run.ownAccountId && (run.named || inSlice(accountId, run.reads) || deepChanged.has(accountId)),
  );
}

/**
 * Whether the run evaluates the administrator's own configuration: when the policy's `scanConfiguration`
 * states a setting (it is that configuration) or a rule decides one for it, in a whole-organization run or
 * one naming it.
 */
export function evaluatesAdministrator(run: ScanConfigurationRun): boolean {
  return administratorManaged(run) && (!run.named || run.scope.decisions.has(run.ownAccountId));
}

/** The policy's `scanConfiguration` states a setting (the administrator's own configuration), or a rule decides one for it. */
function administratorManaged(run: ScanConfigurationRun): boolean {
  const defaults = run.policy.scanConfiguration;
  return (
    run.scope.decisions.has(run.ownAccountId) || defaults?.scanMode !== undefined || defaults?.vmScanner !== undefined
  );
}

/**
 * Every account of the run's scope whose scan configuration the policy manages (or cannot decide), the
 * administrator's included when its own configuration is held: read or not this run. The findings step
 * archives an open scan configuration finding of an account the run settled that is not among them.
 */
export function managedAccounts(run: ScanConfigurationRun): ReadonlySet<string> {
  const managed = new Set(run.scope.decisions.keys());
  if (administratorManaged(run)) managed.add(run.ownAccountId);
  return managed;
}

/**
 * The region's scan configuration read and planned, and its deep inspection outcomes with the order rule
 * applied. Reads only the members Inspector answered for as members with EC2 scanning ENABLED; the others'
 * outcomes say why, with no call.
 */
export async function readAndPlanScanConfiguration(
  region: string,
  run: ScanConfigurationRun,
  read: {
    readonly inspector: Pick<RegionInspector, 'memberScanConfigurations'>;
    readonly observations: ReadonlyMap<string, Observation>;
    /** The administrator's own configuration, as the region's read found it. */
    readonly administrator: Ec2ScanConfiguration;
    readonly deep: readonly Outcome[];
    readonly budget: CallBudget;
  },
): Promise<{ deep: Outcome[]; scanConfiguration: ScanConfigurationReport }> {
  const deepChanged = new Set(
    read.deep.filter((o) => o.kind === 'ACTIVATE' || o.kind === 'DEACTIVATE').map((o) => o.accountId),
  );
  const members = membersToEvaluate(run, deepChanged);
  const decided = new Map<string, ScanConfigurationOutcome>();
  const toRead: string[] = [];
  for (const accountId of members) {
    const decision = run.scope.decisions.get(accountId);
    const without =
      decision !== undefined && 'undecidedAt' in decision
        ? planMember(region, accountId, decision, undefined, { follows: new Set() })
        : notReadable(region, accountId, read.observations.get(accountId), decision?.target ?? {});
    if (without === undefined) toRead.push(accountId);
    else decided.set(accountId, without);
  }
  const reads = await read.inspector.memberScanConfigurations(toRead, read.budget);
  const administrator = evaluatesAdministrator(run)
    ? planAdministrator(region, run.ownAccountId, read.administrator, run.policy, run.scope)
    : undefined;
  const state = administratorState(administrator, run.scope);
  const outcomes = members.map(
    (accountId) =>
      decided.get(accountId) ??
      planMember(region, accountId, run.scope.decisions.get(accountId) ?? { target: {} }, reads.get(accountId), state),
  );
  const ordered = orderChanges(read.deep, [...(administrator ? [administrator] : []), ...outcomes]);
  return {
    deep: ordered.deep,
    scanConfiguration: {
      outcomes: ordered.scan,
      reads: [...reads.values()].filter((answer) => !('notReached' in answer && answer.notReached)).length,
    },
  };
}

/**
 * A region that could not be read, or that the deadline did not reach: each account the run would have
 * evaluated FAILED with the region's reason, with no call.
 */
export function unreadScanConfiguration(
  region: string,
  run: ScanConfigurationRun,
  reason: Extract<ScanConfigurationFailureReason, 'REGION_UNREADABLE' | 'REGION_NOT_ENABLED' | 'TIMEOUT_NOT_REACHED'>,
  errorMessage: string,
): ScanConfigurationReport {
  const accounts = [...(evaluatesAdministrator(run) ? [run.ownAccountId] : []), ...membersToEvaluate(run)];
  return {
    outcomes: accounts.map((accountId) => ({ kind: 'FAILED', accountId, region, reason, errorMessage })),
    reads: 0,
  };
}

/**
 * The run's scan configuration step, or undefined when the policy manages no scan configuration (then the
 * run makes no scan configuration call at all).
 * @param wholeOrganization the run lists the whole organization and names no accounts
 */
export function scanConfigurationRun(
  policy: Policy,
  accounts: readonly OrganizationAccount[],
  today: string,
  request: {
    readonly accountIds?: readonly string[];
    readonly ownAccountId: string;
    readonly scanConfigurationReads?: ScanConfigurationReads;
  },
  wholeOrganization: boolean,
): ScanConfigurationRun | undefined {
  if (!managesScanConfiguration(policy)) return undefined;
  const named = request.accountIds !== undefined;
  // A run naming accounts may have listed the whole organization (more than accountsFor reads one by one).
  const ids = new Set(request.accountIds);
  const scoped = named ? accounts.filter((account) => ids.has(account.id)) : accounts;
  return {
    policy,
    scope: scanConfigurationScope(scoped, policy, today, wholeOrganization && !named),
    reads: request.scanConfigurationReads ?? 'all',
    named,
    ownAccountId: request.ownAccountId,
  };
}
