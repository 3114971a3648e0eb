import { daysLeft } from '../policy/expiry';
import type { Ec2ScanningOffCause, Outcome, TargetState } from '../model';
import { DEFAULT_RULE } from '../policy/schema';
import type { Policy } from '../policy/schema';
import type { ScanConfigurationOutcome } from '../scan-configuration/outcome';
import type {
  AccountExceptionReason,
  ExceptionStatus,
  FindingsVerdict,
  PolicyException,
  RuleException,
  SeverityLabel,
} from './exception';
import { scanConfigurationVerdictOf } from './scan-configuration-verdict';

/**
 * Which outcomes need a person, and which of them the run may judge at all. Pure: no I/O, no clock.
 * The table of which outcome and reason calls for which finding, at which severity, and why, is
 * docs/findings.md, "Which outcomes need a person": kept there alone, so that it cannot drift from a
 * copy here. verdictOf below is that table in code, with the reasons in exception.ts; the scan
 * configuration's table is scan-configuration-verdict.ts's (test/unit/findings-decide.test.ts checks the
 * tables name every skip and failure reason).
 */

/** What the policy wants for accounts a rule decides, by rule name ("default" for the default); undefined for UNMANAGED or an unknown name. */
export function desiredOfRule(policy: Policy, rule: string | undefined): TargetState | undefined {
  if (rule === undefined) return undefined;
  const state =
    rule === DEFAULT_RULE
      ? policy.default.deepInspection
      : policy.rules.find((candidate) => candidate.name === rule)?.deepInspection;
  return state === 'ACTIVATED' || state === 'DEACTIVATED' ? state : undefined;
}

/** One outcome's verdict, by the table in docs/findings.md. */
export function verdictOf(outcome: Outcome, policy: Policy): FindingsVerdict {
  const { accountId, region, rule } = outcome;
  const exception = (
    reason: AccountExceptionReason,
    severity: SeverityLabel,
    status: ExceptionStatus,
    facts: { desired?: TargetState; detail?: string; message?: string; ec2ScanningOff?: Ec2ScanningOffCause },
  ): FindingsVerdict => ({
    settled: true,
    exception: {
      kind: 'ACCOUNT',
      reason,
      accountId,
      region,
      severity,
      status,
      ...(rule === undefined ? {} : { rule }),
      ...(facts.desired === undefined ? {} : { desired: facts.desired }),
      ...(facts.detail === undefined ? {} : { detail: facts.detail }),
      ...(facts.message === undefined ? {} : { message: facts.message }),
      ...(facts.ec2ScanningOff === undefined ? {} : { ec2ScanningOff: facts.ec2ScanningOff }),
    },
  });
  switch (outcome.kind) {
    case 'COMPLIANT':
    case 'ACTIVATE':
    case 'DEACTIVATE':
    case 'WOULD_ACTIVATE':
    case 'WOULD_DEACTIVATE':
      // A report-only mismatch is a policy fact (one finding per rule), not an account fact.
      return { settled: true };
    case 'FAILED': {
      const { desired, observed, errorMessage } = outcome;
      const facts = {
        ...(desired === undefined ? {} : { desired }),
        ...(observed === undefined ? {} : { detail: observed }),
        ...(errorMessage === undefined ? {} : { message: errorMessage }),
      };
      switch (outcome.reason) {
        case 'UPDATE_FAILED':
          return exception('UPDATE_FAILED', desired === 'DEACTIVATED' ? 'MEDIUM' : 'HIGH', 'FAILED', facts);
        case 'STATUS_UNREADABLE':
        case 'ORGANIZATIONAL_UNIT_UNRESOLVED':
          return exception(outcome.reason, 'MEDIUM', 'WARNING', facts);
        case 'REGION_UNREADABLE':
          return { settled: false, why: 'the region could not be read' };
        case 'REGION_NOT_ENABLED':
          // Security Hub cannot be called there either: the region's findings stay as they are.
          return { settled: false, why: 'this account has not enabled the region' };
        case 'TIMEOUT_NOT_REACHED':
          return { settled: false, why: "not reached before the invocation's deadline" };
        default:
          return undecided(outcome);
      }
    }
    case 'SKIPPED': {
      const desired = outcome.reason === 'DEACTIVATION_HELD_BY_GUARDRAIL' ? 'DEACTIVATED' : desiredOfRule(policy, rule);
      const facts = {
        ...(desired === undefined ? {} : { desired }),
        ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
      };
      switch (outcome.reason) {
        case 'EC2_SCANNING_NOT_ENABLED':
          if (outcome.detail === 'ENABLING') return { settled: false, why: 'EC2 scanning is being enabled' };
          return desired === 'DEACTIVATED'
            ? { settled: true }
            : exception(outcome.reason, 'HIGH', 'FAILED', {
                ...facts,
                ...(outcome.ec2ScanningOff === undefined ? {} : { ec2ScanningOff: outcome.ec2ScanningOff }),
              });
        case 'NOT_INSPECTOR_MEMBER':
          return desired === 'DEACTIVATED' ? { settled: true } : exception(outcome.reason, 'HIGH', 'FAILED', facts);
        case 'BLOCKED_BY_ORGANIZATION_POLICY':
          return exception(outcome.reason, desired === 'DEACTIVATED' ? 'MEDIUM' : 'HIGH', 'FAILED', facts);
        case 'ACCOUNT_ISOLATED':
        case 'DEACTIVATION_HELD_BY_GUARDRAIL':
          return exception(outcome.reason, 'MEDIUM', 'WARNING', facts);
        case 'DEEP_INSPECTION_PENDING':
        case 'INSPECTOR_STATUS_CHANGING':
        case 'WAITS_FOR_WIDENING':
          return { settled: false, why: 'in transition' };
        case 'CHANGED_SINCE_PLAN':
          // Only the CLI's `apply FILE` says it, and the CLI has no findings step: nothing to decide.
          return { settled: false, why: 'changed since a saved plan' };
        case 'UNMANAGED':
        case 'ACCOUNT_NOT_ACTIVE':
        case 'NOT_IN_ORGANIZATION':
          return { settled: true };
        default:
          return undecided(outcome);
      }
    }
    default:
      return undecided(outcome);
  }
}

