import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT } from '../../cli/exit-codes';
import { CONFIG_KEYS } from '../../lib/config';
import { type RunningLocal, startLocal } from '../../local/serve';
import { FakeTerminal, runCli } from '../support/cli';
import { awsProblems } from './aws-cli';
import { cdkProblems } from './cdk-cli';
import {
  classify,
  codeBlocks,
  commandsIn,
  type DocCommand,
  documentedCommands,
  documentedExit,
  ROOT,
  withNested,
  type Word,
  wordText,
} from './doc-commands';

/**
 * Every command the README and docs/ show is one a reader can run:
 * - each `deep-inspection …` (also `npx deep-inspection …` and `npm run reconcile -- …`) runs, in this
 *   process, against the simulated organization `deep-inspection local` serves (its demo policy in SSM,
 *   its failed-accounts queue), with the environment its export lines set. It must end with one of the
 *   documented exit statuses and never 2 (bad input), unless its line says `# exit N`; then exactly N.
 *   Only `apply` may write. `apply` gets a terminal that answers "yes"; `local` is stopped at once.
 * - each `aws …` names a real AWS CLI command and real options (test/docs/aws-cli.ts);
 * - each `cdk …` a real CDK CLI command and real options, its `-c` keys settings of this app (test/docs/cdk-cli.ts);
 * - each `npm run <script>` a script of package.json.
 *
 * What stands in for a reader's values: an account id the simulated organization does not have
 * (`<account-id>`, 111122223333, …) becomes one of its active member accounts; `$FAILED_ACCOUNTS_QUEUE_URL`
 * and `$QUEUE` its queue's URL; a relative `--policy-file` is read from the repository's root; `local`
 * listens on `--port 0`, any free port, since the documented 4599 may be taken on this machine.
 */

const ACCOUNT_COUNT = 60;
/** Where the docs' saved plans are written and read. */
const PLANS = mkdtempSync(path.join(tmpdir(), 'doc-plans-'));
const EXIT_STATUSES = new Set<number>(Object.values(EXIT));
let running: RunningLocal;
const savedEnv = { ...process.env };

/** A documented command and how to run it: argv with the reader's values filled in, and npm's environment. */
interface Invocation {
  readonly argv: string[];
  readonly env: NodeJS.ProcessEnv;
}

function environmentOf(script: string): Record<string, string | undefined> {
  const environment: Record<string, string | undefined> = {};
  for (const line of script.split('\n')) {
    const exported = /^export (\w+)=(.*)$/.exec(line);
    if (exported) environment[exported[1] as string] = exported[2];
    const unset = /^unset (\w+)$/.exec(line);
    if (unset) environment[unset[1] as string] = undefined;
  }
  return environment;
}

beforeAll(async () => {
  running = await startLocal({ accountCount: ACCOUNT_COUNT, port: 0 });
  // The shell the docs' `source local.env` gives: exactly what `local` prints, nothing of npm's.
  for (const [name, value] of Object.entries(environmentOf(running.script))) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  for (const name of Object.keys(process.env)) if (name.startsWith('npm_')) delete process.env[name];
});

afterAll(async () => {
  await running.close();
  process.env = { ...savedEnv };
});

/** Active member accounts, handed out in turn to the account ids the docs make up. */
function memberAccounts(): string[] {
  const admin = running.organization.delegatedAdminAccountId;
  return running.organization.accounts.filter((a) => a.state === 'ACTIVE' && a.id !== admin).map((a) => a.id);
}

function invocation(found: DocCommand): Invocation {
  const classified = classify(found.command);
  if (classified.kind !== 'deep-inspection') throw new Error('not a deep-inspection command');
  const known = new Set(running.organization.accounts.map((account) => account.id));
  const stand = new Map<string, string>();
  const members = memberAccounts();
  const standIn = (id: string) => {
    if (known.has(id)) return id;
    if (!stand.has(id)) stand.set(id, members[stand.size] as string);
    return stand.get(id) as string;
  };
  const variables: Record<string, string> = { FAILED_ACCOUNTS_QUEUE_URL: running.queueUrl, QUEUE: running.queueUrl };
  const text = (word: Word) =>
    wordText(
      word,
      (name) => {
        const value = variables[name];
        if (value === undefined) throw new Error(`${found.file}:${found.line}: $${name} is not set by the docs' shell`);
        return value;
      },
      () => {
        throw new Error(`${found.file}:${found.line}: a deep-inspection command with $(…)`);
      },
    );
  const argv = classified.argv
    .map(text)
    .map((word) => word.replace(/<account-id>/g, () => standIn('<account-id>')))
    .map((word) => word.replace(/\b\d{12}\b/g, standIn));
  for (let index = 0; index < argv.length - 1; index++) {
    if (argv[index] === '--policy-file' && !path.isAbsolute(argv[index + 1] as string)) {
      argv[index + 1] = path.join(ROOT, argv[index + 1] as string);
    }
    if (argv[index] === '--port') argv[index + 1] = '0';
    // A saved plan goes to a directory of this run, never the repository: `plan --out FILE`, `apply FILE`.
    if (argv[index] === '--out') argv[index + 1] = path.join(PLANS, path.basename(argv[index + 1] as string));
  }
  if (argv[0] === 'apply' && argv[1] !== undefined && !argv[1].startsWith('-')) {
    argv[1] = path.join(PLANS, path.basename(argv[1]));
  }
  if (argv[0] === 'local' && !argv.includes('--port')) argv.push('--port', '0');
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (classified.npmFlags.length > 0 || found.command.words.some((word) => wordText(word) === 'reconcile')) {
    env.npm_lifecycle_event = 'reconcile';
  }
  for (const flag of classified.npmFlags) env[`npm_config_${flag.replace(/^--/, '').replace(/-/g, '_')}`] = 'true';
  return { argv, env };
}

