import http from 'node:http';
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { startCloudApiServer } from '../../emulator/cloud-api-server';
import { listen } from '../../emulator/listen';
import { createBudget } from '../../src/act/budget';
import { cancelOperation } from '../../src/act/cancel-operation';
import { fetchMetadataToken } from '../../src/cloud/metadata-token';
import { createOperationApi } from '../../src/cloud/operation-api';
import { createTokenProvider, invocationToken } from '../../src/cloud/token';
import { closable, closedAfterEach } from '../support/cleanup';
import { FAST_ENV } from '../support/fixtures';
import { inProcessFunction, invocationContext, resultsById } from '../support/in-process';
import { startMetadataServer } from '../support/metadata-server';
import { pipelineDeps } from '../support/pipeline-deps';
import { startSilentServer } from '../support/silent-server';
import { testPki } from '../support/test-pki';

const track = closedAfterEach();

const TOKEN = 't1.after-the-hang';
const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';

interface Metadata {
  readonly url: string;
  requests(): number;
}

/**
 * A metadata service that holds its first request open, its answer begun and a byte dripped now
 * and then, so that the connection never falls idle; it answers every later one at once.
 */
async function drippingFirst(): Promise<Metadata> {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    if (requests > 1) {
      res.end(JSON.stringify({ access_token: TOKEN, expires_in: 3600 }));
      return;
    }
    res.write('{');
    const drip = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(drip));
  });
  track(closable(server));
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}${TOKEN_PATH}`, requests: () => requests };
}

/** The same, its first request held with no answer at all. */
async function silentFirst(): Promise<Metadata> {
  const server = track(await startMetadataServer({ token: TOKEN }));
  server.respond({ delayMs: 60_000, times: 1 });
  return { url: server.url, requests: () => server.requests.length };
}

/** Accepts connections and never says a word. */
async function silentService(): Promise<Metadata> {
  const server = track(await startSilentServer());
  return { url: `http://${server.address}${TOKEN_PATH}`, requests: () => server.accepted() };
}

/** What a timing may take past the bound it checks: this machine has 2 busy cores. */
const SLACK_MS = 1000;

async function stack(metadataUrl: string) {
  const server = track(await startCloudApiServer({ pki: testPki() }));
  const fn = track(
    inProcessFunction({
      ...FAST_ENV,
      YC_OPERATION_ENDPOINT: server.address,
      YC_METADATA_TOKEN_URL: metadataUrl,
      TIME_MARGIN_MS: '300',
    }),
  );
  return { server, fn };
}

const request = (...ids: string[]) => ({ operationIds: ids });
const failure = (invocation: Promise<unknown>) =>
  invocation.then(
    () => undefined,
    (error: unknown) => String(error),
  );

describe('a metadata request the service holds open', () => {
  it.each([
    ['dripping an answer that never ends', drippingFirst],
    ['with no answer at all', silentFirst],
  ])('%s fails its own invocation within its budget, and not the next', async (_, start) => {
    const metadata = await start();
    const { server, fn } = await stack(metadata.url);
    server.set({ id: 'hung1' }, { id: 'hung2' }, { id: 'hung3' });
    const began = Date.now();

    const first = fn.handler(request('hung1'), invocationContext({ remainingMs: 800 }));
    // The message says the budget ended it; the time, that it did not wait on past it (500 ms
    // less TIME_MARGIN_MS, with a second of slack for a busy machine).
    expect(await failure(first)).toMatch(/time budget ran out while getting an IAM token/);
    expect(Date.now() - began).toBeLessThan(500 + SLACK_MS);

    const second = await fn.handler(request('hung2'), invocationContext({ remainingMs: 10_000 }));
    expect(resultsById(second).hung2).toMatchObject({ outcome: 'cancelled' });
    expect(server.callsFor('hung2').map((c) => c.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
    ]);
    // The held request was given up after its timeout, and its retry answered.
    expect(metadata.requests()).toBe(2);
    expect(Date.now() - began).toBeLessThan(5000);

    const third = await fn.handler(request('hung3'), invocationContext({ remainingMs: 10_000 }));
    expect(resultsById(third).hung3).toMatchObject({ outcome: 'cancelled' });
    expect(metadata.requests()).toBe(2);
  });

  it('that never answers anything ends every invocation within its budget', async () => {
    const metadata = await silentService();
    const { server, fn } = await stack(metadata.url);
    server.set({ id: 'mute1' });

    for (let i = 0; i < 3; i++) {
      const began = Date.now();
      const invocation = fn.handler(request('mute1'), invocationContext({ remainingMs: 2500 }));
      expect(await failure(invocation)).toMatch(
        /time budget ran out while getting an IAM token|no IAM token/,
      );
      expect(Date.now() - began).toBeLessThan(2200 + SLACK_MS);
    }
    // A fetch that failed is not waited on again: a later invocation started a fresh one.
    expect(metadata.requests()).toBeGreaterThan(3);
    expect(server.calls).toEqual([]);
  });
});

describe('the refresh after UNAUTHENTICATED', () => {
  it.each([
    [
      'answers after 20 s',
      async () => {
        const server = track(await startMetadataServer({ token: TOKEN }));
        server.respond({ delayMs: 20_000 });
        return server.url;
      },
    ],
    ['never answers', async () => (await silentService()).url],
  ])('ends with the budget when the metadata service %s', async (_, start) => {
    const url = await start();
    const server = track(await startCloudApiServer({ pki: testPki() }));
    server.set({ id: 'stale1', get: { code: status.UNAUTHENTICATED, times: 1 } });
    const api = track(
      createOperationApi({
        endpoint: server.address,
        callTimeoutMs: 2000,
        retryAttempts: 2,
        retryBaseDelayMs: 5,
      }),
    );
    const provider = createTokenProvider({
      fetchToken: (signal) => fetchMetadataToken(url, { signal }),
    });
    // 2 s left, less the default margin: the platform would cut the invocation off at 2 s.
    const budget = createBudget(invocationContext({ remainingMs: 2000 }), 1000);
    track({ close: () => budget.dispose() });
    const token = await invocationToken(provider, { token: { access_token: 't1.stale' } }, budget);
    const began = Date.now();

    const result = await cancelOperation(
      { named: { valid: true, id: 'stale1' }, dryRun: false, minAgeSeconds: 0 },
      pipelineDeps(api, { token, budget }),
    );

    // Unbounded, the metadata fetch's own tries would take 3.3 s; the budget is 1 s.
    expect(Date.now() - began).toBeLessThan(1000 + SLACK_MS);
    // The budget's doing, not a lack of rights: retryable, so a queue delivers it again.
    expect(result).toMatchObject({ outcome: 'failed', reason: 'deadline', retryable: true });
    expect(result.message).toMatch(/the time budget ran out while getting a fresh IAM token/);
    expect(server.callsFor('stale1').map((c) => c.authorization)).toEqual(['Bearer t1.stale']);
  });
});
