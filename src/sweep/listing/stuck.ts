import type { Operation } from '../../cloud/operation-api';
import type { ResourceRef, SweepSpec } from '../../model';

/** An operation a sweep found running too long, and the resource it was found on. */
export interface Candidate {
  readonly operationId: string;
  readonly createdAt: Date;
  readonly resource: ResourceRef;
}

const ageSeconds = (date: Date | undefined, now: number) =>
  date === undefined || Number.isNaN(date.getTime()) ? undefined : (now - date.getTime()) / 1000;

/**
 * Whether a listed operation is stuck by the sweep's measure: not done, created longer ago than
 * `olderThan` and, if asked, not modified for `notModifiedFor`. A missing timestamp never
 * qualifies: an operation of unknown age is left alone.
 */
export function isStuck(operation: Operation, spec: SweepSpec, now: number): boolean {
  if (operation.done) return false;
  const age = ageSeconds(operation.createdAt, now);
  if (age === undefined || age < spec.olderThanSeconds) return false;
  if (spec.notModifiedForSeconds === undefined) return true;
  const idle = ageSeconds(operation.modifiedAt, now);
  return idle !== undefined && idle >= spec.notModifiedForSeconds;
}

/** Oldest first, one entry per operation however many resources list it. */
export function oldestFirst(candidates: readonly Candidate[]): Candidate[] {
  const unique = new Map(candidates.map((c) => [c.operationId, c]));
  return [...unique.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}
