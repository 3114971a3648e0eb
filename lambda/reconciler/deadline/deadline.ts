/**
 * The run's deadline. A Lambda invocation ends when its timeout comes, summary or not; so the run
 * stops starting calls while one more can still finish, aborts every call still in flight while the
 * failures can still be queued, and keeps the last moments for the summary.
 */

import { type CanContinue, type CallBudget, DeadlineReached } from './budget';

/** How long the SDK clients wait for a connection and for an answer (see aws/clients.ts). */
export interface CallTimeouts {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * Without these the SDK waits for ever: no connection, request or socket timeout by default. One
 * batch of 100 answers in well under a second; these bound a single attempt of any call.
 */
export const CALL_TIMEOUTS: CallTimeouts = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 };

/** Remaining times (ms) at which the run changes gear. */
export interface DeadlineMargins {
  /** No new read or write call starts with less than this left. */
  readonly stopStartingMs: number;
  /** Calls still in flight (retries and their waits included) are aborted with this left: the queue and summary have it. */
  readonly abortCallsMs: number;
  /** Queue sends still in flight are aborted with this left: the summary has it. */
  readonly abortQueueMs: number;
}

/** Writing the summary line and returning: a few milliseconds, kept generously. */
const SUMMARY_MS = 2_000;

/**
 * Derived from the clients' timeouts: one attempt takes at most connection + request timeout. The
 * retries a call may still make after that (up to AWS_MAX_ATTEMPTS, with backoffs and Retry-After)
 * are not waited for: the abort cuts them. So the queue gets room for two attempts of a send after
 * the abort, and a batch started just before `stopStartingMs` has room for one attempt before it.
 */
export function marginsFor(timeouts: CallTimeouts): DeadlineMargins {
  const attemptMs = timeouts.connectionTimeoutMs + timeouts.requestTimeoutMs;
  const abortQueueMs = SUMMARY_MS;
  const abortCallsMs = abortQueueMs + 2 * attemptMs;
  return { stopStartingMs: abortCallsMs + attemptMs, abortCallsMs, abortQueueMs };
}

/** A run's deadline: a check before each call, and abort signals that fire on their own as time runs out. */
export class Deadline implements CallBudget {
  /** Aborts read and write calls in flight once `abortCallsMs` remain. */
  readonly signal: AbortSignal;
  /** Aborts queue sends in flight once `abortQueueMs` remain. */
  readonly queueSignal: AbortSignal;
  private readonly timers: NodeJS.Timeout[] = [];

  /** @param remainingTimeMs Lambda's getRemainingTimeInMillis; absent, the run has no deadline. */
  constructor(
    private readonly remainingTimeMs: (() => number) | undefined,
    private readonly margins: DeadlineMargins,
  ) {
    const remaining = this.remaining();
    this.signal = this.abortWith(remaining - margins.abortCallsMs);
    this.queueSignal = this.abortWith(remaining - margins.abortQueueMs);
  }

  readonly canContinue: CanContinue = () => this.remaining() > this.margins.stopStartingMs;

  /** Stops the timers: the run is over. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private remaining(): number {
    return this.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY;
  }

  private abortWith(wait: number): AbortSignal {
    const controller = new AbortController();
    if (wait <= 0) controller.abort(new DeadlineReached());
    else if (Number.isFinite(wait)) {
      const timer = setTimeout(() => controller.abort(new DeadlineReached()), wait);
      timer.unref();
      this.timers.push(timer);
    }
    return controller.signal;
  }
}

/**
 * Runs `work` under a deadline made from Lambda's remaining time and its margins, and stops the
 * deadline's timers when it ends: the one way a run, a plan or a coverage measurement gets its deadline.
 */
export async function withDeadline<T>(
  limits: { readonly remainingTimeMs?: () => number; readonly deadlineMargins?: DeadlineMargins },
  work: (deadline: Deadline) => Promise<T>,
): Promise<T> {
  const deadline = new Deadline(limits.remainingTimeMs, limits.deadlineMargins ?? marginsFor(CALL_TIMEOUTS));
  try {
    return await work(deadline);
  } finally {
    deadline.dispose();
  }
}
