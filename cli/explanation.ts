import {
  DEFAULT_RULE,
  desiredStateOf,
  type Ec2ScanConfiguration,
  ec2ScanningOffText,
  matchRule,
  type OrganizationAccount,
  type Outcome,
  type Policy,
  RULE_SETTINGS,
  SCAN_SETTINGS,
  type ScanSetting,
  scanTargetOf,
} from '../lambda/reconciler';

/** How the policy decides one EC2 scan configuration setting of the account (version 3). */
export interface ScanSettingExplanation {
  /** The value the policy wants; absent when it manages the setting not at all (or cannot tell). */
  readonly value?: string;
  /** The rule that decided it, "default" for `scanConfiguration`; absent when nothing states it. */
  readonly rule?: string;
  readonly enforcement?: 'enforce' | 'report';
  /** Why a run does not write it even where it reads otherwise: the administrator's own configuration, a rule deciding it otherwise. */
  readonly notWritten?: { readonly reason: 'ADMINISTRATOR_WRITE_NOT_ALLOWED'; readonly why: string };
  /** The decision in words. */
  readonly text: string;
}

/** One setting as read in a region beside what the policy wants. */
export interface ScanSettingComparison {
  readonly setting: ScanSetting;
  /** As GetConfiguration (with the account's id) answered: `EC2_HYBRID`, `ACTIVATED`/`DEACTIVATED`, or absent. */
  readonly read?: string;
  /** Inspector's status of the value when it is not SUCCESS (PENDING, FAILED). */
  readonly status?: string;
  readonly wanted?: string;
  readonly rule?: string;
  readonly enforcement?: 'enforce' | 'report';
  /** Why a run does not write it (ScanSettingExplanation.notWritten). */
  readonly notWritten?: 'ADMINISTRATOR_WRITE_NOT_ALLOWED';
  /**
   * True when a run plans a change (a managed setting only): the read value is not what the policy wants,
   * or the VM scanner reads FAILED (Inspector could not apply it), which a run writes again as the planner
   * does (scan-configuration/plan.ts observedOf).
   */
  readonly differs: boolean;
}

/** Why the policy decides one account as it does, and what a run would do with it in each region. */
export interface Explanation {
  readonly accountId: string;
  /** Organizations' State, when the organization lists the account. */
  readonly state?: string;
  /** Root and OU ids from the root down to the account's parent. */
  readonly ancestors?: readonly string[];
  readonly ancestryUnresolved?: string;
  readonly rules: readonly {
    readonly path: string;
    readonly name: string;
    readonly result: 'matches' | 'no match' | 'expired' | 'undecided' | 'not reached';
    readonly why: string;
  }[];
  /** Deep inspection's decision. */
  readonly decision: string;
  /** Version 3: each EC2 scan configuration setting's decision, by setting (per-setting first match). */
  readonly scanConfiguration?: { readonly [S in ScanSetting]: ScanSettingExplanation };
  readonly regions: readonly {
    readonly region: string;
    readonly inspector: string;
    readonly run: string;
    /** The account's own EC2 scan configuration there (GetConfiguration with its accountId), when read. */
    readonly ec2ScanConfiguration?: Ec2ScanConfiguration;
    /** Version 3: each scan setting as read there beside the policy's decision. */
    readonly scanSettings?: readonly ScanSettingComparison[];
  }[];
}

/** Pure: the account as listed, the policy, the day expiry is judged on, and the dry run's outcomes for it. */
export function explain(input: {
  accountId: string;
  account: OrganizationAccount | undefined;
  policy: Policy;
  today: string;
  outcomes: readonly Outcome[];
  /** The account's EC2 scan configuration by region. */
  scanConfigurations?: ReadonlyMap<string, Ec2ScanConfiguration>;
  /** The delegated administrator's account: its scan configuration is the default's (docs/policy.md). */
  administratorAccountId?: string;
}): Explanation {
  const { accountId, account, policy, today } = input;
  const scan =
    account === undefined || policy.version !== 3
      ? undefined
      : scanDecisions(account, policy, today, accountId === input.administratorAccountId);
  const regions = input.outcomes
    .filter((o) => o.accountId === accountId)
    .map((outcome) => {
      const read = input.scanConfigurations?.get(outcome.region);
      return {
        ...describeOutcome(outcome),
        ...(read === undefined ? {} : { ec2ScanConfiguration: read }),
        ...(read === undefined || scan === undefined || 'error' in read
          ? {}
          : { scanSettings: SCAN_SETTINGS.map((setting) => compare(setting, read, scan[setting])) }),
      };
    });
  if (account === undefined) {
    return {
      accountId,
      rules: [],
      decision: 'the organization does not list this account: nothing to decide',
      regions,
    };
  }
  const decision = desiredStateOf(account, policy, today);
  return {
    accountId,
    state: account.state,
    ...(account.ancestors ? { ancestors: account.ancestors } : {}),
    ...(account.ancestryUnresolved ? { ancestryUnresolved: account.ancestryUnresolved } : {}),
    rules: explainRules(account, policy, today),
    decision:
      'undecidedAt' in decision
        ? `undecided at rule "${decision.undecidedAt}": the run fails this account (ORGANIZATIONAL_UNIT_UNRESOLVED)`
        : `${decision.state}${reportOnlyText(decision.enforcement)}, by ${byWhom(decision.rule)}`,
    ...(scan === undefined ? {} : { scanConfiguration: scan }),
    regions,
  };
}

