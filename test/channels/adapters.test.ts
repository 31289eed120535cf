import { describe, expect, it } from 'vitest';
import { NoTokenError, type RequestError, RetryableFailureError } from '../../src/errors';
import { adapterFor } from '../../src/event';
import type { Job, OperationResult, Report } from '../../src/model';
import { httpEvent, queueEvent, STORAGE, timerEvent } from '../support/events';
import { OPEN_POLICY } from '../support/policy';
import { operationsOf } from '../support/requests';

const settings = { maxOperations: 10, httpApiKey: undefined, policy: OPEN_POLICY };
// Short ids, as the origins below name them.
const timer = (payload?: unknown) => timerEvent(payload, { triggerId: 't1' });
const queue = (...bodies: unknown[]) =>
  queueEvent(bodies, { queueId: 'q1', messageId: (i) => `m${i}` });

const summary = (jobs: Job[]) =>
  jobs.map((job) =>
    'request' in job
      ? {
          origin: job.origin,
          ids: operationsOf(job.request).map((o) => (o.valid ? o.id : `!${o.text}`)),
        }
      : 'error' in job
        ? { origin: job.origin, error: job.error.message }
        : { origin: job.origin, deferred: true },
  );
const jobsOf = (event: unknown, overrides = {}) =>
  summary(adapterFor(event).jobs(event, { ...settings, ...overrides }));
const refusalOf = (event: unknown, overrides = {}) => {
  try {
    adapterFor(event).jobs(event, { ...settings, ...overrides });
  } catch (error) {
    return adapterFor(event).refuse(error as RequestError);
  }
  throw new Error('expected a refusal');
};

const result = (fields: Partial<OperationResult>): OperationResult => ({
  operationId: 'a1',
  outcome: 'cancelled',
  attempts: 2,
  durationMs: 1,
  ...fields,
});
const report = (...results: OperationResult[]): Report => ({
  results,
  summary: { operations: results.length, outcomes: {}, rejectedRequests: 0, durationMs: 1 },
});

describe('choosing the adapter', () => {
  it.each([
    ['an HTTP event', httpEvent(''), 'http'],
    ['a timer event', timer(), 'timer'],
    ['a queue batch', queue('a1'), 'queue'],
    ['a request object', { operationIds: ['a1'] }, 'raw'],
    ['an array', ['a1'], 'raw'],
    ['text', 'a1 b2', 'raw'],
    [
      'a trigger of another kind',
      { messages: [{ event_metadata: { event_type: 'x' }, details: {} }] },
      'raw',
    ],
    ['a mixed batch', { messages: [...timer().messages, ...queue('a1').messages] }, 'raw'],
    ['undefined', undefined, 'raw'],
  ])('%s goes to %s', (_name, event, source) => {
    expect(adapterFor(event).source).toBe(source);
  });
});

