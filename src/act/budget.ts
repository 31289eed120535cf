/** The part of the invocation context that tells how long the platform will wait. */
export interface TimeContext {
  readonly getRemainingTimeInMillis?: unknown;
}

/**
 * The invocation's own deadline: the platform's timeout less a margin, so that the reply and the
 * summary are written before the platform cuts the invocation off.
 */
export interface Budget {
  /** Aborted when the budget runs out: calls in flight end, waits stop. */
  readonly signal: AbortSignal;
  remainingMs(): number;
  dispose(): void;
}

function platformRemaining(context: TimeContext): number | undefined {
  if (typeof context.getRemainingTimeInMillis !== 'function') return undefined;
  const remaining = Number(context.getRemainingTimeInMillis());
  return Number.isFinite(remaining) ? remaining : undefined;
}

export function createBudget(context: TimeContext, marginMs: number, now = Date.now): Budget {
  const controller = new AbortController();
  const remaining = platformRemaining(context);
  if (remaining === undefined) {
    return { signal: controller.signal, remainingMs: () => Number.POSITIVE_INFINITY, dispose() {} };
  }
  const endsAt = now() + remaining - marginMs;
  const timer = setTimeout(() => controller.abort(), Math.max(0, endsAt - now()));
  timer.unref();
  return {
    signal: controller.signal,
    remainingMs: () => (controller.signal.aborted ? 0 : Math.max(0, endsAt - now())),
    dispose: () => clearTimeout(timer),
  };
}
