import {
  DEFAULT_RULE,
  desiredStateOf,
  type Ec2ScanConfiguration,
  ec2ScanningOffText,
  matchRule,
  type OrganizationAccount,
  type Outcome,
  type Policy,
} from '../lambda/reconciler';

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
  readonly decision: string;
  readonly regions: readonly {
    readonly region: string;
    readonly inspector: string;
    readonly run: string;
    /** The account's own EC2 scan configuration there (GetConfiguration with its accountId), when read. */
    readonly ec2ScanConfiguration?: Ec2ScanConfiguration;
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
}): Explanation {
  const { accountId, account, policy, today } = input;
  const regions = input.outcomes
    .filter((o) => o.accountId === accountId)
    .map((outcome) => {
      const scan = input.scanConfigurations?.get(outcome.region);
      return { ...describeOutcome(outcome), ...(scan === undefined ? {} : { ec2ScanConfiguration: scan }) };
    });
  if (account === undefined) {
    return {
      accountId,
      rules: [],
      decision: 'the organization does not list this account: nothing to decide',
      regions,
    };
  }
  let decided = false;
  const rules = policy.rules.map((rule, index) => {
    const path = `$.rules[${index}]`;
    const reportOnly = rule.enforcement === 'report' ? ', report-only' : '';
    if (decided) return { path, name: rule.name, result: 'not reached' as const, why: 'an earlier rule decided' };
    const match = matchRule(rule, account, today);
    if (match.matches) {
      decided = true;
      const by =
        match.by === 'account'
          ? 'names the account'
          : match.by === 'root'
            ? `names the root ${match.id}, which holds every account`
            : `the account is under ${match.id}`;
      return { path, name: rule.name, result: 'matches' as const, why: `${by}: ${rule.deepInspection}${reportOnly}` };
    }
    if (match.why === 'expired') {
      return { path, name: rule.name, result: 'expired' as const, why: `expired on ${rule.expires}: matches nothing` };
    }
    if (match.why === 'undecided') {
      decided = true;
      return {
        path,
        name: rule.name,
        result: 'undecided' as const,
        why: 'names OUs, and the account’s place is unknown',
      };
    }
    return { path, name: rule.name, result: 'no match' as const, why: 'names neither the account nor an OU above it' };
  });
  const decision = desiredStateOf(account, policy, today);
  return {
    accountId,
    state: account.state,
    ...(account.ancestors ? { ancestors: account.ancestors } : {}),
    ...(account.ancestryUnresolved ? { ancestryUnresolved: account.ancestryUnresolved } : {}),
    rules,
    decision:
      'undecidedAt' in decision
        ? `undecided at rule "${decision.undecidedAt}": the run fails this account (ORGANIZATIONAL_UNIT_UNRESOLVED)`
        : `${decision.state}${decision.enforcement === 'report' ? ' (report-only: never written)' : ''}, by ${
            decision.rule === DEFAULT_RULE ? 'the default' : `rule "${decision.rule}"`
          }`,
    regions,
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
