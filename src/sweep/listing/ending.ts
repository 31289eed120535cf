import { Status } from '../../cloud/grpc-status';
import { RETRYABLE_STATUSES } from '../../cloud/unary';

/** How a failed listing ends the sweep's look at what it lists. */
export const ListingEnd = {
  /** A failure a moment may mend: the event is worth delivering again. */
  Transient: 'transient',
  /**
   * The API refused it, and will every time until someone changes something: a role not granted,
   * an API not served, a folder or resource not found, a request it will not take.
   */
  Refused: 'refused',
  /** Answered with what cannot be read, or another status no retry mends. */
  Final: 'final',
} as const;
export type ListingEnd = (typeof ListingEnd)[keyof typeof ListingEnd];

// UNAUTHENTICATED comes here after a fresh token was tried (`withFreshToken`): refused too, or
// none to be had.
const REFUSALS: ReadonlySet<Status> = new Set([
  Status.PERMISSION_DENIED,
  Status.UNAUTHENTICATED,
  Status.UNIMPLEMENTED,
  Status.NOT_FOUND,
  Status.INVALID_ARGUMENT,
]);

/** Refusals that hold for every resource of the kind: its role, or its API, is the same for all. */
const KIND_WIDE: ReadonlySet<Status> = new Set([
  Status.PERMISSION_DENIED,
  Status.UNAUTHENTICATED,
  Status.UNIMPLEMENTED,
]);

/** Refusals a role would mend, by the names a failure's `code` carries: not a token's. */
const DENIALS: ReadonlySet<string> = new Set(['PERMISSION_DENIED']);

/** What, besides its status, tells how a listing ended. */
export interface EndingSigns {
  /** Its answer could not be read. */
  readonly unreadable: boolean;
  /** The API refused its token, and the time budget ran out before a fresh one came. */
  readonly refreshCut: boolean;
}

/**
 * How a listing that failed after its retries ends: transient only for what a retry may mend (no
 * status at all, such as a connection or the budget; or UNAVAILABLE, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN, CANCELLED, ABORTED), since a transient failure makes the
 * invocation ask to be delivered again, and a refusal would come again at every delivery.
 */
export function listingEnd(status: Status | undefined, signs: EndingSigns): ListingEnd {
  if (signs.unreadable) return ListingEnd.Final;
  // The wait for a fresh token was cut short: the next delivery gets a token afresh.
  if (signs.refreshCut) return ListingEnd.Transient;
  if (status === undefined || RETRYABLE_STATUSES.has(status)) return ListingEnd.Transient;
  if (status === Status.CANCELLED || status === Status.ABORTED) return ListingEnd.Transient;
  return REFUSALS.has(status) ? ListingEnd.Refused : ListingEnd.Final;
}

/** Whether a refusal of one listing stands for every listing of its kind in the folder. */
export const endsKind = (status: Status | undefined): boolean =>
  status !== undefined && KIND_WIDE.has(status);

/** Whether a role would mend a refusal of this status (its name, as a failure's `code`). */
export const wantsRole = (code: string): boolean => DENIALS.has(code);
