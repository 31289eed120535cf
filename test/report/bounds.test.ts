import { describe, expect, it } from 'vitest';
import type { OperationApi } from '../../src/cloud/operation-api';
import { createLogger } from '../../src/log';
import type { OperationResult } from '../../src/model';
import { NEXT_STEPS } from '../../src/report/next-step';
import { messageText } from '../../src/report/observe/message';
import { noteworthy } from '../../src/report/observe/notify';
import { replyBody } from '../../src/report/reply-body';
import { MAX_BODY_BYTES, MAX_LINE_BYTES } from '../requests/corpus';
import { httpEvent, QUEUE_ID, queueEvent } from '../support/events';
import { fixedTokens, inProcessFunction, invokeQuietly } from '../support/in-process';
import { cancellingApi } from '../support/pipeline-deps';

// Issue 17, item 6: what the server and the event send may be any length, and no reply, field or
// log line may grow with it.

/** The longest string a log line or a reply carries, before the ellipsis that says it was cut. */
const MAX_FIELD_CHARS = 2048;
/** What Telegram's sendMessage takes (core.telegram.org/bots/api#sendmessage). */
const MAX_TELEGRAM_CHARS = 4096;

/** Text that costs 6 bytes a character in JSON (`\u0001`), the worst a line can be sent. */
const escaped = (length: number, prefix = '') => prefix + '\u0001'.repeat(length);

function capture() {
  const lines: string[] = [];
  const log = createLogger((line) => lines.push(line), { request_id: 'inv-bounds' });
  return { lines, log };
}

/** A line as written: valid JSON on one line, under Cloud Logging's 64 KB with its newline. */
function expectWellFormed(raw: string): Record<string, unknown> {
  expect(raw).not.toContain('\n');
  expect(Buffer.byteLength(`${raw}\n`)).toBeLessThanOrEqual(MAX_LINE_BYTES);
  const line = JSON.parse(raw) as Record<string, unknown>;
  expect(typeof line.level).toBe('string');
  expect(typeof line.msg).toBe('string');
  return line;
}

const manyFields = (count: number, value: unknown) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`field${i}`, value]));

/** Every string in a parsed line, however deep. */
const textsOf = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : value !== null && typeof value === 'object'
      ? Object.values(value).flatMap(textsOf)
      : [];

const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;

