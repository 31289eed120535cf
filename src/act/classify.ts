import { namesActiveOperationsQuota, Status, statusName, Unreadable } from '../cloud/grpc-status';
import type { Operation } from '../cloud/operation-api';
import { Outcome, Reason } from '../model';
import { printable, serverText } from '../printable';

export interface ErrorClass {
  readonly outcome: Outcome;
  readonly code: string;
  readonly retryable: boolean;
}

/** How much of a server's own text a result keeps: an operation's error message, an id. */
const MAX_SERVER_TEXT = 1024;
const MAX_ID_TEXT = 64;

/**
 * What a failed Get or Cancel means for the operation, decided from its status and whether the
 * client could not read the answer it got (an unreadable answer comes again on every retry).
 */
export function classifyStatus(status: Status | undefined, unreadable?: Unreadable): ErrorClass {
  const code = status === undefined ? 'NO_STATUS' : Status[status];
  // Data no client can decode (a Timestamp out of every range) says the operation is not one the
  // function can act on; an answer too large for the client is a failure; neither mends on retry.
  if (unreadable !== undefined) {
    const outcome = unreadable === Unreadable.Unparsable ? Outcome.Invalid : Outcome.Failed;
    return { outcome, code, retryable: false };
  }
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

/**
 * A failure's reason when its status and text name the folder's active-operations quota: a
 * RESOURCE_EXHAUSTED for anything else (request rates) keeps its class alone, as before. Still
 * retryable: the quota frees as the folder's operations end.
 */
export function quotaReason(status: Status | undefined, details: string): Reason | undefined {
  return namesActiveOperationsQuota(status, details) ? Reason.ActiveOperationsQuota : undefined;
}

/** What is known of time when a call failed for good. */
export interface TimeFacts {
  readonly status: Status | undefined;
  readonly unreadable?: Unreadable;
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
export function timeReason({
  status,
  unreadable,
  budgetSpent,
  budgetBound,
}: TimeFacts): Reason | undefined {
  const transient = classifyStatus(status, unreadable).retryable;
  if ((budgetSpent || budgetBound) && transient) return Reason.Deadline;
  if (status === Status.DEADLINE_EXCEEDED) return Reason.CallTimeout;
  return undefined;
}

/** A done operation's own error, as a result carries it: its status name and its message. */
export interface OwnError {
  readonly code?: string;
  readonly message?: string;
}

/** An outcome, with the operation's own error when it ended with one. */
export type Ending = { readonly outcome: Outcome } & OwnError;

/**
 * How a done operation failed on its own, kept so that its line says how it ended: nothing for
 * one that succeeded, or whose error has code OK, which is no error.
 */
export function ownError({ error }: Operation): OwnError {
  if (error === undefined || error.code === Status.OK) return {};
  return {
    code: statusName(error.code),
    ...(error.message && { message: serverText(error.message, MAX_SERVER_TEXT) }),
  };
}

/** Where an operation stands, from what Cancel (or a Get after it) returned. */
export function outcomeAfterCancel(operation: Operation): Ending {
  if (!operation.done) return { outcome: Outcome.Cancelling };
  if (operation.error?.code === Status.CANCELLED) return { outcome: Outcome.Cancelled };
  return { outcome: Outcome.AlreadyDone, ...ownError(operation) };
}

/** What is known of a Cancel that gave no answer to go by: refused, or answered unreadably. */
export interface UnusableCancel {
  /** How many times Cancel was sent. */
  readonly attempts: number;
  /** The server answered with an operation the client could not read: it accepted the Cancel. */
  readonly answered: boolean;
}

/**
 * What a Cancel with no usable answer meant, from a Get made after it (`undefined` if that failed
 * too): refused with FAILED_PRECONDITION, or answered with what the client could not read.
 * FAILED_PRECONDITION says only that a precondition failed (cloudapi `errors-handling.md`): also
 * what an operation that ended between our Get and our Cancel gets, and one already being
 * cancelled, such as by an earlier attempt of this Cancel whose answer was lost (audit 6.5).
 */
export function outcomeAfterUnusableCancel(
  operation: Operation | undefined,
  { attempts, answered }: UnusableCancel,
): Ending {
  if (operation?.done) return outcomeAfterCancel(operation);
  // An operation has no field that says it is being cancelled; an answer to Cancel, or an attempt
  // that may have reached the API before this one, is the one sign of it.
  if (answered || (operation !== undefined && attempts > 1)) return { outcome: Outcome.Cancelling };
  return { outcome: Outcome.NotCancellable };
}

/**
 * Why an answer cannot be taken as one about the operation asked about, when it names another
 * (`undefined` when it does not): a server so broken or hostile says nothing of ours.
 */
export function answerMismatch(
  method: 'Get' | 'Cancel',
  asked: string,
  answered: string,
): string | undefined {
  if (answered === asked) return undefined;
  const shown = printable(asked, MAX_ID_TEXT);
  const other = printable(answered, MAX_ID_TEXT);
  const about = `OperationService.${method} of ${shown} was answered about another operation, "${other}"`;
  return method === 'Cancel'
    ? `${about}: whether ${shown} is being cancelled is not known`
    : `${about}: nothing was cancelled`;
}
