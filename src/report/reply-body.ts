import { MAX_FIELD_CHARS } from '../log';
import {
  MAX_BODY_BYTES,
  type OperationResult,
  Outcome,
  Reason,
  type Report,
  type Summary,
} from '../model';
import { shortened } from '../printable';

/**
 * The platform's 3.5 MB cap covers the response as well as the request, and a reply over it
 * fails the invocation after the cancels are done (a queue would deliver the batch again). An
 * HTTP reply's body is a JSON string inside the response JSON, where escaping can double it, so
 * the body keeps well under half the cap.
 */
export const MAX_REPLY_BYTES = Math.floor(MAX_BODY_BYTES / 4);

/** A report as a reply carries it: every result, or as many as fit and how many were left out. */
export interface ReplyBody {
  readonly results: readonly OperationResult[];
  readonly summary: Summary;
  /** Results left out to keep the reply under the cap; the log lines carry every one. */
  readonly omittedResults?: number;
}

const SETTLED: ReadonlySet<Outcome> = new Set([
  Outcome.Cancelled,
  Outcome.Cancelling,
  Outcome.AlreadyDone,
]);

/** A result nobody needs to act on; a skip for want of time is not one. */
function settled(result: OperationResult): boolean {
  if (result.outcome === Outcome.Skipped) return result.reason !== Reason.Deadline;
  return SETTLED.has(result.outcome);
}

const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** Every string of a result cut as a log line cuts it, in the objects it nests too. */
function cut(value: unknown): unknown {
  if (typeof value === 'string') return shortened(value, MAX_FIELD_CHARS);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cut);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v)]));
}

const longText = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.length > MAX_FIELD_CHARS
    : value !== null && typeof value === 'object' && Object.values(value).some(longText);

/**
 * A result whose strings are as long as its log line's: descriptions, messages and request ids
 * come from the server, and a few of them a megabyte long would crowd every result out.
 */
const boundedResult = (result: OperationResult): OperationResult =>
  longText(result) ? (cut(result) as OperationResult) : result;

/**
 * The report whole when it fits in `maxBytes`, its long strings cut; otherwise the summary and
 * the results that fit, those a caller must act on first, in their original order, and a count
 * of the rest.
 */
export function replyBody(report: Report, maxBytes = MAX_REPLY_BYTES): ReplyBody {
  const { summary } = report;
  const results = report.results.map(boundedResult);
  // Each result costs its comma too, but for the first one; so one comma is room to spare.
  const sizes = results.map((result) => sizeOf(result) + 1);
  const whole = sizeOf({ results: [], summary }) + sizes.reduce((sum, size) => sum + size, -1);
  if (whole <= maxBytes) {
    return results.every((r, i) => r === report.results[i]) ? report : { results, summary };
  }

  let room = maxBytes - sizeOf({ results: [], summary, omittedResults: results.length }) + 1;
  const calm = results.map(settled);
  const kept = new Array<boolean>(results.length).fill(false);
  // A stable sort: the results to act on first, each group in its original order.
  const order = [...results.keys()].sort((a, b) => Number(calm[a]) - Number(calm[b]));
  for (const i of order) {
    const size = sizes[i] as number;
    if (size > room) continue;
    kept[i] = true;
    room -= size;
  }
  const included = results.filter((_, i) => kept[i]);
  return { results: included, summary, omittedResults: results.length - included.length };
}
