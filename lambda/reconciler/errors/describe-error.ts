/** An error as one line for a log, a summary or a failure message: `ThrottlingException: Rate exceeded`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