/**
 * Every kind and reason is decided above: a new one does not compile (`never`) until it is. Should one reach
 * here at run time all the same, its pair is left as it is.
 */
function undecided(_outcome: never): FindingsVerdict {
  return { settled: false, why: 'no decision for this outcome' };
}

/** What one region's outcomes say about its findings. */
export interface RegionExceptions {
  readonly region: string;
  /** Account and rule facts that need a person, one per finding. */
  readonly exceptions: readonly PolicyException[];
  /** Accounts whose outcome tells the current truth: their open account findings may be archived. */
  readonly settledAccounts: ReadonlySet<string>;
  /**
   * Every account the run evaluated in the region, settled or not. In a complete region an open account
   * finding whose account is not among them is about an account that has left the organization.
   */
  readonly evaluatedAccounts: ReadonlySet<string>;
  /**
   * The rules ("default" for the default) that decide an account the run could not settle in the region
   * (in transition, say), or whose status it could not read. Whether such an account is a report-only rule's mismatch cannot be told, so
   * that rule's finding is left as it is: a list that drops an account for one run and takes it back the
   * next would re-import the finding into people's queues twice for nothing.
   */
  readonly unsettledRules: ReadonlySet<string>;
  /**
   * Every account of the organization was evaluated in the region and none was cut off or unread:
   * only then are rule facts (which name all of a rule's accounts) imported, changed or archived.
   */
  readonly complete: boolean;
  /**
   * Accounts whose scan configuration outcome tells the current truth: their open scan configuration findings
   * may be archived. A run reads each managed account's scan configuration once a day (its slice), so an
   * account the deep inspection stream settles may still be unread here: its scan findings are left alone.
   */
  readonly scanSettledAccounts: ReadonlySet<string>;
  /**
   * Accounts the run settled in the region (`settledAccounts`) whose scan configuration the policy does not
   * manage: every one of them when it manages none, else those outside the run's managed accounts. No scan
   * configuration finding of theirs can be current, so any open one is archived, though nothing read it.
   */
  readonly scanUnmanagedAccounts: ReadonlySet<string>;
}

/**
 * Groups a run's outcomes by region into the exceptions they call for.
 * @param today the UTC day (`YYYY-MM-DD`) rule expiry is judged on
 * @param wholeOrganization the run evaluated every account of the organization (not scoped by `accounts`)
 */
