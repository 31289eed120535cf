import { SlotWaitError } from '../errors';

/**
 * A bound on the API calls in flight, shared by every invocation a warm instance runs at once:
 * CONCURRENCY bounds one invocation's operations, so without it the platform's `concurrency`
 * setting multiplies the load on the API.
 */
export interface Slots {
  /**
   * `work`, started once a slot is free and holding it until it settles. Rejects without
   * starting it if `signal` aborts first, so a wait never outlasts the invocation's time budget.
   */
  hold<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export function createSlots(max: number): Slots {
  let free = max;
  // Insertion-ordered, so slots go first come, first served; a Set, so an abort leaves in O(1).
  const waiting = new Set<() => void>();

  const acquire = (signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new SlotWaitError(max, { cause: signal.reason }));
        return;
      }
      if (free > 0) {
        free -= 1;
        resolve();
        return;
      }
      const onAbort = () => {
        waiting.delete(grant);
        reject(new SlotWaitError(max, { cause: signal?.reason }));
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      waiting.add(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  // A freed slot passes straight to the longest waiter, so a newcomer cannot take it first.
  const release = () => {
    const [next] = waiting;
    if (next === undefined) {
      free += 1;
      return;
    }
    waiting.delete(next);
    next();
  };

  return {
    async hold(work, signal) {
      await acquire(signal);
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
