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
  return `${what}: ${count}\n${problems.map((p) => `  - ${p.path}${p.line === undefined ? '' : ` (line ${p.line}, column ${p.column})`}: ${p.message}`).join('\n')}`;
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
  constructor(readonly problems: readonly Problem[]) {
    super(describeProblems('Invalid function configuration', problems));
  }
}

/** The run finished and reported, but something in it needs a human: a failed region or undeliverable failures. */
export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  /** A retry would fail the same way: access denied in every failed region, say. */
  readonly permanent: boolean;
  constructor(message: string, options: { permanent: boolean }) {
    super(message);
    this.permanent = options.permanent;
  }
}