/** Runs a documented command; the problems with how it went (none when it went as documented). */
async function problemsRunning(found: DocCommand): Promise<string[]> {
  const { argv, env } = invocation(found);
  const writesBefore = running.endpoint.writeCount();
  const { status, stdout, stderr } = await runCli(argv, {
    env,
    terminal: new FakeTerminal(() => 'yes'),
    interrupted: async () => 'SIGINT',
  });
  const where = `${found.file}:${found.line}: deep-inspection ${argv.join(' ')}`;
  const said = `\n--- stdout\n${stdout.slice(0, 2000)}\n--- stderr\n${stderr.slice(0, 2000)}`;
  const problems: string[] = [];
  const expected = documentedExit(found.command);
  if (expected !== undefined) {
    if (status !== expected) problems.push(`${where}: exit ${status}, the docs say ${expected}${said}`);
  } else if (status === EXIT.BAD_INPUT || !EXIT_STATUSES.has(status)) {
    problems.push(`${where}: exit ${status} (bad input, or no documented status)${said}`);
  }
  const writes = running.endpoint.writeCount() - writesBefore;
  if (argv[0] !== 'apply' && writes > 0) problems.push(`${where}: ${writes} writes, from a command that is not apply`);
  if (argv[0] === 'local' && !/^export AWS_ENDPOINT_URL=/m.test(stdout)) {
    problems.push(`${where}: printed no export lines${said}`);
  }
  return problems;
}

const all = documentedCommands();
const label = (found: DocCommand) => `${found.file}:${found.line} ${found.source.replace(/\s*\\\n\s*/g, ' ')}`;
const deepInspection = all.filter((found) => !found.inline && classify(found.command).kind === 'deep-inspection');
const aws = all.flatMap((found) =>
  withNested([found.command])
    .filter((command) => classify(command).kind === 'aws')
    .map((command) => ({ ...found, command })),
);
const cdk = all.filter((found) => classify(found.command).kind === 'cdk');
const npmScripts = all.filter((found) => classify(found.command).kind === 'npm-script');

const argsOf = (found: DocCommand) => {
  const classified = classify(found.command);
  return 'args' in classified ? classified.args.map((word) => wordText(word)) : [];
};

