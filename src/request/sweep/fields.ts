// The small checks every part of a sweep request is made of, each naming where it failed.
import { RequestError } from '../../errors';
import {
  type LabelMatch,
  OPERATION_ID_PATTERN,
  RESOURCE_KINDS,
  type ResourceKind,
} from '../../model';
import { describeType, printable } from '../../printable';

// resourcemanager folder.proto and the compute, vpc and cic protos alike: label keys
// `[a-z][-_./\\@0-9a-z]*`, values `[-_./\\@0-9a-z]*`, each at most 63 characters.
const LABEL = /^([a-z][-_./@0-9a-z]{0,62})(?:=([-_./@0-9a-z]{0,63}))?$/;
const UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const MIN_AGE_SECONDS = 60;
const MAX_AGE_SECONDS = 30 * 86_400;
const MAX_ENTRIES = 1000;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a wrong value was, for the message: the text itself (made printable) or its type. */
export const shown = (value: unknown) =>
  typeof value === 'string' ? `"${printable(value)}"` : describeType(value);

export function id(value: unknown, where: string): string {
  if (typeof value !== 'string' || !OPERATION_ID_PATTERN.test(value)) {
    throw new RequestError(
      `${where} is ${shown(value)}; expected 1 to 50 lowercase letters and digits`,
    );
  }
  return value;
}

export function kind(value: unknown, where: string): ResourceKind {
  if (typeof value === 'string' && (RESOURCE_KINDS as readonly string[]).includes(value)) {
    return value as ResourceKind;
  }
  throw new RequestError(
    `${where} is ${shown(value)}; expected one of ${RESOURCE_KINDS.join(', ')}`,
  );
}

/** A duration's seconds, or undefined for anything else: what `duration` and a label read. */
export function durationSeconds(value: unknown): number | undefined {
  const match = typeof value === 'string' ? /^(\d{1,7})([smhd])$/.exec(value) : null;
  const seconds = match ? Number(match[1]) * UNITS[match[2] as keyof typeof UNITS] : Number.NaN;
  return seconds >= MIN_AGE_SECONDS && seconds <= MAX_AGE_SECONDS ? seconds : undefined;
}

/** "90s", "30m", "2h", "1d": at least a minute, so a sweep can never reach a fresh operation. */
export function duration(value: unknown, where: string): number {
  const seconds = durationSeconds(value);
  if (seconds === undefined) {
    throw new RequestError(
      `${where} is ${shown(value)}; expected a duration such as "30m" or "2h", from 1m to 30d`,
    );
  }
  return seconds;
}

/** A whole number of things from 0 to `max`: `3`, never `"3"`, `2.5` or `-1`. */
export function count(value: unknown, where: string, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RequestError(
      `${where} is ${typeof value === 'number' ? value : shown(value)}; expected a whole number from 0 to ${max}`,
    );
  }
  return value;
}

export function list<T>(
  value: unknown,
  where: string,
  item: (v: unknown, at: string) => T,
  max = MAX_ENTRIES,
): T[] {
  if (!Array.isArray(value)) {
    throw new RequestError(`${where} is ${describeType(value)}; expected an array`);
  }
  if (value.length > max) {
    throw new RequestError(`${where} has ${value.length} entries; at most ${max}`);
  }
  return Array.from(value, (v, i) => item(v, `${where}[${i}]`));
}

export function label(value: unknown, where: string): LabelMatch {
  const match = typeof value === 'string' ? LABEL.exec(value) : null;
  if (match === null) {
    throw new RequestError(`${where} is ${shown(value)}; expected a label "key" or "key=value"`);
  }
  const [, key, labelValue] = match as unknown as [string, string, string | undefined];
  return { key, ...(labelValue !== undefined && { value: labelValue }) };
}

export function strictKeys(
  value: Record<string, unknown>,
  fields: readonly string[],
  what: string,
) {
  const unknown = Object.keys(value).filter((k) => !fields.includes(k));
  if (unknown.length > 0) {
    const named = unknown.slice(0, 5).map((k) => JSON.stringify(printable(k, 40)));
    throw new RequestError(
      `unknown ${what} field(s) ${named.join(', ')}; ${what} has ${fields.join(', ')}`,
    );
  }
}

/** An object, with only the fields it may have: a typo is an error, never a wider sweep. */
export function record(
  value: unknown,
  fields: readonly string[],
  where: string,
): Record<string, unknown> {
  if (!isRecord(value)) {
    throw new RequestError(`${where} is ${describeType(value)}; expected an object`);
  }
  strictKeys(value, fields, where);
  return value;
}
