import type { FailureReason, Observation, OrganizationAccount, Outcome, SkipReason, TargetState } from './model';
import { isExpired } from './policy/expiry';
import {
  DEFAULT_RULE,
  type DesiredState,
  type Enforcement,
  type Policy,
  type PolicyRule,
  SCAN_SETTINGS,
  type ScanSetting,
  type ScanSettingValues,
} from './policy/schema';

/** What the policy wants for one account, decided once per run for every region. */
export type Target =
  | {
      readonly accountId: string;
      readonly rule?: string;
      readonly desired: TargetState;
      /** `report`: planned as usual, never written. */
      readonly enforcement: Enforcement;
    }
  | {
      readonly accountId: string;
      readonly rule?: string;
      readonly skip: SkipReason;
      readonly detail?: string;
    }
  | { readonly accountId: string; readonly rule: string; readonly undecided: string };

/** How one rule stands towards one account: the reason it matches or does not. */
export type RuleMatch =
  | { readonly matches: true; readonly by: 'account' }
  | { readonly matches: true; readonly by: 'organizationalUnit' | 'root'; readonly id: string }
  | { readonly matches: false; readonly why: 'expired' | 'notNamed' }
  /** The rule names OUs and the account's place in the organization is not known. */
  | { readonly matches: false; readonly why: 'undecided' };

/** Whether `rule` matches `account` on `today` (UTC, `YYYY-MM-DD`), and why. Pure. */
export function matchRule(
  rule: PolicyRule,
  account: Pick<OrganizationAccount, 'id' | 'ancestors'>,
  today: string,
): RuleMatch {
  if (isExpired(rule, today)) return { matches: false, why: 'expired' };
  if (rule.accounts?.includes(account.id)) return { matches: true, by: 'account' };
  const units = rule.organizationalUnits ?? [];
  const root = units.find((id) => id.startsWith('r-'));
  if (root !== undefined) return { matches: true, by: 'root', id: root };
  if (units.length > 0 && account.ancestors === undefined) return { matches: false, why: 'undecided' };
  const unit = units.find((id) => account.ancestors?.includes(id));
  return unit === undefined
    ? { matches: false, why: 'notNamed' }
    : { matches: true, by: 'organizationalUnit', id: unit };
}

/**
 * First matching rule wins; an OU matches every account anywhere below it; a root id matches all.
 * A rule past its `expires` day matches nothing (it can only stop matching, never change what a
 * later rule says). An account whose ancestry could not be found is undecided at the first rule
 * that names an OU: neither that rule nor any later one (nor the default) may decide it by accident.
 * @param today the UTC day (`YYYY-MM-DD`) expiry is judged on: passed in, never read from a clock here
 */
export function desiredStateOf(
  account: Pick<OrganizationAccount, 'id' | 'ancestors'>,
  policy: Policy,
  today: string,
): { state: DesiredState; rule: string; enforcement: Enforcement } | { undecidedAt: string } {
  for (const rule of policy.rules) {
    // Version 3: a rule that does not state deep inspection leaves it to the rules below and the default.
    if (rule.deepInspection === undefined) continue;
    const match = matchRule(rule, account, today);
    if (match.matches) return { state: rule.deepInspection, rule: rule.name, enforcement: rule.enforcement };
    if (match.why === 'undecided') return { undecidedAt: rule.name };
  }
  return { state: policy.default.deepInspection, rule: DEFAULT_RULE, enforcement: policy.default.enforcement };
}

/** What the policy decides for one scan configuration setting of one account: the value, who decided it, how. */
export interface SettingDecision<S extends ScanSetting> {
  readonly value: ScanSettingValues[S];
  /** The rule that states it, or "default" (the policy's `scanConfiguration`). */
  readonly rule: string;
  readonly enforcement: Enforcement;
}

/**
 * An account's EC2 scan configuration as the policy decides it: per setting, absent when nothing manages
 * it (no rule states it for the account, or the first that does says UNMANAGED, and the default leaves it out).
 */
export type ScanTarget = { readonly [S in ScanSetting]?: SettingDecision<S> };

/**
 * The scan configuration a version 3 policy decides for an account, each setting on its own: the first
 * matching rule that states the setting decides it (UNMANAGED: nobody manages it), else the policy's
 * `scanConfiguration`. A rule that states a setting and names OUs leaves the account undecided for that
 * setting when its place in the organization is not known, as deep inspection does: `undecidedAt` names it.
 * Pure: `today` (UTC, `YYYY-MM-DD`) judges expiry.
 */
export function scanTargetOf(
  account: Pick<OrganizationAccount, 'id' | 'ancestors'>,
  policy: Policy,
  today: string,
): { readonly target: ScanTarget } | { readonly undecidedAt: string } {
  const target: { [S in ScanSetting]?: SettingDecision<S> } = {};
  for (const setting of SCAN_SETTINGS) {
    const decided = decideSetting(setting, account, policy, today);
    if (decided !== undefined && 'undecidedAt' in decided) return decided;
    if (decided !== undefined) (target as Record<ScanSetting, unknown>)[setting] = decided;
  }
  return { target };
}

function decideSetting<S extends ScanSetting>(
  setting: S,
  account: Pick<OrganizationAccount, 'id' | 'ancestors'>,
  policy: Policy,
  today: string,
): SettingDecision<S> | { readonly undecidedAt: string } | undefined {
  for (const rule of policy.rules) {
    const value = rule[setting];
    if (value === undefined) continue;
    const match = matchRule(rule, account, today);
    if (match.matches) {
      return value === 'UNMANAGED'
        ? undefined
        : { value: value as ScanSettingValues[S], rule: rule.name, enforcement: rule.enforcement };
    }
    if (match.why === 'undecided') return { undecidedAt: rule.name };
  }
  const value = policy.scanConfiguration?.[setting];
  return value === undefined || policy.scanConfiguration === undefined
    ? undefined
    : { value: value as ScanSettingValues[S], rule: DEFAULT_RULE, enforcement: policy.scanConfiguration.enforcement };
}

