import { inTimestampRange } from '../../cloud/described';
import type { Operation } from '../../cloud/operation-api';
import {
  OLDEST_RUNNING_NAMED,
  OPERATION_ID_PATTERN,
  type ResourceRef,
  type RunningOperation,
} from '../../model';
import { shortened } from '../../printable';

/** What a named running operation's description is cut to: the API's own limit is 256. */
const NAMED_TEXT = 256;

/**
 * The folder's running operations as its listings go: how many (each once, however many resources
 * list it), and the oldest few, which hold the folder's active-operations quota longest.
 */
export interface RunningTally {
  /** A listed operation on one of the folder's resources; a done one is not counted. */
  saw(operation: Operation, resource: ResourceRef): void;
  readonly count: number;
  /** The oldest OLDEST_RUNNING_NAMED, oldest first, with their ages at `now`. */
  oldest(now: number): RunningOperation[];
}

interface Kept {
  readonly operation: Operation;
  readonly resource: ResourceRef;
  readonly createdMs: number;
}

/**
 * Ids remembered to count each operation once: far more than a folder's quota lets run, few
 * enough to stay small whatever a server lists; past them, each listing counts.
 */
export function runningTally(remembered: number): RunningTally {
  const seen = new Set<string>();
  const kept: Kept[] = [];
  let count = 0;
  const keep = (entry: Kept) => {
    const last = kept[OLDEST_RUNNING_NAMED - 1];
    if (last !== undefined && entry.createdMs >= last.createdMs) return;
    if (kept.some((k) => k.operation.id === entry.operation.id)) return;
    kept.push(entry);
    kept.sort((a, b) => a.createdMs - b.createdMs);
    kept.length = Math.min(kept.length, OLDEST_RUNNING_NAMED);
  };
  return {
    saw(operation, resource) {
      if (operation.done) return;
      if (seen.has(operation.id)) return;
      if (seen.size < remembered) seen.add(operation.id);
      count += 1;
      const created = operation.createdAt;
      // Only an operation of known age, with an id the rule allows, may be named as the oldest.
      if (created === undefined || !inTimestampRange(created)) return;
      if (!OPERATION_ID_PATTERN.test(operation.id)) return;
      keep({ operation, resource, createdMs: created.getTime() });
    },
    get count() {
      return count;
    },
    oldest: (now) =>
      kept.map(({ operation, resource, createdMs }) => ({
        operationId: operation.id,
        ...(operation.description && {
          description: shortened(operation.description, NAMED_TEXT),
        }),
        ageSeconds: Math.max(0, Math.floor((now - createdMs) / 1000)),
        resourceKind: resource.kind,
        resourceId: resource.id,
      })),
  };
}
