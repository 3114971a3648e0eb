import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createClients } from '../lambda/reconciler/aws/clients';
import { InspectorRegion } from '../lambda/reconciler/aws/inspector';
import { OrganizationsDirectory } from '../lambda/reconciler/aws/organizations';
import { ParameterPolicySource } from '../lambda/reconciler/aws/policy-store';
import { type FailureMessage, type FailureQueue, SqsFailureQueue } from '../lambda/reconciler/aws/queue';
import { describeError } from '../lambda/reconciler/describe-error';
import { parseInvocation } from '../lambda/reconciler/event';
import { ACCOUNT_ID, regionProblem } from '../lambda/reconciler/ids';
import { utcDay } from '../lambda/reconciler/expiry';
import type { Policy } from '../lambda/reconciler/policy';
import { measureCoverage } from '../lambda/reconciler/measure-coverage';
import { lintPolicy } from '../lambda/reconciler/policy-lint';
import { reconcile } from '../lambda/reconciler/reconcile';
import { FilePolicySource } from './policy-file';
import { explain } from './explain';
import { coverageCsv, formatCoverage, formatExplanation, formatLint, formatSummary } from './report';

export const USAGE = `Usage: npm run reconcile -- [command] [options]

Runs the deep inspection reconciler from here, with your AWS credentials (the standard chain:
environment, profile, SSO, instance role). Run it as the Inspector delegated administrator.

Commands:
  (none)                         reconcile: read, plan, apply (with --dry-run: preview only)
  explain <account-id>           why the policy decides this account as it does: its OU path, each
                                 rule in order and whether it matched, the decision, and per region
                                 what Inspector reports and what a run would do (writes nothing)
  coverage                       effective coverage: per region, how many EC2 instances are really
                                 deep-inspected, the others by reason with the usual fix, and the
                                 worst accounts; --output csv gives one row an account (writes nothing)
  lint [--strict]                what in the policy will not do what it says, against the
                                 organization: rules that can never match, accounts and OUs it does
                                 not have, expired rules, rules expiring soon (writes nothing)

Options:
  --dry-run                      read and plan, write nothing (recommended first)
  --policy-file <path>           the policy to apply, from a file (default: policy.json)
  --policy-parameter <name>      the policy from this SSM parameter instead of a file
  --regions <r1,r2>              only these of the policy's regions
  --accounts <id1,id2>           only these accounts (12-digit ids)
  --force                        apply deactivations even past the policy's guardrail
  --failed-accounts-queue-url <url>
                                 send accounts it could not fix to this SQS queue (default: print them only)
  --region <region>              home region: SSM, SQS, and the policy's default region
                                 (default: AWS_REGION or AWS_DEFAULT_REGION)
  --account-id <id>              the delegated administrator's account id (default: from STS GetCallerIdentity)
  --output <table|json|csv>      a table per region (default), or the full summary as JSON;
                                 csv (coverage only): one row an account and region
  --quiet                        no progress on stderr
  --strict                       lint: exit 1 when there is any warning
  -h, --help                     this help

Exit status: 0 done; 1 the run failed or must be looked at (a region unreadable, failures not queued,
lint --strict with warnings); 2 bad options or bad policy.

Examples:
  npm run reconcile -- --dry-run
  npm run reconcile -- --dry-run --policy-parameter /deep-inspection-reconciler/policy --regions eu-west-1
  npm run reconcile -- --accounts 111122223333 --output json
  npm run reconcile -- explain 111122223333 --policy-file policy.json
  npm run reconcile -- lint --strict --policy-parameter /deep-inspection-reconciler/policy
  npm run reconcile -- coverage --output csv > coverage.csv
`;

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
}

const COMMANDS = ['run', 'explain', 'lint', 'coverage'] as const;

