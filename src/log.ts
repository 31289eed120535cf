import { redacted, shortened } from './printable';

/** Cloud Logging's level names; it parses them in upper case. */
export const LogLevel = {
  Trace: 'TRACE',
  Debug: 'DEBUG',
  Info: 'INFO',
  Warn: 'WARN',
  Error: 'ERROR',
  Fatal: 'FATAL',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Cloud Logging takes a longer line, its newline counted, for plain text: no field is queryable. */
const MAX_LINE_BYTES = 64 * 1024;

/**
 * The longest string a line carries as it is, and a reply too (report/reply-body.ts): what the
 * server and callers send (descriptions, request ids, queue ids) may be any length.
 */
export const MAX_FIELD_CHARS = 2048;

/**
 * How much of each value a line keeps: strings and keys cut to `chars`, lists and objects to
 * `items` entries, and an object `depth` deep (the line itself is 0) written as `…`.
 */
interface Shape {
  readonly chars: number;
  readonly items: number;
  readonly depth: number;
}

/** The last shape tried, and what the fields kept past it are cut to. */
const LAST_SHAPE = { chars: 128, items: 5, depth: 4 } as const satisfies Shape;

/**
 * Tried in turn until the line fits. The first is every line's and keeps a summary's tallies
 * (sweep.kinds.<kind>.filteredOut) whole; the others cut only the values longer than they allow,
 * that is, the longest of a line that would not fit.
 */
const SHAPES = [
  { chars: MAX_FIELD_CHARS, items: 100, depth: 6 },
  { chars: 512, items: 20, depth: 6 },
  LAST_SHAPE,
] as const satisfies readonly Shape[];

/**
 * What a line keeps when no shape fits, besides `level` and `msg`: what a person finds it, its
 * invocation and its operation by. Only a string or number of these is kept, so that the line is
 * sure to fit: 11 values and `msg` of 128 characters (6 bytes each at worst, escaped), and the
 * names of 20 dropped fields of 64, come to under 18 KB.
 */
const KEPT = [
  'request_id',
  'source',
  'triggerId',
  'queueId',
  'messageId',
  'sweepId',
  'operationId',
  'outcome',
  'code',
  'resourceKind',
  'resourceId',
] as const;
const DROPPED_SHOWN = { count: 20, chars: 64 } as const;

/** `value` as plain data cut to `shape`, at `depth` objects deep: it always serialises. */
function bounded(value: unknown, shape: Shape, depth: number): unknown {
  if (typeof value === 'string') return shortened(value, shape.chars);
  // JSON.stringify throws on a bigint, and a log call must never throw.
  if (typeof value === 'bigint') return String(value);
  if (value === null || typeof value !== 'object') return value;
  // What ends a cycle, too.
  if (depth >= shape.depth) return '…';
  if (value instanceof Error) return bounded(errorFields(value), shape, depth);
  if (Array.isArray(value)) {
    return value.slice(0, shape.items).map((v) => bounded(v, shape, depth + 1));
  }
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, shape.items)
      .map(([k, v]) => [shortened(k, shape.chars), bounded(v, shape, depth + 1)]),
  );
}

/** Errors are logged with their cause chain, so a wrapped gRPC failure stays machine-readable. */
export function errorFields(error: Error, depth = 0): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  if (error.cause !== undefined && depth < 4) {
    fields.cause = error.cause instanceof Error ? errorFields(error.cause, depth + 1) : error.cause;
  }
  return fields;
}

const fits = (line: string) => Buffer.byteLength(line) < MAX_LINE_BYTES;

/** The line cut down as far as it must be to fit, and valid JSON whatever `fields` hold. */
function lineOf(level: LogLevel, msg: string, fields: LogFields): string {
  for (const shape of SHAPES) {
    const line = JSON.stringify({
      level,
      msg: shortened(msg, shape.chars),
      // The line's own fields are all kept here: only the last resort below drops any.
      ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, bounded(v, shape, 1)])),
    });
    if (fits(line)) return line;
  }
  const kept: readonly string[] = KEPT.filter(
    (k) => typeof fields[k] === 'string' || typeof fields[k] === 'number',
  );
  const dropped = Object.keys(fields).filter((k) => !kept.includes(k));
  return JSON.stringify({
    level,
    msg: shortened(msg, LAST_SHAPE.chars),
    ...Object.fromEntries(kept.map((k) => [k, bounded(fields[k], LAST_SHAPE, 1)])),
    droppedFields: dropped
      .slice(0, DROPPED_SHOWN.count)
      .map((k) => shortened(k, DROPPED_SHOWN.chars)),
  });
}

const writeLine = (line: string) => {
  process.stdout.write(`${line}\n`);
};

/** One JSON object per stdout line: `level` and `msg` are what Cloud Logging parses, the rest is json-payload. */
export function createLogger(
  write: (line: string) => void = writeLine,
  base: LogFields = {},
): Logger {
  return {
    log(level, msg, fields = {}) {
      // A field of the same name must not replace what Cloud Logging reads: it is kept apart.
      const { level: clashingLevel, msg: clashingMsg, ...rest } = { ...base, ...fields };
      const clashes = Object.fromEntries(
        Object.entries({ level: clashingLevel, msg: clashingMsg }).filter(
          ([, v]) => v !== undefined,
        ),
      );
      // Redacted whole, whatever field a secret came in by: a line is where a leak would last.
      write(
        redacted(
          lineOf(level, msg, {
            ...rest,
            ...(Object.keys(clashes).length > 0 && { shadowed: clashes }),
          }),
        ),
      );
    },
    child(fields) {
      return createLogger(write, { ...base, ...fields });
    },
  };
}
