import { describeError } from './describe-error';

/** One thing wrong with an input, located by a JSON path such as `$.rules[2].accounts[0]`. */
export interface Problem {
  readonly path: string;
  readonly message: string;
  /** Where in the text it is, when the input was text (a policy file or parameter): 1-based. */
  readonly line?: number;
  readonly column?: number;
}

function describeProblems(what: string, problems: readonly Problem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `${what}: ${count}\n${problems.map((p) => `  - ${p.path}${p.line === undefined ? '' : ` (line ${p.line}${p.column === undefined ? '' : `, column ${p.column}`})`}: ${p.message}`).join('\n')}`;
}

/** The policy document is missing, unreadable or invalid. Nothing was changed. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly source: string,
    readonly problems: readonly Problem[],
    options?: { cause?: unknown },
  ) {
    super(describeProblems(`Invalid policy (${source})`, problems), options);
  }
}

/** The invocation event is malformed. Rejected before any AWS call. */
export class InvocationError extends Error {
  override readonly name = 'InvocationError';
  constructor(readonly problems: readonly Problem[]) {
    super(describeProblems('Invalid invocation event', problems));
  }
}

/** A required environment variable is missing or malformed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** @param title the message's first words: the function's configuration, or the command's environment variables */
  constructor(
    readonly problems: readonly Problem[],
    title = 'Invalid function configuration',
  ) {
    super(describeProblems(title, problems));
  }
}

/**
 * A step the run cannot go on without (reading the policy, listing the organization) failed for a
 * reason a retry is expected to heal: throttled past the SDK's retries, timed out, a 5xx. The message
 * says "transient"; Lambda retries the run.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(step: string, options: { cause: unknown }) {
    super(`transient: ${step}: ${describeError(options.cause)}; a retry is expected to succeed`, options);
  }
}

/** The run finished and reported, but something in it needs a human: a failed region or undeliverable failures. */
export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  /** Whether a retry can heal it (errors/classification.ts); TRANSIENT ones say "transient" first. */
  readonly verdict: 'TRANSIENT' | 'PERMANENT' | 'UNKNOWN';
  /**
   * Every problem is a region with its own metric and alarm: one the account has not enabled
   * (RegionsNotEnabled) or one where it is not Inspector's delegated administrator
   * (RegionsNotDelegatedAdministrator), so a scheduled run is not counted again in RunsFailedNotRetried.
   */
  readonly regionsNotEnabledOnly: boolean;
  constructor(
    problems: readonly string[],
    options: { verdict: RunFailedError['verdict']; regionsNotEnabledOnly?: boolean },
  ) {
    super(`${options.verdict === 'TRANSIENT' ? 'transient: ' : ''}${problems.join('; ')}`);
    this.verdict = options.verdict;
    this.regionsNotEnabledOnly = options.regionsNotEnabledOnly ?? false;
  }
}
