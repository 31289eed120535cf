/**
 * Hostile inputs shared by the hostile suites: the operation-id pattern, the bounds a refusal
 * message must keep, and named cases of bodies and whole events.
 */

import fc from 'fast-check';
import { expect } from 'vitest';
import { httpEvent, queueEvent, queueMessage, timerEvent } from '../support/events';

export const VALID_ID = /^[a-z0-9]{1,50}$/;
/** A refusal message is for a person: short enough to read, whatever the input was. */
export const MAX_MESSAGE_CHARS = 1024;
/** An invalid entry is echoed as at most 64 characters and an ellipsis. */
export const MAX_SHOWN_CHARS = 65;
/** Cloud Logging treats a longer line as plain text. */
export const MAX_LINE_BYTES = 64 * 1024;
export const MAX_BODY_BYTES = 3.5 * 1024 * 1024;

export const CONTROL = /\p{Cc}/u;

export type Channel = 'http' | 'timer' | 'queue' | 'raw';
export const CHANNELS: readonly Channel[] = ['http', 'timer', 'queue', 'raw'];

/** The same body as each channel carries it: HTTP body, timer payload, queue message, raw event. */
export function deliver(channel: Channel, body: string): unknown {
  switch (channel) {
    case 'http':
      return httpEvent(body);
    case 'timer':
      return timerEvent(body);
    case 'queue':
      return queueEvent([body]);
    case 'raw':
      return body;
  }
}

export const base64 = (text: string) => Buffer.from(text).toString('base64');

/** `count` distinct valid ids. */
export const manyIds = (count: number) =>
  Array.from({ length: count }, (_, i) => `fd8${i.toString(36).padStart(6, '0')}`);

/**
 * Bodies that are not a request in any form: every channel refuses them whole, before any API
 * call. [name, body, what the message must say]
 */
export const BAD_BODIES: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['not JSON: unquoted keys and ids', '{operationIds: [fd8abc]}', /not valid JSON/],
  ['not JSON: cut off', '{"operationIds": ["fd8abc"', /not valid JSON/],
  ['not JSON: a trailing comma', '["fd8abc",]', /not valid JSON/],
  ['not JSON: a NUL byte inside a string', '["fd8\u0000abc"]', /not valid JSON/],
  ['operationIds a string', '{"operationIds": "x"}', /operationIds is a string/],
  ['operationIds a number', '{"operationIds": 5}', /operationIds is a number/],
  ['operationIds null', '{"operationIds": null}', /operationIds is null/],
  ['operationIds an object', '{"operationIds": {"0": "fd8abc"}}', /operationIds is/],
  ['operationIds missing', '{}', /operationIds/],
  ['nested arrays', '[["fd8abc"], [["fd8def"]]]', /\[0\] is an array/],
  ['nested arrays in operationIds', '{"operationIds": [["fd8abc"]]}', /operationIds\[0\]/],
  [
    'nested junk objects',
    '{"operationIds": ["fd8abc", {"id": "fd8def", "x": {"y": [null, {"z": []}]}}]}',
    /operationIds\[1\]/,
  ],
  ['null among ids', '["fd8abc", null]', /\[1\] is null/],
  ['a number among ids', '["fd8abc", 8]', /\[1\] is a number/],
  [
    'a __proto__ key',
    '{"__proto__": {"polluted": 1}, "operationIds": ["fd8abc"]}',
    /unknown field\(s\) "__proto__"/,
  ],
  [
    'a constructor.prototype key',
    '{"constructor": {"prototype": {"polluted": 1}}, "operationIds": ["fd8abc"]}',
    /unknown field\(s\) "constructor"/,
  ],
  [
    'a prototype key',
    '{"prototype": {"polluted": 1}, "operationIds": ["fd8abc"]}',
    /unknown field\(s\) "prototype"/,
  ],
  ['a misspelt field', '{"operationIDs": ["fd8abc"]}', /unknown field\(s\) "operationIDs"/],
  [
    'a field name with control characters',
    '{"op\\u0000\\u001b[31m": 1, "operationIds": ["fd8abc"]}',
    /unknown field/,
  ],
  ['dryRun the string "false"', '{"operationIds": ["fd8abc"], "dryRun": "false"}', /dryRun/],
  ['dryRun null', '{"operationIds": ["fd8abc"], "dryRun": null}', /dryRun is null/],
  ['an empty body', '', /names no operation ids/],
  ['separators only', ' ,\n\t,, \r\n', /names no operation ids/],
  ['an empty JSON array', '[]', /names no operation ids/],
  ['an empty operationIds', '{"operationIds": []}', /names no operation ids/],
];

