import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queueAdapter } from '../../src/event/queue';
import { timerAdapter } from '../../src/event/timer';
import {
  httpEvent,
  QUEUE,
  queueEvent,
  queueMessage,
  STORAGE,
  TIMER,
  timerEvent,
  timerMessage,
} from '../support/events';
import {
  fixedTokens,
  type Invocation,
  inProcessFunction,
  invokeQuietly,
} from '../support/in-process';
import { cancellingApi } from '../support/pipeline-deps';
import {
  BAD_BODIES,
  base64,
  CHANNELS,
  type Channel,
  CONTROL,
  deliver,
  expectReadable,
  garbageBatch,
  LOOK_ALIKE_BODIES,
  MAX_LINE_BYTES,
  MAX_SHOWN_CHARS,
  manyIds,
  VALID_ID,
} from './corpus';

type Line = Record<string, unknown> & { level: string; msg: string };

interface Run extends Invocation {
  readonly lines: Line[];
  /** Every id the fake OperationService was asked about, by Get or Cancel. */
  readonly calls: ReadonlyArray<{ method: 'get' | 'cancel'; id: unknown }>;
}

/**
 * The real handler over a fake cloud: an OperationService whose every operation is running and
 * cancels at once, and a token that is always there. A rejection is told with its cause.
 */
function harness(env: Record<string, string> = {}) {
  let calls: Array<{ method: 'get' | 'cancel'; id: unknown }> = [];
  const api = cancellingApi({}, {}, { record: (method, id) => calls.push({ method, id }) });
  const fn = inProcessFunction(env, { api, tokens: fixedTokens });

  return async function invoke(event: unknown): Promise<Run> {
    calls = [];
    const run = await invokeQuietly(fn, event, { requestId: 'inv-hostile' }).catch(
      (thrown: unknown) => {
        throw new Error(`the handler rejected with ${describeThrown(thrown)}`);
      },
    );
    return { ...run, lines: run.lines as Line[], calls };
  };
}

const invokeDefault = harness();
const invokeSmall = harness({ MAX_OPERATIONS: '8' });
const invokeWithKey = harness({ HTTP_API_KEY: 'k3y' });

function describeThrown(thrown: unknown): string {
  if (!(thrown instanceof Error)) return String(thrown);
  const cause =
    thrown.cause instanceof Error ? ` (cause: ${thrown.cause.name}: ${thrown.cause.message})` : '';
  return `${thrown.name}: ${thrown.message.slice(0, 300)}${cause}`;
}

const errorLines = (run: Run, msg: string) =>
  run.lines.filter((line) => line.level === 'ERROR' && line.msg === msg);