export function exceptionsByRegion(
  outcomes: readonly Outcome[],
  policy: Policy,
  {
    today,
    wholeOrganization,
    scanConfiguration,
    scanConfigurationManaged,
  }: {
    readonly today: string;
    readonly wholeOrganization: boolean;
    /** The scan configuration's outcomes, when the policy manages it (absent: it manages none). */
    readonly scanConfiguration?: readonly ScanConfigurationOutcome[];
    /**
     * With `scanConfiguration`: the accounts of the run's scope whose scan configuration the policy manages,
     * read or not. Absent: not told, and no account counts as unmanaged.
     */
    readonly scanConfigurationManaged?: ReadonlySet<string>;
  },
): Map<string, RegionExceptions> {
  const byRegion = new Map<string, Outcome[]>();
  for (const outcome of outcomes) {
    const list = byRegion.get(outcome.region) ?? [];
    list.push(outcome);
    byRegion.set(outcome.region, list);
  }
  const scanByRegion = new Map<string, ScanConfigurationOutcome[]>();
  for (const outcome of scanConfiguration ?? []) {
    const list = scanByRegion.get(outcome.region) ?? [];
    list.push(outcome);
    scanByRegion.set(outcome.region, list);
    if (!byRegion.has(outcome.region)) byRegion.set(outcome.region, []);
  }
  const result = new Map<string, RegionExceptions>();
  for (const [region, regionOutcomes] of byRegion) {
    const exceptions: PolicyException[] = [];
    const settledAccounts = new Set<string>();
    const evaluatedAccounts = new Set<string>();
    const unsettledRules = new Set<string>();
    let unread = false;
    for (const outcome of regionOutcomes) {
      evaluatedAccounts.add(outcome.accountId);
      const verdict = verdictOf(outcome, policy);
      if (!verdict.settled) {
        if (outcome.kind === 'FAILED') unread = true;
        if (outcome.rule !== undefined) unsettledRules.add(outcome.rule);
        continue;
      }
      settledAccounts.add(outcome.accountId);
      if (verdict.exception) exceptions.push(verdict.exception);
      // Its own finding tells the truth, but whether it is its rule's report-only mismatch cannot be told.
      if (verdict.exception?.reason === 'STATUS_UNREADABLE' && outcome.rule !== undefined) {
        unsettledRules.add(outcome.rule);
      }
    }
    exceptions.push(
      ...reportOnlyExceptions(region, regionOutcomes),
      ...expiringRuleExceptions(region, regionOutcomes, policy, today),
    );
    const deepOf = new Map(regionOutcomes.map((outcome) => [outcome.accountId, outcome]));
    const scanSettledAccounts = new Set<string>();
    for (const outcome of scanByRegion.get(region) ?? []) {
      const verdict = scanConfigurationVerdictOf(outcome, deepOf.get(outcome.accountId));
      if (!verdict.settled) continue;
      scanSettledAccounts.add(outcome.accountId);
      if (verdict.exception) exceptions.push(verdict.exception);
    }
    result.set(region, {
      region,
      exceptions,
      settledAccounts,
      evaluatedAccounts,
      unsettledRules,
      complete: wholeOrganization && !unread,
      scanSettledAccounts,
      scanUnmanagedAccounts: new Set(
        [...settledAccounts].filter((accountId) =>
          scanConfiguration === undefined ? true : scanConfigurationManaged?.has(accountId) === false,
        ),
      ),
    });
  }
  return result;
}

/** One finding per report-only rule with mismatches in the region. */
function reportOnlyExceptions(region: string, outcomes: readonly Outcome[]): RuleException[] {
  const byRule = new Map<string, { accounts: string[]; to: TargetState }>();
  for (const outcome of outcomes) {
    if (outcome.kind !== 'WOULD_ACTIVATE' && outcome.kind !== 'WOULD_DEACTIVATE') continue;
    const rule = outcome.rule ?? DEFAULT_RULE;
    const entry = byRule.get(rule) ?? { accounts: [], to: outcome.to };
    entry.accounts.push(outcome.accountId);
    byRule.set(rule, entry);
  }
  return [...byRule].map(([rule, { accounts, to }]) => ({
    kind: 'RULE',
    reason: 'REPORT_ONLY_MISMATCH',
    region,
    rule,
    accounts: [...new Set(accounts)].sort(),
    to,
    // Accounts left DEACTIVATED that the rule would activate are a gap in protection; the other way is not.
    severity: to === 'ACTIVATED' ? 'MEDIUM' : 'LOW',
    status: 'WARNING',
  }));
}

/** One finding per rule within its warning window that decides at least one account in the region. */
function expiringRuleExceptions(
  region: string,
  outcomes: readonly Outcome[],
  policy: Policy,
  today: string,
): RuleException[] {
  return policy.rules.flatMap((rule): RuleException[] => {
    const days = daysLeft(rule, today);
    if (days === undefined || days < 0 || days > policy.warnBeforeExpiryDays || rule.expires === undefined) return [];
    const accounts = [...new Set(outcomes.filter((o) => o.rule === rule.name).map((o) => o.accountId))].sort();
    if (accounts.length === 0) return [];
    return [
      {
        kind: 'RULE',
        reason: 'RULE_EXPIRING',
        region,
        rule: rule.name,
        accounts,
        expires: rule.expires,
        ...(rule.owner === undefined ? {} : { owner: rule.owner }),
        ...(rule.reason === undefined ? {} : { ruleReason: rule.reason }),
        severity: 'LOW',
        status: 'WARNING',
      },
    ];
  });
}
