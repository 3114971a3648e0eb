/**
 * The command's exit statuses, the same for every command: in its help (`deep-inspection --help`),
 * in docs/cli.md (a test holds the two to this table) and for scripts. 0, 1 and 2 keep the meaning
 * they had before the table; 75 is sysexits.h's EX_TEMPFAIL, which schedulers and retry wrappers
 * already read as "try again later".
 */
export const EXIT = {
  /** Done: what was asked was done (or, for plan, planned), and nothing needs looking at. */
  DONE: 0,
  /** Failed or needs looking at: a region unreadable, failures not queued, lint --strict with warnings. */
  FAILED: 1,
  /** Bad input: options, the policy, a saved plan, settings (profile, credentials, endpoint, queue). Nothing written. */
  BAD_INPUT: 2,
  /** apply was not confirmed: no terminal to ask on and no --yes, or the answer was not "yes". Nothing written. */
  NOT_CONFIRMED: 3,
  /** The guardrail held deactivations back (for plan: would hold them); everything else went as planned. */
  HELD_BY_GUARDRAIL: 4,
  /** Transient: throttling, a timeout, a network error or a 5xx stopped the command; worth retrying as it is. */
  TRANSIENT: 75,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One line an exit status, for the help and the docs, in the order a reader looks them up. */
export const EXIT_CODE_TABLE: readonly { readonly code: ExitCode; readonly meaning: string }[] = [
  { code: EXIT.DONE, meaning: 'done' },
  {
    code: EXIT.FAILED,
    meaning: 'failed or needs looking at: a region unreadable, failures not queued, lint --strict with warnings',
  },
  {
    code: EXIT.BAD_INPUT,
    meaning:
      'bad input: an option, the policy, a saved plan or a setting (profile, credentials, AWS_ENDPOINT_URL, queue); nothing was written',
  },
  {
    code: EXIT.NOT_CONFIRMED,
    meaning: 'apply not confirmed (no terminal and no --yes, or not answered "yes"); nothing was written',
  },
  {
    code: EXIT.HELD_BY_GUARDRAIL,
    meaning: 'the guardrail held deactivations back (plan: would hold them); --force applies them',
  },
  {
    code: EXIT.TRANSIENT,
    meaning: 'transient (throttling, timeout, network, 5xx): worth retrying as it is',
  },
];

/** The exit-status table as the help prints it. */
export function exitCodeHelp(): string {
  return [
    'Exit status:',
    ...EXIT_CODE_TABLE.map(({ code, meaning }) => `  ${String(code).padStart(2)}  ${meaning}`),
  ].join('\n');
}
