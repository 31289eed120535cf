import { RequestError } from '../../errors';
import { RESOURCE_KINDS, type ResourceRef, type SweepExclusion, type SweepSpec } from '../../model';
import { describeType } from '../../printable';
import { count, duration, id, isRecord, kind, label, list, record } from './fields';
import { parseFilters, parseOnExcess } from './filters';
import { parseLearn, parseOlderThan } from './thresholds';

const FIELDS = [
  'cloudId',
  'folderIds',
  'folderId',
  'exclude',
  'kinds',
  'resources',
  'olderThan',
  'notModifiedFor',
  'learn',
  'filters',
  'onExcess',
  'maxCancelsTotal',
] as const;
/** As many Cancels as MAX_CANCELS_PER_INVOCATION may ever allow: a cap past it means nothing. */
const MAX_CANCELS_TOTAL = 100_000;
const EXCLUDE_FIELDS = ['folderIds', 'labels'] as const;

function exclusion(given: unknown): SweepExclusion {
  const value = record(given, EXCLUDE_FIELDS, 'sweep.exclude');
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
export function parseSweep(given: unknown): SweepSpec {
  const value = record(given, FIELDS, 'sweep');
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
    olderThanSeconds: parseOlderThan(value.olderThan),
    ...(value.notModifiedFor !== undefined && {
      notModifiedForSeconds: duration(value.notModifiedFor, 'sweep.notModifiedFor'),
    }),
    ...(value.learn !== undefined && { learn: parseLearn(value.learn) }),
    filters: parseFilters(value.filters),
    onExcess: parseOnExcess(value.onExcess),
    ...(value.maxCancelsTotal !== undefined && {
      maxCancelsTotal: count(value.maxCancelsTotal, 'sweep.maxCancelsTotal', MAX_CANCELS_TOTAL),
    }),
  };
}
