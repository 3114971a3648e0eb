import type { OrganizationAccount } from '../model';
import { matchRule, type ScanTarget, scanTargetOf } from '../plan';
import { DEFAULT_RULE, type Policy, SCAN_SETTINGS, type ScanSetting } from '../policy/schema';

/*
 * What the policy decides of the organization's scan configuration, once a run, before any region is read:
 * each ACTIVE account's scan target, and for each setting whether the delegated administrator's own
 * configuration may be written (the one write that reaches every member that inherits it). Pure.
 */

/** An account's scan target, or the rule that could not be decided for it (its OUs are not known). */
export type ScanDecision = { readonly target: ScanTarget } | { readonly undecidedAt: string };

/**
 * Whether a run may write a setting of the administrator's own configuration: only when that cannot reach an
 * account the policy decides otherwise. `mayReach`: the ACTIVE accounts whose setting the default decides (they
 * inherit unless individually configured), the administrator's own included.
 */
export type AdministratorWrite =
  { readonly allowed: true; readonly mayReach: readonly string[] } | { readonly allowed: false; readonly why: string };

export interface ScanConfigurationScope {
  /** Every ACTIVE account of the run whose scan configuration the policy manages (a setting decided) or cannot decide. */
  readonly decisions: ReadonlyMap<string, ScanDecision>;
  /** Per setting the policy's `scanConfiguration` states: may the administrator's configuration be written. */
  readonly administrator: { readonly [S in ScanSetting]?: AdministratorWrite };
}

/**
 * The scope of the scan configuration step.
 * @param accounts the run's accounts (the organization's when `wholeOrganization`)
 * @param wholeOrganization the run covers the whole organization (no `accountIds`, ListAccounts listed it)
 */
export function scanConfigurationScope(
  accounts: readonly OrganizationAccount[],
  policy: Policy,
  today: string,
  wholeOrganization: boolean,
): ScanConfigurationScope {
  const active = accounts.filter((account) => account.state === 'ACTIVE');
  const all = new Map(active.map((account) => [account.id, scanTargetOf(account, policy, today)] as const));
  const decisions = new Map(
    [...all].filter(([, decision]) => 'undecidedAt' in decision || Object.keys(decision.target).length > 0),
  );
  const administrator: { [S in ScanSetting]?: AdministratorWrite } = {};
  for (const setting of SCAN_SETTINGS) {
    if (policy.scanConfiguration?.[setting] === undefined) continue;
    administrator[setting] = administratorWrite(setting, active, all, policy, today, wholeOrganization);
  }
  return { decisions, administrator };
}

/**
 * The administrator-level write of one setting is allowed only when (1) the run covers the whole
 * organization, (2) the default's enforcement is `enforce`, and (3) every ACTIVE account is decided, for that
 * setting, the default's value with `enforce` (by the default, or a rule stating the same value): no rule
 * with another value, report-only, UNMANAGED, or an account whose OUs are not known. Otherwise `why` names
 * the first thing that prevents it.
 */
export function administratorWrite(
  setting: ScanSetting,
  active: readonly OrganizationAccount[],
  decisions: ReadonlyMap<string, ScanDecision>,
  policy: Policy,
  today: string,
  wholeOrganization: boolean,
): AdministratorWrite {
  const defaults = policy.scanConfiguration;
  const value = defaults?.[setting];
  if (defaults === undefined || value === undefined) {
    return { allowed: false, why: `the policy's scanConfiguration does not state ${setting}` };
  }
  if (!wholeOrganization) {
    return {
      allowed: false,
      why: 'a run scoped to some accounts does not write the administrator configuration, which reaches every member that inherits it',
    };
  }
  if (defaults.enforcement !== 'enforce') {
    return { allowed: false, why: 'scanConfiguration is report-only (enforcement "report")' };
  }
  const mayReach: string[] = [];
  for (const account of active) {
    const decision = decisions.get(account.id);
    if (decision === undefined) continue;
    if ('undecidedAt' in decision) {
      return {
        allowed: false,
        why: `rule "${decision.undecidedAt}" cannot be decided for ${account.id} (its organizational units are not known), which the administrator's configuration may reach`,
      };
    }
    const decided = decision.target[setting];
    if (decided === undefined) {
      const rule = policy.rules.find(
        (candidate) => candidate[setting] === 'UNMANAGED' && matchRule(candidate, account, today).matches,
      );
      return {
        allowed: false,
        why: `rule "${rule?.name ?? '?'}" leaves ${setting} UNMANAGED for ${account.id}, which the administrator's configuration may reach`,
      };
    }
    if (decided.value !== value) {
      return {
        allowed: false,
        why: `rule "${decided.rule}" decides ${setting} ${decided.value} for ${account.id}, which the administrator's configuration (${value}) may reach`,
      };
    }
    if (decided.enforcement !== 'enforce') {
      return { allowed: false, why: `rule "${decided.rule}" is report-only for ${account.id}` };
    }
    if (decided.rule === DEFAULT_RULE) mayReach.push(account.id);
  }
  return { allowed: true, mayReach };
}
