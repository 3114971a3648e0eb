/**
 * Client-side pacing: a token bucket per operation, held by the SDK client, taken on every attempt.
 * Staying under a service's request rate costs nothing at our call counts (10,000 accounts is 100
 * batch calls an operation), while running into it costs retries, each drawing on the SDK's retry
 * quota; enough of them and the SDK stops retrying and accounts fail.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    if (!(perSecond > 0)) throw new RangeError(`a request rate must be positive, got ${perSecond}`);
    this.tokens = perSecond; // a full second's burst, as a service's own bucket allows
    this.last = now();
  }

  /** Resolves when a request may go; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.wait());
    this.queue = turn;
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = this.now();
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(((1 - this.tokens) / this.perSecond) * 1000);
    }
  }
}

/** The part of an SDK client's middleware stack this needs. */
interface MiddlewareStack {
  addRelativeTo(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string; __smithy_context?: { abortSignal?: AbortSignal } },
    ) => (args: unknown) => Promise<unknown>,
    options: { relation: 'before'; toMiddleware: string; name: string; tags?: string[] },
  ): void;
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts. */
function unlessAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Paces every request the client sends, retries included, to `perSecond` for each operation (a number
 * for all, or a rate by operation name without `Command`). It sits after the SDK's retry middleware, so
 * each attempt waits its turn, and before request signing, so a long wait never sends a stale
 * signature. A call's abort signal cuts the wait short.
 */
export function pace<C extends { middlewareStack: object }>(
  client: C,
  perSecond: number | ((operation: string) => number),
  {
    name = 'deepInspectionPacing',
    now,
    sleep,
  }: { name?: string; now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): C {
  const rateOf = typeof perSecond === 'number' ? () => perSecond : perSecond;
  const buckets = new Map<string, TokenBucket>();
  (client.middlewareStack as MiddlewareStack).addRelativeTo(
    (next, context) => async (args) => {
      const operation = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      let bucket = buckets.get(operation);
      if (bucket === undefined) {
        bucket = new TokenBucket(rateOf(operation), now, sleep);
        buckets.set(operation, bucket);
      }
      await unlessAborted(bucket.take(), context.__smithy_context?.abortSignal);
      return next(args);
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name, tags: ['PACING'] },
  );
  return client;
}