describe('a log line', () => {
  it.each([
    // [case, fields, how long each field's text may be, fields left out]
    ['a few short fields', { a: 'x', b: 1, c: ['y'] }, MAX_FIELD_CHARS, []],
    ['12 fields of escaped text', manyFields(12, escaped(100_000)), 512, []],
    ['a list of 100 long strings', { list: Array(100).fill(escaped(3000)) }, 512, []],
    ['60 fields of escaped text', manyFields(60, escaped(100_000)), 128, []],
    ['200 fields of escaped text', manyFields(200, escaped(100_000)), 128, ['field0', 'field19']],
    ['10,000 fields of numbers', manyFields(10_000, 12345678), 128, ['field0', 'field19']],
  ] as const)('with %s fits, cut as far as it must be', (_case, fields, chars, dropped) => {
    const { lines, log } = capture();
    log.log('WARN', 'operation failed', { ...fields, operationId: 'fd8abc', queueId: QUEUE_ID });
    const line = expectWellFormed(lines[0] as string);
    expect(line).toMatchObject({
      level: 'WARN',
      msg: 'operation failed',
      request_id: 'inv-bounds',
      operationId: 'fd8abc',
      queueId: QUEUE_ID,
    });
    for (const text of textsOf(line)) expect(text.length).toBeLessThanOrEqual(chars + 1);
    if (dropped.length === 0) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(Object.keys(fields)));
      expect(line.droppedFields).toBeUndefined();
    } else {
      // The names of what was left out, up to 20, so a reader knows the line is not whole.
      expect(line.droppedFields).toHaveLength(20);
      expect(line.droppedFields).toEqual(expect.arrayContaining([...dropped]));
    }
  });

  it('keeps the ids a person needs when every field is too long, each cut short', () => {
    const { lines, log } = capture();
    const ids = {
      request_id: escaped(100_000, 'inv-'),
      source: 'queue',
      queueId: escaped(100_000, QUEUE_ID),
      messageId: escaped(100_000, 'msg-0'),
      operationId: escaped(100_000, 'fd8'),
      outcome: 'invalid',
    };
    log.log('WARN', escaped(100_000, 'operation invalid'), {
      ...ids,
      ...manyFields(200, escaped(100_000)),
    });
    const line = expectWellFormed(lines[0] as string);
    expect(line.level).toBe('WARN');
    // Cut as the last shape cuts: 128 characters.
    const cut = (text: string) => (text.length > 128 ? `${text.slice(0, 128)}…` : text);
    expect(line.msg).toBe(cut(escaped(100_000, 'operation invalid')));
    for (const [key, value] of Object.entries(ids)) expect(line[key], key).toBe(cut(value));
  });

  it.each([
    ['a cycle', { loop: cyclic }],
    ['a bigint', { big: 10n ** 30n }],
    ['a key a megabyte long', { nested: { [escaped(1_000_000)]: 1 } }],
    ['nesting 10,000 deep', { deep: JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) }],
    ['an error with a huge message', { error: new Error(escaped(1_000_000)) }],
    ['a huge level or msg field', { level: escaped(100_000), msg: escaped(100_000) }],
  ])('with %s is still valid JSON under the bound', (_case, fields) => {
    const { lines, log } = capture();
    log.log('ERROR', 'request rejected', fields);
    expect(expectWellFormed(lines[0] as string)).toMatchObject({ request_id: 'inv-bounds' });
  });
});

const result = (extra: Partial<OperationResult>): OperationResult => ({
  operationId: 'fd8abc',
  outcome: 'failed',
  attempts: 1,
  durationMs: 3,
  ...extra,
});

const reportOf = (results: OperationResult[]) => ({
  results,
  summary: { operations: results.length, outcomes: {}, rejectedRequests: 0, durationMs: 5 },
});

const long = 'r'.repeat(6000);
const cutLong = `${'r'.repeat(MAX_FIELD_CHARS)}…`;

describe('a reply', () => {
  it.each([
    ['description', { description: long }, { description: cutLong }],
    ['message', { message: long }, { message: cutLong }],
    ['createdBy', { createdBy: long }, { createdBy: cutLong }],
    ['apiRequestId', { apiRequestId: long }, { apiRequestId: cutLong }],
    ['serverTraceId', { serverTraceId: long }, { serverTraceId: cutLong }],
    ['clientRequestId', { clientRequestId: long }, { clientRequestId: cutLong }],
    ['resourceId', { resourceId: long }, { resourceId: cutLong }],
    [
      'latestLogRecord',
      { latestLogRecord: { message: long } },
      { latestLogRecord: { message: cutLong } },
    ],
    ['a string at the bound', { description: 'd'.repeat(2048) }, { description: 'd'.repeat(2048) }],
  ] as const)('cuts %s as a log line does', (_field, extra, expected) => {
    const reply = replyBody(reportOf([result(extra), result({ operationId: 'fd8def' })]));
    expect(reply.results[0]).toEqual(result(expected));
    expect(reply.results[1]).toEqual(result({ operationId: 'fd8def' }));
    expect(reply.omittedResults).toBeUndefined();
  });

  it('is the report itself when nothing in it is too long', () => {
    const report = reportOf([result({ description: 'Create instance' })]);
    expect(replyBody(report)).toBe(report);
  });
});

const invoke = (api: OperationApi, event: unknown, requestId = 'inv-bounds') =>
  invokeQuietly(inProcessFunction({}, { api, tokens: fixedTokens }), event, { requestId });

