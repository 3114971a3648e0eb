/**
 * Checks that a `cdk …` command line names a real CDK CLI command and real options: against the help the
 * installed CDK CLI prints (`cdk --help`, `cdk <command> --help`: offline, a few seconds each), kept in the
 * system's temporary directory per CDK CLI version so that later runs read it instead. And every
 * `-c key=value` must be a setting of this app (lib/config.ts CONFIG_KEYS), as synth itself insists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CONFIG_KEYS } from '../../lib/config';
import { machineTmpdir } from '../support/machine-tmpdir';
import { ROOT } from './doc-commands';

const CDK = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const VERSION = (
  JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'aws-cdk', 'package.json'), 'utf8')) as { version: string }
).version;
const CACHE = path.join(machineTmpdir(), `deep-inspection-docs-cdk-help-${VERSION}`);

/** `cdk [command] --help`, from the cache or the CDK CLI itself. */
function help(command?: string): string {
  const file = path.join(CACHE, `${command ?? 'cdk'}.txt`);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const text = execFileSync(process.execPath, [CDK, ...(command ? [command] : []), '--help'], {
    cwd: tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
    timeout: 60_000,
  });
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(file, text);
  return text;
}

/** The commands `cdk --help` lists, with their aliases. */
function commands(): Map<string, string> {
  const text = help();
  const section = text.split('\nCommands:\n')[1]?.split('\nOptions:\n')[0] ?? '';
  const names = new Map<string, string>();
  let last: string | undefined;
  for (const line of section.split('\n')) {
    const command = /^ {2}cdk (\S+)/.exec(line);
    if (command) {
      last = command[1] as string;
      names.set(last, last);
    }
    const aliases = /\[aliases: ([^\]]+)\]/.exec(line);
    if (aliases && last) for (const alias of (aliases[1] as string).split(/,\s*/)) names.set(alias, last);
  }
  if (names.size < 10) throw new Error(`cdk --help listed only ${names.size} commands: is its format still this?`);
  return names;
}

/** The options `cdk <command> --help` lists (its own and the global ones), each with its type. */
function options(command: string): Map<string, string> {
  const text = help(command);
  const found = new Map<string, string>();
  const blocks = text.split('\n').reduce<string[]>((acc, line) => {
    if (/^ {2}-/.test(line)) acc.push(line);
    else if (acc.length > 0 && /^ {3,}/.test(line)) acc[acc.length - 1] += ` ${line.trim()}`;
    return acc;
  }, []);
  for (const block of blocks) {
    const names = /^ {2}((?:-{1,2}[\w-]+)(?:, -{1,2}[\w-]+)*)/.exec(block)?.[1]?.split(', ') ?? [];
    const type = /\[(boolean|string|array|number|count)\]/.exec(block)?.[1] ?? 'string';
    for (const name of names) {
      found.set(name, type);
      if (type === 'boolean' && name.startsWith('--')) found.set(`--no-${name.slice(2)}`, type);
    }
  }
  if (!found.has('--help')) throw new Error(`cdk ${command} --help printed no options: is its format still this?`);
  return found;
}

/** The problems with one `cdk` command line, given its words after `cdk` (as text). */
export function cdkProblems(args: readonly string[]): string[] {
  const [given, ...rest] = args;
  if (given === undefined) return ['cdk: no command'];
  const command = commands().get(given);
  if (command === undefined) {
    return [`cdk ${given}: not a command of the CDK CLI ${VERSION} (${[...commands().keys()].join(', ')})`];
  }
  const known = options(command);
  const problems: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const word = rest[index] as string;
    if (!word.startsWith('-')) continue; // stacks, environments: positional
    const [name, inline] = word.split('=', 2) as [string, string | undefined];
    const type = known.get(name);
    if (type === undefined) {
      problems.push(`cdk ${command}: no option ${name}`);
      continue;
    }
    if (type === 'boolean' || type === 'count') continue;
    const value = inline ?? rest[++index];
    if (value === undefined) {
      problems.push(`cdk ${command}: ${name} needs a value`);
    } else if (name === '-c' || name === '--context') {
      const key = value.split('=')[0] as string;
      if (!value.includes('=')) problems.push(`cdk ${command}: ${name} ${value}: a context value is key=value`);
      else if (!(CONFIG_KEYS as string[]).includes(key) && !key.startsWith('@') && !key.includes(':')) {
        problems.push(`cdk ${command}: -c ${key}: not a setting of this app (${CONFIG_KEYS.join(', ')})`);
      }
    }
  }
  return problems;
}
