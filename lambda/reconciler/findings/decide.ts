import { daysLeft } from '../policy/expiry';
import type { Ec2ScanningOffCause, FailureReason, Outcome, SkipReason, TargetState } from '../model';
import { DEFAULT_RULE } from '../policy/schema';
import type { Policy } from '../policy/schema';
import { isNarrowing, type ScanConfigurationOutcome, type ScanSettingChange } from '../scan-configuration/outcome';

/**
 * Which outcomes need a person, and which of them the run may judge at all. Pure: no I/O, no clock.
 * The table of which outcome and reason calls for which finding, at which severity, and why, is
 * docs/findings.md, "Which outcomes need a person": kept there alone, so that it cannot drift from a
 * copy here. ACCOUNT_EXCEPTION_REASONS, RULE_EXCEPTION_REASONS and verdictOf below are that table in code
 * (test/unit/findings-decide.test.ts checks the table names every skip and failure reason).
 */

/** The account facts that need a person: one finding per account, region and reason. */
export const ACCOUNT_EXCEPTION_REASONS = [
  'UPDATE_FAILED',
  'STATUS_UNREADABLE',
  'ORGANIZATIONAL_UNIT_UNRESOLVED',
  'EC2_SCANNING_NOT_ENABLED',
  'NOT_INSPECTOR_MEMBER',
  'BLOCKED_BY_ORGANIZATION_POLICY',
  'ACCOUNT_ISOLATED',
  'DEACTIVATION_HELD_BY_GUARDRAIL',
] as const satisfies readonly (FailureReason | SkipReason)[];

/** The scan configuration's account facts that need a person: one finding per account, region and reason. */
export const SCAN_CONFIGURATION_EXCEPTION_REASONS = [
  /** UpdateConfiguration refused the change the policy asks for. */
  'SCAN_CONFIGURATION_UPDATE_FAILED',
  /** GetConfiguration read the VM scanner's status FAILED: Inspector accepted a change it could not apply. */
  'VM_SCANNER_FAILED',
  /**
   * An organization policy keeps Inspector from changing the account (BLOCKED_BY_ORGANIZATION_POLICY), or the
   * organization's Inspector policy disables its EC2 scanning: the policy's scan configuration cannot hold.
   */
  'SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY',
] as const;
export type ScanConfigurationExceptionReason = (typeof SCAN_CONFIGURATION_EXCEPTION_REASONS)[number];

/** Every account fact: deep inspection's and the scan configuration's. */
export type AccountExceptionReason = (typeof ACCOUNT_EXCEPTION_REASONS)[number] | ScanConfigurationExceptionReason;

/** The policy facts that need a person: one finding per rule and region. */
export const RULE_EXCEPTION_REASONS = ['REPORT_ONLY_MISMATCH', 'RULE_EXPIRING'] as const;
export type RuleExceptionReason = (typeof RULE_EXCEPTION_REASONS)[number];

/** Security Hub's `SeverityLabel` values this product uses. */
export type SeverityLabel = 'LOW' | 'MEDIUM' | 'HIGH';
/** `Compliance.Status` of an open exception: FAILED when the policy is known not to hold, WARNING when it cannot be judged or applied. */
export type ExceptionStatus = 'FAILED' | 'WARNING';

interface ExceptionBase {
  readonly region: string;
  readonly severity: SeverityLabel;
  readonly status: ExceptionStatus;
}

export interface AccountException extends ExceptionBase {
  readonly kind: 'ACCOUNT';
  readonly reason: AccountExceptionReason;
  readonly accountId: string;
  /** The rule that decided the account, or "default"; absent when the decision could not be made. */
  readonly rule?: string;
  /** What the policy wants for the account, when it could say. */
  readonly desired?: TargetState;
  /** A stable fact beside the reason (the EC2 scan status, the observed deep-inspection status): part of what "changed" means. */
  readonly detail?: string;
  /** Inspector's own words (an errorMessage): shown, but a new wording alone is not a change worth a re-import. */
  readonly message?: string;
  /** EC2_SCANNING_NOT_ENABLED: what the organization's Inspector policy says of it, when the run asked. */
  readonly ec2ScanningOff?: Ec2ScanningOffCause;
  /**
   * A scan configuration fact: what the policy wants of the settings concerned (`vmScanner ACTIVATED, scanMode
   * EC2_HYBRID`), when known: the finding's Desired.
   */
  readonly scanTarget?: string;
}

