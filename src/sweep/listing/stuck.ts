import { described, inTimestampRange } from '../../cloud/described';
import type { Operation } from '../../cloud/operation-api';
import {
  type OperationResult,
  Outcome,
  type Reason,
  type RequestIds,
  type ResourceRef,
  type ThresholdUsed,
} from '../../model';

/** An operation a sweep found running too long, and the resource it was found on. */
export interface Candidate {
  readonly operationId: string;
  readonly createdAt: Date;
  readonly resource: ResourceRef;
  /** What its age was compared with, and where that came from: the sweep always says. */
  readonly threshold?: ThresholdUsed;
}

/** A stuck operation of a report-only kind, with the ListOperations call that found it. */
export interface Sighting extends Candidate {
  readonly operation: Operation;
  readonly attempts: number;
  readonly ids: RequestIds;
  /** Reported rather than a candidate: the API cannot cancel it. */
  readonly reported: boolean;
  /** Why it is reported though its kind is cancellable: a method the API cannot cancel. */
  readonly reason?: Reason;
}

/** A time outside Timestamp's range is no time at all: it must not make the oldest candidate. */
const ageSeconds = (date: Date | undefined, now: number) =>
  date === undefined || !inTimestampRange(date) ? undefined : (now - date.getTime()) / 1000;

/** The measure of stuck for one kind: its `olderThan`, and the sweep's `notModifiedFor`. */
export interface Threshold {
  readonly olderThanSeconds: number;
  readonly notModifiedForSeconds?: number | undefined;
}

/**
 * Whether a listed operation is stuck by the sweep's measure: not done, created longer ago than
 * `olderThan` and, if asked, not modified for `notModifiedFor`. A missing or out-of-range
 * timestamp never qualifies: an operation of unknown age is left alone.
 */
export function isStuck(operation: Operation, threshold: Threshold, now: number): boolean {
  if (operation.done) return false;
  const age = ageSeconds(operation.createdAt, now);
  if (age === undefined || age < threshold.olderThanSeconds) return false;
  if (threshold.notModifiedForSeconds === undefined) return true;
  const idle = ageSeconds(operation.modifiedAt, now);
  return idle !== undefined && idle >= threshold.notModifiedForSeconds;
}

/** Oldest first, one entry per operation however many resources list it. */
export function oldestFirst<C extends Candidate>(candidates: readonly C[]): C[] {
  const unique = new Map(candidates.map((c) => [c.operationId, c]));
  return [...unique.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/**
 * A sighting as its result: nothing was asked of the operation, so the result says what the
 * listing showed, where, and which call showed it, for whoever takes it up with support.
 */
export function stuckResult(sighting: Sighting, now: number): OperationResult {
  const { operation, resource, attempts, ids, reason, threshold } = sighting;
  const age = ageSeconds(operation.createdAt, now);
  return {
    operationId: sighting.operationId,
    outcome: Outcome.Stuck,
    ...(reason !== undefined && { reason }),
    ...described(operation),
    ...(age !== undefined && { ageSeconds: Math.floor(age) }),
    ...(threshold !== undefined && { threshold }),
    resourceKind: resource.kind,
    resourceId: resource.id,
    attempts,
    durationMs: 0,
    ...ids,
  };
}
