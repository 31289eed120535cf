import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CancellerError, RequestError, UnauthorizedError } from '../../src/errors';
import { adapterFor } from '../../src/event';
import type { Adapter, AdapterSettings } from '../../src/event/adapter';
import type { Job } from '../../src/model';
import {
  anyValue,
  base64,
  CONTROL,
  expectReadable,
  MAX_BODY_BYTES,
  VALID_ID,
} from '../requests/corpus';
import {
  httpEvent,
  QUEUE,
  queueEvent,
  STORAGE,
  TIMER,
  timerEvent,
  timerMessage,
} from '../support/events';
import { OPEN_POLICY } from '../support/policy';
import { operationsOf } from '../support/requests';

const RUNS = { numRuns: 200 } as const;
const SOURCES = ['http', 'timer', 'queue', 'raw'];

function expectJob(job: Job, source: string): void {
  expect(job.origin.source).toBe(source);
  for (const value of Object.values(job.origin)) expect(typeof value).toBe('string');
  if ('error' in job) {
    expect(job.error).toBeInstanceOf(RequestError);
    expectReadable(job.error.message);
    return;
  }
  // A queue message past the bound is handed on whole, as the event held it.
  if ('deferred' in job) {
    expect(source).toBe('queue');
    return;
  }
  const operations = operationsOf(job.request);
  expect(operations.length).toBeGreaterThan(0);
  for (const named of operations) {
    if (named.valid) expect(named.id).toMatch(VALID_ID);
  }
}

/** The reply when the event as a whole is refused: HTTP's response, or `{error: {message}}`. */
function expectRefusal(adapter: Adapter, error: CancellerError): void {
  const reply = adapter.refuse(error) as Record<string, unknown>;
  if (adapter.source !== 'http') {
    expect(Object.keys(reply)).toEqual(['error']);
    expect(Object.keys(reply.error as object)).toEqual(['message']);
    expectReadable((reply.error as { message: unknown }).message);
    return;
  }
  expect([400, 401, 405, 413]).toContain(reply.statusCode);
  expect(reply.headers).toMatchObject({ 'Content-Type': 'application/json' });
  expect(reply.isBase64Encoded).toBe(false);
  const body = JSON.parse(reply.body as string) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['error']);
  expectReadable((body.error as { message: unknown }).message);
  if (error instanceof UnauthorizedError) expect(reply.statusCode).toBe(401);
  if (error instanceof RequestError) expect(reply.statusCode).toBe(error.status);
  if (reply.statusCode === 405) expect(reply.headers).toMatchObject({ Allow: 'POST' });
}

/** Jobs, or a refusal that is a CancellerError with a well-formed reply: never anything else. */
function exercise(event: unknown, settings: AdapterSettings) {
  const adapter = adapterFor(event);
  expect(SOURCES).toContain(adapter.source);
  expect(adapter.matches(event)).toBe(true);
  let jobs: Job[];
  try {
    jobs = adapter.jobs(event, settings);
  } catch (error) {
    if (!(error instanceof RequestError || error instanceof UnauthorizedError)) throw error;
    expectReadable(error.message);
    expectRefusal(adapter, error);
    return { adapter, refused: error };
  }
  expect(Array.isArray(jobs)).toBe(true);
  for (const job of jobs) expectJob(job, adapter.source);
  return { adapter, jobs };
}

// Arbitraries.

const validId = fc.stringMatching(/^[a-z0-9]{1,50}$/);
const idText = fc
  .array(fc.oneof(validId, fc.string({ unit: 'binary', maxLength: 30 })), { maxLength: 12 })
  .chain((ids) =>
    fc.constantFrom(
      ids.join(' '),
      ids.join(','),
      JSON.stringify(ids),
      `{"operationIds":${JSON.stringify(ids)}}`,
    ),
  );
const bodyText = fc.oneof(
  idText,
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('', ' ', '{', '[', '{"__proto__": {"polluted": 1}}', '\u0000', 'fd8٠١٢'),
);
const junk = fc.anything({ maxDepth: 3, withBigInt: true, withBoxedValues: true, withMap: true });
const settings = fc.record({
  maxOperations: fc.integer({ min: 1, max: 20 }),
  httpApiKey: fc.constantFrom(undefined, 'k3y'),
  policy: fc.constant(OPEN_POLICY),
});

