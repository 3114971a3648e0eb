/**
 * Why EC2 scanning is off: for the accounts a run finds with EC2 scanning not enabled (SKIPPED
 * EC2_SCANNING_NOT_ENABLED; Inspector's own BLOCKED_BY_ORGANIZATION_POLICY is a reason of its own and is
 * never asked about), the organization's Inspector policy, read with Organizations DescribeEffectivePolicy
 * (PolicyType INSPECTOR_POLICY, TargetId the account): one call an account, whatever its regions.
 *
 * Organizations Inspector policies "enforce which scan types are enabled and take precedence over non policy
 * managed delegated administrator and member account enablements" (Inspector user guide, "Managing multiple
 * accounts"); their EC2 part is `inspector.enablement.ec2_scanning.enable_in_regions` / `disable_in_regions`
 * (Organizations user guide, "Amazon Inspector policy syntax and examples"). A `TargetId` of another account
 * is documented for the management account or a member its delegation policy allows (Organizations API
 * reference, DescribeEffectivePolicy): the Inspector administrator is likely refused. A refusal, or an
 * organization that does not use Organizations, is said once a run ("could not tell"), and no other account
 * is asked for the rest of the run. No call starts once the run's budget says stop, and the budget's signal
 * aborts those in flight.
 */
import { mapWithConcurrency } from './batches';
import { type CallBudget, NOT_REACHED } from './deadline/budget';
import { describeError } from './errors/describe-error';
import type { Ec2ScanningOffCause, Ec2ScanningPolicy, Outcome } from './model';

export type { Ec2ScanningOffCause, Ec2ScanningPolicy } from './model';

/** Organizations' effective INSPECTOR_POLICY for one account. */
export interface EffectivePolicyReader {
  /**
   * The account's effective Inspector policy (its `PolicyContent`, JSON text), or undefined when none
   * applies (EffectivePolicyNotFoundException). Any other error is thrown, with the SDK's error name.
   */
  inspectorPolicy(accountId: string, abortSignal?: AbortSignal): Promise<string | undefined>;
}

/** What the step did in a run: its calls (the cost), and the one "could not tell" it says, when it does. */
export interface Ec2ScanningOffReport {
  /**
   * DescribeEffectivePolicy calls made: at most one an account with EC2 scanning off. When refused: 1, or 2
   * when the caller's own account is among them (any account may read its own).
   */
  readonly asked: number;
  /** Account-region outcomes the policy explains, and those it does not. */
  readonly disabledByPolicy: number;
  /**
   * The account-regions counted in `disabledByPolicy`, by region then account id: the first
   * MAX_DISABLED_LISTED, so that the run's summary keeps within its size whatever the policy disables.
   */
  readonly disabledByPolicyIn: readonly { readonly region: string; readonly accountId: string }[];
  readonly notDisabledByPolicy: number;
  readonly noPolicy: number;
  /** Accounts not asked: the run stopped asking (refused, not in use) or its deadline came. */
  readonly notAsked: number;
  /** Said once a run: why the step could not tell, and stopped asking. */
  readonly couldNotTell?: string;
}

/** How many account-regions the report lists as disabled by the policy; `disabledByPolicy` counts them all. */
export const MAX_DISABLED_LISTED = 100;

/** Errors that say the caller may not read effective policies at all: no other account would answer. */
const STOPS_ASKING = new Set(['AccessDeniedException', 'AWSOrganizationsNotInUseException']);
/** Calls in flight once the first answered; Organizations' request rate is low, and the SDK retries throttles. */
const CONCURRENCY = 4;

/**
 * The region lists of an effective Inspector policy's EC2 part. Effective content shows values, not
 * inheritance operators; an `@@assign` still there is read as its value. Throws when the text is not JSON.
 */
export function ec2ScanningPolicyOf(content: string): Ec2ScanningPolicy {
  const parsed = JSON.parse(content) as {
    inspector?: { enablement?: { ec2_scanning?: { enable_in_regions?: unknown; disable_in_regions?: unknown } } };
  };
  const ec2 = parsed.inspector?.enablement?.ec2_scanning;
  const regions = (value: unknown): string[] => {
    const list = value !== null && typeof value === 'object' && '@@assign' in value ? value['@@assign'] : value;
    return Array.isArray(list) ? list.filter((region): region is string => typeof region === 'string') : [];
  };
  return { enableInRegions: regions(ec2?.enable_in_regions), disableInRegions: regions(ec2?.disable_in_regions) };
}

/**
 * The cause in one region, from the account's policy. A region in both lists is read as disabled: the docs
 * do not say which list wins, and a policy that names it in `disable_in_regions` is the likelier cause.
 */
export function causeIn(region: string, policy: Ec2ScanningPolicy | undefined): Ec2ScanningOffCause {
  if (policy === undefined) return { kind: 'NO_POLICY' };
  return {
    kind: policy.disableInRegions.includes(region) ? 'DISABLED_BY_POLICY' : 'POLICY_DOES_NOT_DISABLE',
    ...policy,
  };
}

/** The policy's region lists in words: `disable_in_regions: eu-west-1; enable_in_regions: none`. */
export function regionLists(policy: Ec2ScanningPolicy): string {
  return `disable_in_regions: ${policy.disableInRegions.join(', ') || 'none'}; enable_in_regions: ${policy.enableInRegions.join(', ') || 'none'}`;
}

