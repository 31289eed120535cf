import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors';
import type { CancelRequest } from '../../src/model';
import { parseRequest } from '../../src/request/parse';
import { OPEN_POLICY } from '../support/policy';
import { operationsOf } from '../support/requests';
import { anyValue, CONTROL, MAX_MESSAGE_CHARS, MAX_SHOWN_CHARS, VALID_ID } from './corpus';

const RUNS = { numRuns: 300 } as const;

type Attempt = { readonly ok: CancelRequest } | { readonly error: unknown };

function attempt(input: unknown, maxOperations = 20): Attempt {
  try {
    return { ok: parseRequest(input, { maxOperations, policy: OPEN_POLICY }) };
  } catch (error) {
    return { error };
  }
}

/** What a caller sees of an attempt: the request, or the refusal's class, status and message. */
function seen(result: Attempt) {
  if ('ok' in result) {
    const { ok } = result;
    return { operations: ok.kind === 'ids' ? ok.operations : [], dryRun: ok.dryRun };
  }
  const error = result.error as RequestError;
  return { name: error.name, status: error.status, message: error.message };
}

function expectRefusal(error: unknown): asserts error is RequestError {
  expect(error).toBeInstanceOf(RequestError);
  const { message, status } = error as RequestError;
  expect(typeof message).toBe('string');
  expect(message.trim()).not.toBe('');
  expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
  expect(message).not.toMatch(CONTROL);
  expect([400, 413]).toContain(status);
}

function expectWellFormed(request: CancelRequest, maxOperations: number): void {
  const operations = operationsOf(request);
  expect(operations.length).toBeGreaterThan(0);
  expect(operations.length).toBeLessThanOrEqual(maxOperations);
  expect(typeof request.dryRun).toBe('boolean');
  for (const named of operations) {
    if (named.valid) {
      expect(typeof named.id).toBe('string');
      expect(named.id).toMatch(VALID_ID);
    } else {
      expect(typeof named.text).toBe('string');
      expect(named.text.length).toBeLessThanOrEqual(MAX_SHOWN_CHARS);
      expect(named.text).not.toMatch(CONTROL);
      expect(named.text).not.toMatch(VALID_ID);
    }
  }
  const keys = operationsOf(request).map((n) => (n.valid ? `+${n.id}` : `-${n.text}`));
  const valid = keys.filter((k) => k.startsWith('+'));
  expect(new Set(valid).size).toBe(valid.length);
}

/** Every string in the input, looking into arrays, object values and JSON text. */
function stringsIn(input: unknown, depth = 0, found = new Set<string>()): Set<string> {
  if (depth > 20) return found;
  if (typeof input === 'string') {
    found.add(input);
    for (const token of input.split(/[\s,]+/)) found.add(token);
    try {
      stringsIn(JSON.parse(input.trim()), depth + 1, found);
    } catch {
      // Not JSON: its tokens are all there is.
    }
  } else if (Array.isArray(input)) {
    for (const item of input) stringsIn(item, depth + 1, found);
  } else if (typeof input === 'object' && input !== null) {
    for (const value of Object.values(input)) stringsIn(value, depth + 1, found);
  }
  return found;
}

// Arbitraries.

const validId = fc.stringMatching(/^[a-z0-9]{1,50}$/);
const lookAlike = fc.constantFrom(
  'fd8٠١٢', // Arabic-Indic digits
  'ｆｄ８１', // fullwidth
  'fd8𝟎𝟏', // mathematical digits
  'fd8аbc', // Cyrillic а
  'fd8\u200babc', // zero-width space
  'fd8\u0000abc', // NUL
  'FD8ABC',
  'a'.repeat(51),
  '__proto__',
  'constructor',
  'prototype',
  'toString',
);
const junk = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', minLength: 100, maxLength: 400 }),
  lookAlike,
);
/** Names drawn from a small pool, so duplicates are common. */
const names = fc
  .array(fc.oneof(validId, junk), { minLength: 1, maxLength: 8 })
  .chain((pool) => fc.array(fc.constantFrom(...pool), { maxLength: 30 }));

