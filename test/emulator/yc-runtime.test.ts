import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Invocation,
  RUNTIME_DEFAULTS,
  type StartRuntimeOptions,
} from '../../emulator/runtime';
import { closedAfterEach } from '../support/cleanup';
import { type RecordedRuntime, startRuntime } from '../support/runtime';

// What the emulated runtime does, each behaviour pinned to its source: the public dump of the
// Node.js runtime (vitalets/yandex-cloud-fn-internals, `function/runtime/runtime.js` and
// `function/runtime/bootstrap`), cited as "runtime.js `<name>`", and yandex-cloud/docs where
// they say the same. The fixture is plain CommonJS, so none of it depends on src/.
const FIXTURE = `'use strict';
let step = 0;
const gates = new Map();
function gate(key) {
  if (!gates.has(key)) {
    let open;
    const opened = new Promise((resolve) => { open = resolve; });
    gates.set(key, { opened, open });
  }
  return gates.get(key);
}
const VALUES = {
  date: () => ({ when: new Date(0), gone: undefined, list: [undefined] }),
  undefined: () => undefined,
  bigint: () => 1n,
};
const actions = {
  context(event, context) {
    const realNow = Date.now;
    Date.now = () => event.now;
    let remaining;
    try {
      remaining = context.getRemainingTimeInMillis();
    } finally {
      Date.now = realNow;
    }
    return {
      fields: { ...context },
      hasTokenField: 'token' in context,
      tokenIsUndefined: context.token === undefined,
      remaining,
    };
  },
  payload(event, context) {
    const payload = context.getPayload();
    return Buffer.isBuffer(payload) ? { buffer: payload.toString('utf8') } : { parsed: payload };
  },
  throw(event) {
    throw new TypeError(event.message);
  },
  value: (event) => VALUES[event.kind](),
  async overlap(event) {
    // Waits (a bounded while) for a peer to start, then says where it started and ended.
    const started = step++;
    gate('overlap').open();
    const peer = (async () => { while (step < 2) await new Promise((r) => setTimeout(r, 10)); })();
    await Promise.race([peer, new Promise((r) => setTimeout(r, event.waitMs))]);
    return { started, ended: step++ };
  },
  uncaught(event) {
    setTimeout(() => {
      throw new Error(event.message);
    }, 0);
    return gate(event.gate).opened;
  },
  unhandled(event) {
    Promise.reject(new RangeError(event.message));
    return gate(event.gate).opened;
  },
  hold: (event) => gate(event.gate).opened,
  release(event) {
    gate(event.gate).open('released');
    return 'released';
  },
};
exports.handler = async (event, context) => {
  const action = event !== null && typeof event === 'object' ? actions[event.do] : undefined;
  return action ? action(event, context) : { event };
};
exports.syncValue = (event) => ({ sync: event });
exports.syncUndefined = () => undefined;
`;

const TOKEN = { access_token: 't1.runtime-test', expires_in: 43_200, token_type: 'Bearer' };

let dir: string;
let bundle: string;
let shared: RecordedRuntime;
const track = closedAfterEach();

async function start(opts: Partial<StartRuntimeOptions> = {}): Promise<RecordedRuntime> {
  return track(await startRuntime({ bundlePath: bundle, ...opts }));
}

function resultOf<T = Record<string, unknown>>(invocation: Invocation): T {
  expect(invocation.ok, invocation.body).toBe(true);
  return invocation.result as T;
}

const eventOf = async (data: string) =>
  resultOf<{ event: unknown }>(await shared.invokeData(data)).event;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'yc-runtime-'));
  bundle = path.join(dir, 'index.js');
  writeFileSync(bundle, FIXTURE);
  shared = await startRuntime({ bundlePath: bundle });
});

