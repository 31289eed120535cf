import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from './backoff';

/** The function's settings for its API calls: CALL_TIMEOUT_MS, RETRY_ATTEMPTS, RETRY_BASE_DELAY_MS. */
export interface RetryOptions {
  readonly callTimeoutMs: number;
  readonly retryAttempts: number;
  readonly retryBaseDelayMs: number;
}

/** How often a failure is tried, and how long apart. */
export interface RetryPolicy {
  /** Attempts in all, the first among them. */
  readonly attempts: number;
  /** The wait before retry number `retry` (0 for the first). */
  delayMs(retry: number): number;
}

/** However far the backoff has grown, a retry waits no longer than this. */
const MAX_RETRY_DELAY_MS = 5000;

/**
 * The policy of every call to the cloud, the function's own invocations among them:
 * RETRY_ATTEMPTS retries, with exponential backoff and full jitter.
 */
export function callPolicy({ retryAttempts, retryBaseDelayMs }: RetryOptions): RetryPolicy {
  const backoff = { baseDelayMs: retryBaseDelayMs, maxDelayMs: MAX_RETRY_DELAY_MS };
  return { attempts: retryAttempts + 1, delayMs: (retry) => backoffDelay(retry, backoff) };
}

/** An HTTP answer a later attempt may well not get: throttled, or the server's trouble. */
export const retryableHttp = (status: number): boolean => status === 429 || status >= 500;

/** One attempt's outcome: a value, or a failure that another attempt may or may not mend. */
export type Tried<T, F> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: F; readonly retryable: boolean };

/** The last attempt's outcome, how many attempts there were, and whether the budget cut a wait. */
export type Retried<T, F> = Tried<T, F> & { readonly attempts: number; readonly cut: boolean };

export interface RetryPlan<F> {
  readonly policy: RetryPolicy;
  /** The time budget's: no retry starts, nor any wait goes on, once it aborts. */
  readonly signal?: AbortSignal;
  /** The time left: a retry whose wait would not end before it is not made. */
  readonly remainingMs?: () => number;
  /** Told of each retry before its wait, so a caller with a logger can say so. */
  onRetry?(retry: {
    readonly attempt: number;
    readonly failure: F;
    readonly delayMs: number;
  }): void;
}

/**
 * The one retry loop of the function's calls (gRPC, its own invocations, webhooks and Monitoring,
 * the metadata service): `attempt` until one succeeds, or its failure is not retryable, the
 * policy's attempts are spent, or the time left cannot hold the wait before the next.
 */
export async function retrying<T, F>(
  attempt: (n: number) => Promise<Tried<T, F>>,
  { policy, signal, remainingMs = () => Number.POSITIVE_INFINITY, onRetry }: RetryPlan<F>,
): Promise<Retried<T, F>> {
  for (let n = 1; ; n++) {
    const tried = await attempt(n);
    const ended = { ...tried, attempts: n, cut: false };
    if (tried.ok || !tried.retryable || n >= policy.attempts || signal?.aborted) return ended;
    const delayMs = policy.delayMs(n - 1);
    if (delayMs >= remainingMs()) return ended;
    try {
      onRetry?.({ attempt: n, failure: tried.failure, delayMs });
    } catch {
      // Telling of a retry must not be what fails the call.
    }
    if (delayMs > 0 && !(await sleep(delayMs, true, { signal }).catch(() => false))) {
      return { ...ended, cut: true };
    }
  }
}
