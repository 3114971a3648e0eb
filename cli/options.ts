import { type Command, InvalidArgumentError, Option } from 'commander';
import { MAX_REQUESTED_ACCOUNTS } from '../lambda/reconciler/event';
import { ACCOUNT_ID, regionProblem } from '../lambda/reconciler/ids';
import { UsageError } from './errors';

/** The function's default parameter name (lib/ stack's `policyParameterName`), shown in examples. */
export const DEFAULT_POLICY_PARAMETER = '/deep-inspection-reconciler/policy';

/** Options as commander hands them over, before the environment fills the defaults in. */
export interface ParsedOptions {
  readonly policyFile?: string;
  readonly policyParameter?: string;
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
}

/** What every command that reads AWS needs, resolved: the policy's source, the home region, the scope. */
export interface CommonOptions {
  readonly policy: { readonly file: string } | { readonly parameter: string };
  readonly region: string;
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

function listOf(what: string, check: Check, max?: number) {
  return (value: string): string[] => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (items.length === 0) throw new InvalidArgumentError(`give at least one ${what}, separated by commas`);
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
    "home region: SSM, SQS, and the policy's default region (default: AWS_REGION or AWS_DEFAULT_REGION)",
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

/** plan's and apply's own: the guardrail's override, the failed-accounts queue, --dry-run. */
export function addRunOptions(command: Command): Command {
  return command
    .addOption(new Option('--force', "apply deactivations even past the policy's guardrail"))
    .addOption(
      new Option(
        '--failed-accounts-queue-url <url>',
        'apply: send accounts it could not fix to this SQS queue (default: print them only)',
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
    .addOption(new Option('--dry-run', 'plan only, write nothing (the same as `plan`)'));
}

/** Fills what the options leave out from the environment; throws UsageError naming what is missing. */
export function resolveCommon(options: ParsedOptions, env: NodeJS.ProcessEnv): CommonOptions {
  const home = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!home) throw new UsageError('no region: give --region, or set AWS_REGION');
  // The same region list as synth and the function: a region one of them would refuse is refused here.
  const problem = regionProblem(home);
  if (problem !== undefined) {
    throw new UsageError(
      `${options.region !== undefined ? '--region' : env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION'} ${problem}: give --region`,
    );
  }
  return {
    policy:
      options.policyParameter !== undefined
        ? { parameter: options.policyParameter }
        : { file: options.policyFile ?? 'policy.json' },
    region: home,
    ...(options.accountId === undefined ? {} : { accountId: options.accountId }),
    ...(options.regions === undefined ? {} : { regions: options.regions }),
    ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
    output: options.output ?? 'table',
    quiet: options.quiet ?? false,
  };
}