const SEPARATOR_CHARS = [' ', '\t', '\n', '\r', ',', '\u00a0', '\u2028', '\u3000', '\ufeff'];
const separator = fc
  .array(fc.constantFrom(...SEPARATOR_CHARS), { minLength: 1, maxLength: 4 })
  .map((chars) => (chars.every((c) => c === ',') ? ` ${chars.join('')}` : chars.join('')));
/** A name that plain text can carry: no separator inside, and not the start of JSON. */
const textToken = fc
  .oneof(validId, junk)
  .filter((t) => t !== '' && !/[\s,]/.test(t) && !t.startsWith('{') && !t.startsWith('['));

const hostileKey = fc.oneof(
  fc.constantFrom('operationIds', 'dryRun', '__proto__', 'constructor', 'prototype', 'toString'),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const requestLike = fc.dictionary(
  hostileKey,
  fc.oneof(names, fc.boolean(), fc.jsonValue({ maxDepth: 3 }), validId),
  { maxKeys: 60, size: 'medium' },
);
/** Ids with holes: an array of names, or operationIds, that is sparse. */
const sparseNames = fc.sparseArray(fc.oneof(validId, junk), { maxLength: 30 });

/** Control characters, C0 and C1, among the characters that matter to JSON. */
const controlRich = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u0008',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\n',
  '"',
  ',',
  ']',
  '}',
  ':',
  'a',
  '1',
);
/** Text that starts like JSON and goes wrong, with any characters after. */
const brokenJson = fc
  .tuple(
    fc.constantFrom('[', '{', ' \n[', '{"operationIds": [', '["fd8abc", ', '{"dryRun": '),
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: controlRich, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 200, maxLength: 2000 }),
    ),
  )
  .map(([start, rest]) => `${start}${rest}`);

const anything = fc.oneof(
  anyValue,
  fc.jsonValue({ maxDepth: 4 }),
  fc.json({ maxDepth: 4 }),
  brokenJson,
  fc.string({ unit: 'binary', maxLength: 200 }),
  names,
  names.map((list) => list.join(' ')),
  sparseNames,
  sparseNames.map((operationIds) => ({ operationIds })),
  requestLike,
  requestLike.map((o) => JSON.stringify(o)),
  fc.record({ operationIds: names, dryRun: fc.option(fc.boolean(), { nil: undefined }) }),
);

