import { AccessDeniedException, TooManyRequestsException } from '@aws-sdk/client-account';
import { InternalServerException } from '@aws-sdk/client-inspector2';
import {
  classifyError,
  combinedVerdict,
  failStep,
  HEALED_BY_A_RETRY,
  PERMANENT_ERROR_CODES,
} from '../../lambda/reconciler/errors/classification';
import { DeadlineReached } from '../../lambda/reconciler/deadline/budget';
import {
  ConfigError,
  InvocationError,
  PolicyError,
  RunFailedError,
  TransientError,
} from '../../lambda/reconciler/errors/errors';

/** An error as the SDK throws one it has no model class for: its code as the name, and its HTTP status. */
const answered = (name: string, httpStatusCode = 400, extra: object = {}) =>
  Object.assign(new Error(`simulated ${name}`), { name, $fault: 'client', $metadata: { httpStatusCode }, ...extra });

describe('classifyError: transient or permanent, by cause', () => {
  it.each([
    // The SDK's throttling verdict: by name, by 429, by a model's retryable throttling trait.
    ['ThrottlingException', answered('ThrottlingException')],
    ['TooManyRequestsException (Organizations)', answered('TooManyRequestsException')],
    ['any 429', answered('SomethingNew', 429)],
    ['a modelled retryable error ($retryable)', new TooManyRequestsException({ message: 'slow down', $metadata: {} })],
    // Transient: timeouts and dropped connections, 500/502/503/504, a clock skew the SDK corrected.
    ['TimeoutError (a hung call past requestTimeout)', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['ETIMEDOUT', Object.assign(new Error('connect'), { code: 'ETIMEDOUT' })],
    ['a 503', answered('ServiceUnavailable', 503)],
    ['a 501 (any other 5xx)', answered('NotImplemented', 501)],
    ['a modelled 5xx', new InternalServerException({ message: 'oops', $metadata: { httpStatusCode: 500 } })],
    [
      'a clock skew the SDK corrected',
      answered('InvalidSignatureException', 403, { $metadata: { httpStatusCode: 403, clockSkewCorrected: true } }),
    ],
    [
      'InvalidSignatureException "Signature expired"',
      Object.assign(answered('InvalidSignatureException'), { message: 'Signature expired: 20260101T000000Z' }),
    ],
    // Fresh credentials or a corrected clock heal these.
    ['ExpiredToken', answered('ExpiredToken')],
    ['ExpiredTokenException', answered('ExpiredTokenException', 403)],
    ['RequestExpired', answered('RequestExpired')],
    ['RequestTimeTooSkewed', answered('RequestTimeTooSkewed', 403)],
    // Aborted by the run's deadline: the next run has fresh time.
    ['AbortError', Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
    ['DeadlineReached', new DeadlineReached()],
    ['TransientError', new TransientError('reading the policy', { cause: answered('ThrottlingException') })],
  ])('%s is TRANSIENT', (_name, error) => {
    expect(classifyError(error)).toBe('TRANSIENT');
  });

  it.each([
    ['AccessDeniedException', answered('AccessDeniedException')],
    [
      'a modelled AccessDeniedException (403)',
      new AccessDeniedException({ message: 'no', $metadata: { httpStatusCode: 403 } }),
    ],
    ['AccessDenied', answered('AccessDenied', 403)],
    ['UnauthorizedOperation', answered('UnauthorizedOperation', 403)],
    ['UnrecognizedClientException', answered('UnrecognizedClientException', 403)],
    ['InvalidClientTokenId', answered('InvalidClientTokenId', 403)],
    ['SignatureDoesNotMatch', answered('SignatureDoesNotMatch', 403)],
    ['IncompleteSignature', answered('IncompleteSignature')],
    ['OptInRequired', answered('OptInRequired', 403)],
    ['AWSOrganizationsNotInUseException', answered('AWSOrganizationsNotInUseException')],
    ['PolicyError', new PolicyError('inline', [{ path: '$', message: 'bad' }])],
    ['ConfigError', new ConfigError([{ path: 'X', message: 'missing' }])],
    ['InvocationError', new InvocationError([{ path: '$.x', message: 'unknown' }])],
  ])('%s is PERMANENT', (_name, error) => {
    expect(classifyError(error)).toBe('PERMANENT');
  });

  it.each([
    ['ValidationException', answered('ValidationException')],
    ['ResourceNotFoundException', answered('ResourceNotFoundException', 404)],
    ['a plain Error', new Error('ListParents named no parent')],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('%s is UNKNOWN: retried, never called transient', (_name, error) => {
    expect(classifyError(error)).toBe('UNKNOWN');
  });

  it('a run that finished with problems carries its own verdict', () => {
    expect(classifyError(new RunFailedError(['x'], { verdict: 'PERMANENT' }))).toBe('PERMANENT');
    expect(classifyError(new RunFailedError(['x'], { verdict: 'TRANSIENT' }))).toBe('TRANSIENT');
  });

  it('no code is both permanent and healed by a retry; expired tokens are not permanent', () => {
    expect(Object.keys(PERMANENT_ERROR_CODES).filter((code) => HEALED_BY_A_RETRY.has(code))).toEqual([]);
    for (const code of ['ExpiredToken', 'ExpiredTokenException']) expect(PERMANENT_ERROR_CODES[code]).toBeUndefined();
  });
});

describe('failStep', () => {
  it('turns a transient failure into a TransientError that says so, and lets any other through as it is', async () => {
    const throttled = answered('TooManyRequestsException');
    const denied = answered('AccessDeniedException');

    const transient = await Promise.reject(throttled)
      .catch(failStep('listing the organization'))
      .catch((e: unknown) => e);
    const permanent = await Promise.reject(denied)
      .catch(failStep('listing the organization'))
      .catch((e: unknown) => e);

    expect(transient).toBeInstanceOf(TransientError);
    expect((transient as Error).message).toBe(
      'transient: listing the organization: TooManyRequestsException: simulated TooManyRequestsException; a retry is expected to succeed',
    );
    expect((transient as Error).cause).toBe(throttled);
    expect(permanent).toBe(denied);
  });
});

describe('combinedVerdict', () => {
  it.each<[string[], string | undefined]>([
    [[], undefined],
    [['TRANSIENT', 'TRANSIENT'], 'TRANSIENT'],
    [['PERMANENT'], 'PERMANENT'],
    [['PERMANENT', 'TRANSIENT'], 'UNKNOWN'],
    [['UNKNOWN', 'PERMANENT'], 'UNKNOWN'],
  ])('%j → %s', (verdicts, expected) => {
    expect(combinedVerdict(verdicts as never)).toBe(expected);
  });
});