/** What holds for every invocation, whatever the event (a rejection fails it before this). */
function expectSane(run: Run): void {
  expect(run.stdoutWrites).toBe(0);
  for (const [i, raw] of run.rawLines.entries()) {
    expect(raw).not.toContain('\n');
    expect(Buffer.byteLength(raw), `line ${i} is under 64 KB`).toBeLessThan(MAX_LINE_BYTES);
    const line = run.lines[i] as Line;
    expect(['INFO', 'WARN', 'ERROR']).toContain(line.level);
    expect(typeof line.msg).toBe('string');
    // Cloud Logging ties a line to its invocation by this field (its filter's request_id).
    expect(line.request_id).toBe('inv-hostile');
  }
  for (const { id } of run.calls) {
    expect(typeof id).toBe('string');
    expect(id).toMatch(VALID_ID);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

type HttpReply = { statusCode: number; headers: Record<string, string>; body: string };
type Report = {
  results: Array<{ operationId: string; outcome: string }>;
  summary: { rejectedRequests: number; operations: number };
};

/** An HTTP reply: a refusal with a readable message and no call, or results for what was named. */
function expectHttpReply(run: Run): HttpReply {
  const reply = run.reply as HttpReply;
  expect([200, 400, 401, 405, 413]).toContain(reply.statusCode);
  expect(reply.headers['Content-Type']).toBe('application/json');
  const body = JSON.parse(reply.body) as { error?: { message: unknown } } & Partial<Report>;
  if (reply.statusCode >= 400) {
    expect(Object.keys(body)).toEqual(['error']);
    expectReadable(body.error?.message);
    expect(run.calls).toEqual([]);
    expect(errorLines(run, 'invocation refused')).toHaveLength(1);
  } else {
    expectReportReply(run, body as Report);
  }
  return reply;
}

type Result = Report['results'][number];

/** Every result, as the log lines carry them: a trigger's reply has the summary only. */
function loggedResults(run: Run): Result[] {
  return run.lines
    .filter((l) => l.msg.startsWith('operation '))
    .map((l) => ({ operationId: String(l.operationId), outcome: String(l.outcome) }));
}

/** Results: invalid names echoed short, every valid one asked about, and nothing else. */
function expectResults(run: Run, summary: Report['summary']): void {
  const results = loggedResults(run);
  const invalid = results.filter((r) => r.outcome === 'invalid');
  // An id several messages name is one operation, with a line for each message that named it.
  const named = [
    ...new Set(results.filter((r) => r.outcome !== 'invalid').map((r) => r.operationId)),
  ];
  expect(named.length + invalid.length).toBe(summary.operations);
  for (const { operationId } of invalid) {
    expect(operationId.length).toBeLessThanOrEqual(MAX_SHOWN_CHARS);
    expect(operationId).not.toMatch(CONTROL);
  }
  expect(run.lines.filter((l) => l.msg === 'operation invalid' && l.level === 'WARN')).toHaveLength(
    invalid.length,
  );
  // Each valid id is asked about once, however many messages of a batch name it.
  const asked = run.calls.filter((c) => c.method === 'get').map((c) => String(c.id));
  expect(asked.sort()).toEqual(named.sort());
  // A batch's rest past the bound has one line for all of it, off the platform where it cannot
  // be handed on.
  const notHandedOn = errorLines(run, 'batch rest not handed on').reduce(
    (sum, l) => sum + Number(l.messages),
    0,
  );
  expect(errorLines(run, 'request rejected').length + notHandedOn).toBe(summary.rejectedRequests);
}

/** A reply that carries results (HTTP, raw) carries each one its log line does. */
function expectReportReply(run: Run, report: Report): void {
  // Invalid names are logged as they are parsed, the rest as they finish: compare as sets.
  const keys = (results: readonly Result[]) =>
    results.map((r) => `${r.outcome} ${r.operationId}`).sort();
  expect(keys(report.results)).toEqual(keys(loggedResults(run)));
  expectResults(run, report.summary);
}

/**
 * A raw reply: a report, or `{error: {message}}` with an ERROR line. A trigger's: the summary
 * alone, since the platform discards it, or `{error: {message}}` too.
 */
function expectTriggerReply(run: Run, event: unknown): void {
  const reply = run.reply as { error?: { message: unknown } } & Partial<Report>;
  if (reply.error !== undefined) {
    expect(Object.keys(reply)).toEqual(['error']);
    expectReadable(reply.error.message);
    expect(run.calls).toEqual([]);
    expect(errorLines(run, 'invocation refused')).toHaveLength(1);
    return;
  }
  if (isTriggerEvent(event)) {
    expect(Object.keys(reply)).toEqual(['summary']);
    expectResults(run, reply.summary as Report['summary']);
  } else {
    expectReportReply(run, reply as Report);
  }
}

/** Whether a trigger adapter takes the event, as the handler's adapters decide. */
function isTriggerEvent(event: unknown): boolean {
  return timerAdapter.matches(event) || queueAdapter.matches(event);
}

function expectReply(run: Run, event: unknown): void {
  expectSane(run);
  const isHttp =
    typeof event === 'object' &&
    event !== null &&
    typeof (event as { httpMethod?: unknown }).httpMethod === 'string' &&
    !Array.isArray(event);
  if (isHttp) expectHttpReply(run);
  else expectTriggerReply(run, event);
}

/** The reply's message, whichever channel it came by. */
function refusalMessage(channel: Channel, run: Run): string {
  if (channel === 'http') {
    return (JSON.parse((run.reply as HttpReply).body) as { error: { message: string } }).error
      .message;
  }
  if (channel === 'raw') return (run.reply as { error: { message: string } }).error.message;
  const [line] = errorLines(run, 'request rejected');
  return String((line?.error as { message?: unknown } | undefined)?.message);
}

// Arbitraries.

const validId = fc.stringMatching(/^[a-z0-9]{1,50}$/);
const junkName = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    'fd8٠١٢',
    'ｆｄ８１',
    'fd8𝟎𝟏',
    'fd8аbc',
    'fd8\u200babc',
    'fd8\u0000abc',
    'FD8ABC',
    'a'.repeat(51),
    '__proto__',
    'constructor',
  ),
);
const nameList = fc.array(fc.oneof(validId, junkName), { maxLength: 12 });
const bodyText = fc.oneof(
  nameList.map((names) => JSON.stringify(names)),
  nameList.map((names) => JSON.stringify({ operationIds: names })),
  nameList.map((names) => names.join(' ')),
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .dictionary(
      fc.oneof(
        fc.constantFrom('operationIds', 'dryRun', '__proto__', 'constructor', 'x'),
        fc.string({ unit: 'binary', maxLength: 60 }),
      ),
      fc.oneof(nameList, fc.boolean(), fc.jsonValue({ maxDepth: 2 })),
      { maxKeys: 40, size: 'medium' },
    )
    .map((o) => JSON.stringify(o)),
  fc
    .tuple(
      fc.constantFrom('[', '{', '{"operationIds": ['),
      fc.string({ unit: 'binary', maxLength: 60 }),
    )
    .map(([start, rest]) => `${start}${rest}\u0000\u001b[2J`),
);
const junk = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withSparseArray: true,
});
const hostileEvent = fc.oneof(
  fc.record(
    {
      httpMethod: fc.oneof(
        fc.constantFrom('POST', 'post', 'GET', 'PUT'),
        fc.string({ maxLength: 8 }),
        fc.string({ unit: 'binary', maxLength: 2000, size: 'max' }),
      ),
      headers: fc.oneof(junk, fc.constant({ 'X-Api-Key': 'k3y' })),
      body: fc.oneof(bodyText, bodyText.map(base64), junk),
      isBase64Encoded: fc.oneof(fc.boolean(), junk),
    },
    { requiredKeys: ['httpMethod'] },
  ),
  fc.oneof(bodyText, junk).map((payload) => timerEvent(payload)),
  fc
    .array(fc.oneof(bodyText, junk), { minLength: 1, maxLength: 6 })
    .map((bodies) => queueEvent(bodies)),
  fc.record({
    messages: fc.array(
      fc.record({
        event_metadata: fc.record({
          event_type: fc.oneof(fc.constantFrom(TIMER, QUEUE, STORAGE, 'x'), junk),
        }),
        details: fc.oneof(junk, fc.record({ payload: bodyText })),
      }),
      { maxLength: 3 },
    ),
  }),
  bodyText,
  fc.sparseArray(fc.oneof(validId, junkName), { maxLength: 12 }),
  fc
    .sparseArray(fc.oneof(validId, junkName), { maxLength: 12 })
    .map((operationIds) => ({ operationIds })),
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withMap: true,
    withSet: true,
    withSparseArray: true,
    stringUnit: 'binary',
  }),
);