afterAll(async () => {
  await shared?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the event is made from the data (runtime.js `parseJsonPayload`)', () => {
  // Also yandex-cloud/docs `en/functions/lang/nodejs/handler.md`: a JSON body is parsed.
  it('parses JSON data: an object, an array, a string, a number, null', async () => {
    expect(await eventOf('{"operationIds":["fd8a"]}')).toEqual({ operationIds: ['fd8a'] });
    expect(await eventOf('["fd8a", 1]')).toEqual(['fd8a', 1]);
    expect(await eventOf('"fd8a fd8b"')).toBe('fd8a fd8b');
    expect(await eventOf(' 42 ')).toBe(42);
    expect(await eventOf('null')).toBeNull();
  });

  it('wraps data that is not JSON as {payload: <the text>}, as it is', async () => {
    expect(await eventOf('fd8a fd8b')).toEqual({ payload: 'fd8a fd8b' });
    expect(await eventOf('fd8a\nfd8b\n')).toEqual({ payload: 'fd8a\nfd8b\n' });
    expect(await eventOf('{"operationIds": [')).toEqual({ payload: '{"operationIds": [' });
  });

  // yandex-cloud/docs `function-invoke.md`, CLI section: no data is an empty string.
  it('makes no data {payload: ""}', async () => {
    expect(await eventOf('')).toEqual({ payload: '' });
  });

  it('gets JSON.stringify(event) from invoke(), so the value arrives unchanged', async () => {
    expect(resultOf(await shared.invoke('fd8a fd8b')).event).toBe('fd8a fd8b');
    expect(resultOf(await shared.invoke({ a: [1, null] })).event).toEqual({ a: [1, null] });
  });
});

describe('the context is made from the /next headers (runtime.js `Request`)', () => {
  interface ContextResult {
    fields: Record<string, unknown>;
    hasTokenField: boolean;
    tokenIsUndefined: boolean;
    remaining: number;
  }
  const contextOf = async (rt: RecordedRuntime, ctx = {}, now = 0) =>
    resultOf<ContextResult>(await rt.invoke({ do: 'context', now }, ctx));

  // Also yandex-cloud/docs `en/functions/lang/nodejs/context.md`: functionName is the function's
  // id, memoryLimitInMB a string.
  it('carries the request, function and version ids, the memory as a string, the log group', async () => {
    const rt = await start({
      functionId: 'd4eabcdefghij0123456',
      functionVersion: 'd4eversion0123456789',
      memoryMb: 256,
    });
    const { fields } = await contextOf(rt, { requestId: 'req-ctx' });
    expect(fields).toEqual({
      requestId: 'req-ctx',
      awsRequestId: 'req-ctx',
      invokedFunctionArn: 'd4eabcdefghij0123456',
      functionName: 'd4eabcdefghij0123456',
      functionVersion: 'd4eversion0123456789',
      memoryLimitInMB: '256',
      deadlineMs: expect.any(Number),
      logGroupName: RUNTIME_DEFAULTS.logGroupName,
    });

    const defaults = (await contextOf(shared)).fields;
    expect(defaults).toMatchObject({
      functionName: RUNTIME_DEFAULTS.functionId,
      functionVersion: RUNTIME_DEFAULTS.functionVersion,
      memoryLimitInMB: '128',
    });
    expect(defaults.functionName).toMatch(/^d4e[a-z0-9]{17}$/);
  });

  // runtime.js `Request.getRemainingTimeInMillis`: deadlineMs minus now, not clamped. The
  // fixture fixes Date.now, so the count needs no clock slack.
  it('sets deadlineMs from the timeout when the instance takes it, and counts down to it', async () => {
    const before = Date.now();
    const { fields } = await contextOf(shared, { timeoutMs: 5_000 });
    const after = Date.now();
    const deadlineMs = fields.deadlineMs as number;
    expect(deadlineMs).toBeGreaterThanOrEqual(before + 5_000);
    expect(deadlineMs).toBeLessThanOrEqual(after + 5_000);

    expect((await contextOf(shared, { timeoutMs: 5_000 }, 1_000)).remaining).toBeGreaterThan(0);
    const at = async (offset: number) => {
      const timed = await contextOf(shared, { timeoutMs: 5_000 }, 0);
      const now = (timed.fields.deadlineMs as number) - offset;
      return (await contextOf(shared, { requestId: 'fixed', timeoutMs: 0 }, now)).remaining;
    };
    // A fresh invocation's own deadline is now + timeout; `at` reads one against a fixed clock.
    expect(typeof (await at(0))).toBe('number');

    const t0 = Date.now();
    const dflt = (await contextOf(shared, {}, t0)).fields.deadlineMs as number;
    expect(dflt - t0).toBeGreaterThanOrEqual(RUNTIME_DEFAULTS.timeoutMs);
    expect(dflt).toBeLessThanOrEqual(Date.now() + RUNTIME_DEFAULTS.timeoutMs);
  });

  it('gives remaining time as deadlineMs - Date.now(), negative past the deadline', async () => {
    const first = await contextOf(shared, { timeoutMs: 60_000 }, 0);
    const deadlineMs = first.fields.deadlineMs as number;
    expect(first.remaining).toBe(deadlineMs);
    const late = await contextOf(shared, { timeoutMs: 0 }, Number.MAX_SAFE_INTEGER);
    expect(late.remaining).toBe((late.fields.deadlineMs as number) - Number.MAX_SAFE_INTEGER);
    expect(late.remaining).toBeLessThan(0);
  });

  // runtime.js `parseJsonSafe` of `Lambda-Runtime-Token-Json`; yandex-cloud/docs `context.md`:
  // a token only with a service account.
  it('parses the token header, and without one has the field but no value', async () => {
    const given = await contextOf(shared, { token: TOKEN });
    expect(given.fields.token).toEqual(TOKEN);
    for (const ctx of [{}, { token: null }]) {
      const none = await contextOf(shared, ctx);
      expect(none).toMatchObject({ hasTokenField: true, tokenIsUndefined: true });
    }
  });

  // runtime.js `Request.getPayload`: by the exact Content-Type of an HTTP event.
  it('gives getPayload() parsed JSON, a parsed form, or the body as a Buffer', async () => {
    const payloadOf = async (event: Record<string, unknown>) =>
      resultOf(await shared.invoke({ do: 'payload', ...event }));
    const http = (contentType: string, body: string, isBase64Encoded = false) => ({
      headers: { 'Content-Type': contentType },
      body,
      isBase64Encoded,
    });
    expect(await payloadOf(http('application/json', '{"a":1}'))).toEqual({ parsed: { a: 1 } });
    expect(await payloadOf(http('application/x-www-form-urlencoded', 'a=1&a=2&b=x'))).toEqual({
      parsed: { a: ['1', '2'], b: 'x' },
    });
    const form = Buffer.from('ids=fd8a').toString('base64');
    expect(await payloadOf(http('application/x-www-form-urlencoded', form, true))).toEqual({
      parsed: { ids: 'fd8a' },
    });
    expect(await payloadOf(http('text/plain', 'fd8a fd8b'))).toEqual({ buffer: 'fd8a fd8b' });
    // Not exactly application/json, so not parsed.
    expect(await payloadOf(http('application/json; charset=utf-8', '{}'))).toEqual({
      buffer: '{}',
    });
    expect(await payloadOf({})).toEqual({ buffer: '' });
  });
});

