import { createHash } from 'node:crypto';

/**
 * JSON with every object's keys in order: the API hands maps such as a version's environment back
 * in no promised order, and two reads of the same thing must give the same text.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/** The SHA-256 of a value's canonical JSON, in hex. */
export const fingerprint = (value: unknown): string =>
  createHash('sha256').update(canonicalJson(value)).digest('hex');
