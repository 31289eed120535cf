import { Cancellability, cancellabilityOf } from '../cancellable';
import { inTimestampRange } from '../cloud/described';
import type { Operation } from '../cloud/operation-api';
import { Outcome, Reason } from '../model';
import { ownError } from './classify';

export type Decision =
  | { readonly action: 'cancel' }
  | {
      readonly action: 'stop';
      readonly outcome: Outcome;
      readonly reason?: Reason;
      /** A done operation's own error... */
      readonly code?: string;
      /** ...and its message, or why the operation is left alone when that is news. */
      readonly message?: string;
    };

export interface DecisionInput {
  readonly dryRun: boolean;
  /** An operation younger than this is left alone; one with no creation time counts as young. */
  readonly minAgeSeconds: number;
  readonly now: number;
}

const NOT_CANCELLABLE_METHOD =
  "the API cancels only the operations of the methods its proto marks cancellable, and this one's (metadataType) is not among them, so no Cancel was sent";
const BAD_CREATED_AT =
  "the API's answer gives a creation time outside the years 1 to 9999, so nothing was done";
// A dry run's skip is the news, said as such: the rest of the run would have cancelled it.
const DRY_RUN_MESSAGE = 'would cancel: it is running and passed every guard, and this is a dry run';

function tooYoung(operation: Operation, { minAgeSeconds, now }: DecisionInput): boolean {
  if (minAgeSeconds <= 0) return false;
  const created = operation.createdAt?.getTime();
  return created === undefined || now - created < minAgeSeconds * 1000;
}

/** Whether to cancel an operation, from what Get returned: pure, so it is tested with a table. */
export function decide(operation: Operation, input: DecisionInput): Decision {
  if (operation.done) {
    return { action: 'stop', outcome: Outcome.AlreadyDone, ...ownError(operation) };
  }
  // A time out of range is a server's fault, and not a young age: an age guard must not hide it.
  if (operation.createdAt && !inTimestampRange(operation.createdAt)) {
    return { action: 'stop', outcome: Outcome.Invalid, message: BAD_CREATED_AT };
  }
  if (cancellabilityOf(operation.metadata?.typeUrl) === Cancellability.NotCancellable) {
    return {
      action: 'stop',
      outcome: Outcome.NotCancellable,
      reason: Reason.MethodNotCancellable,
      message: NOT_CANCELLABLE_METHOD,
    };
  }
  if (tooYoung(operation, input)) {
    return { action: 'stop', outcome: Outcome.Skipped, reason: Reason.TooYoung };
  }
  if (input.dryRun) {
    return {
      action: 'stop',
      outcome: Outcome.Skipped,
      reason: Reason.DryRun,
      message: DRY_RUN_MESSAGE,
    };
  }
  return { action: 'cancel' };
}