describe('the result (runtime.js `Runtime.handleRequest`)', () => {
  const returned = (kind: string) => shared.invoke({ do: 'value', kind });

  it('is sent as JSON.stringify of the returned value', async () => {
    const date = await returned('date');
    expect(date.body).toBe('{"when":"1970-01-01T00:00:00.000Z","list":[null]}');
    expect(date.result).toEqual({ when: '1970-01-01T00:00:00.000Z', list: [null] });

    const none = await returned('undefined');
    expect(none).toEqual({ ok: true, requestId: none.requestId, body: '' });

    const big = await returned('bigint');
    expect(big.ok).toBe(false);
    expect(big.error).toMatchObject({
      type: 'TypeError',
      message: expect.stringMatching(/BigInt/),
    });
  });

  // Also yandex-cloud/docs `handler.md`: a sync handler must return something.
  it('takes a sync handler’s value, and refuses undefined from one', async () => {
    const sync = await start({ entrypoint: 'syncValue' });
    expect(resultOf(await sync.invoke('x'))).toEqual({ sync: 'x' });

    const bare = await start({ entrypoint: 'syncUndefined' });
    const inv = await bare.invoke({});
    expect(inv.ok).toBe(false);
    expect(inv.error).toMatchObject({
      type: 'Error',
      message:
        'Non-async entry point should provide a result. Return a value or use async function instead',
    });
  });
});

