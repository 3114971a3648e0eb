/**
 * What a call may spend of the run's time: the budget every adapter asks before a call, and the error a
 * read stopped by the deadline throws. The building blocks the adapters, the error classification and the
 * steps share; the run's Deadline (deadline.ts) is one budget.
 */

export const NOT_REACHED = "not reached before the invocation's deadline";

/** Asked before each batch: false once the run must stop calling out to finish in time. */
export type CanContinue = () => boolean;

/** Thrown by a read that the run's deadline stopped between batches, and the reason of the deadline's abort. */
export class DeadlineReached extends Error {
  override readonly name = 'DeadlineReached';
  constructor() {
    super(NOT_REACHED);
  }
}

/** What a step of the run may spend: asked before each call, and a signal that aborts calls in flight. */
export interface CallBudget {
  readonly canContinue: CanContinue;
  readonly signal?: AbortSignal;
}

/** No deadline: tests and callers that do not run in Lambda. */
export const UNLIMITED: CallBudget = { canContinue: () => true };