describe('any input', () => {
  it('gives a request or a RequestError with a short, printable message, never another error', () => {
    fc.assert(
      fc.property(anything, fc.integer({ min: 1, max: 40 }), (input, max) => {
        const result = attempt(input, max);
        if ('error' in result) expectRefusal(result.error);
        else expectWellFormed(result.ok, max);
      }),
      RUNS,
    );
  });

  it('names as valid only strings that appear in the input', () => {
    fc.assert(
      fc.property(anything, (input) => {
        const result = attempt(input);
        fc.pre('ok' in result);
        if (!('ok' in result)) return;
        const present = stringsIn(input);
        for (const named of operationsOf(result.ok)) {
          if (named.valid) expect(present.has(named.id)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('broken JSON', () => {
  const notJson = (text: string) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  };

  it('is refused with status 400 and a short message holding no control characters', () => {
    fc.assert(
      fc.property(brokenJson.filter(notJson), (text) => {
        const result = attempt(text);
        if (!('error' in result)) throw new Error('expected a refusal');
        expectRefusal(result.error);
        expect(result.error.status).toBe(400);
        expect(result.error.message).toMatch(/^the request is not valid JSON \(/);
      }),
      RUNS,
    );
  });
});

describe('arrays with holes', () => {
  it('are refused, naming the first hole as missing, as a raw array or as operationIds', () => {
    const withHole = sparseNames.filter((list) => Object.keys(list).length < list.length);
    fc.assert(
      fc.property(withHole, (list) => {
        const hole = Array.from(list.keys()).find((i) => !(i in list));
        for (const [input, where] of [
          [list, 'the request'],
          [{ operationIds: list }, 'operationIds'],
        ] as const) {
          const result = attempt(input, 40);
          if (!('error' in result)) throw new Error('expected a refusal');
          expectRefusal(result.error);
          expect(result.error.message).toBe(`${where}[${hole}] is missing; expected a string id`);
        }
      }),
      RUNS,
    );
  });
});

describe('objects with unknown fields', () => {
  it('are refused, naming the first 5 and counting the rest, however many there are', () => {
    const unknownFields = fc
      .tuple(
        fc.uniqueArray(
          hostileKey.filter((k) => !['operationIds', 'dryRun', 'minAgeSeconds'].includes(k)),
          { maxLength: 8 },
        ),
        fc.integer({ min: 0, max: 1000 }),
      )
      .map(([hostile, plain]) => [
        ...new Set([...hostile, ...Array.from({ length: plain }, (_, i) => `field${i}`)]),
      ])
      .filter((keys) => keys.length > 0);
    fc.assert(
      fc.property(unknownFields, fc.boolean(), (keys, asText) => {
        const object = Object.fromEntries([
          ['operationIds', ['fd8abc']],
          ...keys.map((key) => [key, 0]),
        ]);
        const result = attempt(asText ? JSON.stringify(object) : object);
        if (!('error' in result)) throw new Error('expected a refusal');
        expectRefusal(result.error);
        // Object.keys lists integer-like keys first, so which 5 are named is the parser's business.
        const { message } = result.error;
        expect(message).toMatch(/^unknown field\(s\) /);
        expect(message).toMatch(/; a request has operationIds, sweep, dryRun, minAgeSeconds$/);
        const more = keys.length > 5 ? ` and ${keys.length - 5} more;` : ';';
        expect(message).toContain(more);
      }),
      { numRuns: 100 },
    );
  });
});

describe('lists of names', () => {
  const forms = (list: readonly string[]) => [
    ['an array', list],
    ['an array as JSON text', JSON.stringify(list)],
    ['an object', { operationIds: list }],
    ['an object as JSON text', JSON.stringify({ operationIds: list })],
  ];

  it('keeps each distinct name once, in order, and validates it by the pattern alone', () => {
    fc.assert(
      fc.property(names, fc.integer({ min: 1, max: 40 }), (list, max) => {
        const distinct = [...new Set(list)];
        for (const [form, input] of forms(list)) {
          const result = attempt(input, max);
          if (distinct.length === 0 || distinct.length > max) {
            expect('error' in result, `${form} is refused`).toBe(true);
            continue;
          }
          if (!('ok' in result)) throw new Error(`${form} was refused: ${seen(result).message}`);
          const operations = operationsOf(result.ok);
          expect(operations).toHaveLength(distinct.length);
          operations.forEach((named, i) => {
            const name = distinct[i] as string;
            expect(named.valid).toBe(VALID_ID.test(name));
            if (named.valid) {
              expect(named.id).toBe(name);
            } else {
              const shown = named.text.replace(/…$/, '');
              expect(name.replace(/\p{Cc}/gu, '?').startsWith(shown)).toBe(true);
            }
          });
        }
      }),
      RUNS,
    );
  });

  it('refuses more distinct names than the limit whole, with status 413 and both numbers', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(fc.oneof(validId, textToken), { minLength: 2, maxLength: 60 })
          .chain((list) =>
            fc.tuple(fc.constant(list), fc.integer({ min: 1, max: list.length - 1 })),
          ),
        ([list, max]) => {
          for (const [, input] of [...forms(list), ['text', list.join(' ')]]) {
            const result = attempt(input, max);
            if (!('error' in result)) throw new Error('expected a refusal');
            expectRefusal(result.error);
            expect(result.error.status).toBe(413);
            expect(result.error.message).toContain(String(list.length));
            expect(result.error.message).toContain(String(max));
          }
        },
      ),
      RUNS,
    );
  });

  it('never counts a duplicate against the limit', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 2, max: 500 }), (id, copies) => {
        const result = attempt(Array(copies).fill(id).join(','), 1);
        expect(seen(result)).toEqual({ operations: [{ valid: true, id }], dryRun: false });
      }),
      { numRuns: 50 },
    );
  });
});

describe('equivalent forms', () => {
  it('gives the same result for a JSON value and its text', () => {
    const structured = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).filter((v) => typeof v === 'object' && v !== null),
      requestLike.map((o) => JSON.parse(JSON.stringify(o)) as unknown),
      fc.record({ operationIds: names, dryRun: fc.boolean() }),
      names,
    );
    fc.assert(
      fc.property(structured, (value) => {
        expect(seen(attempt(JSON.stringify(value)))).toEqual(seen(attempt(value)));
      }),
      RUNS,
    );
  });

  it('reads whitespace and commas between names alike', () => {
    const joined = fc
      .array(fc.tuple(textToken, separator), { minLength: 1, maxLength: 25 })
      .chain((pairs) => fc.tuple(fc.constant(pairs), separator, separator));
    fc.assert(
      fc.property(joined, ([pairs, before, after]) => {
        const tokens = pairs.map(([token]) => token);
        const text = pairs.map(([token, sep]) => `${token}${sep}`).join('');
        const plain = tokens.join(' ');
        expect(seen(attempt(text))).toEqual(seen(attempt(plain)));
        expect(seen(attempt(`${before.replace(/,/g, ' ')}${text}${after}`))).toEqual(
          seen(attempt(plain)),
        );
        expect(seen(attempt(tokens.join(',')))).toEqual(seen(attempt(plain)));
      }),
      RUNS,
    );
  });
});

