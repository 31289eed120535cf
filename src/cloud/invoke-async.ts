import type { CallContext } from './calls';
import { callPolicy, retryableHttp, retrying, type Tried } from './retry';

export interface SelfInvokeDeps extends CallContext {
  /** Where functions are invoked by id: `https://functions.yandexcloud.net` on the platform. */
  readonly invokeUrl: string;
  /** This function's id (`context.functionName`): what it hands on are its own invocations. */
  readonly functionId: string;
}

/** What the platform answers an accepted asynchronous call with (function-invoke-async.md). */
const ACCEPTED = 202;

/** One asynchronous invocation of this function, with the function's own IAM token. */
async function invokeAsync(body: string, deps: SelfInvokeDeps): Promise<Tried<void, string>> {
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
    return { ok: false, failure: `no answer: ${reason}`, retryable: true };
  }
  if (status === ACCEPTED) return { ok: true, value: undefined };
  return { ok: false, failure: `answered ${status}`, retryable: retryableHttp(status) };
}

/**
 * One asynchronous invocation of this function with the event `body`, under the function's retry
 * policy and inside the time budget; the reason if it failed, undefined once the platform took it.
 */
export async function invokeSelf(body: string, deps: SelfInvokeDeps): Promise<string | undefined> {
  const { signal, remainingMs } = deps.limits;
  const ended = await retrying(() => invokeAsync(body, deps), {
    policy: callPolicy(deps.retry),
    ...(signal && { signal }),
    ...(remainingMs && { remainingMs }),
  });
  if (ended.ok) return undefined;
  return ended.cut
    ? `${ended.failure}; the time budget ran out`
    : `${ended.failure} after ${ended.attempts} attempt(s)`;
}