describe('any hostile event', () => {
  it('gets a reply and well-formed log lines, and only valid ids reach the API', async () => {
    for (const invoke of [invokeSmall, invokeWithKey]) {
      await fc.assert(
        fc.asyncProperty(hostileEvent, async (event) => {
          expectReply(await invoke(event), event);
        }),
        { numRuns: 150 },
      );
    }
  });
});

describe('names by every channel', () => {
  const channelAndNames = fc.tuple(fc.constantFrom(...CHANNELS), nameList);

  it('ask the API about each distinct valid name once, and about nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(channelAndNames, async ([channel, names]) => {
        const distinct = [...new Set(names)];
        fc.pre(distinct.length > 0 && distinct.length <= 8);
        const run = await invokeSmall(deliver(channel, JSON.stringify(names)));
        expectSane(run);
        const valid = distinct.filter((name) => VALID_ID.test(name));
        expect(run.calls.filter((c) => c.method === 'get').map((c) => c.id)).toEqual(
          expect.arrayContaining(valid),
        );
        expect(run.calls.filter((c) => c.method === 'get')).toHaveLength(valid.length);
        expect(run.calls.filter((c) => c.method === 'cancel')).toHaveLength(valid.length);
      }),
      { numRuns: 150 },
    );
  });

  it('refuse more than MAX_OPERATIONS distinct names whole: 413, or an ERROR, and no call', async () => {
    const tooMany = fc.uniqueArray(fc.oneof(validId, junkName), { minLength: 9, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNELS), tooMany, async (channel, names) => {
        const run = await invokeSmall(deliver(channel, JSON.stringify(names)));
        expectSane(run);
        expect(run.calls).toEqual([]);
        const message = refusalMessage(channel, run);
        expect(message).toContain(`${names.length} operations`);
        expect(message).toContain('limit of 8');
        if (channel === 'http') expect((run.reply as HttpReply).statusCode).toBe(413);
        else expect(run.lines.some((l) => l.level === 'ERROR')).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('bodies that are not requests', () => {
  const rows = CHANNELS.flatMap((channel) =>
    BAD_BODIES.filter(([name]) => !(channel === 'timer' && name === 'an empty body')).map(
      ([name, body, message]) => [`${channel}: ${name}`, channel, body, message] as const,
    ),
  );

  it.each(rows)('%s is refused, with no API call', async (_name, channel, body, message) => {
    const run = await invokeDefault(deliver(channel, body));
    expectReply(run, deliver(channel, body));
    expect(run.calls).toEqual([]);
    expect(refusalMessage(channel, run)).toMatch(message);
    if (channel === 'http') expect((run.reply as HttpReply).statusCode).toBe(400);
    else expect(run.lines.some((l) => l.level === 'ERROR')).toBe(true);
  });
});

describe('names that look like ids and are not', () => {
  const rows = CHANNELS.flatMap((channel) =>
    LOOK_ALIKE_BODIES.map(
      ([name, body, asked]) => [`${channel}: ${name}`, channel, body, asked] as const,
    ),
  );

  it.each(rows)('%s reaches the API only with real ids', async (_name, channel, body, asked) => {
    const event = deliver(channel, body);
    const run = await invokeDefault(event);
    expectReply(run, event);
    expect(run.calls.filter((c) => c.method === 'get').map((c) => c.id)).toEqual(asked);
    expect(loggedResults(run).filter((r) => r.outcome === 'invalid').length).toBeGreaterThan(0);
    if (channel === 'http') expect((run.reply as HttpReply).statusCode).toBe(200);
  });
});

type Expected =
  | { readonly http: number; readonly message?: RegExp }
  | { readonly refused: RegExp }
  | { readonly rejected: number; readonly asked?: readonly string[]; readonly message?: RegExp }
  | { readonly asked: readonly string[] };

const NESTING = 100_000;
const nested = (depth: number): unknown => {
  let value: unknown = ['fd8abc'];
  for (let i = 0; i < depth; i++) value = [value];
  return { operationIds: value };
};
const storageEvent = {
  messages: [
    {
      event_metadata: { event_id: 'e1', event_type: STORAGE, created_at: '2026-01-01T00:00:00Z' },
      details: { bucket_id: 'logs', object_id: 'fd8abc.json' },
    },
  ],
};
const ids100k = manyIds(100_000);

const EVENTS: ReadonlyArray<readonly [string, unknown, Expected, Record<string, string>?]> = [
  ['null', null, { refused: /is null/ }],
  ['undefined', undefined, { refused: /the request is/ }],
  ['a number', 42, { refused: /is a number/ }],
  ['NaN', Number.NaN, { refused: /is a number/ }],
  ['a BigInt', 10n, { refused: /is a bigint/ }],
  ['a symbol', Symbol('fd8abc'), { refused: /is a symbol/ }],
  ['a function', () => 'fd8abc', { refused: /is a function/ }],
  ['a boolean', true, { refused: /is a boolean/ }],
  ['an empty object', {}, { refused: /operationIds/ }],
  ['an object storage trigger event', storageEvent, { refused: /ObjectCreate" are not handled/ }],
  ['an empty batch of messages', { messages: [] }, { refused: /has no messages/ }],
  ['messages that are not an array', { messages: 'fd8abc' }, { refused: /has no messages/ }],
  [
    'an event_type that is not a string',
    { messages: [{ event_metadata: { event_type: { toString: 'x' } }, details: {} }] },
    { refused: /events of type "unknown" are not handled/ },
  ],
  [
    'a timer message without details',
    { messages: [{ event_metadata: { event_type: TIMER } }] },
    { refused: /TimerMessage event is malformed/ },
  ],
  [
    'a batch mixing timer and queue messages',
    { messages: [timerMessage('fd8abc'), queueMessage('fd8def')] },
    { refused: /the batch mixes event types/ },
  ],
  // biome-ignore lint/suspicious/noSparseArray: the hole is the point
  ['a raw sparse array', [, 'fd8abc'], { refused: /the request\[0\] is missing/ }],
  [
    'a sparse operationIds',
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    { operationIds: ['fd8abc', , 'fd8def'] },
    { refused: /operationIds\[1\] is missing/ },
  ],
  ['a raw __proto__ event', JSON.parse('{"__proto__": {"polluted": 1}}'), { refused: /__proto__/ }],
  [
    'a raw constructor.prototype event',
    JSON.parse('{"constructor": {"prototype": {"polluted": 1}}, "operationIds": ["fd8abc"]}'),
    { refused: /constructor/ },
  ],
  [
    'operationIds nested 100,000 deep',
    nested(NESTING),
    { refused: /operationIds\[0\] is an array/ },
  ],
  [
    'a raw array with NUL bytes and look-alikes',
    ['fd8\u0000abc', 'fd8٠١', 'fd8аbc', 'fd8abc'],
    { asked: ['fd8abc'] },
  ],
  ['a 5 MB string as a raw event', 'x'.repeat(5 * 2 ** 20), { asked: [] }],
  [
    '100,000 ids as a raw array',
    ids100k,
    { refused: /100000 operations, more than the limit of 1000/ },
  ],
  [
    'an HTTP event with headers as an array',
    httpEvent('fd8abc', { headers: [['X-Api-Key', 'k3y']] }),
    { asked: ['fd8abc'] },
  ],
  [
    'an HTTP event with headers as an array, when a key is required',
    httpEvent('fd8abc', { headers: [['X-Api-Key', 'k3y']] }),
    { http: 401, message: /X-Api-Key/ },
    { HTTP_API_KEY: 'k3y' },
  ],
  [
    'an HTTP event with the key inside a __proto__ header',
    JSON.parse(
      '{"httpMethod": "POST", "headers": {"__proto__": {"X-Api-Key": "k3y"}}, "body": "fd8abc"}',
    ),
    { http: 401 },
    { HTTP_API_KEY: 'k3y' },
  ],
  [
    'an HTTP event with headers null',
    httpEvent('fd8abc', { headers: null }),
    { asked: ['fd8abc'] },
  ],
  [
    'an HTTP GET',
    httpEvent('fd8abc', { httpMethod: 'GET' }),
    { http: 405, message: /send a POST/ },
  ],
  ['an HTTP method of junk', httpEvent('fd8abc', { httpMethod: '💥' }), { http: 405 }],
  [
    'a 5 MB HTTP method with control characters',
    httpEvent('fd8abc', { httpMethod: `GET\u0000\u001b[2J${'x'.repeat(5 * 2 ** 20)}` }),
    { http: 405, message: /^method GET\?\?\[2Jx{8}… is not allowed; send a POST$/ },
  ],
  [
    'broken JSON with control characters over HTTP',
    httpEvent('["fd8abc", \u001b[31mred\u0000]'),
    { http: 400, message: /^the request is not valid JSON \(/ },
  ],
  [
    'an HTTP body that is an object',
    httpEvent({ operationIds: ['fd8abc'] }),
    { http: 400, message: /not a string/ },
  ],
  ['an HTTP body that is an array', httpEvent(['fd8abc']), { http: 400, message: /not a string/ }],
  ['an HTTP body that is a number', httpEvent(42), { http: 400 }],
  [
    'base64 that is not base64',
    httpEvent('fd8abc!!', { isBase64Encoded: true }),
    { http: 400, message: /not valid base64/ },
  ],
  [
    'base64 of bytes that are not UTF-8',
    httpEvent(Buffer.from([0xc3, 0x28, 0xff]).toString('base64'), { isBase64Encoded: true }),
    { http: 400, message: /not UTF-8/ },
  ],
  [
    'base64 of NUL bytes',
    httpEvent(base64('\u0000\u0000\u0000'), { isBase64Encoded: true }),
    { asked: [] },
  ],
  [
    'base64 flagged with the string "true"',
    httpEvent(base64('fd8abc'), { isBase64Encoded: 'true' }),
    { asked: [] },
  ],
  [
    'a 3.6 MB body',
    httpEvent('fd8abc '.repeat(Math.ceil((3.6 * 2 ** 20) / 7))),
    { http: 413, message: /3\.5 MB/ },
  ],
  ['a 5 MB string body', httpEvent('x'.repeat(5 * 2 ** 20)), { http: 413, message: /3\.5 MB/ }],
  ['a 3.6 MB body of two-byte characters', httpEvent('д'.repeat(1_900_000)), { http: 413 }],
  [
    '100,000 ids over HTTP',
    httpEvent(JSON.stringify({ operationIds: ids100k })),
    { http: 413, message: /100000 operations/ },
  ],
  [
    'arrays nested 100,000 deep over HTTP',
    httpEvent(`${'['.repeat(NESTING)}${']'.repeat(NESTING)}`),
    { http: 400 },
  ],
  [
    'an unclosed JSON array a million deep',
    httpEvent('['.repeat(1_000_000)),
    { http: 400, message: /not valid JSON/ },
  ],
  [
    '__proto__ and constructor keys in an HTTP body',
    httpEvent('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}'),
    { http: 400, message: /unknown field\(s\) "__proto__", "constructor"/ },
  ],
  [
    '100,000 ids in a queue message',
    queueEvent([ids100k.join(' ')]),
    { rejected: 1, message: /limit of 1000/ },
  ],
  [
    '100,000 ids beside a good queue message',
    queueEvent([ids100k.join(','), 'fd8abc']),
    { rejected: 1, asked: ['fd8abc'] },
  ],
  [
    'a 5 MB id in a queue message',
    queueEvent([`["${'x'.repeat(5 * 2 ** 20)}"]`]),
    { rejected: 1, message: /more than 3670016 bytes of requests/ },
  ],
  ['a queue batch of 1000 garbage messages', garbageBatch(1000), { rejected: 1000 }],
  [
    'a queue message with no message object',
    { messages: [{ ...queueMessage('fd8abc'), details: { queue_id: 'q' } }] },
    { rejected: 1, message: /no text body/ },
  ],
  [
    'a queue message whose body is an object',
    queueEvent([{ operationIds: ['fd8abc'] }]),
    { rejected: 1 },
  ],
  [
    'a timer with a 100 KB payload naming 10,000 ids',
    timerEvent(manyIds(10_000).join(' ')),
    { rejected: 1, message: /limit of 1000/ },
  ],
  [
    'a timer with a 100 KB payload of broken JSON',
    timerEvent(`{"operationIds": [${'"fd8abc", '.repeat(10_000)}`),
    { rejected: 1, message: /not valid JSON/ },
  ],
  [
    'a timer with a 100 KB payload that is one junk token',
    timerEvent('%'.repeat(100_000)),
    { asked: [] },
  ],
  [
    'a timer payload that is an object',
    timerEvent({ operationIds: ['fd8abc'] }),
    { rejected: 1, message: /not a string/ },
  ],
  ['a timer payload that is a number', timerEvent(12), { rejected: 1 }],
];

describe('named hostile events', () => {
  const invokers = new Map<string, ReturnType<typeof harness>>();
  const invokerFor = (env: Record<string, string> = {}) => {
    const key = JSON.stringify(env);
    if (!invokers.has(key)) invokers.set(key, harness(env));
    return invokers.get(key) as ReturnType<typeof harness>;
  };

  it.each(EVENTS.map(([name, event, expected, env]) => ({ name, event, expected, env })))(
    '$name',
    async ({ event, expected, env }) => {
      const run = await invokerFor(env)(event);
      expectReply(run, event);
      const errors = run.lines.filter((l) => l.level === 'ERROR');
      if ('http' in expected) {
        const reply = run.reply as HttpReply;
        expect(reply.statusCode).toBe(expected.http);
        expect(run.calls).toEqual([]);
        if (expected.message) expect(refusalMessage('http', run)).toMatch(expected.message);
      } else if ('refused' in expected) {
        expect(refusalMessage('raw', run)).toMatch(expected.refused);
        expect(errors).toHaveLength(1);
        expect(run.calls).toEqual([]);
      } else if ('rejected' in expected) {
        expect(errorLines(run, 'request rejected')).toHaveLength(expected.rejected);
        expect(run.calls.map((c) => c.id)).toEqual(
          (expected.asked ?? []).flatMap((id) => [id, id]),
        );
        if (expected.message) expect(refusalMessage('queue', run)).toMatch(expected.message);
      } else {
        expect(run.calls.filter((c) => c.method === 'get').map((c) => c.id)).toEqual(
          expected.asked,
        );
        expect(errors).toEqual([]);
      }
    },
  );
});
