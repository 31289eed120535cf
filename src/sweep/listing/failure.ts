import {
  hitActiveOperationsQuota,
  Status,
  statusOf,
  unreadableAnswer,
} from '../../cloud/grpc-status';
import { isCallError, REFRESH_CUT_SHORT, refreshCut } from '../../cloud/unary';
import { ACTIVE_OPERATIONS_QUOTA, type RequestIds, type ResourceKind } from '../../model';
import { type ListingEnd, listingEnd } from './ending';

/** A listing that failed after its retries: the sweep went on without it, and says so. */
export interface SweepFailure extends Partial<RequestIds> {
  readonly listing: string;
  /** What was listed: a kind, in a folder or on one resource; absent for a cloud's folders. */
  readonly kind?: ResourceKind;
  readonly code: string;
  readonly message: string;
  /** Only a transient failure makes the invocation worth delivering again. */
  readonly end: ListingEnd;
  /** Attempts sent: 0 when the time budget ended the wait for a slot before any went out. */
  readonly attempts?: number;
  /**
   * The quota a RESOURCE_EXHAUSTED named, by ACTIVE_OPERATIONS_QUOTA's name: the folder's active
   * operations. One for request rates has none, and ends as any other transient failure.
   */
  readonly quota?: string;
}

/** What a failed call failed with: the gRPC error a CallError wraps, or the error itself. */
export const causeOf = (error: unknown) =>
  error instanceof Error && error.cause !== undefined ? error.cause : error;

/**
 * A failed listing's status, how it ends the listing, and its message: a CallError's says what,
 * of what, where and why, and its attempts and request ids are what support finds the calls by.
 */
export function failureOf(error: unknown): Omit<SweepFailure, 'listing'> {
  const cause = causeOf(error);
  const status = statusOf(cause);
  const cut = refreshCut(error);
  const said = isCallError(error)
    ? error.message
    : cause instanceof Error
      ? cause.message
      : String(cause);
  return {
    code: status === undefined ? 'NO_STATUS' : Status[status],
    message: cut ? `${said}; ${REFRESH_CUT_SHORT}` : said,
    end: listingEnd(status, { unreadable: unreadableAnswer(cause) !== undefined, refreshCut: cut }),
    ...(hitActiveOperationsQuota(cause) && { quota: ACTIVE_OPERATIONS_QUOTA.name }),
    ...(isCallError(error) && { attempts: error.attempts, ...error.ids }),
  };
}
