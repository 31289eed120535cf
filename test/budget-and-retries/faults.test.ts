import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { type CloudApiServer, startCloudApiServer } from '../../emulator/cloud-api-server';
import { closedAfterEach } from '../support/cleanup';
import { httpEvent } from '../support/events';
import { FAST_ENV } from '../support/fixtures';
import { inProcessFunction, invocationContext, resultsById } from '../support/in-process';
import { type MetadataServer, startMetadataServer } from '../support/metadata-server';
import { startTcpProxy } from '../support/tcp-proxy';
import { testPki } from '../support/test-pki';

const NO_METADATA = 'http://127.0.0.1:9/token';
const track = closedAfterEach();

async function stack(env: Record<string, string> = {}) {
  const server = track(await startCloudApiServer({ pki: testPki() }));
  const proxy = track(await startTcpProxy(server.address));
  const fn = track(
    inProcessFunction({
      ...FAST_ENV,
      YC_OPERATION_ENDPOINT: proxy.address,
      YC_METADATA_TOKEN_URL: NO_METADATA,
      ...env,
    }),
  );
  return { server, proxy, fn };
}

const request = (...ids: string[]) => ({ operationIds: ids });
const TOKEN = 't1.resilience-token';

describe('a frozen and thawed instance', () => {
  it('gets through when its connections died between invocations', async () => {
    const { server, proxy, fn } = await stack();
    server.set({ id: 'frz1' }, { id: 'frz2' });
    await fn.handler(request('frz1'), invocationContext({ token: TOKEN }));

    proxy.dropAll();
    const reply = await fn.handler(request('frz2'), invocationContext({ token: TOKEN }));

    expect(resultsById(reply).frz2).toMatchObject({ outcome: 'cancelled' });
    expect(proxy.connections()).toBe(2);
  });

  it('gets through when the server restarted on the same port', async () => {
    const pki = testPki();
    let server: CloudApiServer = await startCloudApiServer({ pki, operations: [{ id: 'rst1' }] });
    const port = Number(server.address.split(':')[1]);
    const fn = track(
      inProcessFunction({
        ...FAST_ENV,
        YC_OPERATION_ENDPOINT: server.address,
        YC_METADATA_TOKEN_URL: NO_METADATA,
      }),
    );
    await fn.handler(request('rst1'), invocationContext({ token: TOKEN }));

    await server.close();
    server = track(await startCloudApiServer({ pki, port, operations: [{ id: 'rst2' }] }));
    const reply = await fn.handler(request('rst2'), invocationContext({ token: TOKEN }));

    expect(resultsById(reply).rst2).toMatchObject({ outcome: 'cancelled' });
  });
});

describe('sixteen invocations at once on one instance', () => {
  it('share one channel, and keep their results, log fields and tokens apart', async () => {
    const { server, proxy, fn } = await stack();
    const ids = (i: number) => [0, 1, 2].map((j) => `inv${i}op${j}`);
    for (let i = 0; i < 16; i++) server.set(...ids(i).map((id) => ({ id, delayMs: (i * 7) % 30 })));

    const replies = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        fn.handler(
          request(...ids(i)),
          invocationContext({ token: `t1.inv-${i}`, requestId: `req-${i}` }),
        ),
      ),
    );

    replies.forEach((reply, i) => {
      const results = resultsById(reply);
      expect(Object.keys(results).sort()).toEqual(ids(i).sort());
      for (const id of ids(i)) {
        expect(results[id]?.outcome).toBe('cancelled');
        for (const call of server.callsFor(id))
          expect(call.authorization).toBe(`Bearer t1.inv-${i}`);
        const line = fn.lines.find((l) => l.operationId === id);
        expect(line?.request_id).toBe(`req-${i}`);
      }
      const summary = fn.lines.find(
        (l) => l.msg === 'invocation summary' && l.request_id === `req-${i}`,
      );
      expect(summary).toMatchObject({ operations: 3, outcomes: { cancelled: 3 } });
    });
    expect(proxy.connections()).toBe(1);
    expect(JSON.stringify(fn.lines)).not.toMatch(/t1\.inv-/);
  });
});

describe('the time budget', () => {
  it('ends in time: in-flight calls are cut, unstarted operations fail with reason deadline', async () => {
    const { server, fn } = await stack({
      CONCURRENCY: '2',
      CALL_TIMEOUT_MS: '5000',
      // A wide margin: the assertion is that the reply beats the platform, on a busy machine too.
      TIME_MARGIN_MS: '1500',
    });
    const slow = ['slow1', 'slow2', 'slow3', 'slow4', 'slow5', 'slow6'];
    server.set(...slow.map((id) => ({ id, delayMs: 10_000 })));
    const began = Date.now();

    const reply = await fn.handler(
      request(...slow),
      invocationContext({ token: TOKEN, remainingMs: 2500 }),
    );

    expect(Date.now() - began).toBeLessThan(2500);
    const results = Object.values(resultsById(reply));
    expect(results).toHaveLength(6);
    for (const result of results) {
      expect(result).toMatchObject({ outcome: 'failed', reason: 'deadline', retryable: true });
    }
    expect(results.filter((r) => r.attempts === 0)).toHaveLength(4);
    expect(fn.lines.filter((l) => l.msg === 'invocation summary')).toHaveLength(1);
  });
});

