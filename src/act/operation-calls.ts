import { setTimeout as sleep } from 'node:timers/promises';
import { Status, statusOf } from '../cloud/grpc-status';
import type { CallResult, OperationApi } from '../cloud/operation-api';
import type { InvocationToken } from '../cloud/token';
import { type RetryInfo, withFreshToken } from '../cloud/unary';
import { CallError, MismatchedAnswer } from '../errors';
import { type Logger, LogLevel } from '../log';
import type { OperationResult, Origin } from '../model';
import type { Budget } from './budget';
import { answerMismatch } from './classify';

/** What one operation's calls are made with. */
export interface CallsDeps {
  readonly api: OperationApi;
  readonly token: InvocationToken;
  readonly budget: Budget;
  readonly now?: () => number;
  /** Before a listed operation's second Get after NOT_FOUND; tests shorten it. */
  readonly notFoundPauseMs?: number;
  /** Where a retried Get or Cancel is told of, as a `call retried` WARN line. */
  readonly log?: Logger;
}

/** What a result says of its operation, less what the calls themselves tell. */
export type Findings = Omit<OperationResult, 'operationId' | 'attempts' | 'durationMs'>;

/** One operation's Gets and Cancel, and the result they add up to. */
export interface OperationCalls {
  /** Get, its answer checked to be about the operation asked about. */
  get(): Promise<CallResult>;
  /**
   * Get; for an operation a sweep has just listed, a NOT_FOUND is tried once more after a pause,
   * as the go-sdk's poller ignores its first ones: "the returned operation is not on all
   * replicas yet" (`pkg/operation`, `PollUntilDone`).
   */
  getListed(): Promise<CallResult>;
  /** Cancel, its answer checked as Get's is. */
  cancel(): Promise<CallResult>;
  /** Waits a moment inside the budget; false if the budget will not allow it. */
  pause(ms: number): Promise<boolean>;
  now(): number;
  /** Adds what is known of the operation (its description, its cancellability) to its result. */
  describe(details: object): void;
  /** The operation's result: the findings, what is known of it, the attempts, the time taken. */
  result(findings: Findings): OperationResult;
}

const NOT_FOUND_PAUSE_MS = 1000;

export const hasStatus = (error: unknown, status: Status): error is CallError =>
  error instanceof CallError && statusOf(error.cause) === status;

/**
 * The calls about one operation: each made with the invocation's token (replaced once if the API
 * refuses it), each one's attempts counted, each answer checked to be about this operation.
 */
export function operationCalls(
  id: string,
  origin: Origin | undefined,
  deps: CallsDeps,
): OperationCalls {
  const { api, budget, token, log } = deps;
  const now = deps.now ?? Date.now;
  const started = now();
  const onRetry =
    log &&
    ((info: RetryInfo) =>
      log.log(LogLevel.Warn, 'call retried', { ...origin, operationId: id, ...info }));
  const limits = {
    signal: budget.signal,
    remainingMs: () => budget.remainingMs(),
    ...(onRetry && { onRetry }),
  };
  let attempts = 0;
  let details = {};

  /** A call, retried once with a fresh token if the API refused the one it carried. */
  const send = (method: 'get' | 'cancel'): Promise<CallResult> =>
    withFreshToken(
      token,
      async (bearer) => {
        try {
          const result = await api[method](id, bearer, limits);
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
    const mismatch = answerMismatch(method === 'get' ? 'Get' : 'Cancel', id, result.operation.id);
    if (mismatch !== undefined) throw new MismatchedAnswer(mismatch, result.ids);
    return result;
  };

  const pause = async (ms: number) =>
    ms < budget.remainingMs() &&
    (await sleep(ms, true, { signal: budget.signal }).catch(() => false));

  return {
    get: () => call('get'),
    async getListed() {
      try {
        return await call('get');
      } catch (error) {
        const listed = origin?.resourceId !== undefined;
        if (!listed || !hasStatus(error, Status.NOT_FOUND)) throw error;
        if (!(await pause(deps.notFoundPauseMs ?? NOT_FOUND_PAUSE_MS))) throw error;
        return call('get');
      }
    },
    cancel: () => call('cancel'),
    pause,
    now,
    describe(more) {
      details = { ...details, ...more };
    },
    result: (findings) => ({
      operationId: id,
      ...findings,
      ...details,
      attempts,
      durationMs: now() - started,
    }),
  };
}
