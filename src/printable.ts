/**
 * Caller-supplied text as it may appear in a reply or a log line: control characters replaced,
 * cut short, so that nobody's terminal or log query is at the mercy of what a caller sent.
 */
export function printable(text: string, max = 64): string {
  const clean = text.replace(/\p{Cc}/gu, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** "a number", "an array", "missing": what a value is, for a message about the wrong type. */
export function describeType(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