/** True when the policy manages some account's scan configuration: a run that does not makes no scan configuration call. */
export function managesScanConfiguration(policy: Policy): boolean {
  return (
    (policy.scanConfiguration?.scanMode ?? policy.scanConfiguration?.vmScanner) !== undefined ||
    policy.rules.some((rule) =>
      SCAN_SETTINGS.some((setting) => rule[setting] !== undefined && rule[setting] !== 'UNMANAGED'),
    )
  );
}

/**
 * Decides each account's target from the organization and the policy alone.
 * @param requestedAccountIds limits the run to these accounts; ones the organization does not list are reported, not dropped
 */
export function resolveTargets(
  accounts: readonly OrganizationAccount[],
  policy: Policy,
  today: string,
  requestedAccountIds?: readonly string[],
): Target[] {
  const byId = new Map(accounts.map((account) => [account.id, account]));
  const ids = requestedAccountIds ?? accounts.map((account) => account.id);
  return [...new Set(ids)].map((accountId): Target => {
    const account = byId.get(accountId);
    if (account === undefined) return { accountId, skip: 'NOT_IN_ORGANIZATION' };
    if (account.state !== 'ACTIVE') return { accountId, skip: 'ACCOUNT_NOT_ACTIVE', detail: account.state };
    const decision = desiredStateOf(account, policy, today);
    if ('undecidedAt' in decision) {
      const why = account.ancestryUnresolved ?? 'its organizational units are not known';
      return {
        accountId,
        rule: decision.undecidedAt,
        undecided: `the account's place in the organization could not be found: ${why}`,
      };
    }
    const { state, rule, enforcement } = decision;
    if (state === 'UNMANAGED') return { accountId, rule, skip: 'UNMANAGED' };
    return { accountId, rule, desired: state, enforcement };
  });
}

/** The accounts whose Inspector status must be read: those with a target state. */
export function accountsToRead(targets: readonly Target[]): string[] {
  return targets.flatMap((target) => ('desired' in target ? [target.accountId] : []));
}

/** What a region could tell us: a status per account, or why the whole region could not be read. */
export type RegionObservations =
  | { readonly readable: true; readonly observations: ReadonlyMap<string, Observation> }
  | {
      readonly readable: false;
      readonly errorMessage: string;
      /** Why the region's accounts fail: @default 'REGION_UNREADABLE' */
      readonly reason?: Extract<FailureReason, 'REGION_UNREADABLE' | 'REGION_NOT_ENABLED' | 'TIMEOUT_NOT_REACHED'>;
    };

/** One outcome per target, in target order. Pure: no I/O, no clock. */
export function planRegion(region: string, targets: readonly Target[], read: RegionObservations): Outcome[] {
  return targets.map((target) => planTarget(region, target, read));
}

function planTarget(region: string, target: Target, read: RegionObservations): Outcome {
  const { accountId, rule } = target;
  const skipped = (reason: SkipReason, detail?: string): Outcome => ({
    kind: 'SKIPPED',
    accountId,
    region,
    rule,
    reason,
    detail,
  });
  if ('undecided' in target) {
    return {
      kind: 'FAILED',
      accountId,
      region,
      rule,
      reason: 'ORGANIZATIONAL_UNIT_UNRESOLVED',
      errorMessage: target.undecided,
    };
  }
  if (!('desired' in target)) return skipped(target.skip, target.detail);

  const desired = target.desired;
  const failed = (reason: FailureReason, errorMessage: string, ec2ScanStatus?: string): Outcome => ({
    kind: 'FAILED',
    accountId,
    region,
    rule,
    desired,
    reason,
    errorMessage,
    ...(ec2ScanStatus === undefined ? {} : { ec2ScanStatus }),
  });
  if (!read.readable) return failed(read.reason ?? 'REGION_UNREADABLE', read.errorMessage);

  const observation = read.observations.get(accountId);
  if (observation === undefined) return failed('STATUS_UNREADABLE', 'Inspector returned no status for this account');
  if (observation.kind === 'SKIP') return skipped(observation.reason, observation.detail);
  if (observation.kind === 'UNREADABLE') return failed('STATUS_UNREADABLE', observation.errorMessage);

  const { ec2ScanStatus, deepInspection } = observation;
  if (ec2ScanStatus !== 'ENABLED') return skipped('EC2_SCANNING_NOT_ENABLED', ec2ScanStatus);
  if (deepInspection === undefined) {
    const errorMessage = observation.deepInspectionError ?? 'Inspector returned no deep inspection status';
    return failed('STATUS_UNREADABLE', errorMessage, ec2ScanStatus);
  }
  if (deepInspection === 'PENDING') return skipped('DEEP_INSPECTION_PENDING');
  if (deepInspection === desired) return { kind: 'COMPLIANT', accountId, region, rule, state: deepInspection };
  // FAILED is retried towards the desired state, like any other mismatch; a report-only rule only says so.
  const activate = desired === 'ACTIVATED';
  if (target.enforcement === 'report') {
    return {
      kind: activate ? 'WOULD_ACTIVATE' : 'WOULD_DEACTIVATE',
      accountId,
      region,
      rule,
      from: deepInspection,
      to: desired,
    };
  }
  return { kind: activate ? 'ACTIVATE' : 'DEACTIVATE', accountId, region, rule, from: deepInspection, to: desired };
}