describe('tokens', () => {
  let metadata: MetadataServer;

  it('replace a token refused as UNAUTHENTICATED once, from the metadata service', async () => {
    metadata = track(await startMetadataServer({ token: 't1.fresh' }));
    const { server, fn } = await stack({ YC_METADATA_TOKEN_URL: metadata.url });
    server.set({ id: 'stale1', get: { code: status.UNAUTHENTICATED, times: 1 } });

    const reply = await fn.handler(request('stale1'), invocationContext({ token: 't1.stale' }));

    expect(resultsById(reply).stale1).toMatchObject({ outcome: 'cancelled', attempts: 3 });
    expect(server.callsFor('stale1').map((c) => `${c.method} ${c.authorization}`)).toEqual([
      'Get Bearer t1.stale',
      'Get Bearer t1.fresh',
      'Cancel Bearer t1.fresh',
    ]);
  });

  it('are not waited for past the time budget', async () => {
    metadata = track(await startMetadataServer({ token: 't1.late' }));
    metadata.respond({ token: 't1.late', delayMs: 5000 });
    const { server, fn } = await stack({
      YC_METADATA_TOKEN_URL: metadata.url,
      TIME_MARGIN_MS: '1500',
    });
    server.set({ id: 'late1' });
    const began = Date.now();

    const reply = await fn.handler(httpEvent('late1'), invocationContext({ remainingMs: 2500 }));

    expect(Date.now() - began).toBeLessThan(2500);
    expect(reply).toMatchObject({ statusCode: 500 });
    expect(JSON.parse((reply as { body: string }).body).error.message).toMatch(
      /time budget ran out while getting an IAM token/,
    );
    expect(server.calls).toEqual([]);
  });

  it('never use a context token about to expire', async () => {
    metadata = track(await startMetadataServer({ token: 't1.fresh' }));
    const { server, fn } = await stack({ YC_METADATA_TOKEN_URL: metadata.url });
    server.set({ id: 'dying1' });
    const context = {
      ...invocationContext(),
      token: { access_token: 't1.dying', expires_in: 10, token_type: 'Bearer' },
    };

    await fn.handler(request('dying1'), context);

    expect(server.callsFor('dying1').map((c) => c.authorization)).toEqual([
      'Bearer t1.fresh',
      'Bearer t1.fresh',
    ]);
  });
});

describe('guards', () => {
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

  it('MIN_AGE_SECONDS leaves young operations and those of unknown age alone', async () => {
    const { server, fn } = await stack({ MIN_AGE_SECONDS: '600' });
    server.set(
      { id: 'old1', createdAt: minutesAgo(60) },
      { id: 'young1', createdAt: minutesAgo(1) },
      { id: 'ageless1' },
    );

    const results = resultsById(
      await fn.handler(request('old1', 'young1', 'ageless1'), invocationContext({ token: TOKEN })),
    );

    expect(results.old1).toMatchObject({ outcome: 'cancelled' });
    expect(results.young1).toMatchObject({ outcome: 'skipped', reason: 'too_young' });
    expect(results.ageless1).toMatchObject({ outcome: 'skipped', reason: 'too_young' });
    expect(server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject)).toEqual([
      'old1',
    ]);
  });

  it('a request can raise the minimum age, never lower it', async () => {
    const { server, fn } = await stack({ MIN_AGE_SECONDS: '600' });
    server.set(
      { id: 'hour1', createdAt: minutesAgo(60) },
      { id: 'five1', createdAt: minutesAgo(5) },
    );

    const raised = resultsById(
      await fn.handler(
        { operationIds: ['hour1'], minAgeSeconds: 7200 },
        invocationContext({ token: TOKEN }),
      ),
    );
    const lowered = resultsById(
      await fn.handler(
        { operationIds: ['five1'], minAgeSeconds: 0 },
        invocationContext({ token: TOKEN }),
      ),
    );

    expect(raised.hour1).toMatchObject({ outcome: 'skipped', reason: 'too_young' });
    expect(lowered.five1).toMatchObject({ outcome: 'skipped', reason: 'too_young' });
    expect(server.calls.filter((c) => c.method === 'Cancel')).toEqual([]);
  });

  it('WAIT_SECONDS watches a cancelling operation until it ends', async () => {
    const { server, fn } = await stack({ WAIT_SECONDS: '2' });
    server.set(
      { id: 'slowly1', cancel: 'slowly', cancelTakesMs: 400 },
      { id: 'never1', cancel: 'accepts' },
    );
    const began = Date.now();

    const results = resultsById(
      await fn.handler(request('slowly1', 'never1'), invocationContext({ token: TOKEN })),
    );

    expect(results.slowly1).toMatchObject({ outcome: 'cancelled' });
    expect(results.never1).toMatchObject({ outcome: 'cancelling' });
    // Without WAIT_SECONDS' bound the wait on never1 would not end (no platform deadline here).
    expect(Date.now() - began).toBeLessThan(6000);
    expect(server.callsFor('slowly1').filter((c) => c.method === 'Get').length).toBeGreaterThan(1);
  });

  it('without WAIT_SECONDS, reports cancelling at once', async () => {
    const { server, fn } = await stack();
    server.set({ id: 'slowly2', cancel: 'slowly', cancelTakesMs: 400 });

    const results = resultsById(
      await fn.handler(request('slowly2'), invocationContext({ token: TOKEN })),
    );

    expect(results.slowly2).toMatchObject({ outcome: 'cancelling' });
    expect(server.callsFor('slowly2').map((c) => c.method)).toEqual(['Get', 'Cancel']);
  });
});
