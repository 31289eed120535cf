import type { MessageQueue } from '@yandex-cloud/function-types/dist/src/triggers/messageQueue';
import { RequestError } from '../errors';
import { type Job, Source } from '../model';
import type { Adapter } from './adapter';
import { batchBound } from './batch-bound';
import { isObject, isTriggerEvent, stringField, type TriggerMessage } from './trigger-message';
import { jobFrom, triggerRefuse, triggerReply } from './trigger-reply';

const EVENT_TYPE: MessageQueue.Event['messages'][number]['event_metadata']['event_type'] =
  'yandex.cloud.events.messagequeue.QueueMessage';

type QueueEvent = { messages: TriggerMessage[] };

/**
 * Each message of a Message Queue batch (1 to 1000) is a request of its own. Messages past the
 * invocation's bound are handed on, unread, as a batch of their own (src/act/hand-on.ts).
 */
export const queueAdapter: Adapter<QueueEvent> = {
  source: Source.Queue,

  matches: (event): event is QueueEvent => isTriggerEvent(event, EVENT_TYPE),

  jobs(event, limits) {
    const batch = batchBound(limits.maxOperations);
    return event.messages.map((message): Job => {
      const queueId = stringField(message.details, 'queue_id');
      const body = isObject(message.details.message) ? message.details.message : {};
      const messageId = stringField(body, 'message_id');
      const origin = {
        source: Source.Queue,
        ...(queueId && { queueId }),
        ...(messageId && { messageId }),
      };
      const text = stringField(body, 'body');
      if (text === undefined) {
        return { origin, error: new RequestError('the queue message has no text body') };
      }
      return batch.admit({ origin, text, leftover: message }, () => jobFrom(origin, text, limits));
    });
  },

  reply: triggerReply,
  refuse: triggerRefuse,
};
