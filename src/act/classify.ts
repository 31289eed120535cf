import { Status } from '../cloud/grpc-status';
import type { Operation } from '../cloud/operation-api';

import { Outcome } from '../model';

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

/** What an accepted Cancel left behind. */
export function outcomeAfterCancel(operation: Operation): Outcome {
  if (!operation.done) return Outcome.Cancelling;
  return operation.error?.code === Status.CANCELLED ? Outcome.Cancelled : Outcome.AlreadyDone;
}