const method = fc.oneof(
  fc.constantFrom('POST', 'post', 'Post', 'GET', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', ''),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 17, maxLength: 400, size: 'max' }),
  fc
    .tuple(fc.string({ unit: 'binary', maxLength: 20 }), fc.integer({ min: 1, max: 20_000 }))
    .map(([start, length]) => `${start}${'\u001b'.repeat(length)}`),
);
const headers = fc.oneof(
  fc.constantFrom(undefined, null, 'X-Api-Key: k3y', 42),
  fc.array(fc.tuple(fc.constantFrom('X-Api-Key', 'x-api-key'), fc.constantFrom('k3y', 'x'))),
  fc.dictionary(
    fc.oneof(fc.constantFrom('X-Api-Key', 'x-api-key', 'X-API-KEY', '__proto__'), fc.string()),
    fc.oneof(fc.constantFrom('k3y', 'k3y ', 'K3Y', ''), fc.array(fc.constant('k3y')), junk),
    { maxKeys: 4 },
  ),
);
const httpLike = fc.record(
  {
    httpMethod: method,
    headers,
    body: fc.oneof(
      bodyText,
      bodyText.map(base64),
      fc.string({ unit: 'binary-ascii', maxLength: 40 }),
      fc.uint8Array({ maxLength: 30 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      junk,
    ),
    isBase64Encoded: fc.oneof(fc.boolean(), junk),
    requestContext: junk,
  },
  { requiredKeys: ['httpMethod'] },
);

/** Event types: the known ones, another platform's, any text, or not text at all. */
const eventType = fc.oneof(
  fc.constantFrom(TIMER, QUEUE, STORAGE, ''),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 300, size: 'medium' }),
  junk,
);
const messageFields = (type: fc.Arbitrary<unknown>) =>
  fc.record(
    {
      event_metadata: fc.oneof(
        fc.record(
          { event_type: type, event_id: fc.oneof(fc.string(), junk) },
          { requiredKeys: [] },
        ),
        junk,
      ),
      details: fc.oneof(
        fc.record(
          {
            trigger_id: fc.oneof(fc.string({ unit: 'binary' }), junk),
            payload: fc.oneof(bodyText, junk),
            queue_id: fc.oneof(fc.string(), junk),
            message: fc.oneof(
              fc.record(
                { message_id: fc.oneof(fc.string(), junk), body: fc.oneof(bodyText, junk) },
                { requiredKeys: [] },
              ),
              junk,
            ),
          },
          { requiredKeys: [] },
        ),
        junk,
      ),
    },
    { requiredKeys: [] },
  );
/** Well-formed envelopes of one known type, with anything inside. */
const batchOf = (type: string, maxLength: number) =>
  fc.array(
    fc.record({
      event_metadata: fc.record({ event_type: fc.constant(type), event_id: fc.string() }),
      details: fc.record(
        {
          trigger_id: fc.oneof(fc.string(), junk),
          payload: fc.oneof(bodyText, junk),
          queue_id: fc.oneof(fc.string(), junk),
          message: fc.oneof(
            fc.record({ message_id: fc.string(), body: fc.oneof(bodyText, junk) }),
            fc.record({ body: fc.oneof(bodyText, junk) }),
            junk,
          ),
        },
        { requiredKeys: [] },
      ),
    }),
    { minLength: 1, maxLength },
  );
const triggerLike = fc.oneof(
  fc.record({ messages: fc.array(messageFields(eventType), { maxLength: 5 }) }),
  fc.record({ messages: fc.oneof(junk, fc.array(junk, { maxLength: 3 })) }),
  batchOf(TIMER, 5).map((messages) => ({ messages })),
  batchOf(QUEUE, 5).map((messages) => ({ messages })),
);
const anyEvent = fc.oneof(anyValue, httpLike, triggerLike, bodyText);

describe('any event', () => {
  it('goes to one adapter, which gives jobs or refuses with a CancellerError', () => {
    fc.assert(
      fc.property(anyEvent, settings, (event, limits) => {
        exercise(event, limits);
      }),
      { numRuns: 500 },
    );
  });

  it('is HTTP exactly when it is an object with a string httpMethod', () => {
    fc.assert(
      fc.property(fc.oneof(httpLike, anyEvent), (event) => {
        const isHttp =
          typeof event === 'object' &&
          event !== null &&
          !Array.isArray(event) &&
          typeof (event as { httpMethod?: unknown }).httpMethod === 'string';
        expect(adapterFor(event).source === 'http').toBe(isHttp);
      }),
      RUNS,
    );
  });
});

/** Whether the headers carry the key the way the adapter reads them: the first x-api-key. */
function presentsKey(headers: unknown): boolean {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return false;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'x-api-key');
  return key !== undefined && (headers as Record<string, unknown>)[key] === 'k3y';
}

