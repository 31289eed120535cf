import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FunctionHost,
  type FunctionHostOptions,
  PortInUseError,
  startFunctionHost,
} from '../../emulator/function-host';
import type { HttpEvent } from '../../emulator/http-event';
import { formatRequestTime } from '../../emulator/http-event';
import { closable, closedAfterEach } from '../support/cleanup';
import { type RecordedRuntime, startRuntime } from '../support/runtime';

// Plain CommonJS like the esbuild output; `?mode=` picks a behaviour for HTTP events, and any
// other event is a raw invocation.
const FIXTURE = `'use strict';
let count = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isHttp = (e) =>
  e !== null && typeof e === 'object' && 'httpMethod' in e && 'requestContext' in e;
exports.handler = async (event, context) => {
  count += 1;
  if (!isHttp(event)) {
    if (event && event.throw) throw new RangeError(event.throw);
    return { rawEvent: event, requestId: context.requestId };
  }
  const q = event.queryStringParameters;
  switch (q.mode) {
    case 'throw':
      throw new TypeError('bad input');
    case 'malformed':
      return 'not a response';
    case 'reply':
      return JSON.parse(event.body);
    case 'size':
      return { statusCode: 200, body: JSON.stringify({ n: count, length: event.body.length }) };
    case 'sleep':
      // A line a test can wait on: the request has reached the function.
      if (q.arrived) console.log(JSON.stringify({ arrived: q.arrived }));
      await sleep(Number(q.ms));
      return { statusCode: 200, body: 'slept' };
  }
  // A moment passes, so the remaining time must have dropped below the timeout.
  await sleep(10);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      event,
      n: count,
      context: {
        requestId: context.requestId,
        hasToken: context.token != null,
        token: context.token,
        remaining: context.getRemainingTimeInMillis(),
      },
    }),
  };
};
`;

const MAX_BODY_BYTES = 3.5 * 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = { access_token: 't1.host-test-token', expires_in: 3600, token_type: 'Bearer' };
const MALFORMED = {
  errorMessage: 'Malformed serverless function response: not a valid json',
  errorType: 'ProxyIntegrationError',
};

interface Echo {
  event: HttpEvent;
  n: number;
  context: { requestId: string; hasToken: boolean; token?: unknown; remaining: number };
}

let dir: string;
let runtime: RecordedRuntime;
const track = closedAfterEach();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'function-host-'));
  writeFileSync(path.join(dir, 'index.js'), FIXTURE);
  runtime = await startRuntime({ bundlePath: path.join(dir, 'index.js') });
});