const reportOnlyText = (enforcement: string) => (enforcement === 'report' ? ' (report-only: never written)' : '');
const byWhom = (rule: string) => (rule === DEFAULT_RULE ? 'the default' : `rule "${rule}"`);

/**
 * Each rule in order, per-setting first match: a rule decides the settings it states that no rule above
 * it has decided for the account; one whose settings are all decided already is "not reached". Before
 * version 3 every rule states deep inspection alone, so the first match decides and the rest are not reached.
 */
function explainRules(account: OrganizationAccount, policy: Policy, today: string): Explanation['rules'] {
  const closed = new Map<string, string>();
  return policy.rules.map((rule, index) => {
    const path = `$.rules[${index}]`;
    const stated = RULE_SETTINGS.filter((setting) => rule[setting] !== undefined);
    const open = stated.filter((setting) => !closed.has(setting));
    const earlier = stated
      .filter((setting) => closed.has(setting))
      .map((setting) => `${setting} already decided by ${closed.get(setting)}`);
    if (open.length === 0) {
      const why = policy.version === 3 ? earlier.join('; ') : 'an earlier rule decided';
      return { path, name: rule.name, result: 'not reached' as const, why };
    }
    const match = matchRule(rule, account, today);
    if (match.matches) {
      for (const setting of open) closed.set(setting, path);
      const by =
        match.by === 'account'
          ? 'names the account'
          : match.by === 'root'
            ? `names the root ${match.id}, which holds every account`
            : `the account is under ${match.id}`;
      const reportOnly = rule.enforcement === 'report' ? ', report-only' : '';
      const decides =
        policy.version === 3
          ? open.map((setting) => `${setting} ${rule[setting]}`).join(', ')
          : `${rule.deepInspection}`;
      const also = earlier.length > 0 ? `; ${earlier.join('; ')}` : '';
      return { path, name: rule.name, result: 'matches' as const, why: `${by}: ${decides}${reportOnly}${also}` };
    }
    if (match.why === 'expired') {
      return { path, name: rule.name, result: 'expired' as const, why: `expired on ${rule.expires}: matches nothing` };
    }
    if (match.why === 'undecided') {
      for (const setting of open) closed.set(setting, path);
      return {
        path,
        name: rule.name,
        result: 'undecided' as const,
        why: 'names OUs, and the account’s place is unknown',
      };
    }
    return { path, name: rule.name, result: 'no match' as const, why: 'names neither the account nor an OU above it' };
  });
}

/** Why the administrator's own settings are decided apart (docs/reference.md#scan-configuration). */
const ADMINISTRATOR_ROLE =
  "the delegated administrator's own configuration is the organization's default, which members inherit";
const NOT_ALLOWED = 'ADMINISTRATOR_WRITE_NOT_ALLOWED' as const;

/**
 * Each scan setting's decision. The delegated administrator's own configuration is the organization's
 * default, which members inherit: the run writes it only from `scanConfiguration`, and not at all where a
 * rule decides the setting otherwise for the administrator (scan-configuration/plan.ts planAdministrator,
 * scope.ts administratorWrite: SKIPPED ADMINISTRATOR_WRITE_NOT_ALLOWED).
 */
function scanDecisions(
  account: OrganizationAccount,
  policy: Policy,
  today: string,
  administrator: boolean,
): { [S in ScanSetting]: ScanSettingExplanation } {
  const decided = scanTargetOf(account, policy, today);
  const one = (setting: ScanSetting): ScanSettingExplanation => {
    if (administrator) return administratorDecision(setting, account, policy, today, decided);
    if ('undecidedAt' in decided) {
      return {
        rule: decided.undecidedAt,
        text: `undecided at rule "${decided.undecidedAt}": the account's place in the organization is not known`,
      };
    }
    const decision = decided.target[setting];
    if (decision !== undefined) {
      return {
        value: decision.value,
        rule: decision.rule,
        enforcement: decision.enforcement,
        text: `${decision.value}${reportOnlyText(decision.enforcement)}, by ${decision.rule === DEFAULT_RULE ? 'the default (scanConfiguration)' : `rule "${decision.rule}"`}`,
      };
    }
    const unmanagedBy = policy.rules.find(
      (rule) => rule[setting] === 'UNMANAGED' && matchRule(rule, account, today).matches,
    );
    return unmanagedBy === undefined
      ? { text: 'not managed: no rule states it for this account and scanConfiguration leaves it out' }
      : { rule: unmanagedBy.name, text: `not managed: UNMANAGED, by rule "${unmanagedBy.name}"` };
  };
  return { scanMode: one('scanMode'), vmScanner: one('vmScanner') };
}

