import { Cancellability, cancellabilityOf } from '../cancellable';
import { described } from '../cloud/described';
import { detailsOf, Status, statusOf, unreadableAnswer } from '../cloud/grpc-status';
import type { CallResult, Operation } from '../cloud/operation-api';
import { REFRESH_CUT_SHORT, refreshCut } from '../cloud/unary';
import { CallError, MismatchedAnswer } from '../errors';
import {
  ACTIVE_OPERATIONS_QUOTA,
  type CancelPermits,
  type OperationResult,
  Outcome,
  Reason,
  type Target,
} from '../model';
import type { Budget } from './budget';
import {
  classifyStatus,
  outcomeAfterCancel,
  outcomeAfterUnusableCancel,
  quotaReason,
  timeReason,
} from './classify';
import { decide } from './decide';
import {
  type CallsDeps,
  type Findings,
  hasStatus,
  type OperationCalls,
  operationCalls,
} from './operation-calls';

export interface PipelineDeps extends CallsDeps {
  /** After Cancel, how long to watch a cancelling operation for its end. */
  readonly waitSeconds: number;
  /** The invocation's Cancels left: one is taken just before each Cancel is sent. */
  readonly permits: CancelPermits;
  /**
   * Under a scoped deployment, why a named operation's resource is outside the scope
   * (act/placement.ts), asked just before its Cancel; absent, the deployment reaches any folder.
   */
  readonly outsidePolicy?: (operation: Operation) => Promise<string | undefined>;
}

type Named = Omit<Target, 'origin'> & Partial<Pick<Target, 'origin'>>;

const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 5000;
const OVER_INVOCATION_LIMIT =
  'not cancelled: this invocation sent as many Cancels as MAX_CANCELS_PER_INVOCATION (or its share of a fan-out) allows; name it again in another call';

/** A Cancel that failed so that only a Get after it can tell what it did. */
const unusableCancel = (error: unknown): error is CallError =>
  hasStatus(error, Status.FAILED_PRECONDITION) ||
  (error instanceof CallError && unreadableAnswer(error.cause) !== undefined);

function failure(error: CallError, budget: Budget): Findings {
  const status = statusOf(error.cause);
  const unreadable = unreadableAnswer(error.cause);
  const { outcome, code, retryable } = classifyStatus(status, unreadable);
  // The quota says more of why than the time the retries took.
  const quota = quotaReason(status, detailsOf(error.cause));
  const reason =
    quota ??
    timeReason({
      status,
      ...(unreadable && { unreadable }),
      budgetSpent: budget.signal.aborted || budget.remainingMs() <= 0,
      budgetBound: error.budgetBound,
    });
  return {
    outcome,
    code,
    ...(reason && { reason }),
    message: quota ? `${error.message}; ${ACTIVE_OPERATIONS_QUOTA.said}` : error.message,
    ...(outcome === Outcome.Failed && { retryable }),
    ...error.ids,
  };
}

/** What a call that failed for good means for the operation; anything else is a bug, rethrown. */
function failureOf(error: unknown, budget: Budget): Findings {
  if (error instanceof CallError && refreshCut(error)) {
    return {
      outcome: Outcome.Failed,
      code: 'UNAUTHENTICATED',
      reason: Reason.Deadline,
      retryable: true,
      message: `${error.message}; ${REFRESH_CUT_SHORT}`,
      ...error.ids,
    };
  }
  if (error instanceof CallError) return failure(error, budget);
  if (error instanceof MismatchedAnswer) {
    return { outcome: Outcome.Failed, message: error.message, retryable: false, ...error.ids };
  }
  throw error;
}

/**
 * One operation from name to outcome: Get, decide, Cancel, and, with WAIT_SECONDS, watch it end.
 * API errors become outcomes; only a bug escapes.
 */
