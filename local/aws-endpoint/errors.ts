/** An error answered the way the service's protocol answers it. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const validation = (message: string) => new ServiceError(400, 'ValidationException', message);
