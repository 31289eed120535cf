import { type Logger, LogLevel } from '../log';
import type { Origin } from '../model';
import { FOLDERS_ROLE, LISTING_ROLE } from '../roles';
import type { SweepFailure } from './listing';
import { ListingEnd, wantsRole } from './listing/ending';

/** The role that would let a refused listing through: for a denial only, never a token's. */
export function roleThatLists(failure: Pick<SweepFailure, 'kind' | 'code'>): string | undefined {
  if (!wantsRole(failure.code)) return undefined;
  return failure.kind === undefined ? FOLDERS_ROLE : LISTING_ROLE[failure.kind];
}

/** The roles the refusals among these failures ask for, each once. */
export const rolesMissing = (failures: readonly SweepFailure[]): string[] => [
  ...new Set(
    failures.flatMap((f) => (f.end === ListingEnd.Refused ? (roleThatLists(f) ?? []) : [])),
  ),
];

/** Why a refused listing was refused, and what it means for the sweep, in words. */
function refusalReason(failure: SweepFailure, role: string | undefined): string {
  const what = failure.kind ?? "the cloud's folders";
  const onward = `the sweep goes on without ${what} here, and this is not retried`;
  if (role !== undefined) {
    return `the function's service account may not list ${what}: grant it ${role} on the folder or the cloud (docs/iam.md); ${onward}`;
  }
  if (failure.code === 'UNIMPLEMENTED') return `the API does not serve this listing; ${onward}`;
  if (failure.code === 'UNAUTHENTICATED') {
    return `the API refused the function's IAM token, and no fresh one it would take came: check that the function's service account exists and is not blocked (docs/iam.md); ${onward}`;
  }
  return `the API refused this listing, as it will every time; ${onward}`;
}

/**
 * One line for a listing that failed: ERROR for a failure, with whether a retry may mend it; WARN
 * for a refusal, with the role that would let it through when one would, and how many resources
 * of its kind went unasked because of it.
 */
export function logListingFailure(
  log: Logger,
  origin: Origin,
  failure: SweepFailure,
  unasked = 0,
): void {
  const { end, ...fields } = failure;
  if (end !== ListingEnd.Refused) {
    const retryable = end === ListingEnd.Transient;
    log.log(LogLevel.Error, 'sweep listing failed', { ...origin, ...fields, retryable });
    return;
  }
  const role = roleThatLists(failure);
  log.log(LogLevel.Warn, 'sweep listing refused', {
    ...origin,
    ...fields,
    retryable: false,
    ...(role !== undefined && { role }),
    ...(unasked > 0 && { unasked }),
    reason: refusalReason(failure, role),
  });
}