export async function cancelOperation(target: Named, deps: PipelineDeps): Promise<OperationResult> {
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
  const calls = operationCalls(named.id, target.origin, deps);
  // What a sweep found it stuck by goes on its line, whatever comes of it.
  if (target.threshold !== undefined) calls.describe({ threshold: target.threshold });
  if (deps.budget.remainingMs() <= 0) {
    return calls.result({ outcome: Outcome.Failed, reason: Reason.Deadline, retryable: true });
  }
  try {
    return calls.result(await script(target, calls, deps));
  } catch (error) {
    return calls.result(failureOf(error, deps.budget));
  }
}

/** Get, decide, and Cancel what the decision and the limits let through; then watch it end. */
async function script(target: Named, calls: OperationCalls, deps: PipelineDeps): Promise<Findings> {
  const got = await calls.getListed();
  calls.describe(described(got.operation));
  const decision = decide(got.operation, { ...target, now: calls.now() });
  if (decision.action === 'stop') {
    const { action: _, ...stopped } = decision;
    return { ...stopped, ...got.ids };
  }
  if (cancellabilityOf(got.operation.metadata?.typeUrl) === Cancellability.Unknown) {
    calls.describe({ cancellability: Cancellability.Unknown });
  }
  const held = await heldBack(target, got, deps);
  if (held !== undefined) return held;
  const cancelled = await calls.cancel().catch((error: unknown) => {
    if (unusableCancel(error)) return error;
    throw error;
  });
  if (cancelled instanceof CallError) return afterUnusableCancel(calls, cancelled, deps.budget);
  const settled = (await watchEnd(calls, cancelled, deps.waitSeconds)) ?? cancelled;
  return { ...outcomeAfterCancel(settled.operation), ...cancelled.ids };
}

/** Why a Cancel the decision allows is not sent: outside the policy, or over the invocation's cap. */
async function heldBack(
  target: Named,
  got: CallResult,
  deps: PipelineDeps,
): Promise<Findings | undefined> {
  // A sweep's candidate was listed in a folder the scope reaches; a named id is placed now.
  const swept = target.origin?.resourceId !== undefined;
  const outside = swept ? undefined : await deps.outsidePolicy?.(got.operation);
  if (outside !== undefined) {
    return { outcome: Outcome.Skipped, reason: Reason.OutsidePolicy, message: outside, ...got.ids };
  }
  if (!deps.permits.take()) {
    return {
      outcome: Outcome.Skipped,
      reason: Reason.OverInvocationLimit,
      message: OVER_INVOCATION_LIMIT,
      ...got.ids,
    };
  }
  return undefined;
}

/** What a Cancel refused, or answered unreadably, meant, as a Get after it tells. */
async function afterUnusableCancel(
  calls: OperationCalls,
  error: CallError,
  budget: Budget,
): Promise<Findings> {
  const after = await calls.get().catch((again: unknown) => {
    if (again instanceof CallError || again instanceof MismatchedAnswer) return undefined;
    throw again;
  });
  const ending = outcomeAfterUnusableCancel(after?.operation, {
    attempts: error.attempts,
    answered: unreadableAnswer(error.cause) !== undefined,
  });
  const failed = failure(error, budget);
  if (ending.outcome === Outcome.NotCancellable) return failed;
  // With no Get to go by, what went wrong with the Cancel is all there is to tell.
  const unknown = after === undefined && { code: failed.code, message: failed.message };
  return { ...unknown, ...ending, ...error.ids };
}

/** Polls Get until the operation ends, the wait runs out, or a poll fails. */
async function watchEnd(
  calls: OperationCalls,
  accepted: CallResult,
  waitSeconds: number,
): Promise<CallResult | undefined> {
  const waitEnds = calls.now() + waitSeconds * 1000;
  let last: CallResult | undefined;
  for (let delay = POLL_FIRST_MS; !(last ?? accepted).operation.done; ) {
    if (delay >= waitEnds - calls.now() || !(await calls.pause(delay))) return last;
    last = await calls.get().catch(() => last);
    delay = Math.min(delay * 2, POLL_MAX_MS);
  }
  return last;
}