/** The cause in words, for the outcome, explain, the findings and the summary. */
export function ec2ScanningOffText(cause: Ec2ScanningOffCause): string {
  const lists = regionLists;
  switch (cause.kind) {
    case 'DISABLED_BY_POLICY':
      return `disabled by the organization's Inspector policy (${lists(cause)})`;
    case 'POLICY_DOES_NOT_DISABLE':
      return `the organization's Inspector policy does not disable it here (${lists(cause)})`;
    case 'NO_POLICY':
      return 'no Inspector policy applies';
    case 'COULD_NOT_TELL':
      return `could not tell whether the organization's Inspector policy turned it off: ${cause.why}`;
  }
}

type AccountAnswer = { readonly policy?: Ec2ScanningPolicy } | { readonly couldNotTell: string };

/**
 * Asks for the effective Inspector policy of each account with EC2 scanning off, and returns every outcome
 * with its cause added. The first account other than `ownAccountId` (the caller's) is asked alone, so that a
 * refusal costs one call; the caller's own is asked after it whatever the answer, since any account may read
 * its own effective policy (Organizations API reference, DescribeEffectivePolicy) and its answer says nothing
 * of the others'. So a refused run makes 1 call, or 2 when the caller's own EC2 scanning is off too. Without a
 * reader (a caller that gives none), nothing is asked and the outcomes come back as they are.
 */
export async function explainEc2ScanningOff(
  outcomes: readonly Outcome[],
  reader: EffectivePolicyReader | undefined,
  budget: CallBudget,
  ownAccountId?: string,
): Promise<{ outcomes: Outcome[]; report?: Ec2ScanningOffReport }> {
  const off = (outcome: Outcome) => outcome.kind === 'SKIPPED' && outcome.reason === 'EC2_SCANNING_NOT_ENABLED';
  const accounts = [...new Set(outcomes.filter(off).map((outcome) => outcome.accountId))];
  if (reader === undefined || accounts.length === 0) return { outcomes: [...outcomes] };

  const answers = new Map<string, AccountAnswer>();
  let stopped: string | undefined;
  let asked = 0;
  const ask = async (accountId: string): Promise<void> => {
    if (stopped !== undefined && accountId !== ownAccountId) return;
    if (!budget.canContinue() || budget.signal?.aborted) {
      answers.set(accountId, { couldNotTell: NOT_REACHED });
      return;
    }
    asked += 1;
    try {
      const content = await reader.inspectorPolicy(accountId, budget.signal);
      answers.set(accountId, content === undefined ? {} : { policy: ec2ScanningPolicyOf(content) });
    } catch (error) {
      const why = budget.signal?.aborted ? NOT_REACHED : describeError(error);
      if (error instanceof Error && STOPS_ASKING.has(error.name)) stopped ??= why;
      else answers.set(accountId, { couldNotTell: why });
    }
  };
  const others = accounts.filter((id) => id !== ownAccountId);
  const [first, ...rest] = others;
  if (first !== undefined) await ask(first);
  await mapWithConcurrency(
    others.length < accounts.length ? [...rest, ownAccountId as string] : rest,
    CONCURRENCY,
    ask,
  );

  const counts = { disabledByPolicy: 0, notDisabledByPolicy: 0, noPolicy: 0 };
  const disabledByPolicyIn: { region: string; accountId: string }[] = [];
  const annotated = outcomes.map((outcome): Outcome => {
    if (!off(outcome) || outcome.kind !== 'SKIPPED') return outcome;
    const answer = answers.get(outcome.accountId);
    const cause: Ec2ScanningOffCause =
      answer === undefined
        ? { kind: 'COULD_NOT_TELL', why: stopped ?? NOT_REACHED }
        : 'couldNotTell' in answer
          ? { kind: 'COULD_NOT_TELL', why: answer.couldNotTell }
          : causeIn(outcome.region, answer.policy);
    if (cause.kind === 'DISABLED_BY_POLICY') {
      counts.disabledByPolicy += 1;
      disabledByPolicyIn.push({ region: outcome.region, accountId: outcome.accountId });
    }
    if (cause.kind === 'POLICY_DOES_NOT_DISABLE') counts.notDisabledByPolicy += 1;
    if (cause.kind === 'NO_POLICY') counts.noPolicy += 1;
    return { ...outcome, ec2ScanningOff: cause };
  });
  const untold = accounts.filter((id) => {
    const answer = answers.get(id);
    return answer === undefined || 'couldNotTell' in answer;
  }).length;
  return {
    outcomes: annotated,
    report: {
      asked,
      ...counts,
      disabledByPolicyIn: disabledByPolicyIn
        .sort((a, b) => a.region.localeCompare(b.region) || a.accountId.localeCompare(b.accountId))
        .slice(0, MAX_DISABLED_LISTED),
      notAsked: accounts.length - asked,
      ...(stopped === undefined
        ? {}
        : {
            couldNotTell: `could not tell whether the organization's Inspector policy turned EC2 scanning off (${untold} accounts): DescribeEffectivePolicy answered ${stopped}; not asked again this run`,
          }),
    },
  };
}
