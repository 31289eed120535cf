import { loadBundle } from '../lazy-bundle';
import {
  FilterName,
  type IncludeExclude,
  type LabelMatch,
  type SweepFilters,
  type TextMatch,
} from '../model';
import { printable } from '../printable';

/** What a filter looks at: the listed operation and the labels of the resource it runs on. */
export interface Subject {
  readonly createdBy: string;
  readonly description: string;
  /** Unknown for a resource a request named, which is not listed. */
  readonly labels: Readonly<Record<string, string>> | undefined;
}

/** The filter that leaves an operation out, or undefined when the sweep may touch it. */
export type Check = (subject: Subject) => FilterName | undefined;

const passes = <T>(pair: IncludeExclude<T>, matches: (item: T) => boolean) =>
  (pair.include.length === 0 || pair.include.some(matches)) && !pair.exclude.some(matches);

const labelMatches = (labels: Readonly<Record<string, string>>) => (match: LabelMatch) =>
  Object.hasOwn(labels, match.key) &&
  (match.value === undefined || labels[match.key] === match.value);

/** RE2JS, a port of RE2, in a bundle of its own (dist/re2.js): loaded only for a pattern. */
type Re2 = typeof import('re2js').RE2JS;

/** A text filter as a matcher, or why it cannot be one. */
type Matcher = ((text: Text) => boolean) | { readonly rejected: string };

/** The filters as one check, or why they cannot be one: the sweep's answer as it is. */
export type Compiled =
  | { readonly kind: 'compiled'; readonly check: Check }
  | { readonly kind: 'rejected'; readonly message: string };

/**
 * An RE2 pattern (RE2JS, a port of RE2): matching takes time linear in the text whatever the
 * pattern, where a backtracking engine such as JavaScript's own can be made to run for hours by
 * a pattern of a dozen characters.
 */
function compileText(match: TextMatch, where: string, re2: Re2 | undefined): Matcher {
  if ('contains' in match) {
    const needle = match.contains.toLowerCase();
    return (text) => text.lower.includes(needle);
  }
  let pattern: InstanceType<Re2>;
  try {
    pattern = (re2 as Re2).compile(match.regex);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      rejected: `${where}.regex "${printable(match.regex)}" is not an RE2 pattern: ${printable(reason, 200)}`,
    };
  }
  return (text) => pattern.matcher(text.raw).find();
}

/** A description as the filters read it, lowered once for every `contains`. */
interface Text {
  readonly raw: string;
  readonly lower: string;
}

/**
 * The API keeps a description to 256 characters (`(length) = "<=256"`); a longer one is a broken
 * server's, and matching it whole would hold the event loop for as long as it is long.
 */
const DESCRIPTION_CHARS = 256;

const empty = (pair: IncludeExclude<unknown>) =>
  pair.include.length === 0 && pair.exclude.length === 0;

/**
 * The sweep's filters as one check, compiled once before anything is listed, so that a pattern
 * RE2 cannot read refuses the request rather than the sweep halfway: the check, or the first
 * pattern's refusal. Checked in the order of FilterName: the first filter that leaves an
 * operation out is the one counted.
 */
export async function compileFilters(filters: SweepFilters): Promise<Compiled> {
  const texts = filters.description;
  const patterns = [...texts.include, ...texts.exclude].some((match) => 'regex' in match);
  const re2 = patterns ? (await loadBundle('re2.js', () => import('#re2'))).RE2JS : undefined;
  const side = (name: 'include' | 'exclude') =>
    texts[name].map((m, i) => compileText(m, `sweep.filters.description.${name}[${i}]`, re2));
  const description = { include: side('include'), exclude: side('exclude') };
  const refused = [...description.include, ...description.exclude].find(
    (compiled): compiled is { readonly rejected: string } => typeof compiled !== 'function',
  );
  if (refused !== undefined) return { kind: 'rejected', message: refused.rejected };
  const matches = description as IncludeExclude<(text: Text) => boolean>;
  const labelled = !empty(filters.labels);
  const check: Check = (subject) => {
    if (labelled) {
      // A resource whose labels are unknown cannot be shown to pass: left alone.
      if (subject.labels === undefined) return FilterName.Labels;
      if (!passes(filters.labels, labelMatches(subject.labels))) return FilterName.Labels;
    }
    if (!passes(filters.createdBy, (creator) => creator === subject.createdBy)) {
      return FilterName.CreatedBy;
    }
    if (matches.include.length + matches.exclude.length > 0) {
      const raw = subject.description.slice(0, DESCRIPTION_CHARS);
      const text = { raw, lower: raw.toLowerCase() };
      if (!passes(matches, (match) => match(text))) return FilterName.Description;
    }
    return undefined;
  };
  return { kind: 'compiled', check };
}