type Body = { results: Array<Record<string, unknown>>; omittedResults?: number };
const bodyOf = (reply: unknown): Body => JSON.parse((reply as { body: string }).body);
const FOUR = ['fd8a', 'fd8b', 'fd8c', 'fd8d'];
const MB = 1024 * 1024;

describe('the function, when the server sends text of any length', () => {
  it('replies over HTTP with four operations of 1 MB descriptions, each cut', async () => {
    const api = cancellingApi({ description: `Create ${'d'.repeat(MB)}` });
    const { reply, rawLines } = await invoke(
      api,
      httpEvent(JSON.stringify({ operationIds: FOUR })),
    );
    expect(Buffer.byteLength(JSON.stringify(reply))).toBeLessThan(64 * 1024);
    const body = bodyOf(reply);
    // Every result is there: none is crowded out by another's description.
    expect(body.omittedResults).toBeUndefined();
    expect(body.results.map((r) => r.operationId)).toEqual(FOUR);
    for (const r of body.results) {
      expect(r.description).toBe(`Create ${'d'.repeat(MAX_FIELD_CHARS - 7)}…`);
    }
    for (const raw of rawLines) expectWellFormed(raw);
  });

  it.each([
    ['HTTP', () => httpEvent(JSON.stringify({ operationIds: FOUR })), bodyOf],
    ['raw', () => ({ operationIds: FOUR }), (reply: unknown) => reply as Body],
  ])(
    'cuts a 6,000-character x-request-id in a %s reply as in its log lines',
    async (_c, event, body) => {
      const api = cancellingApi(
        {},
        { apiRequestId: `req-${long}`, serverTraceId: `trace-${long}` },
      );
      const { reply, rawLines } = await invoke(api, event());
      const logged = rawLines
        .map((raw) => expectWellFormed(raw))
        .filter((line) => line.msg === 'operation cancelled');
      expect(logged).toHaveLength(FOUR.length);
      for (const [i, r] of body(reply).results.entries()) {
        expect(r.apiRequestId).toBe(`${`req-${long}`.slice(0, MAX_FIELD_CHARS)}…`);
        expect(r.serverTraceId).toBe(`${`trace-${long}`.slice(0, MAX_FIELD_CHARS)}…`);
        expect(r.apiRequestId).toBe(logged[i]?.apiRequestId);
        expect(r.serverTraceId).toBe(logged[i]?.serverTraceId);
      }
    },
  );

  it('keeps every line under 64 KB for a batch of huge ids, queue ids and message ids at once', async () => {
    const huge = 30_000;
    const validId = (i: number) => `fd8${String(i).padStart(47, '0')}`;
    const bodies = [0, 1, 2, 3].map((i) =>
      JSON.stringify({ operationIds: [validId(i), escaped(huge, `FD8-${i}`)] }),
    );
    const event = queueEvent(bodies, {
      queueId: escaped(huge, QUEUE_ID),
      messageId: (i) => escaped(huge, `msg-${i}`),
      eventId: (i) => escaped(huge, `event-${i}`),
    });
    // What the platform could deliver: the batch inside its 3.5 MB cap.
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(MAX_BODY_BYTES);
    const api = cancellingApi(
      { description: escaped(huge), createdBy: escaped(huge, 'aje') },
      { apiRequestId: escaped(huge, 'req-'), serverTraceId: escaped(huge, 'trace-') },
    );

    const { rawLines } = await invoke(api, event, escaped(huge, 'inv-'));
    const lines = rawLines.map((raw) => expectWellFormed(raw));
    const operations = lines.filter((line) => String(line.msg).startsWith('operation '));
    expect(operations).toHaveLength(8);
    for (const line of [...operations, ...lines.filter((l) => l.msg === 'invocation summary')]) {
      expect(String(line.request_id)).toMatch(/^inv-/);
    }
    for (const line of operations) {
      expect(String(line.queueId).startsWith(QUEUE_ID)).toBe(true);
      expect(String(line.messageId)).toMatch(/^msg-[0-3]/);
      expect(typeof line.operationId).toBe('string');
      // Cut shorter, not dropped: every field is still there.
      expect(line.droppedFields).toBeUndefined();
    }
  });
});

