import { describeError } from '../lambda/reconciler/describe-error';
import { classifyError } from '../lambda/reconciler/error-classification';
import { EXIT, type ExitCode } from './exit-codes';

/** An option's value or combination the command cannot take; found after parsing, before any AWS call. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Errors that say the input is wrong: the policy, the options, the settings. Nothing was written. */
const BAD_INPUT = new Set(['UsageError', 'PolicyError', 'InvocationError', 'ConfigError']);

/**
 * The one place the CLI turns an error into the line it prints and its exit status: every command's
 * failures go through here, so the message format and the codes of the exit-code table stay one.
 */
export function describeFailure(error: unknown): { readonly message: string; readonly exitCode: ExitCode } {
  const name = error instanceof Error ? error.name : '';
  if (BAD_INPUT.has(name)) return { message: (error as Error).message, exitCode: EXIT.BAD_INPUT };
  // The same verdict as the function's (lambda/reconciler/error-classification.ts): the SDK's own
  // classification first, then the written-out codes no retry heals.
  if (classifyError(error) === 'TRANSIENT') {
    const message = describeError(error);
    return {
      message: message.includes('transient') ? message : `${message} (transient: retrying later may succeed)`,
      exitCode: EXIT.TRANSIENT,
    };
  }
  return { message: describeError(error), exitCode: EXIT.FAILED };
}
