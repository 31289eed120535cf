import { RequestError } from '../errors';
import {
  type LabelMatch,
  OPERATION_ID_PATTERN,
  RESOURCE_KINDS,
  type ResourceKind,
  type ResourceRef,
  type SweepExclusion,
  type SweepSpec,
} from '../model';
import { describeType, printable } from '../printable';

const FIELDS = [
  'cloudId',
  'folderIds',
  'folderId',
  'exclude',
  'kinds',
  'resources',
  'olderThan',
  'notModifiedFor',
] as const;
const EXCLUDE_FIELDS = ['folderIds', 'labels'] as const;
// resourcemanager folder.proto labels: keys `[a-z][-_./\\@0-9a-z]*`, values `[-_./\\@0-9a-z]*`.
const LABEL = /^([a-z][-_./@0-9a-z]{0,62})(?:=([-_./@0-9a-z]{0,63}))?$/;
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

function label(value: unknown, where: string): LabelMatch {
  const match = typeof value === 'string' ? LABEL.exec(value) : null;
  if (match === null) {
    const shown = typeof value === 'string' ? `"${printable(value)}"` : describeType(value);
    throw new RequestError(`${where} is ${shown}; expected a label "key" or "key=value"`);
  }
  const [, key, labelValue] = match as unknown as [string, string, string | undefined];
  return { key, ...(labelValue !== undefined && { value: labelValue }) };
}

function strictKeys(value: Record<string, unknown>, fields: readonly string[], what: string) {
  const unknown = Object.keys(value).filter((k) => !fields.includes(k));
  if (unknown.length > 0) {
    const named = unknown.slice(0, 5).map((k) => JSON.stringify(printable(k, 40)));
    throw new RequestError(
      `unknown ${what} field(s) ${named.join(', ')}; ${what} has ${fields.join(', ')}`,
    );
  }
}

function exclusion(value: unknown): SweepExclusion {
  if (!isRecord(value)) {
    throw new RequestError(`sweep.exclude is ${describeType(value)}; expected an object`);
  }
  strictKeys(value, EXCLUDE_FIELDS, 'sweep.exclude');
  return {
    folderIds:
      value.folderIds === undefined ? [] : list(value.folderIds, 'sweep.exclude.folderIds', id),
    labels: value.labels === undefined ? [] : list(value.labels, 'sweep.exclude.labels', label),
  };
}

function resource(value: unknown, where: string): ResourceRef {
  if (!isRecord(value)) {
    throw new RequestError(`${where} is ${describeType(value)}; expected {"kind": ..., "id": ...}`);
  }
  return { kind: kind(value.kind, `${where}.kind`), id: id(value.id, `${where}.id`) };
}

/**
 * Where a sweep looks: one folder, several, or every folder of a cloud, with exclusions for the
 * last two. Exactly one of them, so a typo cannot widen a sweep.
 */
function scope(value: Record<string, unknown>) {
  const given = (['cloudId', 'folderIds', 'folderId'] as const).filter(
    (k) => value[k] !== undefined,
  );
  if (given.length > 1) {
    throw new RequestError(
      `a sweep has one of cloudId, folderIds and folderId, not ${given.join(' and ')}`,
    );
  }
  if (value.exclude !== undefined && value.folderId !== undefined) {
    throw new RequestError('sweep.exclude leaves folders out of a cloudId or folderIds sweep');
  }
  const folderIds =
    value.folderIds === undefined ? undefined : list(value.folderIds, 'sweep.folderIds', id);
  if (folderIds?.length === 0) throw new RequestError('sweep.folderIds is empty');
  return {
    ...(value.cloudId !== undefined && { cloudId: id(value.cloudId, 'sweep.cloudId') }),
    ...(folderIds && { folderIds: [...new Set(folderIds)] }),
    ...(value.folderId !== undefined && { folderId: id(value.folderId, 'sweep.folderId') }),
    ...(value.exclude !== undefined && { exclude: exclusion(value.exclude) }),
  };
}

/** Parses the `sweep` field of a request; strict, so a typo is an error rather than a wider sweep. */
export function parseSweep(value: unknown): SweepSpec {
  if (!isRecord(value)) {
    throw new RequestError(`sweep is ${describeType(value)}; expected an object`);
  }
  strictKeys(value, FIELDS, 'sweep');
  const where = scope(value);
  const listsFolders = where.folderId ?? where.folderIds ?? where.cloudId;
  const resources =
    value.resources === undefined ? [] : list(value.resources, 'sweep.resources', resource);
  if (listsFolders === undefined && resources.length === 0) {
    throw new RequestError(
      'a sweep needs a cloudId, folderIds or a folderId, or resources to look at',
    );
  }
  if (listsFolders === undefined && value.kinds !== undefined) {
    throw new RequestError('sweep.kinds says what to list in a folder: it needs a folder to list');
  }
  const kinds =
    value.kinds === undefined
      ? listsFolders === undefined
        ? []
        : [...RESOURCE_KINDS]
      : [...new Set(list(value.kinds, 'sweep.kinds', kind))];
  return {
    ...where,
    kinds,
    resources,
    olderThanSeconds: duration(value.olderThan, 'sweep.olderThan'),
    ...(value.notModifiedFor !== undefined && {
      notModifiedForSeconds: duration(value.notModifiedFor, 'sweep.notModifiedFor'),
    }),
  };
}
