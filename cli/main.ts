import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { distance } from 'fastest-levenshtein';
import { DEMO_REGIONS } from '../local/demo-organization';
import { DEFAULT_LOCAL_PORT } from '../local/serve';
import { coverageCommand } from './commands/coverage';
import { explainCommand } from './commands/explain';
import { lintCommand } from './commands/lint';
import { localCommand } from './commands/local';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { applySavedPlan } from './commands/apply-saved';
import { planOrApply } from './commands/run';
import { describeFailure } from './errors';
import { npmTookOptions } from './npm';
import { EXIT, exitCodeHelp } from './exit-codes';
import {
  addApplyOptions,
  addPlanOptions,
  addRegionsOption,
  addScopeOptions,
  addSourceOptions,
  DEFAULT_POLICY_PARAMETER,
  type ParsedOptions,
} from './options';
import { type Io, processIo } from './terminal';

export type { Io } from './terminal';

const NAME = 'deep-inspection';

const EXAMPLES = `
Examples:
  ${NAME} plan --policy-file policy.json --region us-east-1
  ${NAME} apply --policy-file policy.json --region us-east-1
  ${NAME} plan --policy-parameter ${DEFAULT_POLICY_PARAMETER} --regions eu-west-1 --output json
  ${NAME} apply --accounts 111122223333 --yes
  ${NAME} plan --out plan.json && ${NAME} apply plan.json --yes   # apply exactly what was reviewed
  ${NAME} explain 111122223333 --policy-file policy.json
  ${NAME} lint --strict --policy-parameter ${DEFAULT_POLICY_PARAMETER}
  ${NAME} coverage --output csv > coverage.csv
  ${NAME} local          # a simulated organization to try all of these on, no AWS account needed
Through npm, options go after \`--\`: npm run reconcile -- apply --yes`;

function integer(what: string, min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`${what}: a whole number from ${min} to ${max}`);
    }
    return number;
  };
}

/** A comma-separated list of the simulated organization's regions. */
function demoRegions(what: string) {
  return (value: string): string[] => {
    const regions = value.split(',').map((region) => region.trim());
    for (const region of regions) {
      if (!(DEMO_REGIONS as readonly string[]).includes(region)) {
        throw new InvalidArgumentError(
          `${what}: ${JSON.stringify(region)} is not a region of the simulated organization (${DEMO_REGIONS.join(', ')})`,
        );
      }
    }
    return regions;
  };
}

/** This package's version, for --version. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** commander's own rule for "did you mean": at most 3 edits, and more alike than not; case does not count. */
function nearestCommand(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const edits = distance(word.toLowerCase(), candidate.toLowerCase());
    const similarity = (Math.max(word.length, candidate.length) - edits) / Math.max(word.length, candidate.length);
    if (similarity > 0.4 && edits < bestDistance) {
      best = candidate;
      bestDistance = edits;
    }
  }
  return best;
}

/**
 * commander's error for an unknown option or a value not among its choices, with a suggestion that ignores
 * case where commander's own (which counts case) found none: `--YES` → --yes, `advanced` → Advanced.
 */
function withSuggestion(text: string, command: Command): string {
  if (/Did you mean/i.test(text)) return text;
  const option = /unknown option '([^']+)'/.exec(text)?.[1];
  if (option !== undefined) {
    const flags = [command, ...parents(command)].flatMap((each) =>
      each.options.flatMap((known) => [known.long, known.short].filter((flag): flag is string => flag !== undefined)),
    );
    const suggestion = nearestCommand(option.replace(/=.*/, ''), [...flags, '--help']);
    return suggestion === undefined ? text : `${text.trimEnd()}\n(Did you mean ${suggestion}?)\n`;
  }
  const choice = /argument '([^']*)' is invalid\. Allowed choices are (.+)\.$/m.exec(text);
  if (choice?.[1] !== undefined && choice[2] !== undefined) {
    const suggestion = nearestCommand(choice[1], choice[2].split(', '));
    return suggestion === undefined ? text : `${text.trimEnd()}\n(Did you mean ${suggestion}?)\n`;
  }
  return text;
}

function parents(command: Command): Command[] {
  return command.parent ? [command.parent, ...parents(command.parent)] : [];
}

function unknownCommandMessage(word: string, commands: readonly string[]): string {
  const suggestion = nearestCommand(word, commands);
  return `unknown command '${word}'${suggestion ? `\n(Did you mean ${suggestion}?)` : ''}`;
}

