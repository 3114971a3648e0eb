import type { RegionOptStatuses } from '../aws/account-regions';
import type { Problem } from '../errors/errors';
import { daysLeft, isExpired } from './expiry';
import type { OrganizationAccount } from '../model';
import { matchRule } from '../plan';
import {
  type Policy,
  type PolicyRule,
  RULE_SETTINGS,
  type RuleSetting,
  SCAN_SETTINGS,
  type ScanSetting,
} from './schema';
import { administratorFailure, type DelegatedAdministratorAnswer } from '../regions/delegated-administrator';
import { optInFailure } from '../regions/opt-in';
import { covers, idsOf, type IndexedRule, mayOverlap, type Organization, organizationOf } from './organization-tree';

/** What lint finds: never an error (the policy is valid), always worth a look. Each names its JSON path. */
export interface LintWarning extends Problem {
  readonly kind:
    | 'UNREACHABLE_RULE'
    /** Version 3: one setting of a rule that rules above it decide for every account it names; its others apply. */
    | 'SHADOWED_SETTING'
    /** Version 3: a rule's scan setting that gives its accounts what they would get without it. */
    | 'MOOT_SCAN_SETTING'
    /** Version 3: a rule deciding a scan setting of the delegated administrator's own account, which scanConfiguration decides. */
    | 'ADMINISTRATOR_SCAN_SETTING'
    | 'UNKNOWN_ACCOUNT'
    | 'UNKNOWN_ORGANIZATIONAL_UNIT'
    | 'EXPIRED_RULE'
    | 'EXPIRING_RULE'
    | 'REGION_NOT_ENABLED'
    | 'NOT_DELEGATED_ADMINISTRATOR';
}

/**
 * Lints a valid policy. Without the organization (at `cdk synth`): rules that earlier rules make
 * unreachable by the ids they name, expired rules, rules expiring within `warnBeforeExpiryDays`.
 * With the organization's accounts (in a run, and the CLI), also through the OU tree, and the
 * accounts and OUs the organization does not have; with the account's RegionOptStatus per region
 * (Account Management ListRegions), the policy's regions it has not enabled; with GetDelegatedAdminAccount's
 * answers, the regions where this account is not Inspector's delegated administrator. A rule shadowed only by
 * rules that expire is reachable: it takes over when they lapse, and the expiring rule's warning says
 * from which day. Pure: `today` is passed in.
 */
export function lintPolicy(
  policy: Policy,
  {
    today,
    accounts,
    regionOptStatuses,
    administrators,
    administratorAccountId,
  }: {
    today: string;
    accounts?: readonly OrganizationAccount[];
    regionOptStatuses?: RegionOptStatuses;
    /** GetDelegatedAdminAccount's answer in each of the policy's regions, and this account (the CLI's lint). */
    administrators?: {
      readonly ownAccountId: string;
      readonly byRegion: ReadonlyMap<string, DelegatedAdministratorAnswer>;
    };
    /**
     * The delegated administrator's account (the account the run or the CLI runs as): a version 3 rule that
     * decides one of its scan settings is warned of. @default `administrators.ownAccountId`, else not checked
     */
    administratorAccountId?: string;
  },
): LintWarning[] {
  const tree = accounts === undefined ? undefined : organizationOf(accounts);
  const live = policy.rules.map((rule, index) => ({ rule, index })).filter(({ rule }) => !isExpired(rule, today));
  return [
    ...(policy.regions ?? []).flatMap((region, index): LintWarning[] => {
      const failure = optInFailure(region, regionOptStatuses);
      if (failure) return [{ kind: 'REGION_NOT_ENABLED', path: `$.regions[${index}]`, message: failure.message }];
      const answer = administrators?.byRegion.get(region);
      const notAdministrator =
        answer === undefined ? undefined : administratorFailure(region, administrators?.ownAccountId ?? '', answer);
      return notAdministrator
        ? [{ kind: 'NOT_DELEGATED_ADMINISTRATOR', path: `$.regions[${index}]`, message: notAdministrator.message }]
        : [];
    }),
    ...policy.rules.flatMap((rule, index): LintWarning[] => [
      ...expiry(rule, index, today, policy.warnBeforeExpiryDays, live, tree),
      ...(isExpired(rule, today) ? [] : unreachable(rule, index, live, tree)),
      ...(isExpired(rule, today) ? [] : mootScanSettings(policy, rule, index, live, tree)),
      ...(tree === undefined ? [] : unknownReferences(rule, index, tree)),
    ]),
    ...administratorScanSettings(policy, administratorAccountId ?? administrators?.ownAccountId, live, tree, today),
  ];
}

