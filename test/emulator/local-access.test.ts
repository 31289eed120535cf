import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionHost, startFunctionHost } from '../../emulator/function-host';
import { localAccess, type RequestFacts, runSecret } from '../../emulator/local-access';
import { CONTEXT_HEADERS, type RuntimeApi, startRuntimeApi } from '../../emulator/runtime-api';
import { type RecordedRuntime, startRuntime } from '../support/runtime';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http, not fetch: a test must be free to send the Host header a rebound name would. */
function request(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
  }: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A page's cross-site form post, which needs no preflight, and a name rebound to 127.0.0.1. */
const FROM_A_PAGE = { Origin: 'https://evil.example', 'Content-Type': 'text/plain' } as const;
const REBOUND = { Host: 'evil.example' } as const;

describe('who a local server serves', () => {
  const secret = runSecret();
  const facts = (changes: Partial<RequestFacts>): RequestFacts => ({
    host: '127.0.0.1:8080',
    origin: undefined,
    secFetchSite: undefined,
    target: `/${secret}/?integration=raw`,
    ...changes,
  });

  it('makes a fresh secret, 32 random bytes as a path segment, for each server', () => {
    expect(secret).toMatch(/^[\w-]{43}$/);
    expect(runSecret()).not.toBe(secret);
  });

  it.each([['127.0.0.1:8080'], ['localhost'], ['LOCALHOST:80'], ['[::1]:8080']])(
    'serves Host %s',
    (host) => {
      expect(localAccess(facts({ host }), secret)).toEqual({
        allowed: true,
        rest: '/?integration=raw',
      });
    },
  );

  it.each([
    ['evil.example'],
    ['evil.example:8080'],
    ['127.0.0.1.evil.example'],
    ['localhost.evil.example:8080'],
    ['0.0.0.0:8080'],
    [''],
    [undefined],
  ])('refuses Host %j, as a name rebound to loopback sends', (host) => {
    expect(localAccess(facts({ host }), secret)).toEqual({ allowed: false, refusal: 'host' });
  });

  it.each([
    [{ origin: 'https://evil.example' }],
    [{ origin: 'null' }],
    [{ origin: 'http://127.0.0.1:8080' }],
    [{ secFetchSite: 'cross-site' }],
    [{ secFetchSite: 'same-origin' }],
  ])('refuses a request a web page made: %j', (changes) => {
    expect(localAccess(facts(changes), secret)).toEqual({ allowed: false, refusal: 'browser' });
  });

  it('serves a URL typed into the browser by hand (Sec-Fetch-Site: none, no Origin)', () => {
    expect(localAccess(facts({ secFetchSite: 'none' }), secret).allowed).toBe(true);
  });

  it.each([
    [`/${secret}`, '/'],
    [`/${secret}/`, '/'],
    [`/${secret}?a=1`, '/?a=1'],
    [`/${secret}/some/path?a=1`, '/some/path?a=1'],
  ])('serves %s as %s, the secret taken off', (target, rest) => {
    expect(localAccess(facts({ target }), secret)).toEqual({ allowed: true, rest });
  });

  it.each([
    ['/'],
    [''],
    ['/?integration=raw'],
    [`/${secret}x/`],
    [`/${secret.slice(1)}/`],
    [`/other/${secret}/`],
    [`http://127.0.0.1:8080/${secret}/`],
  ])('refuses target %j, which lacks the secret', (target) => {
    expect(localAccess(facts({ target }), secret)).toEqual({ allowed: false, refusal: 'secret' });
  });
});

describe('the runtime API, which hands out invocations and their tokens', () => {
  const NEXT = '/2018-06-01/runtime/invocation/next';
  let api: RuntimeApi;
  let base: string;
  let bare: string;

  beforeAll(async () => {
    api = await startRuntimeApi();
    base = `http://${api.address}`;
    bare = new URL(base).origin;
  });
  afterAll(() => api?.close());

  it('gives an invocation only to a poll under its secret, from no page and to no other name', async () => {
    const answer = api.submit({
      requestId: 'r-guarded',
      data: '{"operationIds":["fd8one"]}',
      timeoutMs: 5_000,
      headers: { [CONTEXT_HEADERS.token]: '{"access_token":"t1.operator-own"}' },
    });
    const refused = [
      await request(`${bare}${NEXT}`),
      await request(`${bare}/${runSecret()}${NEXT}`),
      await request(`${base}${NEXT}`, { headers: REBOUND }),
      await request(`${base}${NEXT}`, { headers: FROM_A_PAGE }),
    ];
    for (const { status, body, headers } of refused) {
      expect(status).toBe(403);
      expect(body).toMatch(/^refused: /);
      expect(headers[CONTEXT_HEADERS.token.toLowerCase()]).toBeUndefined();
      expect(body).not.toContain('t1.operator-own');
    }
    expect(refused[0]?.body).toContain("this run's secret");
    expect(refused[2]?.body).toContain('Host header is not 127.0.0.1');
    expect(refused[3]?.body).toContain('from a web page');

    // Still queued: the refused polls took nothing.
    const taken = await request(`${base}${NEXT}`);
    expect(taken.status).toBe(200);
    expect(taken.headers[CONTEXT_HEADERS.token.toLowerCase()]).toBe(
      '{"access_token":"t1.operator-own"}',
    );
    expect(taken.body).toBe('{"operationIds":["fd8one"]}');

    // Nor can anyone else answer for the instance.
    const forged = await request(`${bare}/2018-06-01/runtime/invocation/r-guarded/response`, {
      method: 'POST',
      body: '"forged"',
    });
    expect(forged.status).toBe(403);
    const posted = await request(`${base}/2018-06-01/runtime/invocation/r-guarded/response`, {
      method: 'POST',
      body: '"real"',
    });
    expect(posted.status).toBe(202);
    await expect(answer).resolves.toEqual({ kind: 'response', body: '"real"' });
  });
});

describe('the function host that npm start serves', () => {
  // Counts its runs, so a refused request that reached the function would show.
  const FIXTURE = `'use strict';
let runs = 0;
exports.handler = async () => ({ runs: ++runs });
`;
  let dir: string;
  let runtime: RecordedRuntime;
  let host: FunctionHost;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'local-access-'));
    writeFileSync(path.join(dir, 'index.js'), FIXTURE);
    runtime = await startRuntime({ bundlePath: path.join(dir, 'index.js') });
    host = await startFunctionHost({ runtime });
  });
  afterAll(async () => {
    await host?.close();
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses, without running the function, a caller short of the secret, a page or another name', async () => {
    const raw = (url: string, headers: http.OutgoingHttpHeaders = {}) =>
      request(`${url}/?integration=raw`, { method: 'POST', headers, body: '{}' });
    const bare = new URL(host.url).origin;
    const refusals = [
      [await raw(bare), "this run's secret; use the whole URL npm start printed"],
      [await raw(`${bare}/${runSecret()}`), "this run's secret"],
      [await raw(host.url, FROM_A_PAGE), 'from a web page'],
      [await raw(host.url, { 'Sec-Fetch-Site': 'cross-site' }), 'from a web page'],
      [await raw(host.url, REBOUND), 'Host header is not 127.0.0.1'],
    ] as const;
    for (const [{ status, body }, why] of refusals) {
      expect(status).toBe(403);
      expect(JSON.parse(body)).toEqual({
        errorMessage: expect.stringContaining(why),
        errorType: 'Forbidden',
      });
    }

    const served = await raw(host.url);
    expect(served.status).toBe(200);
    expect(JSON.parse(served.body)).toEqual({ runs: 1 });
  });
});
