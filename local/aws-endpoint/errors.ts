import { model, type ServiceName, type Violation } from './model';

/**
 * Errors every AWS service may answer although its model does not list them (AWS's "Common Errors"
 * page): throttling on the services whose models leave it out, and generic validation errors. Their
 * HTTP status, as the services send them.
 */
export const COMMON_ERRORS: Readonly<Record<string, number>> = {
  AccessDeniedException: 400,
  ThrottlingException: 400,
  Throttling: 400,
  ValidationException: 400,
  ValidationError: 400,
  SerializationException: 400,
  MissingParameter: 400,
  InvalidParameterValue: 400,
  UnknownOperationException: 400,
  InvalidAction: 400,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  // What every call in a Region the account has not enabled answers (Common Errors: HTTP 403).
  UnrecognizedClientException: 403,
};

/** An error answered the way the service's protocol answers it. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
    /** Members of the error shape beyond its message, such as Inspector's `reason` and `fields`. */
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The HTTP status the service answers `code` with: from its model, else from the common errors. */
export function statusOf(service: ServiceName, code: string): number {
  const shape = model(service).shapes[code];
  if (shape?.exception) return shape.error?.httpStatusCode ?? (shape.fault ? 500 : 400);
  return COMMON_ERRORS[code] ?? 400;
}

/** The error `code` of `service`, with the status its model gives it. */
export function serviceError(
  service: ServiceName,
  code: string,
  message: string,
  options: { retryAfterSeconds?: number; members?: Record<string, unknown> } = {},
): ServiceError {
  return new ServiceError(statusOf(service, code), code, message, options.retryAfterSeconds, options.members);
}

/** What the service answers to a request its model rejects, in that service's own words. */
export function invalidRequest(service: ServiceName, violations: readonly Violation[]): ServiceError {
  const first = violations[0];
  const count = violations.length === 1 ? '1 validation error' : `${violations.length} validation errors`;
  const message = `${count} detected: ${violations.map((v) => `Value at '${v.path}' ${v.message}`).join('; ')}`;
  switch (service) {
    case 'inspector2':
      return serviceError(service, 'ValidationException', message, {
        members: {
          reason: 'FIELD_VALIDATION_FAILED',
          fields: violations.map((v) => ({ name: v.path.replace(/^\$\.?/, ''), message: v.message })),
        },
      });
    case 'account':
      return serviceError(service, 'ValidationException', message, {
        members: {
          reason: 'fieldValidationFailed',
          fieldList: violations.map((v) => ({ name: v.path.replace(/^\$\.?/, ''), message: v.message })),
        },
      });
    case 'organizations':
      return serviceError(service, 'InvalidInputException', message, {
        members: { Reason: ORGANIZATIONS_REASON[first?.constraint ?? 'type'] },
      });
    case 'sqs':
      return serviceError(
        service,
        first?.constraint === 'required' ? 'MissingParameter' : 'InvalidParameterValue',
        message,
      );
    case 'securityhub':
      return serviceError(service, 'InvalidInputException', message, { members: { Code: 'InvalidInputException' } });
    default:
      return serviceError(service, 'ValidationException', message);
  }
}

/** A body that is not JSON at all. */
export function unparseable(service: ServiceName, detail: string): ServiceError {
  if (service === 'securityhub') {
    return serviceError(service, 'InvalidInputException', `Could not parse the request body: ${detail}`);
  }
  return service === 'inspector2'
    ? serviceError(service, 'ValidationException', `Could not parse the request body: ${detail}`, {
        members: { reason: 'CANNOT_PARSE' },
      })
    : serviceError(service, 'SerializationException', `Could not parse the request body: ${detail}`);
}

/** Organizations' `InvalidInputException.Reason` for each kind of violation. */
const ORGANIZATIONS_REASON: Record<Violation['constraint'], string> = {
  required: 'INPUT_REQUIRED',
  type: 'INVALID_LIST_MEMBER',
  unknown: 'INVALID_LIST_MEMBER',
  min: 'MIN_VALUE_EXCEEDED',
  max: 'MAX_VALUE_EXCEEDED',
  minLength: 'MIN_LENGTH_EXCEEDED',
  maxLength: 'MAX_LENGTH_EXCEEDED',
  pattern: 'INVALID_PATTERN',
  enum: 'INVALID_ENUM',
};
