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

/** Cloud Logging treats a line over 64 KB as plain text, so no single value may grow without bound. */
const MAX_STRING = 2048;

function bounded(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  }
  if (value instanceof Error) return errorFields(value, depth);
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => bounded(v, depth + 1));
  if (value !== null && typeof value === 'object' && depth < 4) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bounded(v, depth + 1)]));
  }
  return value;
}

/** Errors are logged with their cause chain, so a wrapped gRPC failure stays machine-readable. */
export function errorFields(error: Error, depth = 0): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: bounded(error.message) };
  if (error.cause !== undefined && depth < 4) {
    fields.cause = error.cause instanceof Error ? errorFields(error.cause, depth + 1) : error.cause;
  }
  return fields;
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
      write(
        JSON.stringify({
          level,
          msg,
          ...(bounded(rest) as object),
          ...(Object.keys(clashes).length > 0 && { shadowed: bounded(clashes) }),
        }),
      );
    },
    child(fields) {
      return createLogger(write, { ...base, ...fields });
    },
  };
}
