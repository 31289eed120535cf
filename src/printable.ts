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