describe('HTTP', () => {
  it('reads the body as a request', () => {
    expect(jobsOf(httpEvent('{"operationIds":["a1"]}'))).toEqual([
      { origin: { source: 'http' }, ids: ['a1'] },
    ]);
  });

  it('decodes a base64 body', () => {
    const body = Buffer.from('a1, b2').toString('base64');
    expect(jobsOf(httpEvent(body, { isBase64Encoded: true }))[0]).toMatchObject({
      ids: ['a1', 'b2'],
    });
  });

  it.each([
    ['GET', 405, httpEvent('', { httpMethod: 'GET' }), /method GET is not allowed/],
    ['a body that is not a request', 400, httpEvent('{"x": 1}'), /unknown field/],
    ['base64 that is not', 400, httpEvent('a1!!', { isBase64Encoded: true }), /not valid base64/],
    [
      'base64 of bytes that are not UTF-8',
      400,
      httpEvent(Buffer.from([0xff, 0xfe]).toString('base64'), { isBase64Encoded: true }),
      /not UTF-8/,
    ],
    ['an empty body', 400, httpEvent(''), /names no operation ids/],
    ['a body over 3.5 MB', 413, httpEvent('a1 '.repeat(1_300_000)), /3.5 MB/],
    [
      'too many ids',
      413,
      httpEvent(Array.from({ length: 11 }, (_, i) => `a${i}`).join(' ')),
      /limit of 10/,
    ],
    ['a body that is not a string', 400, httpEvent({ operationIds: ['a1'] }), /not a string/],
  ])('%s is answered %s', (_name, statusCode, event, message) => {
    const reply = refusalOf(event) as { statusCode: number; body: string };
    expect(reply.statusCode).toBe(statusCode);
    expect(JSON.parse(reply.body).error.message).toMatch(message);
  });

  it('says which method is allowed on a 405', () => {
    expect(refusalOf(httpEvent('', { httpMethod: 'PUT' }))).toMatchObject({
      headers: { Allow: 'POST' },
    });
  });

  describe('with HTTP_API_KEY', () => {
    const key = { httpApiKey: 's3cret-key' };
    it.each([
      ['no key', {}],
      ['a wrong key', { 'X-Api-Key': 's3cret-kez' }],
      ['a prefix of the key', { 'X-Api-Key': 's3cret' }],
    ])('answers 401 to %s, without echoing the key', (_name, headers) => {
      const reply = refusalOf(httpEvent('a1', { headers }), key) as {
        statusCode: number;
        body: string;
      };
      expect(reply.statusCode).toBe(401);
      expect(reply.body).not.toContain('s3cret');
    });

    it.each(['X-Api-Key', 'x-api-key'])('accepts the key in %s', (name) => {
      expect(jobsOf(httpEvent('a1', { headers: { [name]: 's3cret-key' } }), key)).toHaveLength(1);
    });

    it('checks the key before the method', () => {
      expect(refusalOf(httpEvent('', { httpMethod: 'GET' }), key)).toMatchObject({
        statusCode: 401,
      });
    });
  });

  it('answers 200 with results and summary', () => {
    const reply = adapterFor(httpEvent('')).reply(report(result({}))) as {
      statusCode: number;
      body: string;
    };
    expect(reply.statusCode).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({
      results: [{ operationId: 'a1', outcome: 'cancelled' }],
      summary: { operations: 1 },
    });
  });

  it('answers 503 with Retry-After when an outcome is a retryable failure', () => {
    const reply = adapterFor(httpEvent('')).reply(
      report(result({}), result({ operationId: 'b2', outcome: 'failed', retryable: true })),
    );
    expect(reply).toMatchObject({
      statusCode: 503,
      headers: { 'Retry-After': expect.any(String) },
    });
  });

  it('answers 500 and names the fix when there is no token', () => {
    const reply = adapterFor(httpEvent('')).refuse(new NoTokenError('answered 404')) as {
      statusCode: number;
      body: string;
    };
    expect(reply.statusCode).toBe(500);
    expect(JSON.parse(reply.body).error.message).toMatch(/attach a service account/);
  });
});

describe('timer', () => {
  it('reads the payload', () => {
    expect(jobsOf(timer('a1 b2'))).toEqual([
      { origin: { source: 'timer', triggerId: 't1' }, ids: ['a1', 'b2'] },
    ]);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['blank', '  \n'],
    ['null', null],
  ])('names nothing when the payload is %s', (_name, payload) => {
    expect(jobsOf(timer(payload))).toEqual([]);
  });

  it('keeps a payload that is not a request as a refused job', () => {
    expect(jobsOf(timer('{"nope": 1}'))).toEqual([
      {
        origin: { source: 'timer', triggerId: 't1' },
        error: expect.stringMatching(/unknown field/),
      },
    ]);
    expect(jobsOf(timer(12))[0]).toMatchObject({
      error: expect.stringMatching(/not a string/),
    });
  });

  it('throws on a retryable failure, so a trigger with retry settings retries', () => {
    const adapter = adapterFor(timer());
    expect(() => adapter.reply(report(result({ outcome: 'failed', retryable: true })))).toThrow(
      RetryableFailureError,
    );
    expect(() => adapter.reply(report(result({ outcome: 'denied' })))).not.toThrow();
  });
});

