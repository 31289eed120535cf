import type { Timer } from '@yandex-cloud/function-types/dist/src/triggers/timer';
import { RequestError } from '../errors';
import { type Job, Source } from '../model';
import type { Adapter } from './adapter';
import { batchBound } from './batch-bound';
import { isTriggerEvent, stringField, type TriggerMessage } from './trigger-message';
import { jobFrom, triggerRefuse, triggerReply } from './trigger-reply';

const EVENT_TYPE: Timer.Event['messages'][number]['event_metadata']['event_type'] =
  'yandex.cloud.events.serverless.triggers.TimerMessage';

/** The platform's timer event; the typings predate `details.payload`, a string of up to 4096 characters. */
type TimerEvent = { messages: TriggerMessage[] };

export const timerAdapter: Adapter<TimerEvent> = {
  source: Source.Timer,

  matches: (event): event is TimerEvent => isTriggerEvent(event, EVENT_TYPE),

  // The platform sends one message per event; one forged with many is held to the same bound as
  // a queue's batch, and what is past it refused by name.
  jobs(event, limits) {
    const batch = batchBound(limits.maxOperations);
    return event.messages.flatMap((message): Job[] => {
      const triggerId = stringField(message.details, 'trigger_id');
      const origin = { source: Source.Timer, ...(triggerId && { triggerId }) };
      const payload = message.details.payload;
      // A trigger made without a payload names nothing: that is a quiet run, not an error.
      if (payload === undefined || payload === null) return [];
      if (typeof payload !== 'string') {
        return [{ origin, error: new RequestError('the timer payload is not a string') }];
      }
      if (payload.trim() === '') return [];
      return [batch.admit({ origin, text: payload }, () => jobFrom(origin, payload, limits))];
    });
  },

  reply: triggerReply,
  refuse: triggerRefuse,
};
