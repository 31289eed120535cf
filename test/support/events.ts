/**
 * Events as the platform delivers them, for every suite that invokes the function. A test that
 * asserts on an id passes its own, or names the exported default.
 */

import type { Http } from '@yandex-cloud/function-types/dist/src/http';
import type { MessageQueue } from '@yandex-cloud/function-types/dist/src/triggers/messageQueue';

export const TIMER = 'yandex.cloud.events.serverless.triggers.TimerMessage';
export const QUEUE = 'yandex.cloud.events.messagequeue.QueueMessage';
/** A trigger type the function does not handle. */
export const STORAGE = 'yandex.cloud.events.storage.ObjectCreate';

export const TRIGGER_ID = 'a1sfe084v4setrigger';
export const QUEUE_ID = 'yrn:yc:ymq:ru-central1:21i6v06sqmsaoeon7nus:cancel-requests';

const REQUEST_ID = 'cd0d12cd-c5f1-4348-9dff-c50a78f1eb79';
const CREATED_AT = '2026-11-27T10:05:00.000Z';

// Held to the platform's typings, so the defaults keep the shape it sends.
const HTTP_DEFAULTS: Omit<Http.Event, 'body'> = {
  httpMethod: 'POST',
  headers: {
    Accept: '*/*',
    'Content-Type': 'application/json',
    'User-Agent': 'curl/8.5.0',
    'X-Request-Id': REQUEST_ID,
  },
  multiValueHeaders: {
    Accept: ['*/*'],
    'Content-Type': ['application/json'],
    'User-Agent': ['curl/8.5.0'],
    'X-Request-Id': [REQUEST_ID],
  },
  queryStringParameters: { source: 'test' },
  multiValueQueryStringParameters: { source: ['test'] },
  requestContext: {
    identity: { sourceIp: '88.99.0.24', userAgent: 'curl/8.5.0' },
    httpMethod: 'POST',
    requestId: REQUEST_ID,
    requestTime: '27/Nov/2026:10:05:00 +0000',
    requestTimeEpoch: 1795774700,
  },
  isBase64Encoded: false,
};

/**
 * A call through the function's URL or API Gateway; shape from the Yandex Cloud Functions docs'
 * HTTP request format (https://yandex.cloud/en/docs/functions/concepts/function-invoke).
 * `fields` replace the defaults, and may be anything: hostile suites send what the platform never would.
 */
export function httpEvent(body: unknown, fields: Record<string, unknown> = {}) {
  const httpMethod = fields.httpMethod ?? HTTP_DEFAULTS.httpMethod;
  return {
    ...HTTP_DEFAULTS,
    httpMethod,
    requestContext: { ...HTTP_DEFAULTS.requestContext, httpMethod },
    body,
    ...fields,
  };
}

/**
 * One timer tick; shape from the Yandex Cloud Functions docs' timer trigger message format
 * (https://yandex.cloud/en/docs/functions/concepts/trigger/timer). An undefined payload is left
 * out, as for a trigger made without one.
 */
export function timerMessage(payload?: unknown, { triggerId = TRIGGER_ID } = {}) {
  return {
    event_metadata: {
      event_id: 'a1s41g2n5g0oevent',
      event_type: TIMER,
      created_at: CREATED_AT,
      cloud_id: 'b1gvlrnlei4lcloud',
      folder_id: 'b1g88tflru0efolder',
    },
    // The platform's typings predate `payload`.
    details: { trigger_id: triggerId, ...(payload !== undefined && { payload }) },
  };
}

/** A timer trigger's event: one message per tick. */
export function timerEvent(payload?: unknown, options: { triggerId?: string } = {}) {
  return { messages: [timerMessage(payload, options)] };
}

type QueuedMessage = MessageQueue.Event['messages'][number]['details']['message'];

const QUEUED_MESSAGE: Omit<QueuedMessage, 'message_id' | 'body'> = {
  md5_of_body: '',
  attributes: { SentTimestamp: '1795774700000' },
  message_attributes: {},
  md5_of_message_attributes: '',
};

interface QueueOptions {
  queueId?: string;
  messageId?: (index: number) => string;
  eventId?: (index: number) => string;
}

/**
 * The message at `index` of a batch; shape from the Yandex Cloud Functions docs' Message Queue
 * trigger message format (https://yandex.cloud/en/docs/functions/concepts/trigger/ymq-trigger).
 */
export function queueMessage(
  body: unknown,
  index = 0,
  {
    queueId = QUEUE_ID,
    messageId = (i) => `msg-${i}`,
    eventId = (i) => `event-${i}`,
  }: QueueOptions = {},
) {
  return {
    event_metadata: { event_id: eventId(index), event_type: QUEUE, created_at: CREATED_AT },
    details: {
      queue_id: queueId,
      message: { ...QUEUED_MESSAGE, message_id: messageId(index), body },
    },
  };
}

/** A Message Queue trigger's batch, one message per body. */
export function queueEvent(bodies: readonly unknown[], options: QueueOptions = {}) {
  return { messages: bodies.map((body, index) => queueMessage(body, index, options)) };
}