describe('the documentation’s commands', () => {
  it('finds the commands of every page, the README’s try-it, operate and deploy commands among them', () => {
    expect(deepInspection.length).toBeGreaterThanOrEqual(20);
    expect(aws.length).toBeGreaterThanOrEqual(15);
    expect(cdk.length).toBeGreaterThanOrEqual(5);
    const sources = deepInspection.map((found) => found.source);
    for (const expected of ['deep-inspection local', 'deep-inspection plan', 'deep-inspection apply --accounts']) {
      expect(sources.some((source) => source.includes(expected))).toBe(true);
    }
  });

  it.each(deepInspection.map((found) => [label(found), found] as const))(
    'runs %s against the simulated organization as documented',
    async (_label, found) => {
      expect(await problemsRunning(found)).toEqual([]);
    },
  );

  it.each(aws.map((found) => [label(found), found] as const))(
    '%s names a real AWS CLI command and options',
    (_label, found) => {
      expect(awsProblems(argsOf(found), { mention: found.inline })).toEqual([]);
    },
  );

  it.each(cdk.map((found) => [label(found), found] as const))(
    '%s names a real CDK CLI command and options',
    (_label, found) => {
      expect(cdkProblems(argsOf(found))).toEqual([]);
    },
  );

  it.each(npmScripts.map((found) => [label(found), found] as const))(
    '%s names a script of package.json',
    (_label, found) => {
      const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: object })
        .scripts;
      const classified = classify(found.command);
      expect(Object.keys(scripts)).toContain(classified.kind === 'npm-script' ? classified.script : '');
    },
  );

  it('shows the export lines `deep-inspection local` prints, in the README', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const shown = codeBlocks(readme).find((block) => /^export AWS_ENDPOINT_URL=/m.test(block.text));
    const port = new URL(running.endpoint.url).port;
    const printed = running.script
      .split('\n')
      .filter((line) => /^(export|unset) /.test(line))
      .map((line) => line.replaceAll(`:${port}`, ':4599'));
    expect(shown?.text.split('\n').filter((line) => /^(export|unset) /.test(line))).toEqual(printed);
  });

  it('lists every setting of the app in docs/deploy.md’s settings table, and only those', () => {
    const page = readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
    const table = page.split('\n## Settings\n')[1]?.split('\n## ')[0] ?? '';
    const documented = [...table.matchAll(/^\| `(\w+)` /gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('runs exactly what .ci/run runs as the README’s two set-up commands', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const setup = codeBlocks(readme)[0]?.text ?? '';
    const ci = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    const commands = commandsIn('README.md', `\`\`\`bash\n${setup}\n\`\`\``).map((found) =>
      found.command.words.map((word) => wordText(word)).join(' '),
    );
    expect(commands).toEqual(['npm ci', 'npm run demo', 'npm test']);
    for (const command of commands) expect(ci).toMatch(new RegExp(`^${command}$`, 'm'));
  });
});

describe('the checks catch a bad command in the docs', () => {
  const page = (shell: string) => commandsIn('bad.md', `\`\`\`bash\n${shell}\n\`\`\`\n`);

  it.each([
    ['a made-up option', 'npx deep-inspection plan --policy-parameter /deep-inspection-reconciler/policy --dryrun'],
    ['a made-up command', 'npx deep-inspection aply --yes'],
    ['a policy file that does not exist', 'npx deep-inspection plan --policy-file no-such-policy.json'],
    ['a region the policy does not name', 'npx deep-inspection plan --policy-file policy.json --regions eu-west-1'],
    [
      'a misspelt option after npm’s `--`',
      'npm run reconcile -- plan --policy-parm /deep-inspection-reconciler/policy',
    ],
  ])('deep-inspection: %s', async (_what, shell) => {
    const [found] = page(shell);
    if (!found) throw new Error('no command found');
    expect(await problemsRunning(found)).not.toEqual([]);
  });

  it('takes a command the docs show failing on purpose, and only with the status they say', async () => {
    const [meant] = page('npx deep-inspection plan --dryrun   # exit 2: "did you mean --dry-run?"');
    const [wrong] = page('npx deep-inspection plan --dryrun   # exit 3');
    if (!meant || !wrong) throw new Error('no command found');
    expect(await problemsRunning(meant)).toEqual([]);
    expect(await problemsRunning(wrong)).not.toEqual([]);
  });

  it.each([
    [
      'a made-up option',
      'aws sqs receive-message --queue-url "$QUEUE" --message-attribute-name DeduplicationKey',
      'no option --message-attribute-name',
    ],
    [
      'a made-up command',
      'aws sqs redrive-queue --queue-url "$QUEUE"',
      'has no operation that the AWS CLI calls "redrive-queue"',
    ],
    ['a service with no model and no entry', 'aws iam list-roles', 'no model of "iam" here'],
    ['a made-up option of an allow-listed command', 'aws logs tail "$LOG_GROUP" --tail', 'no option --tail'],
    ['a missing required option', 'aws ssm put-parameter --name /p --type String', '--value is required'],
    [
      'a value outside the model’s enum',
      "aws ssm put-parameter --name /p --type Text --value '{}'",
      '--type Text is not one of',
    ],
    [
      'a missing positional argument',
      'aws lambda invoke --function-name "$FUNCTION"',
      'takes 1 positional argument(s), got 0',
    ],
    [
      'a made-up command inside $(…)',
      'X=$(aws cloudformation describe-stack --stack-name S)',
      'no model of "cloudformation" here and not in the allow-list',
    ],
  ])('aws: %s', (_what, shell, message) => {
    const problems = page(shell).flatMap((found) =>
      withNested([found.command])
        .filter((command) => classify(command).kind === 'aws')
        .flatMap((command) => awsProblems(argsOf({ ...found, command }))),
    );
    expect(problems.join('\n')).toContain(message);
  });

  it.each([
    ['a made-up option', 'npx cdk deploy --yes-please', 'cdk deploy: no option --yes-please'],
    ['a made-up command', 'npx cdk deploi', 'cdk deploi: not a command of the CDK CLI'],
    [
      'a misspelt setting',
      'npx cdk deploy -c alarmEmial=security@example.com',
      '-c alarmEmial: not a setting of this app',
    ],
  ])('cdk: %s', (_what, shell, message) => {
    const [found] = page(shell);
    if (!found) throw new Error('no command found');
    expect(cdkProblems(argsOf(found)).join('\n')).toContain(message);
  });
});
