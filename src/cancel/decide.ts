import type { Operation } from '../cloud/operation-api';
import { Outcome, SkipReason } from '../constants';

export type Decision =
  | { readonly action: 'cancel' }
  | { readonly action: 'stop'; readonly outcome: Outcome; readonly reason?: SkipReason };

export interface DecisionInput {
  readonly dryRun: boolean;
}

/** Whether to cancel an operation, from what Get returned: pure, so it is tested with a table. */
export function decide(operation: Operation, { dryRun }: DecisionInput): Decision {
  if (operation.done) return { action: 'stop', outcome: Outcome.AlreadyDone };
  if (dryRun) return { action: 'stop', outcome: Outcome.Skipped, reason: SkipReason.DryRun };
  return { action: 'cancel' };
}