describe('prototype pollution', () => {
  const prototypes = () => ({
    object: Object.getOwnPropertyNames(Object.prototype).sort(),
    array: Object.getOwnPropertyNames(Array.prototype).sort(),
    function: Object.getOwnPropertyNames(Function.prototype).sort(),
  });
  const before = prototypes();
  const expectClean = () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(prototypes()).toEqual(before);
  };

  const PAYLOADS = [
    '{"__proto__": {"polluted": 1}, "operationIds": ["fd8abc"]}',
    '{"operationIds": ["fd8abc"], "__proto__": {"polluted": 1}}',
    '{"constructor": {"prototype": {"polluted": 1}}, "operationIds": ["fd8abc"]}',
    '{"operationIds": {"__proto__": {"polluted": 1}}}',
    '{"operationIds": ["fd8abc", {"__proto__": {"polluted": 1}}]}',
    '[{"__proto__": {"polluted": 1}}]',
    '{"__proto__": {"__proto__": {"polluted": 1}}}',
    '{"operationIds": ["fd8abc"], "dryRun": {"constructor": {"prototype": {"polluted": 1}}}}',
  ];

  it.each(PAYLOADS)(
    '%s, as text and as a parsed object, is refused and pollutes nothing',
    (text) => {
      for (const input of [text, JSON.parse(text)]) {
        const result = attempt(input);
        if (!('error' in result)) throw new Error('expected a refusal');
        expectRefusal(result.error);
        expectClean();
      }
    },
  );

  it('holds for generated objects with hostile keys at any depth', () => {
    const hostile = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        validId,
        fc.constant({ polluted: 1 }),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(hostileKey, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(hostile, (value) => {
        const text = JSON.stringify(value) ?? 'null';
        attempt(text);
        attempt(JSON.parse(text));
        expectClean();
      }),
      RUNS,
    );
  });
});