/**
 * The command line: subcommands, help, suggestions and errors from commander; each action returns
 * its exit status through `done`. Nothing is parsed by hand.
 */
export function buildProgram(io: Io, done: (status: number) => void): Command {
  const program = new Command(NAME)
    .description(
      'Keeps Amazon Inspector EC2 deep inspection as a policy says, in every account and region of an AWS Organization.\n' +
        'Run it as the Inspector delegated administrator, with your AWS credentials (environment, profile, SSO, role).\n' +
        'Only `apply` writes, and it asks first; with no command it plans.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(`${NAME}: ${text.replace(/^error: /, '')}`),
    })
    .version(packageVersion(), '-V, --version', "this command's version")
    // Each command's help lists --version and --help, which every command takes.
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .showHelpAfterError(`Run \`${NAME} <command> --help\` for a command's options.`)
    .addHelpText('after', EXAMPLES)
    .addHelpText('afterAll', `\n${exitCodeHelp()}`);

  const commandNames = () => program.commands.map((command) => command.name());
  const unknownCommand = (word: string) => unknownCommandMessage(word, commandNames());

  addPlanOptions(
    addScopeOptions(
      addSourceOptions(
        program
          .command('plan', { isDefault: true })
          .description('read and plan, write nothing (what runs when no command is given); --out saves the plan'),
      ),
    ),
  )
    .allowExcessArguments(true)
    .action(async (options: ParsedOptions, command: Command) => {
      const [operand] = command.args;
      const defaulted = program.args[0] !== 'plan';
      if (operand !== undefined) {
        // With no command, the first word that is not an option lands here: an unknown or misplaced command.
        if (defaulted && commandNames().includes(operand)) {
          command.error(`the command goes first: ${NAME} ${operand} [options]`, {
            exitCode: EXIT.BAD_INPUT,
            code: 'deepInspection.commandNotFirst',
          });
        }
        command.error(defaulted ? unknownCommand(operand) : `plan takes no arguments, got '${operand}'`, {
          exitCode: EXIT.BAD_INPUT,
          code: defaulted ? 'commander.unknownCommand' : 'commander.excessArguments',
        });
      }
      done(await planOrApply('plan', options, io, { defaulted }));
    });

  addApplyOptions(
    addScopeOptions(
      addSourceOptions(
        program
          .command('apply')
          .description(
            'plan, show the plan, ask on a terminal, then apply exactly that plan; or apply a plan saved by `plan --out`',
          )
          .argument(
            '[plan-file]',
            'a plan saved by `plan --out`: apply exactly its changes, each account checked to be still as planned',
          ),
      ),
    ),
  ).action(async (planFile: string | undefined, options: ParsedOptions) =>
    done(await (planFile === undefined ? planOrApply('apply', options, io) : applySavedPlan(planFile, options, io))),
  );

  addRegionsOption(
    addSourceOptions(
      program
        .command('explain')
        .description(
          'why the policy decides an account as it does: its OU path, each rule in order, the decision, each region (writes nothing)',
        )
        .argument('<account-id>', 'the 12-digit account id', (value: string) => {
          if (!/^\d{12}$/.test(value))
            throw new InvalidArgumentError(`${JSON.stringify(value)} is not a 12-digit account id`);
          return value;
        }),
    ),
  ).action(async (accountId: string, options: ParsedOptions) => done(await explainCommand(accountId, options, io)));

  addSourceOptions(
    program
      .command('lint')
      .description(
        'what in the policy will not do what it says: rules that never match, expiry, and against the organization unknown accounts and OUs and regions not enabled (writes nothing)',
      ),
  )
    .addOption(new Option('--strict', `exit ${EXIT.FAILED} when there is any warning`))
    .addOption(
      new Option(
        '--offline',
        'no AWS call: syntax, schema, expiry and reachability by ids only (also what runs when no credentials are found)',
      ),
    )
    .action(async (options: ParsedOptions) => done(await lintCommand(options, io)));

  addScopeOptions(
    addSourceOptions(
      program
        .command('coverage')
        .description(
          'effective coverage: per region, the EC2 instances really deep-inspected, the others by reason with the fix (writes nothing)',
        ),
      ['table', 'json', 'csv'],
    ),
  ).action(async (options: ParsedOptions) => done(await coverageCommand(options, io)));

  program
    .command('local')
    .description(
      'a simulated AWS endpoint with the demo organization, until Ctrl-C: prints the export lines that point the SDK and this command at it',
    )
    .addOption(
      new Option('--account-count <n>', 'accounts in the simulated organization')
        .argParser(integer('--account-count', 1, 100_000))
        .default(500),
    )
    .addOption(
      new Option('--port <port>', 'the port on 127.0.0.1 (0: any free port)')
        .argParser(integer('--port', 0, 65_535))
        .default(DEFAULT_LOCAL_PORT),
    )
    .addOption(
      new Option(
        '--administrator-reads-effective-policies',
        "let the delegated administrator read other accounts' effective Inspector policies (by default refused, as for most administrators): runs and explain then say which accounts the organization's Inspector policy disabled",
      ),
    )
    .addOption(
      new Option(
        '--not-administrator-in <regions>',
        `comma-separated regions (of ${DEMO_REGIONS.join(', ')}) where this account is not Inspector's delegated administrator: GetDelegatedAdminAccount names another account, and runs fail that region`,
      ).argParser(demoRegions('--not-administrator-in')),
    )
    .action(
      async (options: {
        accountCount: number;
        port: number;
        administratorReadsEffectivePolicies?: boolean;
        notAdministratorIn?: string[];
      }) => done(await localCommand(options, io)),
    );

  for (const command of program.commands) {
    command.showHelpAfterError(`Run \`${NAME} ${command.name()} --help\` for its options.`);
    command.configureOutput({
      ...program.configureOutput(),
      outputError: (text, write) => write(`${NAME}: ${withSuggestion(text, command).replace(/^error: /, '')}`),
    });
  }
  return program;
}