describe('HTTP events', () => {
  it('answer 401 to any request without the key, before reading method or body', () => {
    fc.assert(
      fc.property(
        httpLike.filter((e) => !presentsKey(e.headers)),
        (event) => {
          const result = exercise(event, {
            maxOperations: 20,
            httpApiKey: 'k3y',
            policy: OPEN_POLICY,
          });
          expect(result.refused).toBeInstanceOf(UnauthorizedError);
        },
      ),
      RUNS,
    );
  });

  it('answer 405 with Allow: POST to any other method, showing at most 16 characters of it', () => {
    fc.assert(
      fc.property(
        httpLike.filter((e) => e.httpMethod.toUpperCase() !== 'POST'),
        (event) => {
          const result = exercise(event, {
            maxOperations: 20,
            httpApiKey: undefined,
            policy: OPEN_POLICY,
          });
          expect(result.refused).toMatchObject({ status: 405 });
          const message = result.refused?.message ?? '';
          const shown = message
            .replace(/^method /, '')
            .replace(/ is not allowed; send a POST$/, '');
          expect(message).toBe(`method ${shown} is not allowed; send a POST`);
          const expected = event.httpMethod.replace(/\p{Cc}/gu, '?');
          expect(shown).toBe(expected.length > 16 ? `${expected.slice(0, 16)}…` : expected);
        },
      ),
      RUNS,
    );
  });

  it('refuse a body that is not a string with 400, whatever it is', () => {
    fc.assert(
      fc.property(
        junk.filter((b) => typeof b !== 'string' && b !== undefined && b !== null),
        (body) => {
          const event = httpEvent(body);
          expect(
            exercise(event, { maxOperations: 20, httpApiKey: undefined, policy: OPEN_POLICY })
              .refused,
          ).toEqual(expect.objectContaining({ status: 400, message: 'the body is not a string' }));
        },
      ),
      RUNS,
    );
  });

  it('read a base64 body as the text it encodes', () => {
    fc.assert(
      fc.property(idText, (text) => {
        const limits = { maxOperations: 20, httpApiKey: undefined, policy: OPEN_POLICY };
        const plain = exercise(httpEvent(text), limits);
        const encoded = exercise(httpEvent(base64(text), { isBase64Encoded: true }), limits);
        expect(encoded.jobs ?? encoded.refused?.message).toEqual(
          plain.jobs ?? plain.refused?.message,
        );
      }),
      RUNS,
    );
  });

  it('refuse base64 that is not, with 400 and without decoding it', () => {
    const notBase64 = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 60 })
      .filter(
        (s) =>
          !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(
            s.replace(/\s+/g, ''),
          ),
      );
    fc.assert(
      fc.property(notBase64, (body) => {
        const event = httpEvent(body, { isBase64Encoded: true });
        const { refused } = exercise(event, {
          maxOperations: 20,
          httpApiKey: undefined,
          policy: OPEN_POLICY,
        });
        expect(refused).toMatchObject({ status: 400, message: expect.stringMatching(/base64/) });
      }),
      RUNS,
    );
  });

  it.each([
    ['3.5 MB and one byte of ASCII', 'a'.repeat(MAX_BODY_BYTES + 1)],
    ['1.2 M two-byte characters (2.4 MB) and more', 'д'.repeat(MAX_BODY_BYTES / 2 + 1)],
    ['3.6 MB marked base64', 'QUFB'.repeat(Math.ceil((3.6 * 2 ** 20) / 4))],
  ])('refuse a body of %s with 413, before parsing it', (_name, body) => {
    const event = httpEvent(body, { isBase64Encoded: body.startsWith('QUFB') });
    const { refused } = exercise(event, {
      maxOperations: 1000,
      httpApiKey: undefined,
      policy: OPEN_POLICY,
    });
    expect(refused).toMatchObject({ status: 413, message: expect.stringMatching(/3\.5 MB/) });
  });
});

