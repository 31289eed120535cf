import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { endsKind, ListingEnd, listingEnd, wantsRole } from '../../src/sweep/listing/ending';

describe('how a failed listing ends', () => {
  it.each([
    ['no status: a connection, or the budget', undefined, false, ListingEnd.Transient],
    ['UNAVAILABLE', status.UNAVAILABLE, false, ListingEnd.Transient],
    ['DEADLINE_EXCEEDED', status.DEADLINE_EXCEEDED, false, ListingEnd.Transient],
    ['RESOURCE_EXHAUSTED', status.RESOURCE_EXHAUSTED, false, ListingEnd.Transient],
    ['INTERNAL', status.INTERNAL, false, ListingEnd.Transient],
    ['UNKNOWN', status.UNKNOWN, false, ListingEnd.Transient],
    ['CANCELLED', status.CANCELLED, false, ListingEnd.Transient],
    ['ABORTED', status.ABORTED, false, ListingEnd.Transient],
    ['PERMISSION_DENIED', status.PERMISSION_DENIED, false, ListingEnd.Refused],
    ['UNAUTHENTICATED', status.UNAUTHENTICATED, false, ListingEnd.Refused],
    ['UNIMPLEMENTED', status.UNIMPLEMENTED, false, ListingEnd.Refused],
    ['NOT_FOUND', status.NOT_FOUND, false, ListingEnd.Refused],
    ['INVALID_ARGUMENT', status.INVALID_ARGUMENT, false, ListingEnd.Refused],
    ['FAILED_PRECONDITION', status.FAILED_PRECONDITION, false, ListingEnd.Final],
    ['OUT_OF_RANGE', status.OUT_OF_RANGE, false, ListingEnd.Final],
    ['an answer that cannot be read, as INTERNAL', status.INTERNAL, true, ListingEnd.Final],
  ])('%s: %s', (_case, code, unreadable, end) => {
    expect(listingEnd(code, { unreadable, refreshCut: false })).toBe(end);
  });

  it('UNAUTHENTICATED whose fresh token the time budget cut off: transient', () => {
    const signs = { unreadable: false, refreshCut: true };
    expect(listingEnd(status.UNAUTHENTICATED, signs)).toBe(ListingEnd.Transient);
  });

  it.each([
    [status.PERMISSION_DENIED, true, true],
    [status.UNAUTHENTICATED, true, false],
    [status.UNIMPLEMENTED, true, false],
    [status.NOT_FOUND, false, false],
    [status.INVALID_ARGUMENT, false, false],
  ])(
    'a refusal with status %s stands for the whole kind: %s; a role mends it: %s',
    (code, kind, role) => {
      expect(endsKind(code)).toBe(kind);
      expect(wantsRole(status[code] as string)).toBe(role);
    },
  );
});