function parse(argv: readonly string[], env: NodeJS.ProcessEnv) {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        strict: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'policy-file': { type: 'string' },
        'policy-parameter': { type: 'string' },
        regions: { type: 'string' },
        accounts: { type: 'string' },
        'failed-accounts-queue-url': { type: 'string' },
        region: { type: 'string' },
        'account-id': { type: 'string' },
        output: { type: 'string', default: 'table' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true as const };
  const [commandName = 'run', ...operands] = positionals;
  const command = COMMANDS.find((name) => name === commandName && name !== 'run');
  if (commandName !== 'run' && command === undefined) {
    throw new UsageError(`unknown command ${JSON.stringify(commandName)}: explain, lint or coverage`);
  }
  const explained = command === 'explain' ? operands.shift() : undefined;
  if (command === 'explain' && (explained === undefined || !ACCOUNT_ID.test(explained))) {
    throw new UsageError(`explain needs a 12-digit account id, got ${JSON.stringify(explained ?? '')}`);
  }
  if (operands.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(operands[0])}`);
  if (values.strict && command !== 'lint') throw new UsageError('--strict goes with lint');
  if (values['policy-file'] && values['policy-parameter']) {
    throw new UsageError('give --policy-file or --policy-parameter, not both');
  }
  const outputs = command === 'coverage' ? ['table', 'json', 'csv'] : ['table', 'json'];
  if (!outputs.includes(values.output)) {
    throw new UsageError(
      `--output must be ${outputs.join(', ').replace(/, (\w+)$/, ' or $1')}, not ${JSON.stringify(values.output)}`,
    );
  }
  if (command === 'coverage' && (values['dry-run'] || values.force)) {
    throw new UsageError('coverage only reads: --dry-run and --force do not go with it');
  }
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('no region: give --region or set AWS_REGION');
  // The same region list as synth and the function: a region one of them would refuse is refused here.
  const problem = regionProblem(region);
  if (problem !== undefined) throw new UsageError(`--region ${problem}`);
  const accountId = values['account-id'];
  if (accountId !== undefined && !ACCOUNT_ID.test(accountId)) {
    throw new UsageError(`--account-id ${JSON.stringify(accountId)} is not a 12-digit account id`);
  }
  // The same validation as a manual invoke of the function: ids, regions, limits.
  let invocation;
  try {
    const accountIds = list(values.accounts);
    const regions = list(values.regions);
    invocation = parseInvocation({
      // explain and lint never write.
      dryRun: values['dry-run'] || command !== undefined,
      force: values.force,
      ...(explained ? { accountIds: [explained] } : accountIds ? { accountIds } : {}),
      ...(regions ? { regions } : {}),
    });
  } catch (error) {
    throw new UsageError(
      (error as Error).message.replace('$.accountIds', '--accounts').replace('$.regions', '--regions'),
    );
  }
  return {
    help: false as const,
    command: command ?? ('run' as const),
    explained,
    strict: values.strict,
    invocation,
    region,
    accountId,
    output: values.output,
    quiet: values.quiet,
    policyFile: values['policy-parameter'] ? undefined : (values['policy-file'] ?? 'policy.json'),
    policyParameter: values['policy-parameter'],
    queueUrl: values['failed-accounts-queue-url'],
  };
}

/** Keeps failures for the report when no queue is given; the run still says how many there were. */
class PrintedFailures implements FailureQueue {
  readonly messages: FailureMessage[] = [];
  async send(messages: readonly FailureMessage[]) {
    this.messages.push(...messages);
    return { sent: 0, undelivered: [] };
  }
}

/** The command line; returns the exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let options;
  try {
    options = parse(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`reconcile: ${error.message}\nRun with --help for the options.\n`);
    return 2;
  }
  if (options.help) {
    io.stdout(USAGE);
    return 0;
  }
  // A policy file is checked before any AWS call: a typo costs nothing and touches nothing.
  let filePolicy: Policy | undefined;
  if (options.policyFile !== undefined) {
    try {
      filePolicy = await new FilePolicySource(options.policyFile).load();
    } catch (error) {
      io.stderr(`reconcile: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const started = Date.now();
  const progress = options.quiet
    ? undefined
    : (message: string) => io.stderr(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
  const clients = createClients(options.region, io.env);
  const sts = new STSClient({ region: options.region });
  try {
    const policySource = filePolicy
      ? { load: async () => filePolicy }
      : new ParameterPolicySource(clients.ssm, options.policyParameter ?? '');
    const directory = new OrganizationsDirectory(clients.organizations);
    if (options.command === 'lint') {
      const policy = await policySource.load();
      const accounts = await directory.listAccounts({ withAncestors: true });
      const warnings = lintPolicy(policy, { today: utcDay(new Date()), accounts });
      io.stdout(options.output === 'json' ? `${JSON.stringify(warnings, null, 2)}\n` : `${formatLint(warnings)}\n`);
      return options.strict && warnings.length > 0 ? 1 : 0;
    }
    const ownAccountId = options.accountId ?? (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
    if (options.command === 'coverage') {
      const coverage = await measureCoverage(
        {
          runId: randomUUID(),
          ownAccountId,
          defaultRegion: options.region,
          ...(options.invocation.accountIds ? { accountIds: options.invocation.accountIds } : {}),
          ...(options.invocation.regions ? { regions: options.invocation.regions } : {}),
        },
        {
          policy: policySource,
          directory,
          inspectorFor: (region) => new InspectorRegion(clients.inspector(region)),
          ...(progress ? { progress } : {}),
        },
      );
      const formats = {
        table: () => formatCoverage(coverage.summary),
        json: () => JSON.stringify(coverage.summary, null, 2),
        csv: () => coverageCsv(coverage.accounts),
      };
      io.stdout(`${formats[options.output as keyof typeof formats]()}\n`);
      const unread = coverage.summary.regions.filter((region) => region.error !== undefined);
      for (const region of unread) io.stderr(`reconcile: region ${region.region}: ${region.error}\n`);
      return unread.length > 0 ? 1 : 0;
    }
    progress?.(`running as account ${ownAccountId}${options.invocation.dryRun ? ', dry run' : ''}`);
    // explain shows the account's OU path, so it lists the organization with ancestry once and runs on that list.
    const listed = options.command === 'explain' ? await directory.listAccounts({ withAncestors: true }) : undefined;
    const printed = new PrintedFailures();
    const result = await reconcile(
      {
        runId: randomUUID(),
        dryRun: options.invocation.dryRun,
        force: options.invocation.force,
        ownAccountId,
        defaultRegion: options.region,
        ...(options.invocation.accountIds ? { accountIds: options.invocation.accountIds } : {}),
        ...(options.invocation.regions ? { regions: options.invocation.regions } : {}),
      },
      {
        policy: policySource,
        directory: listed ? { listAccounts: async () => listed } : directory,
        inspectorFor: (region) => new InspectorRegion(clients.inspector(region)),
        queue: options.queueUrl ? new SqsFailureQueue(clients.sqs, options.queueUrl) : printed,
        ...(progress ? { progress } : {}),
      },
    );
    if (options.command === 'explain' && listed) {
      const explanation = explain({
        accountId: options.explained ?? '',
        account: listed.find((account) => account.id === options.explained),
        policy: await policySource.load(),
        today: utcDay(new Date()),
        outcomes: result.outcomes,
      });
      io.stdout(
        options.output === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : `${formatExplanation(explanation)}\n`,
      );
      return 0;
    }
    io.stdout(
      options.output === 'json' ? `${JSON.stringify(result.summary, null, 2)}\n` : `${formatSummary(result.summary)}\n`,
    );
    if (printed.messages.length > 0 && options.output === 'table') {
      io.stderr(
        `${printed.messages.length} failures were not queued (no --failed-accounts-queue-url); they are listed above.\n`,
      );
    }
    for (const problem of result.problems) io.stderr(`reconcile: ${problem}\n`);
    return result.problems.length > 0 ? 1 : 0;
  } catch (error) {
    const name = (error as Error).name;
    io.stderr(`reconcile: ${error instanceof Error && name !== 'Error' ? error.message : describeError(error)}\n`);
    return name === 'PolicyError' || name === 'InvocationError' ? 2 : 1;
  } finally {
    // Keep-alive connections would otherwise hold the process (and a test runner) open after the run.
    clients.destroy();
    sts.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  }).then((status) => {
    process.exitCode = status;
  });
}