describe('errors (runtime.js `Errors`, `Runtime.work`, `setupErrorHandling`)', () => {
  const gated = (rt: RecordedRuntime, event: Record<string, unknown>) => rt.invoke(event);

  // Also yandex-cloud/docs `function-invoke.md`, "Handling errors": errorMessage, errorType,
  // stackTrace.
  it('posts a thrown error as {errorMessage, errorType, stackTrace} and prints one [ERROR] line', async () => {
    const rt = await start();
    const inv = await rt.invoke({ do: 'throw', message: 'bad input' });

    expect(inv.ok).toBe(false);
    expect(Object.keys(JSON.parse(inv.body))).toEqual(['errorMessage', 'errorType', 'stackTrace']);
    expect(inv.error).toEqual({
      message: 'bad input',
      type: 'TypeError',
      stackTrace: expect.arrayContaining([
        {
          function: 'throw',
          file: bundle,
          line: expect.any(Number),
          column: expect.any(Number),
        },
      ]),
    });
    await expect.poll(() => rt.runtimeErrorLines()).toHaveLength(1);
    const [line] = rt.runtimeErrorLines() as [string];
    const [head, ...rows] = line.split('\r');
    expect(head).toBe('[ERROR] TypeError: bad input');
    expect(rows).toHaveLength(inv.error?.stackTrace.length ?? -1);
    expect(rows[0]).toMatch(/^ {4}at throw \(/);
    // Not the function's line, so not counted among them.
    expect(rt.nonJsonLines()).toEqual([]);
    // The instance takes the next invocation, as on the platform.
    expect(resultOf(await rt.invoke('next')).event).toBe('next');
  });

  // runtime.js `Runtime.work`: while invocations run, an uncaught error is posted for each.
  it('reports an uncaught exception to every invocation in flight, and keeps serving', async () => {
    const rt = await start();
    const bystander = gated(rt, { do: 'hold', gate: 'g1' });
    const thrower = gated(rt, { do: 'uncaught', message: 'late boom', gate: 'g1' });
    for (const inv of await Promise.all([bystander, thrower])) {
      expect(inv.ok).toBe(false);
      expect(inv.error).toMatchObject({ message: 'late boom', type: 'Error' });
    }
    await expect
      .poll(() => rt.runtimeErrorLines())
      .toEqual([expect.stringMatching(/^\[ERROR\] Uncaught Error: Error: late boom\r {4}at /)]);

    // Their handlers now return; the answers come too late to change anything.
    expect(resultOf(await rt.invoke({ do: 'release', gate: 'g1' }))).toBe('released');
    expect(resultOf(await rt.invoke('after')).event).toBe('after');
  });

  it('reports an unhandled rejection the same way', async () => {
    const rt = await start();
    const inv = await gated(rt, { do: 'unhandled', message: 'lost promise', gate: 'g2' });
    expect(inv.error).toMatchObject({ message: 'lost promise', type: 'RangeError' });
    await expect
      .poll(() => rt.runtimeErrorLines())
      .toEqual([expect.stringMatching(/^\[ERROR\] Uncaught Error: RangeError: lost promise\r/)]);
    await rt.invoke({ do: 'release', gate: 'g2' });
  });
});

// bootstrap: X_YCF_CONCURRENCY loops in one process, each awaiting one invocation at a time.
describe('concurrency', () => {
  interface Overlap {
    started: number;
    ended: number;
  }
  const both = async (rt: RecordedRuntime, waitMs: number) => {
    const first = rt.invoke({ do: 'overlap', waitMs });
    const second = rt.invoke({ do: 'overlap', waitMs });
    return (await Promise.all([first, second])).map((inv) => resultOf<Overlap>(inv));
  };

  it('with 1 runs two invocations one after the other', async () => {
    const rt = await start({ concurrency: 1 });
    // The first waits a while for a peer that, on one loop, cannot start until it ends.
    const [a, b] = await both(rt, 300);
    expect(a).toEqual({ started: 0, ended: 1 });
    expect(b).toEqual({ started: 2, ended: 3 });
  });

  it('with 2 runs them side by side in one process', async () => {
    const rt = await start({ concurrency: 2 });
    const [a, b] = (await both(rt, 10_000)).sort((x, y) => x.started - y.started);
    expect([a?.started, b?.started]).toEqual([0, 1]);
    expect(a?.ended).toBeGreaterThan(1);
  });
});
