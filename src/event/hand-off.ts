import { Source } from '../model';
import type { Adapter } from './adapter';
import { isObject } from './trigger-message';
import { jobFrom, triggerRefuse, triggerReply } from './trigger-reply';

/** A folder sweep handed on by a sweep of a cloud or of several folders (src/sweep/fan-out.ts). */
export interface HandOffEvent {
  readonly sweepHandOff: { readonly sweepId: string; readonly request: unknown };
}

const SWEEP_ID = /^[A-Za-z0-9._-]{1,64}$/;

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
    return [jobFrom(origin, sweepHandOff.request, limits)];
  },

  reply: triggerReply,
  refuse: triggerRefuse,
};
