import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { describeError } from '../lambda/reconciler/describe-error';
import { EXIT, type ExitCode } from './exit-codes';

/** An option's value or combination the command cannot take; found after parsing, before any AWS call. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Errors that say the input is wrong: the policy, the options, the settings. Nothing was written. */
const BAD_INPUT = new Set(['UsageError', 'PolicyError', 'InvocationError', 'ConfigError']);

/**
 * The SDK's own classification (the one its retry strategy uses, @smithy/core/retry): throttling,
 * timeouts and network errors, and 5xx. By the time the CLI sees one, the SDK has retried it (standard
 * mode, 8 attempts): what is left is worth retrying later, as it is.
 */
function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return isTransientError(sdkError) || isThrottlingError(sdkError) || isServerError(sdkError);
}

/**
 * The one place the CLI turns an error into the line it prints and its exit status: every command's
 * failures go through here, so the message format and the codes of the exit-code table stay one.
 */
export function describeFailure(error: unknown): { readonly message: string; readonly exitCode: ExitCode } {
  const name = error instanceof Error ? error.name : '';
  if (BAD_INPUT.has(name)) return { message: (error as Error).message, exitCode: EXIT.BAD_INPUT };
  if (isTransient(error)) {
    return { message: `${describeError(error)} (transient: retrying later may succeed)`, exitCode: EXIT.TRANSIENT };
  }
  return { message: describeError(error), exitCode: EXIT.FAILED };
}