/** The administrator's own setting: the default's value, or a rule's that a run does not write. */
function administratorDecision(
  setting: ScanSetting,
  account: OrganizationAccount,
  policy: Policy,
  today: string,
  decided: ReturnType<typeof scanTargetOf>,
): ScanSettingExplanation {
  const byDefault = policy.scanConfiguration;
  const value = byDefault?.[setting];
  const byRule = 'target' in decided ? decided.target[setting] : undefined;
  if (value === undefined || byDefault === undefined) {
    if (byRule === undefined) return { text: `not managed: scanConfiguration leaves it out (${ADMINISTRATOR_ROLE})` };
    return {
      value: byRule.value,
      rule: byRule.rule,
      enforcement: byRule.enforcement,
      notWritten: {
        reason: NOT_ALLOWED,
        why: `rule "${byRule.rule}" names the administrator, whose configuration every member that inherits it has, and scanConfiguration does not state ${setting}`,
      },
      text: `${byRule.value} by rule "${byRule.rule}", which a run does not write: ${ADMINISTRATOR_ROLE}, written only as scanConfiguration says (${NOT_ALLOWED})`,
    };
  }
  const decision = {
    value,
    rule: DEFAULT_RULE,
    enforcement: byDefault.enforcement,
  } as const;
  const text = `${value}${reportOnlyText(byDefault.enforcement)}, by the default (scanConfiguration): ${ADMINISTRATOR_ROLE}`;
  // A rule matching the administrator that decides the setting otherwise keeps the default from being written.
  const otherwise =
    'undecidedAt' in decided
      ? `rule "${decided.undecidedAt}" cannot be decided for this account`
      : byRule === undefined
        ? `rule "${policy.rules.find((rule) => rule[setting] === 'UNMANAGED' && matchRule(rule, account, today).matches)?.name ?? '?'}" leaves it UNMANAGED for this account`
        : byRule.rule !== DEFAULT_RULE && (byRule.value !== value || byRule.enforcement !== 'enforce')
          ? `rule "${byRule.rule}" decides ${byRule.value}${reportOnlyText(byRule.enforcement)} for this account`
          : undefined;
  if (otherwise === undefined) return { ...decision, text };
  return {
    ...decision,
    notWritten: { reason: NOT_ALLOWED, why: otherwise },
    text: `${text}; but ${otherwise}, so a run does not write it (${NOT_ALLOWED})`,
  };
}

/** One setting as read (GetConfiguration with the account's id) beside what the policy wants. */
function compare(
  setting: ScanSetting,
  read: Exclude<Ec2ScanConfiguration, { error: string }>,
  wanted: ScanSettingExplanation,
): ScanSettingComparison {
  const activated = read.vmScanner?.activated;
  const value =
    setting === 'scanMode'
      ? read.scanMode
      : activated === undefined
        ? undefined
        : activated
          ? 'ACTIVATED'
          : 'DEACTIVATED';
  const status = setting === 'scanMode' ? read.scanModeStatus : read.vmScanner?.status;
  return {
    setting,
    ...(value === undefined ? {} : { read: value }),
    ...(status === undefined || status === 'SUCCESS' ? {} : { status }),
    ...(wanted.value === undefined ? {} : { wanted: wanted.value }),
    ...(wanted.rule === undefined ? {} : { rule: wanted.rule }),
    ...(wanted.enforcement === 'report' ? { enforcement: wanted.enforcement } : {}),
    ...(wanted.notWritten === undefined ? {} : { notWritten: wanted.notWritten.reason }),
    differs: wanted.value !== undefined && (value !== wanted.value || (setting === 'vmScanner' && status === 'FAILED')),
  };
}

function describeOutcome(outcome: Outcome): { region: string; inspector: string; run: string } {
  const { region } = outcome;
  switch (outcome.kind) {
    case 'COMPLIANT':
      return { region, inspector: outcome.state, run: 'would do nothing: compliant' };
    case 'ACTIVATE':
    case 'DEACTIVATE':
      return { region, inspector: outcome.from, run: `would change it to ${outcome.to}` };
    case 'WOULD_ACTIVATE':
    case 'WOULD_DEACTIVATE':
      return {
        region,
        inspector: outcome.from,
        run: `would do nothing: report-only; enforcing the rule would change it to ${outcome.to}`,
      };
    case 'SKIPPED':
      return {
        region,
        inspector: outcome.detail ?? '',
        run: `would skip it: ${outcome.reason}${outcome.ec2ScanningOff ? `: ${ec2ScanningOffText(outcome.ec2ScanningOff)}` : ''}`,
      };
    case 'FAILED':
      return {
        region,
        inspector: outcome.observed ?? 'unknown',
        run: `would fail it: ${outcome.reason} ${outcome.errorMessage ?? ''}`.trim(),
      };
  }
}
