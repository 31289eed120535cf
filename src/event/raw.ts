import { RequestError } from '../errors';
import { Source } from '../model';
import { printable } from '../printable';
import { replyBody } from '../report/reply-body';
import { parseRequest } from '../request/parse';
import { type Adapter, refusalOf } from './adapter';
import { isObject } from './trigger-message';
import { triggerRefuse } from './trigger-reply';

const TYPES_SHOWN = 3;
const HANDLED = new Set([
  'yandex.cloud.events.serverless.triggers.TimerMessage',
  'yandex.cloud.events.messagequeue.QueueMessage',
]);

/**
 * Why an event shaped like a trigger batch matched no trigger adapter, or undefined when it is
 * not shaped like one (and so is a raw request).
 */
function triggerTrouble(event: unknown): string | undefined {
  if (!isObject(event) || !('messages' in event)) return undefined;
  const { messages } = event;
  if (!Array.isArray(messages) || messages.length === 0) {
    return 'the trigger event has no messages';
  }
  const types = new Set(
    messages.map((m) => {
      const type =
        isObject(m) && isObject(m.event_metadata) ? m.event_metadata.event_type : undefined;
      return typeof type === 'string' ? printable(type, 100) : 'unknown';
    }),
  );
  if (types.size > 1) {
    const named = [...types].slice(0, TYPES_SHOWN).join(', ');
    const more = types.size > TYPES_SHOWN ? ` and ${types.size - TYPES_SHOWN} more` : '';
    return `the batch mixes event types (${named}${more})`;
  }
  const [type] = types as Set<string>;
  if (HANDLED.has(type as string)) {
    return `the ${type} event is malformed: each message needs event_metadata and a details object`;
  }
  return `events of type ${JSON.stringify(type)} are not handled; use a timer or Message Queue trigger, HTTP, or a raw request`;
}

/**
 * The Node.js runtime `JSON.parse`s raw invocation data and hands over what does not parse as
 * `{"payload": "<the text>"}`, and no data at all as `{"payload": ""}` (the public dump of the
 * runtime, vitalets/yandex-cloud-fn-internals `function/runtime/runtime.js`, `parseJsonPayload`).
 * An object with that one string field is therefore the caller's text, not a request object.
 */
function wrappedText(event: unknown): string | undefined {
  if (!isObject(event) || typeof event.payload !== 'string') return undefined;
  return Object.keys(event).length === 1 ? event.payload : undefined;
}

/**
 * `yc serverless function invoke -d`, `?integration=raw` and asynchronous calls: the event is
 * the request itself. It is the fallback, so it must be the last adapter asked.
 */
export const rawAdapter: Adapter = {
  source: Source.Raw,

  matches: (_event): _event is unknown => true,

  jobs(event, limits) {
    const trouble = triggerTrouble(event);
    if (trouble !== undefined) throw new RequestError(trouble);
    const text = wrappedText(event);
    // No data names nothing, as a timer without a payload: a quiet run, not a refusal.
    if (text?.trim() === '') return [];
    return [{ origin: { source: Source.Raw }, request: parseRequest(text ?? event, limits) }];
  },

  reply(report) {
    const refusal = refusalOf(report);
    return refusal === undefined ? replyBody(report) : triggerRefuse(refusal);
  },
  refuse: triggerRefuse,
};
