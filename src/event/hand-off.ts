import { RequestError } from '../errors';
import { type Job, Source } from '../model';
import type { Adapter } from './adapter';
import { isObject } from './trigger-message';
import { jobFrom, triggerRefuse, triggerReply } from './trigger-reply';

/** A folder sweep handed on by a sweep of a cloud or of several folders (src/sweep/fan-out.ts). */
export interface HandOffEvent {
  readonly sweepHandOff: {
    readonly sweepId: string;
    readonly request: unknown;
    /** Its share of the fan-out's MAX_CANCELS_PER_INVOCATION. */
    readonly maxCancels?: unknown;
  };
}

const SWEEP_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A hand-off is one folder's sweep; anything wider would let it fan out again. */
function oneFolder(job: Job): Job {
  if (!('request' in job)) return job;
  const { request } = job;
  if (request.kind === 'sweep' && request.sweep.folderId !== undefined) {
    if (request.sweep.cloudId === undefined && request.sweep.folderIds === undefined) return job;
  }
  return {
    origin: job.origin,
    error: new RequestError(
      'a sweep hand-off carries the sweep of one folder (sweep.folderId), so it cannot fan out again',
    ),
  };
}

/**
 * An asynchronous call of this function by one of its own sweeps. It replies as a trigger does:
 * a failure a retry may mend throws, so the platform retries it (`retries_count`) and, when the
 * retries run out, sends it to the version's failure target.
 */
export const handOffAdapter: Adapter<HandOffEvent> = {
  source: Source.FanOut,

  matches: (event): event is HandOffEvent =>
    isObject(event) &&
    Object.keys(event).length === 1 &&
    isObject(event.sweepHandOff) &&
    typeof event.sweepHandOff.sweepId === 'string' &&
    SWEEP_ID.test(event.sweepHandOff.sweepId),

  jobs({ sweepHandOff }, limits) {
    const origin = { source: Source.FanOut, sweepId: sweepHandOff.sweepId };
    return [oneFolder(jobFrom(origin, sweepHandOff.request, limits))];
  },

  // One without a share of its own (or with one that is not a count) gets none: it came from a
  // sweep that shares one cap, or was written by hand to look like one.
  maxCancels: ({ sweepHandOff: { maxCancels } }) =>
    Number.isSafeInteger(maxCancels) && (maxCancels as number) >= 0 ? (maxCancels as number) : 0,

  reply: triggerReply,
  refuse: triggerRefuse,
};
