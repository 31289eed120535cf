import type { Operation } from '../cloud/operation-api';
import { Outcome, Reason } from '../model';

export type Decision =
  | { readonly action: 'cancel' }
  | { readonly action: 'stop'; readonly outcome: Outcome; readonly reason?: Reason };

export interface DecisionInput {
  readonly dryRun: boolean;
  /** An operation younger than this is left alone; one with no creation time counts as young. */
  readonly minAgeSeconds: number;
  readonly now: number;
}

function tooYoung(operation: Operation, { minAgeSeconds, now }: DecisionInput): boolean {
  if (minAgeSeconds <= 0) return false;
  const created = operation.createdAt?.getTime();
  return created === undefined || Number.isNaN(created) || now - created < minAgeSeconds * 1000;
}

/** Whether to cancel an operation, from what Get returned: pure, so it is tested with a table. */
export function decide(operation: Operation, input: DecisionInput): Decision {
  if (operation.done) return { action: 'stop', outcome: Outcome.AlreadyDone };
  if (tooYoung(operation, input)) {
    return { action: 'stop', outcome: Outcome.Skipped, reason: Reason.TooYoung };
  }
  if (input.dryRun) return { action: 'stop', outcome: Outcome.Skipped, reason: Reason.DryRun };
  return { action: 'cancel' };
}
