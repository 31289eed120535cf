import { RequestError } from '../../errors';
import {
  FilterName,
  type IncludeExclude,
  type LabelMatch,
  OnExcess,
  type SweepFilters,
  type TextMatch,
} from '../../model';
import { id, isRecord, label, list, record, shown } from './fields';

/** Enough for any policy a person writes; few enough that checking one operation stays cheap. */
const MAX_FILTER_ENTRIES = 100;
/** An operation's description is at most 256 characters (`description` `(length) = "<=256"`). */
const MAX_TEXT = 256;
const SIDES = ['include', 'exclude'] as const;

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    throw new RequestError(
      `${where} is ${shown(value)}; expected text of 1 to ${MAX_TEXT} characters`,
    );
  }
  return value;
}

/** A string is a substring, any case; `{"regex": "…"}` is an RE2 pattern, compiled by the sweep. */
function textMatch(value: unknown, where: string): TextMatch {
  if (typeof value === 'string') return { contains: text(value, where) };
  if (isRecord(value)) {
    return { regex: text(record(value, ['regex'], where).regex, `${where}.regex`) };
  }
  throw new RequestError(
    `${where} is ${shown(value)}; expected text to look for, or {"regex": "<RE2 pattern>"}`,
  );
}

function includeExclude<T>(
  value: unknown,
  where: string,
  item: (v: unknown, at: string) => T,
): IncludeExclude<T> {
  const given = value === undefined ? {} : record(value, SIDES, where);
  const side = (name: (typeof SIDES)[number]) =>
    given[name] === undefined
      ? []
      : list(given[name], `${where}.${name}`, item, MAX_FILTER_ENTRIES);
  return { include: side('include'), exclude: side('exclude') };
}

export const NO_FILTERS: SweepFilters = {
  labels: { include: [], exclude: [] },
  createdBy: { include: [], exclude: [] },
  description: { include: [], exclude: [] },
};

/**
 * `filters`: what a sweep may touch, by the labels of the operation's resource, by who started
 * it, and by its description; each an `include` list (one must match) and an `exclude` list.
 */
export function parseFilters(value: unknown): SweepFilters {
  if (value === undefined) return NO_FILTERS;
  const given = record(value, Object.values(FilterName), 'sweep.filters');
  return {
    labels: includeExclude(given.labels, 'sweep.filters.labels', label),
    createdBy: includeExclude(given.createdBy, 'sweep.filters.createdBy', id),
    description: includeExclude(given.description, 'sweep.filters.description', textMatch),
  };
}

export function parseOnExcess(value: unknown): OnExcess {
  if (value === undefined) return OnExcess.Refuse;
  const modes: readonly unknown[] = Object.values(OnExcess);
  if (!modes.includes(value)) {
    throw new RequestError(
      `sweep.onExcess is ${shown(value)}; expected ${Object.values(OnExcess)
        .map((m) => `"${m}"`)
        .join(' or ')}`,
    );
  }
  return value as OnExcess;
}

const labelText = ({ key, value }: LabelMatch) => (value === undefined ? key : `${key}=${value}`);
const textRequest = (match: TextMatch) => ('contains' in match ? match.contains : match);

/** The filters as `filters` takes them, for a handed-on sweep; none, when the sweep has none. */
export function filtersRequest(filters: SweepFilters): object | undefined {
  const sides = <T>(pair: IncludeExclude<T>, as: (item: T) => unknown) =>
    Object.fromEntries(
      SIDES.filter((side) => pair[side].length > 0).map((side) => [side, pair[side].map(as)]),
    );
  const request = {
    labels: sides(filters.labels, labelText),
    createdBy: sides(filters.createdBy, (creator) => creator),
    description: sides(filters.description, textRequest),
  };
  const given = Object.entries(request).filter(([, pair]) => Object.keys(pair).length > 0);
  return given.length === 0 ? undefined : Object.fromEntries(given);
}
