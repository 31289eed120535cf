import { Source } from '../constants';
import { RequestError } from '../errors';
import { parseRequest } from './request';
import type { TriggerMessage } from './trigger-message';
import { isObject } from './trigger-message';
import { triggerRefuse } from './trigger-reply';
import type { Adapter } from './types';

function eventTypeOf(event: unknown): string | undefined {
  if (!isObject(event) || !Array.isArray(event.messages)) return undefined;
  const [first] = event.messages as Partial<TriggerMessage>[];
  return first?.event_metadata?.event_type ?? 'unknown';
}

/**
 * `yc serverless function invoke -d`, `?integration=raw` and asynchronous calls: the event is
 * the request itself. It is the fallback, so it must be the last adapter asked.
 */
export const rawAdapter: Adapter = {
  source: Source.Raw,

  matches: (_event): _event is unknown => true,

  jobs(event, limits) {
    const eventType = eventTypeOf(event);
    if (eventType !== undefined) {
      throw new RequestError(
        `events of type ${JSON.stringify(eventType.slice(0, 100))} are not handled; use a timer or Message Queue trigger, HTTP, or a raw request`,
      );
    }
    return [{ origin: { source: Source.Raw }, request: parseRequest(event, limits) }];
  },

  reply: (report) => report,
  refuse: triggerRefuse,
};
