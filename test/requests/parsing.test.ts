import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors';
import { parseRequest } from '../../src/request/parse';
import { OPEN_POLICY } from '../support/policy';
import { operationsOf } from '../support/requests';

const limits = { maxOperations: 5, policy: OPEN_POLICY };
const ids = (input: unknown) =>
  operationsOf(parseRequest(input, limits)).map((o) => (o.valid ? o.id : `!${o.text}`));

describe('accepted forms', () => {
  it.each([
    ['an object', { operationIds: ['a1', 'b2'] }, ['a1', 'b2']],
    ['an object as JSON text', '{"operationIds":["a1","b2"]}', ['a1', 'b2']],
    ['an array', ['a1', 'b2'], ['a1', 'b2']],
    ['an array as JSON text', ' ["a1","b2"] ', ['a1', 'b2']],
    ['text with spaces', 'a1 b2', ['a1', 'b2']],
    ['text with commas and newlines', 'a1,b2\n c3 ,, d4', ['a1', 'b2', 'c3', 'd4']],
    ['duplicates, handled once', 'a1 a1 b2 a1', ['a1', 'b2']],
    ['ids of 50 characters', 'x'.repeat(50), ['x'.repeat(50)]],
  ])('%s', (_name, input, expected) => {
    expect(ids(input)).toEqual(expected);
  });

  it('marks ids that are not 1 to 50 lowercase letters and digits invalid, in place', () => {
    expect(ids(['AB', 'x'.repeat(51), 'a1', 'a-b', '٣٤'])).toEqual([
      '!AB',
      `!${'x'.repeat(51)}`,
      'a1',
      '!a-b',
      '!٣٤',
    ]);
  });

  it('cuts invalid text short and strips control characters before echoing it', () => {
    const [named] = operationsOf(parseRequest([`bad\u0000${'z'.repeat(100)}`], limits));
    expect(named).toEqual({ valid: false, text: `bad?${'z'.repeat(60)}…` });
  });

  it('reads dryRun', () => {
    expect(parseRequest({ operationIds: ['a1'], dryRun: true }, limits).dryRun).toBe(true);
    expect(parseRequest({ operationIds: ['a1'] }, limits).dryRun).toBe(false);
    expect(parseRequest('a1', limits).dryRun).toBe(false);
  });
});

describe('refused requests', () => {
  it.each([
    ['empty text', '', /names no operation ids/],
    ['blank text', ' , \n', /names no operation ids/],
    ['an empty array', [], /names no operation ids/],
    ['broken JSON', '{"operationIds": [', /not valid JSON/],
    ['a number', 42, /is a number/],
    ['null', null, /is null/],
    ['a boolean', true, /is a boolean/],
    ['a misspelt field', { operationIDs: ['a1'] }, /unknown field\(s\) "operationIDs"/],
    [
      'a __proto__ key',
      JSON.parse('{"__proto__": {"x": 1}, "operationIds": ["a1"]}'),
      /unknown field\(s\) "__proto__"/,
    ],
    ['operationIds missing', {}, /operationIds is missing; expected an array/],
    ['operationIds a string', { operationIds: 'a1' }, /operationIds is a string/],
    ['a number among ids', { operationIds: ['a1', 7] }, /operationIds\[1\] is a number/],
    ['a nested array', [['a1']], /the request\[0\] is an array/],
    ['dryRun not a boolean', { operationIds: ['a1'], dryRun: 'yes' }, /dryRun is a string/],
  ])('%s', (_name, input, message) => {
    expect(() => parseRequest(input, limits)).toThrow(message);
    expect(() => parseRequest(input, limits)).toThrow(RequestError);
  });

  it('refuses more ids than the limit whole, with status 413', () => {
    const error = (() => {
      try {
        parseRequest('a1 a2 a3 a4 a5 a6', limits);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({
      status: 413,
      message: expect.stringMatching(/6 operations, more than the limit of 5/),
    });
  });

  it('counts distinct ids against the limit', () => {
    expect(ids('a1 a1 a1 a1 a1 a1 a1 a2')).toEqual(['a1', 'a2']);
  });
});