describe('a message', () => {
  it('fits Telegram with 20 operations of the longest ids, descriptions and next steps', () => {
    const listed = Array.from({ length: 25 }, (_, i) =>
      result({
        operationId: `fd8${i}`.repeat(10_000),
        outcome: i % 2 ? 'failed' : 'stuck',
        description: long,
        ageSeconds: 10 ** 15,
        next: NEXT_STEPS['compute.snapshot']['*'].stuck,
        resourceId: long,
        apiRequestId: long,
      }),
    );
    // Every outcome counted, as the message's first line counts them.
    const others = ['cancelled', 'cancelling', 'already_done', 'not_found', 'not_cancellable'].map(
      (outcome) => result({ outcome: outcome as OperationResult['outcome'] }),
    );
    const report = reportOf([...listed, ...others]);
    // With the learnt durations too, of the longest descriptions.
    const learnt = Array.from({ length: 20 }, () => ({
      kind: 'compute.reservedInstancePool' as const,
      description: long,
      samples: 1000,
      medianSeconds: 10 ** 15,
      thresholdSeconds: 10 ** 15,
    }));
    const sweep = { candidates: 1, refused: true, failedListings: 0, learnt };
    const note = noteworthy({ ...report, summary: { ...report.summary, sweep } }, true);
    if (note === undefined) throw new Error('expected a message');
    expect(note.operations).toHaveLength(20);
    const text = messageText(note);
    expect(text.length).toBeLessThanOrEqual(MAX_TELEGRAM_CHARS);
    const lines = text.split('\n');
    // The lines that do not fit are counted with those past the 20 listed: none goes unsaid.
    const shown = lines.filter((line) => line.startsWith('- fd8')).length;
    expect(shown).toBeGreaterThan(0);
    // The 25 failed and stuck, and the cancelled and cancelling ones of `others`; then what was learnt.
    expect(lines.at(-2)).toBe(`and ${27 - shown} more`);
    expect(lines.at(-1)).toMatch(/^learnt: compute\.reservedInstancePool/);
  });

  it('fits Telegram with the active-operations quota met in 10 folders of 5 holders each too', () => {
    const listed = Array.from({ length: 25 }, (_, i) =>
      result({ operationId: `fd8${i}`.repeat(10_000), outcome: 'failed', description: long }),
    );
    const activeOperationsQuota = Array.from({ length: 10 }, (_, f) => ({
      folderId: `b1g${f}`.repeat(10_000),
      running: 10 ** 15,
      oldestRunning: Array.from({ length: 5 }, (_, i) => ({
        operationId: `fd8${f}${i}`.repeat(10_000),
        description: long,
        ageSeconds: 10 ** 15,
        resourceKind: 'compute.reservedInstancePool' as const,
        resourceId: `vm${i}`.repeat(10_000),
      })),
    }));
    const report = reportOf(listed);
    const note = noteworthy(
      { ...report, summary: { ...report.summary, activeOperationsQuota } },
      true,
    );
    if (note === undefined) throw new Error('expected a message');
    // Fewer operations make room for the quota's holders, all five of them.
    expect(note.operations).toHaveLength(10);
    expect(note.activeOperationsQuota?.oldestRunning).toHaveLength(5);
    const text = messageText(note);
    expect(text.split('\n').filter((l) => l.includes('holding the quota'))).toHaveLength(5);
    expect(text).toContain('and 7 more folders');
    expect(text.length).toBeLessThanOrEqual(MAX_TELEGRAM_CHARS);
  });
});
