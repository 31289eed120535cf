import { typeName } from '../cancellable';
import { MAX_FIELD_CHARS } from '../log';
import { shortened } from '../printable';
import type { Operation } from './operation-api';

/**
 * google.protobuf.Timestamp's range, 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z: a
 * time outside it is no time the API can mean, and one outside Date's range is an Invalid Date.
 */
const TIMESTAMP_MS = { min: -62_135_596_800_000, max: 253_402_300_799_999 } as const;

export function inTimestampRange(date: Date): boolean {
  const ms = date.getTime();
  return ms >= TIMESTAMP_MS.min && ms <= TIMESTAMP_MS.max;
}

/**
 * What a person reads in a result about an operation: empty fields left out, and the server's
 * text cut as a reply and a line cut it, so that a result never holds more of it than they show.
 */
export function described(operation: Operation) {
  return {
    ...(operation.description && {
      description: shortened(operation.description, MAX_FIELD_CHARS),
    }),
    // An Invalid Date's toISOString throws.
    ...(operation.createdAt &&
      inTimestampRange(operation.createdAt) && { createdAt: operation.createdAt.toISOString() }),
    ...(operation.createdBy && { createdBy: shortened(operation.createdBy, MAX_FIELD_CHARS) }),
    // What started it, as its metadata's type names it: `yandex.cloud.compute.v1.StartInstanceMetadata`.
    ...(operation.metadata?.typeUrl && {
      metadataType: shortened(typeName(operation.metadata.typeUrl), MAX_FIELD_CHARS),
    }),
  };
}
