import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';

/**
 * google.protobuf.Timestamp's range, 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z: a
 * time outside it is no time the API can mean, and one outside Date's range is an Invalid Date.
 */
const TIMESTAMP_MS = { min: -62_135_596_800_000, max: 253_402_300_799_999 } as const;

export function inTimestampRange(date: Date): boolean {
  const ms = date.getTime();
  return ms >= TIMESTAMP_MS.min && ms <= TIMESTAMP_MS.max;
}

/** What a person reads in a result about an operation: empty fields left out. */
export function described(operation: Operation) {
  return {
    ...(operation.description && { description: operation.description }),
    // An Invalid Date's toISOString throws.
    ...(operation.createdAt &&
      inTimestampRange(operation.createdAt) && { createdAt: operation.createdAt.toISOString() }),
    ...(operation.createdBy && { createdBy: operation.createdBy }),
  };
}