export interface RuleException extends ExceptionBase {
  readonly kind: 'RULE';
  readonly reason: RuleExceptionReason;
  readonly rule: string;
  /** Every account the fact concerns in the region, sorted. */
  readonly accounts: readonly string[];
  /** REPORT_ONLY_MISMATCH: what enforcing the rule would set. */
  readonly to?: TargetState;
  /** RULE_EXPIRING: the rule's last day (UTC, `YYYY-MM-DD`), its owner and reason as the policy says. */
  readonly expires?: string;
  readonly owner?: string;
  readonly ruleReason?: string;
}

export type PolicyException = AccountException | RuleException;

/**
 * What one outcome means for the findings of its account and region:
 * - `settled`: the run saw the current truth; `exception` is the one account fact it calls for, if any
 *   (its absence resolves every open account finding of the pair);
 * - `unsettled`: the run does not know (not reached, region unreadable, in transition): leave the pair's findings as they are.
 */
export type FindingsVerdict =
  { readonly settled: true; readonly exception?: AccountException } | { readonly settled: false; readonly why: string };

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
        case 'TIMEOUT_NOT_REACHED':
          return { settled: false, why: "not reached before the invocation's deadline" };
      }
      break;
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
      }
    }
  }
  // Unreachable while the switches above are exhaustive; a new kind or reason is left alone until decided.
  return { settled: false, why: 'no decision for this outcome' };
}

// The EC2 scan configuration's stream (scan-configuration/outcome.ts): its table is docs/findings.md,
// "The EC2 scan configuration".

/** A widening change: what the policy wants is more scanning (VM scanner ACTIVATED, scan mode EC2_HYBRID). */
const widens = (change: Pick<ScanSettingChange, 'setting' | 'to'>) => !isNarrowing(change);

/** `vmScanner ACTIVATED, scanMode EC2_HYBRID`: what the policy wants, as the finding's Desired. */
const wanted = (changes: readonly ScanSettingChange[]) =>
  changes.map((change) => `${change.setting} ${change.to}`).join(', ');

/** The rules that decided the changes, in order, once each. */
const rulesOf = (changes: readonly ScanSettingChange[]) =>
  [...new Set(changes.map((change) => change.rule))].join(', ');

/** Every change the outcome carries, whatever became of it (written, report-only, waiting, held, refused). */
function changesOf(outcome: ScanConfigurationOutcome): readonly ScanSettingChange[] {
  switch (outcome.kind) {
    case 'COMPLIANT':
      return [];
    case 'UPDATE':
    case 'WOULD_UPDATE':
      return [...outcome.changes, ...(outcome.reportOnly ?? []), ...(outcome.waiting ?? [])];
    case 'SKIPPED':
    case 'FAILED':
      return outcome.changes ?? [];
  }
}

/**
 * One scan configuration outcome's verdict, by the table in docs/findings.md.
 * @param deep the account's deep inspection outcome in the same region, when the run has one: where EC2 scanning
 *   is off, it says what the organization's Inspector policy says of it (`ec2ScanningOff`)
 */
