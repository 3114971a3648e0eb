import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { DeadlineReached } from '../deadline/budget';
import { ConfigError, InvocationError, PolicyError, RunFailedError, TransientError } from './errors';

/**
 * Whether a retry can heal a failure, decided by its cause, here and nowhere else:
 * - TRANSIENT: a retry is expected to succeed (throttled, timed out, a 5xx, a dropped connection, a
 *   clock skew, an expired token). Lambda retries the run; the CLI exits 75 (EX_TEMPFAIL).
 * - PERMANENT: every retry meets it again until someone changes a policy, a permission or the setup.
 *   A scheduled run is not retried (RunsFailedNotRetried); the CLI exits 1 (2 for a bad policy).
 * - UNKNOWN: neither is known. Retried, as a retry costs two runs at most and may heal it; never
 *   called "transient".
 */
export type RetryVerdict = 'TRANSIENT' | 'PERMANENT' | 'UNKNOWN';

/**
 * Error codes no retry heals, each with what it means. Sources: AWS's "Common Errors" (for example
 * https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html: AccessDeniedException,
 * IncompleteSignature, NotAuthorized, OptInRequired, UnrecognizedClientException, MissingAuthenticationToken;
 * InvalidClientTokenId in the query services' version of that page), the models of the services
 * called (local/aws-endpoint/models: AccessDeniedException in inspector2, organizations, account;
 * AWSOrganizationsNotInUseException and AccessDeniedForDependencyException in organizations), and the
 * IAM User Guide, "Managing AWS STS in an AWS Region" (id_credentials_temp_enable-regions.html): a
 * Region the account has not enabled, or a version 1 session token from the global STS endpoint in an
 * opt-in Region, answers every call with UnrecognizedClientException (InvalidClientTokenId from the
 * query services, AuthFailure from EC2).
 *
 * Not here, on purpose: ExpiredToken, ExpiredTokenException and RequestExpired (fresh credentials or
 * a corrected clock heal them: see HEALED_BY_A_RETRY); and the 4xx errors of a request the service
 * finds invalid (ValidationException, InvalidInputException, ResourceNotFoundException…), which may
 * follow from a state that changes (an OU moved, Inspector being enabled): UNKNOWN, so retried.
 */
export const PERMANENT_ERROR_CODES: Readonly<Record<string, string>> = {
  // Authorization: an identity policy, a permissions boundary, an SCP, an RCP or a resource policy denies the call.
  AccessDeniedException: 'access denied (JSON and REST-JSON services: Inspector, Organizations, SSM, Account)',
  AccessDenied: 'access denied (query and XML services: STS, S3)',
  AccessDeniedForDependencyException: 'Organizations: a call it makes on your behalf (IAM) is denied',
  UnauthorizedOperation: 'access denied (EC2)',
  UnauthorizedException: 'not authorized (IAM Identity Center, IoT, AppSync…)',
  AuthorizationError: 'not authorized (SNS)',
  NotAuthorized: 'not authorized (Common Errors)',
  NotAuthorizedException: 'not authorized (Cognito)',
  ForbiddenException: 'forbidden (API Gateway and others)',
  KmsAccessDenied: 'the KMS key denies the service (SQS)',
  KMSAccessDeniedException: 'the KMS key denies the service (Lambda, SNS)',
  // Authentication: the service does not accept the credentials as sent.
  UnrecognizedClientException:
    'the security token is not valid here: a deleted key, a Region the account has not enabled, or a version 1 global STS token in an opt-in Region',
  InvalidClientTokenId: 'the access key id or token does not exist in the records (query services)',
  MissingAuthenticationToken: 'the request carries no valid access key id',
  SignatureDoesNotMatch: 'the signature does not match: a wrong secret access key',
  IncompleteSignature: 'the request signature does not conform to AWS standards',
  InvalidSignatureException:
    'the signature is not valid (a clock skew, "Signature expired", is transient and the SDK says so first)',
  AuthFailure: 'the credentials could not be validated (EC2)',
  InvalidAccessKeyId: 'the access key id does not exist (S3)',
  // Setup: the account lacks what the service needs.
  OptInRequired: 'the account is not subscribed to the service, or has not enabled the Region',
  SubscriptionRequiredException: 'the account is not subscribed to the service',
  AWSOrganizationsNotInUseException: 'the account is not a member of an organization',
};

/** Codes a retry heals although neither list of the SDK's has them: fresh credentials, or the SDK's corrected clock offset. */
export const HEALED_BY_A_RETRY: ReadonlySet<string> = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'RequestTimeTooSkewed',
  'RequestInTheFuture',
]);

type SdkError = Parameters<typeof isTransientError>[0];

/** What a Region the account has not enabled answers to every call (JSON services such as Inspector). */
export const NOT_ENABLED_ANSWER = 'UnrecognizedClientException';

/**
 * The verdict on one failure. Our own errors carry theirs; an AWS error gets the SDK's own verdict
 * first (@smithy/core/retry: throttling, transient — which covers `$retryable`, set only on errors a
 * model marks retryable, clock skews the SDK corrected, timeouts and dropped connections —, and other
 * 5xx), then the lists above. AbortError is transient: the only thing that aborts a call is the run's
 * deadline, and the next run starts with fresh time.
 */
export function classifyError(error: unknown): RetryVerdict {
  if (error instanceof RunFailedError) return error.verdict;
  if (error instanceof TransientError || error instanceof DeadlineReached) return 'TRANSIENT';
  if (error instanceof PolicyError || error instanceof ConfigError || error instanceof InvocationError) {
    return 'PERMANENT';
  }
  if (typeof error !== 'object' || error === null) return 'UNKNOWN';
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && HEALED_BY_A_RETRY.has(name)) return 'TRANSIENT';
  const sdkError = error as SdkError;
  if (isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError)) return 'TRANSIENT';
  if (name === 'AbortError') return 'TRANSIENT';
  if (typeof name === 'string' && Object.hasOwn(PERMANENT_ERROR_CODES, name)) return 'PERMANENT';
  return 'UNKNOWN';
}

/** True for the AccessDenied family: a policy somewhere denies the call. */
export function isAccessDenied(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return (
    typeof name === 'string' &&
    ['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'NotAuthorized'].includes(name)
  );
}

/**
 * For a step that cannot go on without its answer (the policy, the organization): a transient failure
 * becomes a TransientError that says so, for Lambda to retry the run; any other goes up as it is.
 */
export function failStep(step: string): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof TransientError) && classifyError(error) === 'TRANSIENT') {
      throw new TransientError(step, { cause: error });
    }
    throw error;
  };
}

/**
 * The verdict on a run's problems together: all the same, that one; a mix heals in part on a retry,
 * so it is UNKNOWN (retried, not called transient). No problems: undefined.
 */
export function combinedVerdict(verdicts: readonly RetryVerdict[]): RetryVerdict | undefined {
  const distinct = new Set(verdicts);
  if (distinct.size === 0) return undefined;
  if (distinct.size === 1) return verdicts[0];
  return 'UNKNOWN';
}
