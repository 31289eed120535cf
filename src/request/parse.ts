import type { Policy } from '../config';
import { RequestError } from '../errors';
import {
  type CancelRequest,
  type Guards,
  type NamedOperation,
  OPERATION_ID_PATTERN,
  type SweepSpec,
} from '../model';
import { describeType, printable } from '../printable';
import { withinPolicy } from './policy';
import { parseSweep } from './sweep';

export interface RequestLimits {
  readonly maxOperations: number;
  readonly policy: Policy;
}

const FIELDS = ['operationIds', 'sweep', 'dryRun', 'minAgeSeconds'] as const;
const MAX_AGE_SECONDS = 31_536_000;
const FIELDS_SHOWN = 5;

function fromJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the input in its message, so it is cleaned like any caller text.
    const reason = printable((error as Error).message, 200);
    throw new RequestError(`the request is not valid JSON (${reason})`, 400, {
      cause: error,
    });
  }
}

function idsFromArray(values: readonly unknown[], where: string): string[] {
  // Array.from visits the holes of a sparse array, which map() would skip.
  return Array.from(values, (value, index) => {
    if (typeof value !== 'string') {
      throw new RequestError(`${where}[${index}] is ${describeType(value)}; expected a string id`);
    }
    return value;
  });
}

/** A request before its ids are checked: the ids as given, or a sweep. */
type Fields = Guards & ({ kind: 'ids'; ids: string[] } | { kind: 'sweep'; sweep: SweepSpec });
const PLAIN = { kind: 'ids', dryRun: false, minAgeSeconds: 0 } as const;

function fromObject(object: Record<string, unknown>): Fields {
  const unknown = Object.keys(object).filter((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    const named = unknown.slice(0, FIELDS_SHOWN).map((k) => JSON.stringify(printable(k, 40)));
    const more = unknown.length > FIELDS_SHOWN ? ` and ${unknown.length - FIELDS_SHOWN} more` : '';
    throw new RequestError(
      `unknown field(s) ${named.join(', ')}${more}; a request has ${FIELDS.join(', ')}`,
    );
  }
  const { operationIds, sweep, dryRun = false, minAgeSeconds = 0 } = object;
  if (sweep !== undefined && operationIds !== undefined) {
    throw new RequestError('a request has operationIds or a sweep, not both');
  }
  if (sweep === undefined && !Array.isArray(operationIds)) {
    throw new RequestError(
      `operationIds is ${describeType(operationIds)}; expected an array of operation ids`,
    );
  }
  if (typeof dryRun !== 'boolean') {
    throw new RequestError(`dryRun is ${describeType(dryRun)}; expected true or false`);
  }
  if (
    typeof minAgeSeconds !== 'number' ||
    !Number.isInteger(minAgeSeconds) ||
    minAgeSeconds < 0 ||
    minAgeSeconds > MAX_AGE_SECONDS
  ) {
    throw new RequestError(
      `minAgeSeconds is ${typeof minAgeSeconds === 'number' ? minAgeSeconds : describeType(minAgeSeconds)}; expected a whole number of seconds from 0 to ${MAX_AGE_SECONDS}`,
    );
  }
  const guards = { dryRun, minAgeSeconds };
  if (sweep !== undefined) return { kind: 'sweep', sweep: parseSweep(sweep), ...guards };
  return { kind: 'ids', ids: idsFromArray(operationIds as unknown[], 'operationIds'), ...guards };
}

function rawIds(input: unknown): Fields {
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.startsWith('{') || text.startsWith('[')) return rawIds(fromJsonText(text));
    return { ids: text === '' ? [] : text.split(/[\s,]+/).filter(Boolean), ...PLAIN };
  }
  if (Array.isArray(input)) return { ids: idsFromArray(input, 'the request'), ...PLAIN };
  if (typeof input === 'object' && input !== null) {
    return fromObject(input as Record<string, unknown>);
  }
  throw new RequestError(
    `the request is ${describeType(input)}; send {"operationIds": [...]}, a JSON array of ids, or ids separated by spaces or commas`,
  );
}

/**
 * Parses a request in any of its accepted forms: `{"operationIds": [...], "dryRun": true,
 * "minAgeSeconds": 600}`,
 * a JSON array of ids, or text with ids separated by whitespace or commas. Duplicates are
 * dropped; a request naming no ids, or more than the limit, is refused whole.
 */
export function parseRequest(input: unknown, limits: RequestLimits): CancelRequest {
  return withinPolicy(parsed(input, limits), limits.policy);
}

function parsed(input: unknown, { maxOperations }: RequestLimits): CancelRequest {
  const fields = rawIds(input);
  if (fields.kind === 'sweep') return fields;
  const { ids, ...guards } = fields;
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new RequestError('the request names no operation ids');
  if (unique.length > maxOperations) {
    throw new RequestError(
      `the request names ${unique.length} operations, more than the limit of ${maxOperations} (MAX_OPERATIONS); nothing was cancelled, split it into smaller requests`,
      413,
    );
  }
  const operations = unique.map(
    (id): NamedOperation =>
      OPERATION_ID_PATTERN.test(id) ? { valid: true, id } : { valid: false, text: printable(id) },
  );
  return { ...guards, operations };
}