/**
 * Bodies that are requests, naming things that are not operation ids: those get outcome
 * `invalid` and no API call; the valid ids among them, and only those, reach the API.
 * [name, body, the ids the API may be asked about]
 */
export const LOOK_ALIKE_BODIES: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['Arabic-Indic digits', 'fd8٠١٢٣٤٥', []],
  ['Extended Arabic-Indic digits', 'fd8۱۲۳۴', []],
  ['fullwidth letters and digits', 'ｆｄ８ａｂｃ１２３', []],
  ['mathematical bold digits', 'fd8𝟎𝟏𝟐𝟑', []],
  ['superscript digits', 'fd8¹²³', []],
  ['Cyrillic а (U+0430) for Latin a, beside the real id', 'fd8аbc fd8abc', ['fd8abc']],
  ['Cyrillic о and е only', 'fd8оре', []],
  ['Greek ο for Latin o', 'fd8οk', []],
  ['a zero-width space inside an id', 'fd8\u200babc', []],
  ['a zero-width joiner after an id', 'fd8abc\u200d', []],
  ['a zero-width space alone', '\u200b', []],
  ['a NUL byte inside an id', 'fd8\u0000abc fd8def', ['fd8def']],
  ['NUL bytes only', '\u0000\u0000\u0000', []],
  ['an escaped NUL inside a JSON id', '["fd8\\u0000abc", "fd8abc"]', ['fd8abc']],
  ['a lone surrogate in a JSON id', '["fd8\\ud800", "fd8abc"]', ['fd8abc']],
  ['an ANSI escape after an id', 'fd8abc\u001b[31m', []],
  ['a right-to-left override', '\u202efd8abc', []],
  ['a combining accent', 'fd8a\u0301bc', []],
  ['upper case', 'FD8ABC Fd8abc', []],
  ['an id of 51 characters', 'a'.repeat(51), []],
  ['dashes and dots', 'fd8-abc fd8.abc fd8_abc', []],
  ['a JSON string rather than an array', '"fd8abc"', []],
];

/** A queue message body that is refused whole, never read as ids, for each index. */
export function garbageMessage(index: number): unknown {
  const kinds = [
    `{"operationIds": ${index}}`,
    `[${index}]`,
    `{not json ${index}`,
    index,
    null,
    { operationIds: [`fd8${index}`] },
    `{"x${index}": 1}`,
    '',
  ];
  return kinds[index % kinds.length];
}

/** A queue batch of `count` messages, none a request. */
export function garbageBatch(count: number) {
  return {
    messages: Array.from({ length: count }, (_, i) => {
      const message = queueMessage(garbageMessage(i), i);
      // Every tenth message has no message object at all.
      return i % 10 === 9 ? { ...message, details: { queue_id: 'q' } } : message;
    }),
  };
}

/** Any JavaScript value at all, of every kind fast-check can make, strings in any code units. */
export const anyValue = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withTypedArray: true,
  withSparseArray: true,
  stringUnit: 'binary',
});

/** A refusal message a person can read: a non-blank string, bounded, free of control characters. */
export function expectReadable(message: unknown): void {
  expect(typeof message).toBe('string');
  const text = message as string;
  expect(text.trim()).not.toBe('');
  expect(text.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
  expect(text).not.toMatch(CONTROL);
}
