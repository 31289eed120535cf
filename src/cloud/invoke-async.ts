import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from './backoff';
import type { BearerToken, CallLimits, RetryOptions } from './unary';

export interface SelfInvokeDeps {
  /** Where functions are invoked by id: `https://functions.yandexcloud.net` on the platform. */
  readonly invokeUrl: string;
  /** This function's id (`context.functionName`): what it hands on are its own invocations. */
  readonly functionId: string;
  readonly token: BearerToken;
  readonly retry: RetryOptions;
  readonly limits: CallLimits;
}

const MAX_RETRY_DELAY_MS = 5000;
/** What the platform answers an accepted asynchronous call with (function-invoke-async.md). */
const ACCEPTED = 202;
const RETRYABLE = (status: number) => status === 429 || status >= 500;

class SelfInvokeError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** One asynchronous invocation of this function, with the function's own IAM token. */
async function invokeAsync(body: string, deps: SelfInvokeDeps): Promise<void> {
  const url = `${deps.invokeUrl.replace(/\/+$/, '')}/${deps.functionId}?integration=async`;
  // One of the instance's calls in flight, as every API call is; the timeout runs from the start.
  const post = async () => {
    const timeout = Math.max(
      1,
      Math.min(deps.retry.callTimeoutMs, deps.limits.remainingMs?.() ?? Infinity),
    );
    const signals = [
      AbortSignal.timeout(timeout),
      ...(deps.limits.signal ? [deps.limits.signal] : []),
    ];
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${deps.token.current()}`,
        'Content-Type': 'application/json',
      },
      body,
      signal: AbortSignal.any(signals),
    });
    await response.body?.cancel();
    return response.status;
  };
  let status: number;
  try {
    status = await (deps.limits.slots ? deps.limits.slots.hold(post, deps.limits.signal) : post());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SelfInvokeError(`no answer: ${reason}`, true);
  }
  if (status !== ACCEPTED) {
    throw new SelfInvokeError(`answered ${status}`, RETRYABLE(status));
  }
}

/**
 * One asynchronous invocation of this function with the event `body`, under the function's retry
 * policy and inside the time budget; the reason if it failed, undefined once the platform took it.
 */
export async function invokeSelf(body: string, deps: SelfInvokeDeps): Promise<string | undefined> {
  const policy = { baseDelayMs: deps.retry.retryBaseDelayMs, maxDelayMs: MAX_RETRY_DELAY_MS };
  for (let attempt = 1; ; attempt++) {
    try {
      await invokeAsync(body, deps);
      return undefined;
    } catch (error) {
      const { message, retryable } = error as SelfInvokeError;
      const delay = backoffDelay(attempt - 1, policy);
      const remaining = deps.limits.remainingMs?.() ?? Infinity;
      if (!retryable || attempt > deps.retry.retryAttempts || delay >= remaining) {
        return `${message} after ${attempt} attempt(s)`;
      }
      const slept = await sleep(delay, true, { signal: deps.limits.signal }).catch(() => false);
      if (!slept) return `${message}; the time budget ran out`;
    }
  }
}