afterAll(async () => {
  await runtime?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(opts: Partial<FunctionHostOptions> = {}): Promise<FunctionHost> {
  return track(await startFunctionHost({ runtime, ...opts }));
}

async function echo(res: Response): Promise<Echo> {
  expect(res.status).toBe(200);
  return (await res.json()) as Echo;
}

/** fetch joins repeated headers into one line; node:http sends each, with the casing given. */
function rawRequest(url: string, headers: http.OutgoingHttpHeaders): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve(JSON.parse(text) as Echo));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

const reply = (host: FunctionHost, result: unknown) =>
  fetch(`${host.url}/?mode=reply`, { method: 'POST', body: JSON.stringify(result) });

describe('HTTP event', () => {
  it('carries a POST with a JSON body as the platform builds it', async () => {
    const host = await start();
    const before = Math.floor(Date.now() / 1000);
    const res = await fetch(`${host.url}/some/sub/path`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'curl/8.5.0',
        Authorization: 'Bearer secret',
        Cookie: 'session=secret',
      },
      body: '{"operationIds":["fd8abc"]}',
    });
    const { event, context } = await echo(res);

    expect(event).toMatchObject({
      httpMethod: 'POST',
      path: '',
      body: '{"operationIds":["fd8abc"]}',
      isBase64Encoded: false,
      queryStringParameters: {},
      multiValueQueryStringParameters: {},
    });
    expect(event.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Content-Length': '27',
      'User-Agent': 'curl/8.5.0',
      'X-Request-Id': context.requestId,
      'X-Real-Remote-Address': expect.stringMatching(/^\[127\.0\.0\.1\]:\d+$/),
      'X-Trace-Id': expect.stringMatching(UUID),
    });
    expect(event.multiValueHeaders['Content-Type']).toEqual(['application/json']);
    // The platform strips credentials before the function sees them.
    for (const name of ['Authorization', 'Cookie', 'Host']) {
      expect(event.headers).not.toHaveProperty(name);
      expect(event.multiValueHeaders).not.toHaveProperty(name);
    }

    const rc = event.requestContext;
    expect(rc.identity).toEqual({ sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0' });
    expect(rc.httpMethod).toBe('POST');
    expect(rc.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(rc.requestTimeEpoch).toBeGreaterThanOrEqual(before);
    expect(rc.requestTimeEpoch).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    const [day, month, rest] = rc.requestTime.split('/');
    const parsed = Date.parse(`${day} ${month} ${rest?.replace(':', ' ')}`);
    expect(parsed / 1000).toBe(rc.requestTimeEpoch);
  });

  it('formats requestTime as the documented example, in UTC', () => {
    expect(formatRequestTime(new Date(1577370127_000))).toBe('26/Dec/2019:14:22:07 +0000');
    expect(formatRequestTime(new Date('2026-03-01T00:05:09+03:00'))).toBe(
      '28/Feb/2026:21:05:09 +0000',
    );
  });

  it('uses one fresh requestId in the event, the context and X-Request-Id', async () => {
    const host = await start();
    const first = await fetch(host.url, { method: 'POST' });
    const second = await fetch(host.url, { method: 'POST' });
    const ids = [];
    for (const res of [first, second]) {
      const { event, context } = await echo(res);
      expect(context.requestId).toMatch(UUID);
      expect(event.requestContext.requestId).toBe(context.requestId);
      expect(res.headers.get('x-request-id')).toBe(context.requestId);
      ids.push(context.requestId);
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('keeps JSON and text bodies as text, and base64-encodes binary ones', async () => {
    const host = await start();
    const binary = Uint8Array.from([0, 255, 1, 128, 10, 200]);
    const send = async (body: string | Uint8Array, contentType?: string) => {
      const headers = contentType ? { 'Content-Type': contentType } : undefined;
      return (await echo(await fetch(host.url, { method: 'POST', body, headers }))).event;
    };

    const octets = await send(binary, 'application/octet-stream');
    expect(octets.isBase64Encoded).toBe(true);
    expect([...Buffer.from(octets.body, 'base64')]).toEqual([...binary]);
    expect(await send(binary)).toMatchObject({ isBase64Encoded: true });
    expect(await send('a=1&b=2', 'application/x-www-form-urlencoded')).toMatchObject({
      body: Buffer.from('a=1&b=2').toString('base64'),
      isBase64Encoded: true,
    });

    expect(await send('fd8abc fd8def', 'text/plain; charset=utf-8')).toMatchObject({
      body: 'fd8abc fd8def',
      isBase64Encoded: false,
    });
    expect(await send('["fd8abc"]', 'application/problem+json')).toMatchObject({
      body: '["fd8abc"]',
      isBase64Encoded: false,
    });
    expect(await send(new TextEncoder().encode('плохой запрос'))).toMatchObject({
      body: 'плохой запрос',
      isBase64Encoded: false,
    });
    expect(await send('')).toMatchObject({ body: '', isBase64Encoded: false });
  });

  it('keeps the last value of a repeated query parameter, and all in multiValue', async () => {
    const host = await start();
    const { event } = await echo(await fetch(`${host.url}/?a=1&a=2&b=x%20y&empty=`));
    expect(event.httpMethod).toBe('GET');
    expect(event.queryStringParameters).toEqual({ a: '2', b: 'x y', empty: '' });
    expect(event.multiValueQueryStringParameters).toEqual({
      a: ['1', '2'],
      b: ['x y'],
      empty: [''],
    });
  });

  it('gives header names in canonical case and keeps each value of a repeated header', async () => {
    const host = await start();
    const event = (
      await rawRequest(host.url, {
        'content-type': 'application/json',
        'x-api-key': 'key-1',
        'X-CUSTOM-thing': 'v',
        'X-Multi': ['one', 'two'],
      })
    ).event;
    expect(event.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-Api-Key': 'key-1',
      'X-Custom-Thing': 'v',
      'X-Multi': 'two',
    });
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one', 'two']);
    for (const name of Object.keys(event.headers)) {
      expect(name).toMatch(/^([A-Z][a-z0-9]*)(-[A-Z0-9][a-z0-9]*)*$/);
    }
  });
});

describe('request headers the platform removes', () => {
  // yandex-cloud/docs en/functions/concepts/function-invoke.md, "Message headers". Expect,
  // Connection, Transfer-Encoding and Upgrade are hop-by-hop, so node:http cannot pass them on
  // as they were sent; the rest are sent here and must not reach the function.
  it('removes each one the docs list, and keeps the others', async () => {
    const host = await start();
    const listed = [
      'Te',
      'Trailer',
      'Proxy-Authenticate',
      'Authorization',
      'Content-Md5',
      'Max-Forwards',
      'Server',
      'Www-Authenticate',
      'Cookie',
    ];
    const { event } = await rawRequest(host.url, {
      ...Object.fromEntries(listed.map((name) => [name, 'x'])),
      'X-Kept': 'yes',
    });
    for (const name of [...listed, 'Host']) {
      expect(event.headers, name).not.toHaveProperty(name);
      expect(event.multiValueHeaders, name).not.toHaveProperty(name);
    }
    expect(event.headers['X-Kept']).toBe('yes');
  });
});

describe('invocation context', () => {
  it('passes the token when one is given, and none otherwise', async () => {
    const withToken = await start({ token: TOKEN });
    const withoutToken = await start();
    const given = await echo(await fetch(withToken.url, { method: 'POST' }));
    expect(given.context).toMatchObject({ hasToken: true, token: TOKEN });
    const none = await echo(await fetch(withoutToken.url, { method: 'POST' }));
    expect(none.context.hasToken).toBe(false);
  });

  it('counts getRemainingTimeInMillis down from the host timeout', async () => {
    const host = await start({ timeoutMs: 3_000 });
    const { context } = await echo(await fetch(host.url, { method: 'POST' }));
    expect(context.remaining).toBeLessThan(3_000);
    expect(context.remaining).toBeGreaterThan(1_000);
  });
});

describe('response mapping', () => {
  it('sends status, headers and body, with multiValueHeaders winning over headers', async () => {
    const host = await start();
    const res = await reply(host, {
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Both': 'from headers', 'X-Only': 'single' },
      multiValueHeaders: { 'x-both': ['m1', 'm2'], 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'created',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('x-only')).toBe('single');
    expect(res.headers.get('x-both')).toBe('m1, m2');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    expect(await res.text()).toBe('created');
  });

  it('decodes a base64 body when isBase64Encoded is set', async () => {
    const host = await start();
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const res = await reply(host, {
      statusCode: 200,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    const plain = await reply(host, { statusCode: 200, body: 'AAEC', isBase64Encoded: false });
    expect(await plain.text()).toBe('AAEC');
  });

  // yandex-cloud/docs en/functions/concepts/function-invoke.md, "Message headers": a function's
  // response headers that are removed, that are renamed, and that make the response an error.
  it('renames the headers the platform remaps', async () => {
    const host = await start();
    const res = await reply(host, {
      statusCode: 200,
      headers: { Server: 'mine', 'Content-Md5': 'abc', Date: 'then' },
    });
    expect(res.headers.get('x-yf-remapped-server')).toBe('mine');
    expect(res.headers.get('x-yf-remapped-content-md5')).toBe('abc');
    expect(res.headers.get('x-yf-remapped-date')).toBe('then');
    expect(res.headers.get('server')).toBeNull();
    expect(res.headers.get('content-md5')).toBeNull();
  });

  it('removes the response headers the docs list as removed', async () => {
    const host = await start();
    const removed = ['Authorization', 'User-Agent', 'Max-Forwards', 'Cookie'];
    const res = await reply(host, {
      statusCode: 200,
      headers: { ...Object.fromEntries(removed.map((name) => [name, 'x'])), 'X-Kept': 'yes' },
    });
    expect(res.status).toBe(200);
    for (const name of removed) expect(res.headers.get(name), name).toBeNull();
    expect(res.headers.get('x-kept')).toBe('yes');
  });

  it.each(['Proxy-Authenticate', 'Transfer-Encoding', 'Via', 'Www-Authenticate'])(
    'answers a response with %s as an error',
    async (name) => {
      const host = await start();
      const res = await reply(host, { statusCode: 200, headers: { [name]: 'x' } });
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual(MALFORMED);
    },
  );

  it('answers 502 with the error and X-Function-Error when the function throws', async () => {
    const host = await start();
    const res = await fetch(`${host.url}/?mode=throw`, { method: 'POST' });
    expect(res.status).toBe(502);
    expect(res.headers.get('x-function-error')).toBe('true');
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    // The runtime's error JSON (runtime.js `Errors.errorJson`), as it posted it.
    expect(await res.json()).toEqual({
      errorMessage: 'bad input',
      errorType: 'TypeError',
      stackTrace: expect.arrayContaining([
        expect.objectContaining({ function: 'exports.handler' }),
      ]),
    });
  });

  it.each([
    ['a string', 'not a response'],
    ['no statusCode', { body: 'x' }],
    ['a string statusCode', { statusCode: '200' }],
    ['a statusCode out of range', { statusCode: 1000 }],
    ['a body that is not a string', { statusCode: 200, body: { a: 1 } }],
    ['a header value that is not a string', { statusCode: 200, headers: { 'X-N': 1 } }],
    ['a forbidden header', { statusCode: 200, headers: { Via: 'proxy' } }],
  ])('answers 502 ProxyIntegrationError for %s', async (_, result) => {
    const host = await start();
    const res =
      typeof result === 'string'
        ? await fetch(`${host.url}/?mode=malformed`, { method: 'POST' })
        : await reply(host, result);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-function-error')).toBeNull();
    expect(await res.text()).toBe(JSON.stringify(MALFORMED));
  });

  it('answers 504 once the timeout passes, and keeps serving', async () => {
    const host = await start({ timeoutMs: 300 });
    const started = Date.now();
    const res = await fetch(`${host.url}/?mode=sleep&ms=3000`, { method: 'POST' });
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    const next = await fetch(`${host.url}/?mode=sleep&ms=10`, { method: 'POST' });
    expect(next.status).toBe(200);
  });
});

describe('request size', () => {
  const sizeOf = async (host: FunctionHost, bytes: number) =>
    fetch(`${host.url}/?mode=size`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'x'.repeat(bytes),
    });

  it('answers 413 to a body over 3.5 MB without invoking the function', async () => {
    const host = await start();
    const atLimit = await sizeOf(host, MAX_BODY_BYTES);
    expect(atLimit.status).toBe(200);
    const { n, length } = (await atLimit.json()) as { n: number; length: number };
    expect(length).toBe(MAX_BODY_BYTES);

    const over = await sizeOf(host, Math.round(3.6 * 1024 * 1024));
    expect(over.status).toBe(413);
    expect(over.headers.get('x-request-id')).toMatch(UUID);

    const after = (await (await sizeOf(host, 1)).json()) as { n: number };
    expect(after.n).toBe(n + 1);
  });
});

describe('?integration=raw', () => {
  const raw = (host: FunctionHost, body?: string) =>
    fetch(`${host.url}/?integration=raw`, { method: 'POST', body });

  it('passes the body as the event and returns the value as JSON with 200', async () => {
    const host = await start();
    const json = await raw(host, '{"operationIds":["fd8abc"],"dryRun":true}');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    const value = (await json.json()) as { rawEvent: unknown; requestId: string };
    expect(value.rawEvent).toEqual({ operationIds: ['fd8abc'], dryRun: true });
    expect(value.requestId).toBe(json.headers.get('x-request-id'));

    // Not JSON, so the runtime wraps it (runtime.js `parseJsonPayload`); no body is no data.
    expect(await (await raw(host, 'fd8abc fd8def')).json()).toMatchObject({
      rawEvent: { payload: 'fd8abc fd8def' },
    });
    expect(await (await raw(host, '["fd8abc"]')).json()).toMatchObject({ rawEvent: ['fd8abc'] });
    expect(await (await raw(host)).json()).toMatchObject({ rawEvent: { payload: '' } });
  });

  it('does not map an HTTP-shaped return value', async () => {
    const host = await start();
    // The fixture returns this raw event inside its value; statusCode must not become the status.
    const res = await raw(host, '{"statusCode":404,"body":"nope"}');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rawEvent: { statusCode: 404, body: 'nope' } });
  });

  it('answers 502 with the error when the function throws', async () => {
    const host = await start();
    const res = await raw(host, '{"throw":"no ids"}');
    expect(res.status).toBe(502);
    expect(res.headers.get('x-function-error')).toBe('true');
    expect(await res.json()).toMatchObject({ errorMessage: 'no ids', errorType: 'RangeError' });
  });
});

describe('listening and closing', () => {
  it('rejects with PortInUseError when the port is taken', async () => {
    const blocker = net.createServer();
    track(closable(blocker));
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;

    const attempt = startFunctionHost({ runtime, port });
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(
      `port ${port} on 127.0.0.1 is already in use: ` +
        'stop whatever holds it, or choose another port with PORT=<n>',
    );
  });

  it('listens on the port it is given', async () => {
    const probe = await start();
    const { port } = probe;
    await probe.close();
    const host = await start({ port });
    expect(host.port).toBe(port);
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/[\\w-]{43}$`));
    expect((await fetch(host.url, { method: 'POST' })).status).toBe(200);
  });

  it('close() ends keep-alive and in-flight requests at once', async () => {
    const host = await start({ timeoutMs: 10_000 });
    expect((await fetch(host.url, { method: 'POST' })).status).toBe(200);
    const inFlight = fetch(`${host.url}/?mode=sleep&ms=5000&arrived=close`, { method: 'POST' });
    const failed = expect(inFlight).rejects.toThrow();
    await runtime.waitForLine((line) => line.arrived === 'close');

    const started = Date.now();
    await host.close();
    // A close that waited for the request would take its 5 s.
    expect(Date.now() - started).toBeLessThan(2_000);
    await failed;
    await expect(fetch(host.url, { method: 'POST' })).rejects.toThrow();
    await host.close();
  });
});
