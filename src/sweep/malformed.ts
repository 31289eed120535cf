import { type Logger, LogLevel } from '../log';
import { OPERATION_ID_PATTERN, type Origin, OVERRIDE_LABEL, type ResourceRef } from '../model';
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

/**
 * Resources whose `canceller-older-than` label is neither a duration nor `never`: counted, the
 * first few named with the value, made printable, so that whoever set it can mend it.
 */
export class MalformedLabels {
  count = 0;
  readonly sample: Array<ResourceRef & { readonly value: string }> = [];

  add(resource: ResourceRef, value: string): void {
    this.count += 1;
    if (this.sample.length < NAMED) {
      this.sample.push({
        kind: resource.kind,
        id: printable(resource.id),
        value: printable(value),
      });
    }
  }
}

/** One WARN line for the malformed override labels a folder's listings showed, when any. */
export function logMalformedLabels(log: Logger, origin: Origin, labels: MalformedLabels): void {
  if (labels.count === 0) return;
  log.log(LogLevel.Warn, 'sweep ignored malformed labels', {
    ...origin,
    label: OVERRIDE_LABEL,
    count: labels.count,
    resources: labels.sample,
    reason: `${OVERRIDE_LABEL} takes a duration such as "30m" (1m to 30d) or "never"; these resources' operations are judged as if it were not set`,
  });
}
