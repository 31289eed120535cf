import { terminalSafe } from './terminal-text';

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

/**
 * What a WARN or ERROR line adds, after the key fields: what failed (the listing, the call, the
 * resource), then why, in the function's own words; the last is what explains the line.
 */
const TROUBLE_FIELDS = [
  'listing',
  'folderId',
  'cloudId',
  'resourceKind',
  'resourceId',
  'method',
  'subject',
  'endpoint',
  'attempt',
  'delayMs',
  'candidates',
  'message',
] as const;
const TROUBLE_LEVELS = new Set(['WARN', 'ERROR', 'FATAL']);

const COLOURS: Record<string, string> = {
  ERROR: '\x1b[31m',
  FATAL: '\x1b[31m',
  WARN: '\x1b[33m',
  INFO: '\x1b[36m',
};
const RESET = '\x1b[0m';

/**
 * A value as `key=value` shows it: a string with spaces in quotes, so the next key stands out,
 * and nothing a terminal would take for a command (event ids are the caller's to choose).
 */
function shown(value: unknown): string {
  if (typeof value !== 'string') return terminalSafe(JSON.stringify(value));
  const safe = terminalSafe(value);
  return /[\s"=]/.test(safe) ? JSON.stringify(safe) : safe;
}

interface ErrorEntry {
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** An error's message, and its cause's when that says something the message does not. */
function errorFields(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return [];
  const { message, cause } = error as ErrorEntry;
  const fields = message === undefined ? [] : [`error=${shown(message)}`];
  const causeMessage = (cause as ErrorEntry | undefined)?.message;
  if (
    typeof causeMessage === 'string' &&
    causeMessage !== '' &&
    !(typeof message === 'string' && message.includes(causeMessage))
  ) {
    fields.push(`cause=${shown(causeMessage)}`);
  }
  return fields;
}

/**
 * One function log line as a person reads it: time, level, message, key fields. A line that is
 * not a JSON object is shown as it is, less control characters, so nothing the function writes
 * is hidden and nothing it passes on can command the terminal.
 */
export function prettyLogLine(line: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return terminalSafe(line);
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return terminalSafe(line);
  }
  const level = terminalSafe(String(entry.level ?? '')).padEnd(5);
  const keys = TROUBLE_LEVELS.has(level.trim()) ? [...KEY_FIELDS, ...TROUBLE_FIELDS] : KEY_FIELDS;
  const fields = keys
    .filter((key) => entry[key] !== undefined)
    .map((key) => `${key}=${shown(entry[key])}`);
  fields.push(...errorFields(entry.error));
  const time = new Date().toISOString().slice(11, 23);
  const tint = colour ? (COLOURS[level.trim()] ?? '') : '';
  const msg = terminalSafe(String(entry.msg ?? ''));
  return `${time} ${tint}${level}${tint && RESET} ${msg}  ${fields.join(' ')}`.trimEnd();
}

/** Readable lines for a terminal, the JSON lines themselves for a pipe or a file. */
export function logPrinter(stream: NodeJS.WriteStream): (line: string) => void {
  return stream.isTTY
    ? (line) => stream.write(`${prettyLogLine(line, stream.hasColors?.() ?? false)}\n`)
    : (line) => stream.write(`${line}\n`);
}
