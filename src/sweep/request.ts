import { RequestError } from '../errors';
import {
  OPERATION_ID_PATTERN,
  RESOURCE_KINDS,
  type ResourceKind,
  type ResourceRef,
  type SweepSpec,
} from '../model';
import { describeType, printable } from '../printable';

const FIELDS = ['folderId', 'kinds', 'resources', 'olderThan', 'notModifiedFor'] as const;
const UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const MIN_AGE_SECONDS = 60;
const MAX_AGE_SECONDS = 30 * 86_400;
const MAX_RESOURCES = 1000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function id(value: unknown, where: string): string {
  if (typeof value !== 'string' || !OPERATION_ID_PATTERN.test(value)) {
    const shown = typeof value === 'string' ? `"${printable(value)}"` : describeType(value);
    throw new RequestError(`${where} is ${shown}; expected 1 to 50 lowercase letters and digits`);
  }
  return value;
}

function kind(value: unknown, where: string): ResourceKind {
  if (typeof value === 'string' && (RESOURCE_KINDS as readonly string[]).includes(value)) {
    return value as ResourceKind;
  }
  const shown = typeof value === 'string' ? `"${printable(value)}"` : describeType(value);
  throw new RequestError(`${where} is ${shown}; expected one of ${RESOURCE_KINDS.join(', ')}`);
}

/** "90s", "30m", "2h", "1d": at least a minute, so a sweep can never reach a fresh operation. */
function duration(value: unknown, where: string): number {
  const match = typeof value === 'string' ? /^(\d{1,7})([smhd])$/.exec(value) : null;
  const seconds = match ? Number(match[1]) * UNITS[match[2] as keyof typeof UNITS] : Number.NaN;
  if (!(seconds >= MIN_AGE_SECONDS && seconds <= MAX_AGE_SECONDS)) {
    const shown = typeof value === 'string' ? `"${printable(value)}"` : describeType(value);
    throw new RequestError(
      `${where} is ${shown}; expected a duration such as "30m" or "2h", from 1m to 30d`,
    );
  }
  return seconds;
}

function list<T>(value: unknown, where: string, item: (v: unknown, at: string) => T): T[] {
  if (!Array.isArray(value)) {
    throw new RequestError(`${where} is ${describeType(value)}; expected an array`);
  }
  if (value.length > MAX_RESOURCES) {
    throw new RequestError(`${where} has ${value.length} entries; at most ${MAX_RESOURCES}`);
  }
  return Array.from(value, (v, i) => item(v, `${where}[${i}]`));
}

function resource(value: unknown, where: string): ResourceRef {
  if (!isRecord(value)) {
    throw new RequestError(`${where} is ${describeType(value)}; expected {"kind": ..., "id": ...}`);
  }
  return { kind: kind(value.kind, `${where}.kind`), id: id(value.id, `${where}.id`) };
}

/** Parses the `sweep` field of a request; strict, so a typo is an error rather than a wider sweep. */
export function parseSweep(value: unknown): SweepSpec {
  if (!isRecord(value)) {
    throw new RequestError(`sweep is ${describeType(value)}; expected an object`);
  }
  const unknown = Object.keys(value).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    const named = unknown.slice(0, 5).map((k) => JSON.stringify(printable(k, 40)));
    throw new RequestError(
      `unknown sweep field(s) ${named.join(', ')}; a sweep has ${FIELDS.join(', ')}`,
    );
  }
  const folderId = value.folderId === undefined ? undefined : id(value.folderId, 'sweep.folderId');
  const resources =
    value.resources === undefined ? [] : list(value.resources, 'sweep.resources', resource);
  if (folderId === undefined && resources.length === 0) {
    throw new RequestError('a sweep needs a folderId, or resources to look at');
  }
  if (folderId === undefined && value.kinds !== undefined) {
    throw new RequestError('sweep.kinds says what to list in a folder: it needs a folderId');
  }
  const kinds =
    value.kinds === undefined
      ? folderId === undefined
        ? []
        : [...RESOURCE_KINDS]
      : [...new Set(list(value.kinds, 'sweep.kinds', kind))];
  return {
    ...(folderId && { folderId }),
    kinds,
    resources,
    olderThanSeconds: duration(value.olderThan, 'sweep.olderThan'),
    ...(value.notModifiedFor !== undefined && {
      notModifiedForSeconds: duration(value.notModifiedFor, 'sweep.notModifiedFor'),
    }),
  };
}
