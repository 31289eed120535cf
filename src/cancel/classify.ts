import { Status } from 'nice-grpc';
import type { Operation } from '../cloud/operation-api';
import { Outcome } from '../constants';

export interface ErrorClass {
  readonly outcome: Outcome;
  readonly code: string;
  readonly retryable: boolean;
}

const STATUS_NAMES = new Set(Object.keys(Status).filter((k) => Number.isNaN(Number(k))));

/**
 * The gRPC status of a failed call. nice-grpc's ClientError has a `code`; when headers arrived
 * before the error, the SDK rewraps it as its ApiError, which keeps only the message
 * ("<path> <STATUS>: <details>"), so the name is read back from there.
 */
export function statusOf(error: unknown): Status | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'number' && Status[code] !== undefined) return code;
  if (typeof message !== 'string') return undefined;
  const name = /^\S+ ([A-Z_]+): /.exec(message)?.[1];
  return name !== undefined && STATUS_NAMES.has(name)
    ? Status[name as keyof typeof Status]
    : undefined;
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