describe('Message Queue', () => {
  it('makes each message a request of its own, and keeps bad ones apart', () => {
    expect(jobsOf(queue('a1', '{"operationIds":["b2"]}', 'not ok!', 5))).toEqual([
      { origin: { source: 'queue', queueId: 'q1', messageId: 'm0' }, ids: ['a1'] },
      { origin: { source: 'queue', queueId: 'q1', messageId: 'm1' }, ids: ['b2'] },
      { origin: { source: 'queue', queueId: 'q1', messageId: 'm2' }, ids: ['not', '!ok!'] },
      {
        origin: { source: 'queue', queueId: 'q1', messageId: 'm3' },
        error: 'the queue message has no text body',
      },
    ]);
  });

  it('refuses a message naming more than the limit, and only that one', () => {
    const many = Array.from({ length: 11 }, (_, i) => `a${i}`).join(',');
    expect(jobsOf(queue(many, 'a1'))).toEqual([
      { origin: expect.anything(), error: expect.stringMatching(/limit of 10/) },
      { origin: expect.anything(), ids: ['a1'] },
    ]);
  });

  it('throws so the batch is redelivered only on a retryable failure', () => {
    const adapter = adapterFor(queue('a1'));
    expect(() => adapter.reply(report(result({ outcome: 'failed', retryable: true })))).toThrow(
      /1 operation\(s\) failed/,
    );
    expect(() =>
      adapter.reply(report(result({ outcome: 'failed', retryable: false }))),
    ).not.toThrow();
    expect(() => adapter.reply(report(result({ outcome: 'not_found' })))).not.toThrow();
  });

  it('throws when there is no token, so the queue keeps the batch', () => {
    expect(() => adapterFor(queue('a1')).refuse(new NoTokenError('x'))).toThrow(
      /attach a service account/,
    );
  });
});

describe('raw', () => {
  it('takes the event as the request', () => {
    expect(jobsOf({ operationIds: ['a1'], dryRun: true })).toEqual([
      { origin: { source: 'raw' }, ids: ['a1'] },
    ]);
  });

  // The runtime wraps data that is not JSON as {"payload": text}, and no data as {"payload": ""}
  // (vitalets/yandex-cloud-fn-internals function/runtime/runtime.js, parseJsonPayload).
  it.each([
    ['ids separated by spaces', { payload: 'a1 b2\n' }, ['a1', 'b2']],
    ['ids separated by commas', { payload: 'a1,b2' }, ['a1', 'b2']],
    ['a request object as text', { payload: '{"operationIds":["a1"]}' }, ['a1']],
    ['a JSON array as text', { payload: '["a1"]' }, ['a1']],
  ])('reads text the runtime wrapped: %s', (_name, event, ids) => {
    expect(jobsOf(event)).toEqual([{ origin: { source: 'raw' }, ids }]);
  });

  it.each([
    ['empty', ''],
    ['blank', ' \n'],
  ])('names nothing when the wrapped text is %s', (_name, payload) => {
    expect(jobsOf({ payload })).toEqual([]);
  });

  it.each([
    ['a payload beside other fields', { payload: 'a1', operationIds: ['b2'] }, /unknown field/],
    ['a payload that is not text', { payload: 42 }, /unknown field/],
    ['wrapped text that is not a request', { payload: '{"x": 1}' }, /unknown field/],
    ['wrapped text that is broken JSON', { payload: '{"operationIds": [' }, /not valid JSON/],
  ])('refuses %s', (_name, event, message) => {
    expect(refusalOf(event)).toEqual({ error: { message: expect.stringMatching(message) } });
  });

  it('names a trigger type it does not handle', () => {
    const event = {
      messages: [{ event_metadata: { event_type: STORAGE }, details: {} }],
    };
    expect(refusalOf(event)).toEqual({
      error: {
        message: expect.stringMatching(
          /"yandex.cloud.events.storage.ObjectCreate" are not handled/,
        ),
      },
    });
  });

  it('answers a bad request with an error object, and returns results as they are', () => {
    expect(refusalOf(42)).toEqual({ error: { message: expect.stringMatching(/is a number/) } });
    const done = report(result({}));
    expect(adapterFor({}).reply(done)).toBe(done);
  });
});
