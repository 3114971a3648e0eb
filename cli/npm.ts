/**
 * npm reads `--yes` and `--dry-run` given before `--` (`npm run reconcile --dry-run`) as its own
 * options: the command never sees them, and npm tells only through the environment it runs the
 * script in (`npm_config_dry_run=true`, `npm_config_yes=true`). Reading them here turns the most
 * natural typo there is from "applies" into "plans, and says how to pass the option".
 */
export interface NpmSwallowed {
  /** npm_config_dry_run is set: the person meant a preview. */
  readonly dryRun: boolean;
  /** npm_config_yes is set: never consent by itself (`npx --yes` sets it to skip npx's own question). */
  readonly yes: boolean;
}

const isSet = (value: string | undefined) => value !== undefined && value !== '' && value !== 'false';

export function npmSwallowed(env: NodeJS.ProcessEnv): NpmSwallowed {
  return { dryRun: isSet(env.npm_config_dry_run), yes: isSet(env.npm_config_yes) };
}

/** How the person started the command, for the hints: `npm run reconcile --` or `deep-inspection`. */
export function invokedAs(env: NodeJS.ProcessEnv): string {
  return env.npm_lifecycle_event === 'reconcile' ? 'npm run reconcile --' : 'deep-inspection';
}

/**
 * The command's own options that npm would also take before `--` (`npm run reconcile --accounts=…`
 * sets `npm_config_accounts`): the command never sees them, so a run meant for one account would run
 * for all. Only `--dry-run` and `--yes` are safe to read from npm (above); any other is refused.
 * Left out: npm's own settings of the same name (`--force`, `--offline`, `--quiet`), which npm's
 * config files may set for every run; losing them only makes the command more careful.
 */
const COMMAND_OPTIONS = [
  'policy-file',
  'policy-parameter',
  'regions',
  'accounts',
  'region',
  'account-id',
  'output',
  'failed-accounts-queue-url',
  'strict',
  'account-count',
  'port',
] as const;

/** The command's options npm took as its own in this `npm run`, as the person typed them (`--accounts`). */
export function npmTookOptions(env: NodeJS.ProcessEnv): string[] {
  // Only `npm run reconcile`: npx hands the command its options itself.
  if (env.npm_lifecycle_event !== 'reconcile') return [];
  return COMMAND_OPTIONS.filter((name) => isSet(env[`npm_config_${name.replaceAll('-', '_')}`])).map(
    (name) => `--${name}`,
  );
}