describe('trigger events', () => {
  it('never make the timer or queue adapter throw, whatever the messages hold', () => {
    const batches = fc.oneof(
      batchOf(TIMER, 8).map((messages) => ({ messages })),
      batchOf(QUEUE, 8).map((messages) => ({ messages })),
    );
    fc.assert(
      fc.property(batches, settings, (event, limits) => {
        const { adapter, jobs } = exercise(event, limits);
        expect(adapter.source).toBe(
          event.messages[0]?.event_metadata.event_type === TIMER ? 'timer' : 'queue',
        );
        if (adapter.source === 'queue') expect(jobs).toHaveLength(event.messages.length);
        else expect(jobs?.length).toBeLessThanOrEqual(event.messages.length);
      }),
      RUNS,
    );
  });

  it('of a kind the function does not handle are refused, naming the kind in 100 characters', () => {
    const other = fc
      .oneof(fc.string({ unit: 'binary', maxLength: 300, size: 'max' }), eventType)
      .filter((type) => type !== TIMER && type !== QUEUE);
    /** The type as the message quotes it: control characters as ?, cut at 100 with an ellipsis. */
    const quoted = (type: unknown) => {
      if (typeof type !== 'string') return '"unknown"';
      const clean = type.replace(/\p{Cc}/gu, '?');
      return JSON.stringify(clean.length > 100 ? `${clean.slice(0, 100)}…` : clean);
    };
    fc.assert(
      fc.property(other, (type) => {
        const event = { messages: [{ event_metadata: { event_type: type }, details: {} }] };
        const { adapter, refused } = exercise(event, {
          maxOperations: 20,
          httpApiKey: undefined,
          policy: OPEN_POLICY,
        });
        expect(adapter.source).toBe('raw');
        expect(refused?.message).toBe(
          `events of type ${quoted(type)} are not handled; use a timer or Message Queue trigger, HTTP, or a raw request`,
        );
      }),
      RUNS,
    );
  });

  it('that are malformed or mix types are told so, in a message of bounded length', () => {
    const batch = fc.array(messageFields(fc.oneof(fc.constantFrom(TIMER, QUEUE), eventType)), {
      minLength: 1,
      maxLength: 40,
      size: 'medium',
    });
    fc.assert(
      fc.property(batch, (messages) => {
        const { adapter, refused } = exercise(
          { messages },
          { maxOperations: 20, httpApiKey: undefined, policy: OPEN_POLICY },
        );
        if (adapter.source !== 'raw') return;
        expect(refused?.message).toMatch(
          /^(the batch mixes event types \(|the .+ event is malformed: |events of type ")/,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('mixing 1000 event types are refused with a message of bounded length', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({
      event_metadata: { event_type: `type.${i}.${'x'.repeat(100)}` },
      details: {},
    }));
    const { refused } = exercise(
      { messages },
      { maxOperations: 20, httpApiKey: undefined, policy: OPEN_POLICY },
    );
    expect(refused?.message).toMatch(/^the batch mixes event types \(/);
  });

  it('in batches of 1000 give one job per queue message and one per timer message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(TIMER, QUEUE),
        fc.array(fc.oneof(bodyText, junk), { minLength: 1000, maxLength: 1000 }),
        (type, bodies) => {
          const event =
            type === TIMER
              ? { messages: bodies.map((body) => timerMessage(body)) }
              : queueEvent(bodies);
          const { jobs } = exercise(event, {
            maxOperations: 5,
            httpApiKey: undefined,
            policy: OPEN_POLICY,
          });
          if (type === QUEUE) expect(jobs).toHaveLength(1000);
          const quiet = bodies.filter(
            (b) => b === undefined || b === null || (typeof b === 'string' && b.trim() === ''),
          );
          if (type === TIMER) expect(jobs).toHaveLength(1000 - quiet.length);
        },
      ),
      { numRuns: 5 },
    );
  });
});

describe('refusals', () => {
  const adapters = [
    adapterFor(httpEvent('')),
    adapterFor(timerEvent()),
    adapterFor(queueEvent([''])),
    adapterFor('fd8abc'),
  ];

  it('have a well-formed reply from every adapter for every request error', () => {
    const errors = fc.oneof(
      fc
        .tuple(
          fc
            .string({ unit: 'grapheme', minLength: 1, maxLength: 300 })
            .filter((s) => s.trim() !== '' && !CONTROL.test(s)),
          fc.constantFrom(400 as const, 405 as const, 413 as const),
        )
        .map(([message, status]) => new RequestError(message, status)),
      fc.constant(new UnauthorizedError()),
    );
    fc.assert(
      fc.property(errors, (error) => {
        for (const adapter of adapters) {
          if (error instanceof UnauthorizedError && adapter.source !== 'http') continue;
          expectRefusal(adapter, error);
        }
      }),
      RUNS,
    );
  });

  it('keep the message as it was, in JSON, whatever characters it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), (message) => {
        const error = new RequestError(message);
        const http = adapters[0]?.refuse(error) as { body: string };
        expect(JSON.parse(http.body)).toEqual({ error: { message } });
        expect(adapters[3]?.refuse(error)).toEqual({ error: { message } });
      }),
      RUNS,
    );
  });
});
