import { setTimeout as sleep } from 'node:timers/promises';
import { Cancellability, cancellabilityOf } from '../cancellable';
import { described } from '../cloud/described';
import { Status, statusOf, unreadableAnswer } from '../cloud/grpc-status';
import type { CallResult, Operation, OperationApi } from '../cloud/operation-api';
import type { InvocationToken } from '../cloud/token';
import { REFRESH_CUT_SHORT, type RetryInfo, refreshCut, withFreshToken } from '../cloud/unary';
import { CallError, MismatchedAnswer } from '../errors';
import { type Logger, LogLevel } from '../log';
import { type CancelPermits, type OperationResult, Outcome, Reason, type Target } from '../model';
import type { Budget } from './budget';
import {
  answerMismatch,
  classifyStatus,
  outcomeAfterCancel,
  outcomeAfterUnusableCancel,
  timeReason,
} from './classify';
import { decide } from './decide';

export interface PipelineDeps {
  readonly api: OperationApi;
  readonly token: InvocationToken;
  readonly budget: Budget;
  /** After Cancel, how long to watch a cancelling operation for its end. */
  readonly waitSeconds: number;
  readonly now?: () => number;
  /** Before a listed operation's second Get after NOT_FOUND; tests shorten it. */
  readonly notFoundPauseMs?: number;
  /** Where a retried Get or Cancel is told of, as a `call retried` WARN line. */
  readonly log?: Logger;
  /** The invocation's Cancels left: one is taken just before each Cancel is sent. */
  readonly permits: CancelPermits;
  /**
   * Under a scoped deployment, why a named operation's resource is outside the scope
   * (act/placement.ts), asked just before its Cancel; absent, the deployment reaches any folder.
   */
  readonly outsidePolicy?: (operation: Operation) => Promise<string | undefined>;
}

type Findings = Omit<OperationResult, 'operationId' | 'attempts' | 'durationMs'>;

const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 5000;
const NOT_FOUND_PAUSE_MS = 1000;
const OVER_INVOCATION_LIMIT =
  'not cancelled: this invocation sent as many Cancels as MAX_CANCELS_PER_INVOCATION (or its share of a fan-out) allows; name it again in another call';

const hasStatus = (error: unknown, status: Status): error is CallError =>
  error instanceof CallError && statusOf(error.cause) === status;

/** A Cancel that failed so that only a Get after it can tell what it did. */
const unusableCancel = (error: unknown): error is CallError =>
  hasStatus(error, Status.FAILED_PRECONDITION) ||
  (error instanceof CallError && unreadableAnswer(error.cause) !== undefined);

function failure(error: CallError, budget: Budget): Findings {
  const status = statusOf(error.cause);
  const unreadable = unreadableAnswer(error.cause);
  const { outcome, code, retryable } = classifyStatus(status, unreadable);
  const reason = timeReason({
    status,
    ...(unreadable && { unreadable }),
    budgetSpent: budget.signal.aborted || budget.remainingMs() <= 0,
    budgetBound: error.budgetBound,
  });
  return {
    outcome,
    code,
    ...(reason && { reason }),
    message: error.message,
    ...(outcome === Outcome.Failed && { retryable }),
    ...error.ids,
  };
}

/**
 * One operation from name to outcome: Get, decide, Cancel, and, with WAIT_SECONDS, watch it end.
 * API errors become outcomes; only a bug escapes.
 */