/** The command line; resolves with the exit status (the table in exit-codes.ts). */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const swallowed = npmTookOptions(io.env);
  if (swallowed.length > 0) {
    // npm kept them: the command would run without them (for every account, say). Nothing is read or written.
    io.stderr(
      `${NAME}: npm took ${swallowed.join(', ')} as its own option${swallowed.length > 1 ? 's' : ''} (given before \`--\`), so the command would run without ${swallowed.length > 1 ? 'them' : 'it'}; nothing was done. Put the command's options after \`--\`: npm run reconcile -- plan ${swallowed.map((option) => `${option} …`).join(' ')}\n`,
    );
    return EXIT.BAD_INPUT;
  }
  let status: number = EXIT.DONE;
  // What the command printed: with --output json, a run that ends with none on stdout gets one document saying why.
  let printed = false;
  let lastSaid = '';
  const watched: Io = {
    ...io,
    stdout: (text) => {
      printed ||= text.length > 0;
      io.stdout(text);
    },
    stderr: (text) => {
      if (text.trim() !== '' && !text.startsWith('Run `')) lastSaid = text.trim();
      io.stderr(text);
    },
  };
  const program = buildProgram(watched, (code) => {
    status = code;
  });
  /** The command being run (commander has parsed its options so far), for --output and --profile. */
  const running = () =>
    program.commands.find((command) => command.name() === argv[0]) ??
    program.commands.find((command) => command.name() === 'plan');
  const finish = (code: number): number => {
    if (code !== EXIT.DONE && !printed && running()?.opts().output === 'json') {
      const error = lastSaid.replace(new RegExp(`^${NAME}: `), '');
      io.stdout(`${JSON.stringify({ exitCode: code, written: false, error }, null, 2)}\n`);
    }
    return code;
  };
  try {
    // A first word that is not an option is the command: an unknown one is named as such before its
    // options are read (`aply --yes` is not "unknown option --yes" of the default plan).
    const [first] = argv;
    const commands = program.commands.map((command) => command.name());
    if (first !== undefined && !first.startsWith('-') && ![...commands, 'help'].includes(first)) {
      program.error(unknownCommandMessage(first, commands), {
        exitCode: EXIT.BAD_INPUT,
        code: 'commander.unknownCommand',
      });
    }
    await program.parseAsync([...argv], { from: 'user' });
    return finish(status);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed the message; help and --version are not failures.
      return finish(error.exitCode === 0 ? EXIT.DONE : EXIT.BAD_INPUT);
    }
    const profile = running()?.opts().profile as string | undefined;
    const failure = describeFailure(error, io.env, profile);
    watched.stderr(`${NAME}: ${failure.message}\n`);
    return finish(failure.exitCode);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), processIo()).then((status) => {
    process.exitCode = status;
  });
}
