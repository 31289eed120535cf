import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../cloud/backoff';
import type { BearerToken, CallLimits, RetryOptions } from '../cloud/unary';
import { mapLimited } from '../map-limited';
import type { Guards, SweepSpec } from '../model';
import { filtersRequest } from '../request/sweep/filters';
import { olderThanRequest } from '../request/sweep/thresholds';

export interface HandOffDeps {
  /** Where functions are invoked by id: `https://functions.yandexcloud.net` on the platform. */
  readonly invokeUrl: string;
  /** This function's id (`context.functionName`): the folder sweeps are its own invocations. */
  readonly functionId: string;
  readonly token: BearerToken;
  readonly retry: RetryOptions;
  readonly limits: CallLimits;
}

export interface HandOffs {
  readonly handedOn: readonly string[];
  readonly failed: ReadonlyArray<{ readonly folderId: string; readonly reason: string }>;
}

/** Hand-offs in flight at once: each is one quick HTTP call. */
const HAND_OFF_CONCURRENCY = 8;
const MAX_RETRY_DELAY_MS = 5000;
/** What the platform answers an accepted asynchronous call with (function-invoke-async.md). */
const ACCEPTED = 202;
const RETRYABLE = (status: number) => status === 429 || status >= 500;

/**
 * A folder sweep as this function's hand-off event (src/event/hand-off.ts): the request, in the
 * form any channel takes, and the id of the sweep it belongs to.
 */
export function handOffEvent(spec: SweepSpec, guards: Guards, sweepId: string): object {
  const filters = filtersRequest(spec.filters);
  const request = {
    sweep: {
      folderId: spec.folderId,
      kinds: spec.kinds,
      olderThan: olderThanRequest(spec.olderThanSeconds, spec.kinds),
      ...(spec.notModifiedForSeconds !== undefined && {
        notModifiedFor: `${spec.notModifiedForSeconds}s`,
      }),
      ...(filters !== undefined && { filters }),
      onExcess: spec.onExcess,
    },
    // Guards travel with it: a handed-on sweep is never less careful than the one that made it.
    ...(guards.dryRun && { dryRun: true }),
    ...(guards.minAgeSeconds > 0 && { minAgeSeconds: guards.minAgeSeconds }),
  };
  return { sweepHandOff: { sweepId, request } };
}

class HandOffError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** One asynchronous invocation of this function, with the function's own IAM token. */
async function invokeAsync(body: string, deps: HandOffDeps): Promise<void> {
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
    throw new HandOffError(`no answer: ${reason}`, true);
  }
  if (status !== ACCEPTED) {
    throw new HandOffError(`answered ${status}`, RETRYABLE(status));
  }
}

/** A hand-off with the function's retry policy, inside the time budget; the reason if it failed. */
async function handOffOne(body: string, deps: HandOffDeps): Promise<string | undefined> {
  const policy = { baseDelayMs: deps.retry.retryBaseDelayMs, maxDelayMs: MAX_RETRY_DELAY_MS };
  for (let attempt = 1; ; attempt++) {
    try {
      await invokeAsync(body, deps);
      return undefined;
    } catch (error) {
      const { message, retryable } = error as HandOffError;
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

/**
 * Hands each folder on as an asynchronous invocation of this function, which the platform
 * retries (`retries_count`) and sends to the failure target when they run out.
 */
export async function handOff(
  specs: readonly SweepSpec[],
  guards: Guards,
  sweepId: string,
  deps: HandOffDeps,
): Promise<HandOffs> {
  const reasons = await mapLimited(specs, HAND_OFF_CONCURRENCY, (spec) =>
    handOffOne(JSON.stringify(handOffEvent(spec, guards, sweepId)), deps),
  );
  const handedOn: string[] = [];
  const failed: Array<{ folderId: string; reason: string }> = [];
  specs.forEach((spec, i) => {
    const reason = reasons[i];
    if (reason === undefined) handedOn.push(spec.folderId ?? '');
    else failed.push({ folderId: spec.folderId ?? '', reason });
  });
  return { handedOn, failed };
}
