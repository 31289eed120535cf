import { CancellerError } from '../errors';

/** What a race against the time budget says when it loses: before the work began, or during it. */
export interface OutOfTime {
  readonly before: string;
  readonly during: string;
}

/** The words for `what` ("getting an IAM token") when no time was left for it, or to finish it. */
export const outOfTimeFor = (what: string): OutOfTime => ({
  before: `no time left for ${what}`,
  during: `the time budget ran out while ${what}`,
});

/**
 * `work`, or a CancellerError once `signal` (the time budget's) aborts: what is awaited must not
 * outlive the budget. The work itself goes on, for whoever else waits on it.
 */
export function beforeSignal<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  said: OutOfTime,
): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    // Left unawaited, a later failure of the work would be an unhandled rejection, and the end
    // of the process for every invocation on it.
    work.catch(() => {});
    return Promise.reject(new CancellerError(said.before));
  }
  let onAbort = () => {};
  const ended = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CancellerError(said.during));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, ended]).finally(() => signal.removeEventListener('abort', onAbort));
}
