/** Fields worth a glance in a terminal, in the order they are shown. */
const KEY_FIELDS = [
  'operationId',
  'outcome',
  'reason',
  'code',
  'attempts',
  'durationMs',
  'source',
  'triggerId',
  'messageId',
  'operations',
  'outcomes',
  'rejectedRequests',
] as const;

const COLOURS: Record<string, string> = {
  ERROR: '\x1b[31m',
  FATAL: '\x1b[31m',
  WARN: '\x1b[33m',
  INFO: '\x1b[36m',
};
const RESET = '\x1b[0m';

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * One function log line as a person reads it: time, level, message, key fields. A line that is
 * not a JSON object is shown as it is, so nothing the function writes is hidden.
 */
export function prettyLogLine(line: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return line;
  const level = String(entry.level ?? '').padEnd(5);
  const fields = KEY_FIELDS.filter((key) => entry[key] !== undefined).map(
    (key) => `${key}=${shown(entry[key])}`,
  );
  const error = entry.error as { message?: unknown } | undefined;
  if (error?.message !== undefined) fields.push(`error=${shown(error.message)}`);
  const time = new Date().toISOString().slice(11, 23);
  const tint = colour ? (COLOURS[level.trim()] ?? '') : '';
  return `${time} ${tint}${level}${tint && RESET} ${entry.msg ?? ''}  ${fields.join(' ')}`.trimEnd();
}

/** Readable lines for a terminal, the JSON lines themselves for a pipe or a file. */
export function logPrinter(stream: NodeJS.WriteStream): (line: string) => void {
  return stream.isTTY
    ? (line) => stream.write(`${prettyLogLine(line, stream.hasColors?.() ?? false)}\n`)
    : (line) => stream.write(`${line}\n`);
}