export function scanConfigurationVerdictOf(outcome: ScanConfigurationOutcome, deep?: Outcome): FindingsVerdict {
  const { accountId, region } = outcome;
  const exception = (
    reason: ScanConfigurationExceptionReason,
    severity: SeverityLabel,
    status: ExceptionStatus,
    facts: Pick<AccountException, 'rule' | 'scanTarget' | 'detail' | 'message' | 'ec2ScanningOff'>,
  ): FindingsVerdict => ({
    settled: true,
    exception: {
      kind: 'ACCOUNT',
      reason,
      accountId,
      region,
      severity,
      status,
      ...Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined && value !== '')),
    },
  });
  const changes = changesOf(outcome);
  if (outcome.kind === 'FAILED') {
    if (outcome.reason !== 'UPDATE_FAILED') {
      // Unreadable, not reached, a region failed, an OU unresolved: the queue (FailedAccounts alarms) and the
      // deep inspection stream's own findings tell them; nobody can say the scan configuration holds or not.
      return { settled: false, why: `scan configuration ${outcome.reason}` };
    }
    return exception('SCAN_CONFIGURATION_UPDATE_FAILED', changes.some(widens) ? 'HIGH' : 'MEDIUM', 'FAILED', {
      rule: rulesOf(changes),
      scanTarget: wanted(changes),
      ...(outcome.write === undefined ? {} : { detail: outcome.write }),
      message: outcome.errorMessage,
    });
  }
  if (outcome.kind === 'SKIPPED') {
    switch (outcome.reason) {
      case 'BLOCKED_BY_ORGANIZATION_POLICY':
        return exception('SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY', 'HIGH', 'FAILED', {
          detail: 'BLOCKED_BY_ORGANIZATION_POLICY',
        });
      case 'EC2_SCANNING_NOT_ENABLED': {
        if (outcome.detail === 'ENABLING') return { settled: false, why: 'EC2 scanning is being enabled' };
        const cause = deep?.kind === 'SKIPPED' ? deep.ec2ScanningOff : undefined;
        if (cause === undefined || cause.kind === 'COULD_NOT_TELL') {
          return {
            settled: false,
            why: "whether the organization's Inspector policy disables EC2 scanning is not known",
          };
        }
        // Off by someone's choice where no Inspector policy decides: deep inspection's own finding covers it.
        if (cause.kind !== 'DISABLED_BY_POLICY') return { settled: true };
        return exception('SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY', 'MEDIUM', 'WARNING', {
          detail: 'EC2_SCANNING_DISABLED_BY_INSPECTOR_POLICY',
          ec2ScanningOff: cause,
        });
      }
      case 'SCAN_CONFIGURATION_PENDING':
      case 'INSPECTOR_STATUS_CHANGING':
      case 'WAITS_FOR_WIDENING':
      case 'FOLLOWS_ADMINISTRATOR':
      case 'CHANGED_SINCE_PLAN':
        return { settled: false, why: 'in transition' };
      default:
        break;
    }
  }
  // Read this run with the VM scanner FAILED, and the policy manages the VM scanner.
  const vmScanner = changes.find((change) => change.setting === 'vmScanner');
  if (outcome.observed?.vmScanner === 'FAILED' && vmScanner !== undefined) {
    return exception('VM_SCANNER_FAILED', vmScanner.to === 'ACTIVATED' ? 'HIGH' : 'MEDIUM', 'FAILED', {
      rule: vmScanner.rule,
      scanTarget: wanted([vmScanner]),
      detail: 'FAILED',
    });
  }
  return { settled: true };
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
   * The policy manages no scan configuration at all: no scan configuration finding can be current, so any
   * open one of a settled or gone account is archived.
   */
  readonly scanConfigurationUnmanaged: boolean;
}

/** Whether an account finding's reason is the scan configuration's (settled by its own stream). */
export function isScanConfigurationReason(reason: string): reason is ScanConfigurationExceptionReason {
  return (SCAN_CONFIGURATION_EXCEPTION_REASONS as readonly string[]).includes(reason);
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
  }: {
    readonly today: string;
    readonly wholeOrganization: boolean;
    /** The scan configuration's outcomes, when the policy manages it (absent: it manages none). */
    readonly scanConfiguration?: readonly ScanConfigurationOutcome[];
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
      scanConfigurationUnmanaged: scanConfiguration === undefined,
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