export async function cancelOperation(
  target: Omit<Target, 'origin'> & Partial<Pick<Target, 'origin'>>,
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
  const { api, budget, token } = deps;
  const now = deps.now ?? Date.now;
  const started = now();
  const { log } = deps;
  const onRetry =
    log &&
    ((info: RetryInfo) =>
      log.log(LogLevel.Warn, 'call retried', {
        ...target.origin,
        operationId: named.id,
        ...info,
      }));
  const limits = {
    signal: budget.signal,
    remainingMs: () => budget.remainingMs(),
    ...(onRetry && { onRetry }),
  };
  let attempts = 0;
  let details = {};
  const done = (findings: Findings): OperationResult => ({
    operationId: named.id,
    ...findings,
    ...details,
    attempts,
    durationMs: now() - started,
  });

  /** A call, retried once with a fresh token if the API refused the one it carried. */
  const send = (method: 'get' | 'cancel'): Promise<CallResult> =>
    withFreshToken(
      token,
      async (bearer) => {
        try {
          const result = await api[method](named.id, bearer, limits);
          attempts += result.attempts;
          return result;
        } catch (error) {
          if (error instanceof CallError) attempts += error.attempts;
          throw error;
        }
      },
      budget.signal,
    );

  /** A call whose answer is about the operation asked about, or a MismatchedAnswer. */
  const call = async (method: 'get' | 'cancel'): Promise<CallResult> => {
    const result = await send(method);
    const asked = method === 'get' ? 'Get' : 'Cancel';
    const mismatch = answerMismatch(asked, named.id, result.operation.id);
    if (mismatch !== undefined) throw new MismatchedAnswer(mismatch, result.ids);
    return result;
  };

  /** Waits a moment inside the budget; false if the budget will not allow it. */
  const pause = async (ms: number) =>
    ms < budget.remainingMs() &&
    (await sleep(ms, true, { signal: budget.signal }).catch(() => false));

  /**
   * Get; for an operation a sweep has just listed, a NOT_FOUND is tried once more after a pause,
   * as the go-sdk's poller ignores its first ones: "the returned operation is not on all
   * replicas yet" (`pkg/operation`, `PollUntilDone`).
   */
  const get = async (): Promise<CallResult> => {
    try {
      return await call('get');
    } catch (error) {
      const listed = target.origin?.resourceId !== undefined;
      if (!listed || !hasStatus(error, Status.NOT_FOUND)) throw error;
      if (!(await pause(deps.notFoundPauseMs ?? NOT_FOUND_PAUSE_MS))) throw error;
      return call('get');
    }
  };

  /** What a Cancel refused, or answered unreadably, meant, as a Get after it tells. */
  const afterUnusableCancel = async (error: CallError): Promise<Findings> => {
    const after = await call('get').catch((again: unknown) => {
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
  };

  if (budget.remainingMs() <= 0) {
    return done({ outcome: Outcome.Failed, reason: Reason.Deadline, retryable: true });
  }
  try {
    const got = await get();
    details = described(got.operation);
    const decision = decide(got.operation, { ...target, now: now() });
    if (decision.action === 'stop') {
      const { action: _, ...stopped } = decision;
      return done({ ...stopped, ...got.ids });
    }
    if (cancellabilityOf(got.operation.metadata?.typeUrl) === Cancellability.Unknown) {
      details = { ...details, cancellability: Cancellability.Unknown };
    }
    // A sweep's candidate was listed in a folder the scope reaches; a named id is placed now.
    const swept = target.origin?.resourceId !== undefined;
    const outside = swept ? undefined : await deps.outsidePolicy?.(got.operation);
    if (outside !== undefined) {
      return done({
        outcome: Outcome.Skipped,
        reason: Reason.OutsidePolicy,
        message: outside,
        ...got.ids,
      });
    }
    if (!deps.permits.take()) {
      return done({
        outcome: Outcome.Skipped,
        reason: Reason.OverInvocationLimit,
        message: OVER_INVOCATION_LIMIT,
        ...got.ids,
      });
    }
    const cancelled = await call('cancel').catch((error: unknown) => {
      if (unusableCancel(error)) return error;
      throw error;
    });
    if (cancelled instanceof CallError) return done(await afterUnusableCancel(cancelled));
    const settled = (await watchEnd(cancelled)) ?? cancelled;
    return done({ ...outcomeAfterCancel(settled.operation), ...cancelled.ids });
  } catch (error) {
    if (error instanceof CallError && refreshCut(error)) {
      const message = `${error.message}; ${REFRESH_CUT_SHORT}`;
      return done({
        outcome: Outcome.Failed,
        code: 'UNAUTHENTICATED',
        reason: Reason.Deadline,
        retryable: true,
        message,
        ...error.ids,
      });
    }
    if (error instanceof CallError) return done(failure(error, budget));
    if (error instanceof MismatchedAnswer) {
      return done({
        outcome: Outcome.Failed,
        message: error.message,
        retryable: false,
        ...error.ids,
      });
    }
    throw error;
  }

  /** Polls Get until the operation ends, the wait runs out, or a poll fails. */
  async function watchEnd(accepted: CallResult): Promise<CallResult | undefined> {
    const waitEnds = now() + deps.waitSeconds * 1000;
    let last: CallResult | undefined;
    for (let delay = POLL_FIRST_MS; !(last ?? accepted).operation.done; ) {
      if (delay >= waitEnds - now() || !(await pause(delay))) return last;
      last = await call('get').catch(() => last);
      delay = Math.min(delay * 2, POLL_MAX_MS);
    }
    return last;
  }
}