function expiry(
  rule: PolicyRule,
  index: number,
  today: string,
  warnDays: number,
  live: readonly IndexedRule[],
  tree: Organization | undefined,
): LintWarning[] {
  const days = daysLeft(rule, today);
  if (days === undefined || rule.expires === undefined) return [];
  const path = `$.rules[${index}].expires`;
  const who = [rule.owner && `owner ${rule.owner}`, rule.reason && `reason: ${rule.reason}`].filter(Boolean).join('; ');
  const about = who ? ` (${who})` : '';
  if (days < 0) {
    return [{ kind: 'EXPIRED_RULE', path, message: `expired on ${rule.expires}: it matches nothing${about}` }];
  }
  if (days <= warnDays) {
    const when = days === 0 ? 'today is its last day' : `in ${days} day${days === 1 ? '' : 's'}`;
    return [
      {
        kind: 'EXPIRING_RULE',
        path,
        message: `expires on ${rule.expires} (${when}); from ${dayAfter(rule.expires)} ${successors(rule, index, live, tree)}${about}`,
      },
    ];
  }
  return [];
}

/** The UTC day after `day` (`YYYY-MM-DD`). */
function dayAfter(day: string): string {
  return new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Who takes over the ids an expiring rule names once it lapses: for each, the first later rule still
 * live then that takes every account of it; the rest go to the default, or (when a later rule names
 * an OU whose accounts are not known) to the rules after it or the default.
 */
function successors(
  rule: PolicyRule,
  index: number,
  live: readonly IndexedRule[],
  tree: Organization | undefined,
): string {
  const after = live.filter(
    (entry) => entry.index > index && (entry.rule.expires === undefined || entry.rule.expires > (rule.expires ?? '')),
  );
  const takers = new Map<number, string[]>();
  let rest = 0;
  for (const id of idsOf(rule)) {
    const taker = after.find((entry) => covers(entry.rule, id, tree));
    if (taker === undefined) rest += 1;
    else takers.set(taker.index, [...(takers.get(taker.index) ?? []), id]);
  }
  // Without the tree, a later OU rule may take some of the rest: say so rather than guess.
  const others =
    after.some((entry) => entry.rule.organizationalUnits !== undefined) && tree?.placed !== true
      ? 'the rules after it or the default'
      : 'the default';
  const named = [...takers].map(
    ([taker, ids]) =>
      `$.rules[${taker}] "${live.find((e) => e.index === taker)?.rule.name}" takes over ${ids.join(', ')}`,
  );
  if (named.length === 0) return `its accounts go to ${others}`;
  return rest === 0 ? named.join('; ') : `${named.join('; ')}, ${others} the rest`;
}

/**
 * A rule no account can ever reach: for every setting it states (deep inspection alone, before version 3),
 * every account and OU it names is taken by a live rule above it that states that setting and lasts at least
 * as long (never expires, or expires on or after the day this one does). One taken only by rules that lapse
 * before it is reachable once they have (the expiring rule's warning says from when), so it is not reported.
 * Version 3 decides each setting on its own (per-setting first match): a rule shadowed for some of its
 * settings and not others is reported setting by setting (SHADOWED_SETTING), since its others still apply.
 */
function unreachable(
  rule: PolicyRule,
  index: number,
  live: readonly IndexedRule[],
  tree: Organization | undefined,
): LintWarning[] {
  const stated = RULE_SETTINGS.filter((setting) => rule[setting] !== undefined);
  const shadowed = shadowedSettings(rule, index, live, tree);
  if (shadowed.length === 0) return [];
  if (shadowed.length === stated.length) {
    const coveringRules = shadowed.flatMap((entry) => entry.covering);
    const by = [...new Set(coveringRules)].map((covering) => `$.rules[${covering}]`).join(', ');
    return [
      {
        kind: 'UNREACHABLE_RULE',
        path: `$.rules[${index}]`,
        message: `"${rule.name}" can never match: ${by} above it take${coveringRules.length === 1 && !by.includes(',') ? 's' : ''} every account it names${stated.length > 1 ? `, for each of ${stated.join(', ')}` : ''}`,
      },
    ];
  }
  return shadowed.map(({ setting, covering }) => {
    const by = [...new Set(covering)].map((c) => `$.rules[${c}]`);
    return {
      kind: 'SHADOWED_SETTING',
      path: `$.rules[${index}].${setting}`,
      message: `"${rule.name}" never decides ${setting}: ${by.join(', ')} above it decide${by.length === 1 ? 's' : ''} ${setting} for every account it names (first match is per setting); its ${stated.filter((s) => s !== setting).join(' and ')} still appl${stated.length - shadowed.length === 1 ? 'ies' : 'y'}`,
    };
  });
}

/**
 * The settings of a rule that live rules above it, stating the setting and lasting at least as long, decide
 * for every account it names; `covering`: which rule takes each of its ids.
 */
function shadowedSettings(
  rule: PolicyRule,
  index: number,
  live: readonly IndexedRule[],
  tree: Organization | undefined,
): { setting: RuleSetting; covering: number[] }[] {
  const outlasts = (above: PolicyRule) =>
    above.expires === undefined || (rule.expires !== undefined && above.expires >= rule.expires);
  return RULE_SETTINGS.filter((setting) => rule[setting] !== undefined).flatMap((setting) => {
    const lasting = live.filter(
      (entry) => entry.index < index && entry.rule[setting] !== undefined && outlasts(entry.rule),
    );
    const covering = idsOf(rule).map((id) => lasting.find((entry) => covers(entry.rule, id, tree))?.index);
    return covering.some((c) => c === undefined) ? [] : [{ setting, covering: covering as number[] }];
  });
}

/** A setting's decision in words and for comparison: a value, or unmanaged, and how it is applied. */
function decisionOf(value: string | undefined, enforcement: string): string {
  return value === undefined || value === 'UNMANAGED' ? 'unmanaged' : `${value} (${enforcement})`;
}

/**
 * Version 3: a rule's scan setting is moot when its accounts would be decided the same without it: the
 * default (`scanConfiguration`, the delegated administrator's own configuration, which members that are
 * not individually configured inherit) gives the same value with the same enforcement, or, for UNMANAGED,
 * manages nothing, and no live rule below it that states the setting differently may reach its accounts
 * (without the OU tree, any rule below naming an OU or the root may). A shadowed setting is not moot: a rule
 * above, not the default, decides its accounts (SHADOWED_SETTING, UNREACHABLE_RULE say so). Worth a look, not an error: such a
 * rule also holds its accounts should the default change.
 */
function mootScanSettings(
  policy: Policy,
  rule: PolicyRule,
  index: number,
  live: readonly IndexedRule[],
  tree: Organization | undefined,
): LintWarning[] {
  const byDefault = policy.scanConfiguration;
  // A setting a rule above decides for all its accounts is reported shadowed: the default does not decide them.
  const shadowed = new Set(shadowedSettings(rule, index, live, tree).map(({ setting }) => setting));
  return SCAN_SETTINGS.flatMap((setting): LintWarning[] => {
    const value = rule[setting];
    if (value === undefined || shadowed.has(setting)) return [];
    const fallback = decisionOf(byDefault?.[setting], byDefault?.enforcement ?? 'enforce');
    if (decisionOf(value, rule.enforcement) !== fallback) return [];
    const below = live.filter(
      (entry) =>
        entry.index > index &&
        entry.rule[setting] !== undefined &&
        decisionOf(entry.rule[setting], entry.rule.enforcement) !== fallback &&
        mayOverlap(entry.rule, rule, tree),
    );
    if (below.length > 0) return [];
    const why =
      fallback === 'unmanaged'
        ? `nothing else manages ${setting} for these accounts (scanConfiguration leaves it out)`
        : `scanConfiguration gives these accounts ${fallback} without it: the delegated administrator's configuration, which they inherit unless individually configured`;
    return [
      {
        kind: 'MOOT_SCAN_SETTING',
        path: `$.rules[${index}].${setting}`,
        message: `"${rule.name}" sets ${setting} ${decisionOf(value, rule.enforcement)}, and ${why}: it changes nothing today; remove it, or keep it to hold these accounts should the default change`,
      },
    ];
  });
}

/**
 * Version 3: the delegated administrator's own scan configuration is the organization's default (members
 * that are not individually configured inherit it), so the run writes it only from `scanConfiguration`
 * (docs/policy.md): a rule that would decide one of its scan settings otherwise is warned of, at the
 * account id when it names it, else at the rule. Ancestry comes from the organization when known; without
 * it only rules naming the account or the root are told.
 */
function administratorScanSettings(
  policy: Policy,
  administrator: string | undefined,
  live: readonly IndexedRule[],
  tree: Organization | undefined,
  today: string,
): LintWarning[] {
  if (administrator === undefined || policy.version !== 3) return [];
  const account = { id: administrator, ancestors: tree?.accounts.get(administrator) };
  return SCAN_SETTINGS.flatMap((setting): LintWarning[] => {
    const deciding = firstStating(setting, live, account, today);
    if (deciding === undefined) return [];
    const { rule, index } = deciding;
    const fallback = decisionOf(
      policy.scanConfiguration?.[setting],
      policy.scanConfiguration?.enforcement ?? 'enforce',
    );
    if (decisionOf(rule[setting], rule.enforcement) === fallback) return [];
    const position = rule.accounts?.indexOf(administrator) ?? -1;
    return [
      {
        kind: 'ADMINISTRATOR_SCAN_SETTING',
        path: position >= 0 ? `$.rules[${index}].accounts[${position}]` : `$.rules[${index}]`,
        message: `"${rule.name}" decides ${setting} ${decisionOf(rule[setting], rule.enforcement)} for ${administrator}, the delegated administrator's own account, whose configuration is the organization's default that members inherit: the run writes it only from scanConfiguration (${fallback}); state the value there, or leave this account out of the rule`,
      },
    ];
  });
}

/** The first live rule stating `setting` that matches the account, unless one naming OUs cannot tell first. */
function firstStating(
  setting: ScanSetting,
  live: readonly IndexedRule[],
  account: Pick<OrganizationAccount, 'id' | 'ancestors'>,
  today: string,
): IndexedRule | undefined {
  for (const entry of live) {
    if (entry.rule[setting] === undefined) continue;
    const match = matchRule(entry.rule, account, today);
    if (match.matches) return entry;
    if (match.why === 'undecided') return undefined;
  }
  return undefined;
}

/** Accounts the organization does not list; OUs no account of it is under (it does not exist, or is empty). */
function unknownReferences(rule: PolicyRule, index: number, tree: Organization): LintWarning[] {
  return [
    ...(rule.accounts ?? []).flatMap((id, position): LintWarning[] =>
      tree.accounts.has(id)
        ? []
        : [
            {
              kind: 'UNKNOWN_ACCOUNT',
              path: `$.rules[${index}].accounts[${position}]`,
              message: `account ${id} is not in the organization`,
            },
          ],
    ),
    ...(rule.organizationalUnits ?? []).flatMap((id, position): LintWarning[] =>
      !tree.placed || id.startsWith('r-') || tree.unitAncestors.has(id)
        ? []
        : [
            {
              kind: 'UNKNOWN_ORGANIZATIONAL_UNIT',
              path: `$.rules[${index}].organizationalUnits[${position}]`,
              message: `no account of the organization is under ${id} (it does not exist, or holds no accounts)`,
            },
          ],
    ),
  ];
}
