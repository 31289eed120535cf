import { type Logger, LogLevel } from '../log';
import { OPERATION_ID_PATTERN, type Origin } from '../model';
import { printable } from '../printable';

/** Ids a hostile or broken server may list by the thousand: this many are named, all counted. */
const NAMED = 10;

/**
 * Listed ids go back to the API, so they are held to the rule a caller's ids are: one that breaks
 * it (`""`, `UPPERCASE`, `../../etc/passwd`) is never sent, only counted, and the first few are
 * kept, made printable, to be named.
 */
export class MalformedIds {
  count = 0;
  readonly sample: string[] = [];

  /** Whether the id may be sent; a malformed one is recorded instead. */
  accepts(id: string): boolean {
    if (OPERATION_ID_PATTERN.test(id)) return true;
    this.count += 1;
    if (this.sample.length < NAMED) this.sample.push(printable(id));
    return false;
  }
}

/** One WARN line for the malformed ids a listing gave, when it gave any. */
export function logMalformed(
  log: Logger,
  origin: Origin,
  what: 'folder' | 'resource' | 'operation',
  ids: MalformedIds,
): void {
  if (ids.count === 0) return;
  log.log(LogLevel.Warn, 'sweep skipped malformed ids', {
    ...origin,
    what,
    count: ids.count,
    ids: ids.sample,
    reason: `the API listed ${what} ids that are not 1 to 50 lowercase letters and digits; nothing is asked about them`,
  });
}
