/**
 * `text` cut to `max` UTF-16 units and an ellipsis, which says that it was cut. The cut is a copy:
 * a V8 slice keeps the whole of what it was cut from alive, and that may be a server's megabytes.
 */
export function shortened(text: string, max: number): string {
  // split and join: a copy unit by unit, so that a lone surrogate survives it as it is.
  return text.length > max ? `${text.slice(0, max)}…`.split('').join('') : text;
}

/**
 * Caller-supplied text as it may appear in a reply or a log line: control characters replaced,
 * cut short, so that nobody's terminal or log query is at the mercy of what a caller sent.
 */
export function printable(text: string, max = 64): string {
  return shortened(text.replace(/\p{Cc}/gu, '?'), max);
}

/** "a number", "an array", "missing": what a value is, for a message about the wrong type. */
export function describeType(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * What a secret looks like when a server echoes one back: an IAM token (`t1.…`, or the older
 * `CggVAgAAABoBMx…`), an OAuth token (`y0_…`), an API key (`AQVN…`), a JWT, and whatever follows
 * `Bearer`. None matches a quote or a backslash, so a JSON line stays JSON with them redacted.
 */
const SECRET_SHAPES =
  /\bBearer\s+[^\s"\\]+|\bt1\.[A-Za-z0-9._-]{8,}|\bCggVAgAAABo[A-Za-z0-9+/_=-]{16,}|\by[0-3]_[A-Za-z0-9_-]{16,}|\bAQVN[A-Za-z0-9_-]{16,}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9._-]+/g;

export const REDACTED = '[redacted]';

/** `text` with anything shaped like a token or a key replaced by `[redacted]`. */
export function redacted(text: string): string {
  return text.replace(SECRET_SHAPES, REDACTED);
}

/**
 * A server's own words as a reply, a line or a message may carry them: whatever looks like a
 * secret redacted first (a server may echo the token it was sent), then made printable and cut.
 */
export function serverText(text: string, max: number): string {
  return printable(redacted(text), max);
}
