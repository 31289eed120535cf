import { Status } from '../cloud/grpc-status';
import type { Operation } from '../cloud/operation-api';

import { Outcome, Reason } from '../model';

export interface ErrorClass {
  readonly outcome: Outcome;
  readonly code: string;
  readonly retryable: boolean;
}

/** What a failed Get or Cancel means for the operation, decided from its status alone. */
export function classifyStatus(status: Status | undefined): ErrorClass {
  const code = status === undefined ? 'NO_STATUS' : Status[status];
  switch (status) {
    case Status.NOT_FOUND:
      return { outcome: Outcome.NotFound, code, retryable: false };
    case Status.PERMISSION_DENIED:
    case Status.UNAUTHENTICATED:
      return { outcome: Outcome.Denied, code, retryable: false };
    case Status.UNIMPLEMENTED:
    case Status.FAILED_PRECONDITION:
      return { outcome: Outcome.NotCancellable, code, retryable: false };
    case Status.INVALID_ARGUMENT:
      return { outcome: Outcome.Invalid, code, retryable: false };
    case Status.ALREADY_EXISTS:
    case Status.OUT_OF_RANGE:
    case Status.DATA_LOSS:
      return { outcome: Outcome.Failed, code, retryable: false };
    default:
      // Transient codes, client-side aborts and errors with no status at all: Cancel is
      // idempotent, so trying again later is safe.
      return { outcome: Outcome.Failed, code, retryable: true };
  }
}

/** What is known of time when a call failed for good. */
export interface TimeFacts {
  readonly status: Status | undefined;
  /** The invocation's time budget is spent: its signal aborted, or nothing remains. */
  readonly budgetSpent: boolean;
  /** The last attempt was cut by the budget: its deadline was the budget's remainder. */
  readonly budgetBound: boolean;
}

/**
 * Whether time explains a failed call, and whose: `deadline` when the invocation's budget ran
 * out (for a failure a later attempt might mend; a definite answer such as NOT_FOUND is not the
 * budget's doing), `call_timeout` when CALL_TIMEOUT_MS cut every attempt while the budget still
 * had time, nothing otherwise.
 */
export function timeReason({ status, budgetSpent, budgetBound }: TimeFacts): Reason | undefined {
  const transient = classifyStatus(status).retryable;
  if ((budgetSpent || budgetBound) && transient) return Reason.Deadline;
  if (status === Status.DEADLINE_EXCEEDED) return Reason.CallTimeout;
  return undefined;
}

/** What an accepted Cancel left behind. */
export function outcomeAfterCancel(operation: Operation): Outcome {
  if (!operation.done) return Outcome.Cancelling;
  return operation.error?.code === Status.CANCELLED ? Outcome.Cancelled : Outcome.AlreadyDone;
}

/**
 * What Cancel's FAILED_PRECONDITION meant, from a Get made after it (`undefined` if that failed
 * too). The code says only that a precondition failed (cloudapi `errors-handling.md`): also what
 * an operation that ended between our Get and our Cancel gets, and one already being cancelled,
 * such as by an earlier attempt of this Cancel whose answer was lost (audit 6.5).
 */
export function outcomeAfterRefusedCancel(
  operation: Operation | undefined,
  cancelAttempts: number,
): Outcome {
  if (operation?.done) return outcomeAfterCancel(operation);
  // An operation has no field that says it is being cancelled; an attempt that may have reached
  // the API before this one is the one sign of it.
  if (operation !== undefined && cancelAttempts > 1) return Outcome.Cancelling;
  return Outcome.NotCancellable;
}
