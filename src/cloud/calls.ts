import type { RetryOptions } from './retry';
import {
  type Answer,
  type BearerToken,
  type CallLimits,
  callWithRetries,
  methodAt,
  type RpcMethod,
  rpcName,
  withFreshToken,
} from './unary';

/** What every call of an invocation is made with: its token, the retry settings, its bounds. */
export interface CallContext {
  /** The invocation's token, renewed once for all its calls if the API refuses it. */
  readonly token: BearerToken;
  readonly retry: RetryOptions;
  /** The invocation's budget and the instance's slots, which every call keeps to. */
  readonly limits: CallLimits;
}

/** The calls of an invocation to one service: its context, and where the service is. */
export interface ServiceCalls extends CallContext {
  readonly endpoint: string;
}

/** Where a call goes and what it asks: a method of a service at an endpoint, about a subject. */
export interface CallSite<Req, Res> {
  readonly endpoint: string;
  readonly rpc: RpcMethod<Req, Res>;
  /** What the call is about, as its errors and retry lines name it: `folder b1g…`. */
  readonly subject: string;
}

/**
 * One call to the cloud in the invocation's context: retried by the function's policy, and made
 * once more with a fresh token if the API refused the one it carried.
 */
export function callAt<Req, Res>(
  calls: CallContext,
  { endpoint, rpc, subject }: CallSite<Req, Res>,
  request: Req,
): Promise<Answer<Res>> {
  const name = { method: rpcName(rpc), subject, endpoint };
  const method = methodAt(endpoint, rpc);
  const { callTimeoutMs, retryAttempts, retryBaseDelayMs } = calls.retry;
  const options = { callTimeoutMs, retryAttempts, retryBaseDelayMs, ...calls.limits };
  return withFreshToken(
    calls.token,
    (bearer) => callWithRetries(name, method, request, bearer, options),
    calls.limits.signal,
  );
}
