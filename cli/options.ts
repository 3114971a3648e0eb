import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  ACCOUNT_ID,
  MAX_REQUESTED_ACCOUNTS,
  PARAMETER_TIERS,
  type ParameterTier,
  regionProblem,
} from '../lambda/reconciler';
import { endpointSettingProblem } from './endpoint';
import { UsageError } from './errors';
import { EXIT } from './exit-codes';
import { resolveProfile } from './profile';

/** The function's default parameter name (lib/ stack's `policyParameterName`), shown in examples. */
export const DEFAULT_POLICY_PARAMETER = '/deep-inspection-reconciler/policy';

/** Options as commander hands them over, before the environment fills the defaults in. */
export interface ParsedOptions {
  readonly policyFile?: string;
  readonly policyParameter?: string;
  readonly policyParameterTier?: ParameterTier;
  readonly profile?: string;
  readonly regions?: readonly string[];
  readonly accounts?: readonly string[];
  readonly region?: string;
  readonly accountId?: string;
  readonly output?: string;
  readonly quiet?: boolean;
  readonly force?: boolean;
  readonly failedAccountsQueueUrl?: string;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly strict?: boolean;
  readonly offline?: boolean;
  /** plan --out: where to save the plan. */
  readonly out?: string;
}

/** What every command that reads AWS needs, resolved: the policy's source, the home region, the scope. */
export interface CommonOptions {
  readonly policy: { readonly file: string; readonly tier: ParameterTier } | { readonly parameter: string };
  readonly region: string;
  /** --profile or AWS_PROFILE, checked to exist; undefined: the SDK's default chain. */
  readonly profile?: string;
  /** Where the profile was named: --profile takes precedence over the environment's keys, AWS_PROFILE does not in the AWS CLI. */
  readonly profileFrom?: '--profile' | 'AWS_PROFILE';
  readonly accountId?: string;
  readonly regions?: readonly string[];
  readonly accounts?: readonly string[];
  readonly output: string;
  readonly quiet: boolean;
}

/** A check that says what is wrong with a value, or nothing: a pattern, or the one region list. */
type Check = RegExp | ((value: string) => string | undefined);

function problemOf(value: string, what: string, check: Check): string | undefined {
  if (typeof check === 'function') return check(value);
  return check.test(value) ? undefined : `${JSON.stringify(value)} is not ${what}`;
}

/** `what` is a noun with its article ("a 12-digit account id"): the empty list asks for "one 12-digit account id". */
function listOf(what: string, check: Check, max?: number) {
  return (value: string): string[] => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (items.length === 0) {
      throw new InvalidArgumentError(
        `${JSON.stringify(value)} names none: give at least one ${what.replace(/^an? /, '')} (several separated by commas), or leave the option out`,
      );
    }
    for (const item of items) {
      const problem = problemOf(item, what, check);
      if (problem !== undefined) throw new InvalidArgumentError(problem);
    }
    const repeated = items.find((item, index) => items.indexOf(item) !== index);
    if (repeated !== undefined) throw new InvalidArgumentError(`${JSON.stringify(repeated)} is given twice`);
    if (max !== undefined && items.length > max) {
      throw new InvalidArgumentError(`at most ${max}; leave the option out to run for every account`);
    }
    return items;
  };
}

function single(what: string, check: Check) {
  return (value: string): string => {
    const problem = problemOf(value, what, check);
    if (problem !== undefined) throw new InvalidArgumentError(problem);
    return value;
  };
}

const policyFile = () =>
  new Option('--policy-file <path>', 'the policy, from a file (default: policy.json)').conflicts('policyParameter');
const policyParameterTier = () =>
  new Option(
    '--policy-parameter-tier <tier>',
    'the SSM parameter tier the policy file is deployed in (cdk.json policyParameterTier): a file larger than it holds is refused, as synth refuses it',
  )
    .choices(PARAMETER_TIERS)
    .default('Standard');
const profile = () =>
  new Option('--profile <name>', 'the AWS profile to use, as the AWS CLI takes it (default: AWS_PROFILE)');
const policyParameter = () =>
  new Option('--policy-parameter <name>', `the policy, from this SSM parameter (e.g. ${DEFAULT_POLICY_PARAMETER})`);
const regions = () =>
  new Option('--regions <list>', "only these of the policy's regions, comma-separated").argParser(
    listOf('an AWS region name', regionProblem),
  );
const accounts = () =>
  new Option('--accounts <list>', 'only these accounts (12-digit ids, comma-separated)').argParser(
    listOf('a 12-digit account id', ACCOUNT_ID, MAX_REQUESTED_ACCOUNTS),
  );
const region = () =>
  new Option(
    '--region <region>',
    "home region: SSM, SQS, and the policy's default region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region)",
  ).argParser(single('an AWS region name', regionProblem));
