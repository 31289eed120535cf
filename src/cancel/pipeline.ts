import { CallError, type Operation, type OperationApi } from '../cloud/operation-api';
import { Outcome } from '../constants';
import type { NamedOperation } from '../events/request';
import { classifyStatus, outcomeAfterCancel, statusOf } from './classify';
import { decide } from './decide';
import type { OperationResult } from './result';

export interface PipelineDeps {
  readonly api: OperationApi;
  readonly token: string;
  readonly now?: () => number;
}

export interface Target {
  readonly named: NamedOperation;
  readonly dryRun: boolean;
}

function described(operation: Operation) {
  return {
    ...(operation.description && { description: operation.description }),
    ...(operation.createdAt && { createdAt: operation.createdAt.toISOString() }),
    ...(operation.createdBy && { createdBy: operation.createdBy }),
  };
}

function failure(error: unknown): Omit<OperationResult, 'operationId' | 'attempts' | 'durationMs'> {
  const cause = error instanceof CallError ? error.cause : error;
  const { outcome, code, retryable } = classifyStatus(statusOf(cause));
  return {
    outcome,
    code,
    message: cause instanceof Error ? cause.message : String(cause),
    ...(outcome === Outcome.Failed && { retryable }),
    ...(error instanceof CallError && error.apiRequestId && { apiRequestId: error.apiRequestId }),
  };
}

/** Get, decide, Cancel, classify: one operation from name to outcome, never throwing for API errors. */
export async function cancelOperation(
  target: Target,
  deps: PipelineDeps,
): Promise<OperationResult> {
  const { named } = target;
  if (!named.valid) {
    return {
      operationId: named.text,
      outcome: Outcome.Invalid,
      message: 'an operation id is 1 to 50 lowercase Latin letters and digits',
      attempts: 0,
      durationMs: 0,
    };
  }
  const now = deps.now ?? Date.now;
  const started = now();
  let attempts = 0;
  let details = {};
  const done = (rest: Omit<OperationResult, 'operationId' | 'attempts' | 'durationMs'>) => ({
    operationId: named.id,
    ...rest,
    ...details,
    attempts,
    durationMs: now() - started,
  });

  try {
    const got = await deps.api.get(named.id, deps.token);
    attempts += got.attempts;
    details = described(got.operation);
    const decision = decide(got.operation, { dryRun: target.dryRun });
    if (decision.action === 'stop') {
      const { outcome, reason } = decision;
      return done({ outcome, ...(reason && { reason }), apiRequestId: got.apiRequestId });
    }
    const cancelled = await deps.api.cancel(named.id, deps.token);
    attempts += cancelled.attempts;
    return done({
      outcome: outcomeAfterCancel(cancelled.operation),
      apiRequestId: cancelled.apiRequestId,
    });
  } catch (error) {
    if (error instanceof CallError) attempts += error.attempts;
    else throw error;
    return done(failure(error));
  }
}
