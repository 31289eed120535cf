/**
 * Regression tests for six bugs the hostile suites once found in src/, now fixed. Each test pins
 * the fixed behaviour, down to the message where the message is the fix; the other hostile suites
 * generate these inputs freely as well.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestError, UnauthorizedError } from '../../src/errors';
import { adapterFor } from '../../src/event';
import { parseRequest } from '../../src/request/parse';
import { httpEvent, QUEUE, queueMessage, TIMER, timerMessage } from '../support/events';
import { fixedTokens, inProcessFunction } from '../support/in-process';
import { doneApi } from '../support/pipeline-deps';
import { OPEN_POLICY } from '../support/policy';
import { CONTROL, MAX_BODY_BYTES, MAX_MESSAGE_CHARS, VALID_ID } from './corpus';

const settings = { maxOperations: 1000, httpApiKey: undefined, policy: OPEN_POLICY };

/** The function over an API that finds every operation done, keeping the ids it is asked about. */
function fakeFunction() {
  const asked: unknown[] = [];
  const api = doneApi((_method, id) => asked.push(id));
  const { handler } = inProcessFunction({}, { api, tokens: fixedTokens });
  return { handler, asked };
}

function refusal(event: unknown): unknown {
  try {
    adapterFor(event).jobs(event, settings);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a trigger envelope whose event_type is not a string', () => {
  // It once reached a .slice call and threw a TypeError out of the handler.
  const event = JSON.parse('{"messages": [{"event_metadata": {"event_type": 5}, "details": {}}]}');
  const unhandled =
    /^events of type "unknown" are not handled; use a timer or Message Queue trigger/;

  it('is refused with a RequestError that calls its type unknown', () => {
    const error = refusal(event);
    expect(error).toBeInstanceOf(RequestError);
    expect((error as RequestError).message).toMatch(unhandled);
  });

  it('gets an {error: {message}} reply from the handler, not a rejected invocation', async () => {
    const { handler } = fakeFunction();
    await expect(handler(event, {})).resolves.toEqual({
      error: { message: expect.stringMatching(unhandled) },
    });
  });

  it('is refused with a CancellerError, whatever the type is', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 2 }), (eventType) => {
        const envelope = { messages: [{ event_metadata: { event_type: eventType }, details: {} }] };
        const error = refusal(envelope);
        if (error !== undefined) {
          expect(error instanceof RequestError || error instanceof UnauthorizedError).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('a sparse array of ids (in-process raw invocation)', () => {
  // A hole was once skipped by the type check and then read as the valid id "undefined".
  // biome-ignore lint/suspicious/noSparseArray: the hole is the point
  const sparse = [, 'fd8abc'];

  it('is refused, naming the hole as missing', () => {
    expect(() => parseRequest(sparse, settings)).toThrow(
      new RequestError('the request[0] is missing; expected a string id'),
    );
  });

  it('inside operationIds is refused by the handler, with no API call', async () => {
    const { handler, asked } = fakeFunction();
    await expect(handler({ operationIds: sparse }, {})).resolves.toEqual({
      error: { message: 'operationIds[0] is missing; expected a string id' },
    });
    expect(asked).toEqual([]);
  });

  it('is refused wherever its holes are', () => {
    fc.assert(
      fc.property(
        fc
          .sparseArray(fc.stringMatching(VALID_ID), { minNumElements: 0, maxLength: 20 })
          .filter((ids) => Object.keys(ids).length < ids.length),
        (ids) => {
          const hole = Array.from(ids.keys()).find((i) => !(i in ids));
          expect(() => parseRequest(ids, settings)).toThrow(
            new RequestError(`the request[${hole}] is missing; expected a string id`),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('a JSON syntax error message', () => {
  // V8's SyntaxError quotes the text around the error verbatim; that quote was once passed on.
  it.each([
    ['a control character after [', '[\u0001]'],
    ['a terminal escape among the ids', '["fd8abc", \u001b[31mred]'],
    ['a NUL byte where a value belongs', '{"operationIds": [\u0000]}'],
  ])('for %s holds no raw control characters', (_name, body) => {
    const error = refusal(httpEvent(body)) as RequestError;
    expect(error).toBeInstanceOf(RequestError);
    expect(error.message).toMatch(/^the request is not valid JSON \(/);
    expect(error.message).not.toMatch(CONTROL);
  });

  it('shows each control character it quotes as ?', () => {
    const error = refusal(httpEvent('[\u0001]')) as RequestError;
    expect(error.message).toBe(
      'the request is not valid JSON (Unexpected token \'?\', "[?]" is not valid JSON)',
    );
  });
});

describe('the 405 reply', () => {
  // The method was once echoed as it came: any length, any characters.
  const method = `GET\u0000\u001b[2J${'x'.repeat(5 * 2 ** 20)}`;

  it('shows a 5 MB method with control characters as 16 printable characters', () => {
    const error = refusal(httpEvent('fd8abc', { httpMethod: method })) as RequestError;
    expect(error).toMatchObject({ status: 405 });
    expect(error.message).toBe('method GET??[2Jxxxxxxxx… is not allowed; send a POST');
    expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(error.message).not.toMatch(CONTROL);
  });

  it('stays far below the platform limit on a reply', async () => {
    const { handler } = fakeFunction();
    const reply = (await handler(httpEvent('fd8abc', { httpMethod: method }), {})) as {
      body: string;
    };
    expect(Buffer.byteLength(reply.body)).toBeLessThan(64 * 1024);
  });
});

describe('a request object with very many unknown fields', () => {
  // Every unknown field was once listed in the message, however many there were.
  const fields = (count: number, name: (i: number) => string) =>
    `{${Array.from({ length: count }, (_, i) => `${JSON.stringify(name(i))}:0`).join(',')}}`;

  it('gets a message naming the first 5 fields and counting the rest', () => {
    const error = refusal(httpEvent(fields(100_000, (i) => `k${i}`))) as RequestError;
    expect(error).toBeInstanceOf(RequestError);
    expect(error.message).toBe(
      'unknown field(s) "k0", "k1", "k2", "k3", "k4" and 99995 more; a request has operationIds, sweep, dryRun, minAgeSeconds',
    );
    expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
  });

  it('of 5 or fewer names them all, with no count', () => {
    const error = refusal({ operationIds: ['fd8abc'], a: 1, b: 2 }) as RequestError;
    expect(error.message).toBe(
      'unknown field(s) "a", "b"; a request has operationIds, sweep, dryRun, minAgeSeconds',
    );
  });

  it('in a body under the 3.5 MB cap, gets a reply under the platform’s 3.5 MB reply cap', async () => {
    // Quotes and backslashes are escaped once in the message and again in the reply body.
    const body = fields(100_000, (i) => `${'"\\'.repeat(6)}${i.toString(36)}`);
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES);
    const { handler } = fakeFunction();
    const reply = (await handler(httpEvent(body), {})) as {
      statusCode: number;
      body: string;
    };
    expect(reply.statusCode).toBe(400);
    expect(Buffer.byteLength(reply.body)).toBeLessThan(MAX_BODY_BYTES);
  });
});

describe('a malformed event of a type the function handles', () => {
  // A timer or queue message without `details`, or a batch mixing the two types, was once told
  // that events of its type "are not handled; use a timer or Message Queue trigger".
  const malformed = (type: string) =>
    `the ${type} event is malformed: each message needs event_metadata and a details object`;

  it.each([
    [
      'a timer message without details',
      { messages: [{ event_metadata: { event_type: TIMER } }] },
      malformed(TIMER),
    ],
    [
      'a queue message whose details are null',
      { messages: [{ event_metadata: { event_type: QUEUE }, details: null }] },
      malformed(QUEUE),
    ],
    [
      'a batch mixing timer and queue messages',
      { messages: [timerMessage('fd8abc'), queueMessage('fd8def')] },
      `the batch mixes event types (${TIMER}, ${QUEUE})`,
    ],
    [
      'a batch mixing a queue message and one without event_metadata',
      { messages: [queueMessage('fd8abc'), { details: {} }] },
      `the batch mixes event types (${QUEUE}, unknown)`,
    ],
  ])('%s is told what is wrong with it', (_name, event, message) => {
    const error = refusal(event) as RequestError;
    expect(error).toBeInstanceOf(RequestError);
    expect(error.message).toBe(message);
  });

  it.each([
    ['an empty messages array', { messages: [] }],
    ['messages that are a string', { messages: 'fd8abc' }],
    ['messages that are null', { messages: null }],
  ])('with %s is told it has no messages', (_name, event) => {
    expect(refusal(event)).toEqual(new RequestError('the trigger event has no messages'));
  });
});

describe('a value of the wrong type in a request', () => {
  // It was once described as "a undefined" when missing and "a object" when an object.
  it.each([
    [{}, 'operationIds is missing; expected an array of operation ids'],
    [{ operationIds: {} }, 'operationIds is an object; expected an array of operation ids'],
    [{ operationIds: ['fd8abc'], dryRun: {} }, 'dryRun is an object; expected true or false'],
    [['fd8abc', { id: 'fd8def' }], 'the request[1] is an object; expected a string id'],
  ])('%j is refused with: %s', (input, message) => {
    expect(() => parseRequest(input, settings)).toThrow(new RequestError(message));
  });
});