const accountId = () =>
  new Option(
    '--account-id <id>',
    "the delegated administrator's account id (default: STS GetCallerIdentity)",
  ).argParser(single('a 12-digit account id', ACCOUNT_ID));
const output = (formats: readonly string[]) =>
  new Option('--output <format>', 'how to print the result').choices(formats).default('table');
const quiet = () => new Option('--quiet', 'no progress on stderr (there is none when stderr is not a terminal)');

/** Where the policy comes from and where to call AWS: every command that reads the organization. */
export function addSourceOptions(command: Command, formats: readonly string[] = ['table', 'json']): Command {
  return command
    .addOption(policyFile())
    .addOption(policyParameter())
    .addOption(policyParameterTier())
    .addOption(profile())
    .addOption(region())
    .addOption(accountId())
    .addOption(output(formats))
    .addOption(quiet());
}

/** The scope of a run: regions and accounts. */
export function addScopeOptions(command: Command): Command {
  return addRegionsOption(command).addOption(accounts());
}

/** Only some of the policy's regions. */
export function addRegionsOption(command: Command): Command {
  return command.addOption(regions());
}

const force = () =>
  new Option('--force', "apply deactivations even past the policy's guardrail (plan: show what that would write)");
/** Accepted by plan (`npm run reconcile -- plan --dry-run` runs): a plan writes nothing with or without it. */
const planDryRun = () => new Option('--dry-run', 'write nothing: what a plan always does');

/** plan's own: the guardrail's override (to see what it would write) and where to save the plan. */
export function addPlanOptions(command: Command): Command {
  return command
    .addOption(force())
    .addOption(
      new Option(
        '--out <file>',
        'also save the plan to this file (versioned JSON, docs/cli.md): `apply FILE` applies exactly it',
      ),
    )
    .addOption(planDryRun());
}

/** apply's own: the override, the failed-accounts queue, confirmation, strictness, --dry-run. */
export function addApplyOptions(command: Command): Command {
  return command
    .addOption(force())
    .addOption(
      new Option(
        '--failed-accounts-queue-url <url>',
        'send accounts it could not fix to this SQS queue, checked to exist before any write (default: print them only)',
      ).argParser((value: string) => {
        // An unset shell variable ("$QUEUE" in a new shell) must not quietly mean "no queue".
        if (!/^https?:\/\/\S+$/.test(value)) {
          throw new InvalidArgumentError(
            `${JSON.stringify(value)} is not a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)`,
          );
        }
        return value;
      }),
    )
    .addOption(new Option('--yes', 'apply without asking (for scripts: review the plan first, or apply a saved one)'))
    .addOption(new Option('--strict', `write nothing, exit ${EXIT.FAILED}, when the policy has a lint warning`))
    .addOption(new Option('--dry-run', 'plan only, write nothing (the same as `plan`)'));
}

/**
 * Fills what the options leave out from the environment and the AWS profile, as the AWS CLI does;
 * throws UsageError naming what is missing or wrong (a region, a profile that does not exist).
 */
export async function resolveCommon(options: ParsedOptions, env: NodeJS.ProcessEnv): Promise<CommonOptions> {
  const endpoint = endpointSettingProblem(env);
  if (endpoint !== undefined) throw new UsageError(endpoint);
  const profile = await resolveProfile(options.profile, env);
  const home = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? profile.region;
  if (!home) {
    throw new UsageError(
      `no region: give --region, set AWS_REGION, or set region in the profile (${profile.name ?? 'default'})`,
    );
  }
  // The same region list as synth and the function: a region one of them would refuse is refused here.
  const problem = regionProblem(home);
  if (problem !== undefined) {
    const from =
      options.region !== undefined
        ? '--region'
        : env.AWS_REGION
          ? 'AWS_REGION'
          : env.AWS_DEFAULT_REGION
            ? 'AWS_DEFAULT_REGION'
            : `the region of profile ${profile.name ?? 'default'}`;
    throw new UsageError(`${from} ${problem}: give --region`);
  }
  return {
    policy:
      options.policyParameter !== undefined
        ? { parameter: options.policyParameter }
        : { file: options.policyFile ?? 'policy.json', tier: options.policyParameterTier ?? 'Standard' },
    region: home,
    ...(profile.name === undefined
      ? {}
      : { profile: profile.name, profileFrom: options.profile !== undefined ? '--profile' : 'AWS_PROFILE' }),
    ...(options.accountId === undefined ? {} : { accountId: options.accountId }),
    ...(options.regions === undefined ? {} : { regions: options.regions }),
    ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
    output: options.output ?? 'table',
    quiet: options.quiet ?? false,
  };
}
