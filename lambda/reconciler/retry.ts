import type { RunResult } from './reconcile';

/**
 * What fails the same way on every attempt until someone changes the policy, a permission or the
 * setup: retrying it only repeats the failure (and its notifications). An invalid policy or event,
 * a missing setting, and access the function's role or an SCP denies.
 */
const PERMANENT_ERRORS = new Set([
  'PolicyError',
  'ConfigError',
  'InvocationError',
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'AWSOrganizationsNotInUseException',
]);

/** True for an error that a retry would meet again. */
export function isPermanentError(error: unknown): boolean {
  return error instanceof Error && PERMANENT_ERRORS.has(error.name);
}

/** True for an error described as `Name: message` (describeError) that a retry would meet again. */
function isPermanentDescription(description: string): boolean {
  return PERMANENT_ERRORS.has(description.split(':', 1)[0] ?? '');
}

/**
 * True when a run that finished with problems would finish with the same problems if retried: every
 * failed region and package-path update failed for a permanent reason, and every failure was queued.
 */
export function problemsArePermanent(result: RunResult): boolean {
  if (result.problems.length === 0 || result.undelivered.length > 0) return false;
  return result.summary.regions.every(
    (region) =>
      (region.error === undefined || isPermanentDescription(region.error)) &&
      (region.orgPackagePaths?.error === undefined || isPermanentDescription(region.orgPackagePaths.error)),
  );
}
