import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CloudApiServer,
  type FakeOperation,
  type FakeResource,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import { answeringServer } from '../support/answering-server';
import { DIST, startBuiltFunction, withToken } from '../support/built-function';
import { closedAfterEach } from '../support/cleanup';
import { httpEvent, queueEvent, timerEvent } from '../support/events';
import type { RecordedRuntime } from '../support/runtime';
import { testPki } from '../support/test-pki';

/**
 * What crosses from dist/index.js into the bundles it loads when needed (dist/sweep.js, and
 * dist/re2.js from it), tried on the built files in a process of their own, as the platform runs
 * them: every answer the sweep gives, every failure of what the host lends it, every bundle
 * missing from the zip.
 */
const TOKEN = withToken('t1.crossings');
const FOLDER = 'b1gcrossings';
const HOUR_AGO = () => new Date(Date.now() - 3_600_000);
const BAD_PATTERN = '(?<=x)y';
const REFUSAL =
  /^sweep\.filters\.description\.exclude\[0\]\.regex "\(\?<=x\)y" is not an RE2 pattern: /;

const sweepWith = (filters: object, extra: object = {}) =>
  JSON.stringify({ sweep: { folderId: FOLDER, olderThan: '30m', filters, ...extra } });
const badSweep = sweepWith({ description: { exclude: [{ regex: BAD_PATTERN }] } });
const ids = (operationIds: string[]) => JSON.stringify({ operationIds });

const track = closedAfterEach();

interface Started {
  server: CloudApiServer;
  fn: RecordedRuntime;
}

async function start(
  options: {
    resources?: FakeResource[];
    operations?: FakeOperation[];
    listingLatencyMs?: number;
    env?: Record<string, string>;
    dir?: string;
  } = {},
): Promise<Started> {
  const pki = testPki();
  const { env = {}, dir = DIST, ...emulated } = options;
  const server = track(await startCloudApiServer({ pki, ...emulated }));
  const fn = track(
    await startBuiltFunction({ server, env, bundlePath: path.join(dir, 'index.js') }),
  );
  return { server, fn };
}

const cancelled = (server: CloudApiServer) =>
  server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);
/** Until the emulator has taken a call of `method`: it records one as it arrives. */
async function arrived(server: CloudApiServer, method: string): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    if (server.calls.some((c) => c.method === method)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${method} reached the emulator in 10 s`);
}

const listings = (server: CloudApiServer) =>
  server.calls.filter((c) => /List/.test(c.method)).length;

describe('a sweep whose pattern RE2 cannot read, on the built function', () => {
  it('is a 400 over HTTP, naming the pattern, with nothing listed', async () => {
    const { server, fn } = await start();
    const invocation = await fn.invoke(httpEvent(badSweep), TOKEN);

    const reply = invocation.result as { statusCode: number; body: string };
    expect(reply.statusCode).toBe(400);
    expect(JSON.parse(reply.body).error.message).toMatch(REFUSAL);
    expect(listings(server)).toBe(0);
    const line = await fn.waitForLine(
      (l) => l.request_id === invocation.requestId && l.msg === 'request rejected',
    );
    expect(line).toMatchObject({ level: 'ERROR', error: { name: 'RequestError' } });
  });

  it('is refused by name in a queue batch, whose other messages are done and not delivered again', async () => {
    const { server, fn } = await start({
      operations: [
        { id: 'opbatchone', createdAt: HOUR_AGO() },
        { id: 'opbatchtwo', createdAt: HOUR_AGO() },
      ],
    });
    const event = queueEvent([ids(['opbatchone']), badSweep, ids(['opbatchtwo'])]);
    const invocation = await fn.invoke(event, TOKEN);

    expect(invocation.ok).toBe(true);
    expect(cancelled(server).sort()).toEqual(['opbatchone', 'opbatchtwo']);
    expect(invocation.result).toMatchObject({ summary: { rejectedRequests: 1 } });
    const line = await fn.waitForLine(
      (l) => l.request_id === invocation.requestId && l.msg === 'request rejected',
    );
    expect(line).toMatchObject({ messageId: expect.any(String) });
    expect((line.error as { message: string }).message).toMatch(REFUSAL);
  });

  it('is refused, not thrown, from a timer and a raw call: neither is tried again', async () => {
    const { fn } = await start();
    const timer = await fn.invoke(timerEvent(badSweep), TOKEN);
    expect(timer.ok).toBe(true);
    expect(timer.result).toMatchObject({ summary: { rejectedRequests: 1 } });

    const raw = await fn.invokeData(badSweep, TOKEN);
    expect(raw.ok).toBe(true);
    expect((raw.result as { error: { message: string } }).error.message).toMatch(REFUSAL);
  });

  it('leaves a pattern RE2 reads to filter, loading re2.js', async () => {
    const { server, fn } = await start({
      resources: [{ kind: 'compute.disk', id: 'disk1', folderId: FOLDER }],
      operations: [
        { id: 'opkeep', resourceId: 'disk1', description: 'Restore disk', createdAt: HOUR_AGO() },
        { id: 'opgo', resourceId: 'disk1', description: 'Create disk', createdAt: HOUR_AGO() },
      ],
    });
    const payload = sweepWith(
      { description: { exclude: [{ regex: '^Restore\\b' }] } },
      { kinds: ['compute.disk'] },
    );
    const invocation = await fn.invoke(timerEvent(payload), TOKEN);

    expect(invocation.ok).toBe(true);
    expect(cancelled(server)).toEqual(['opgo']);
  });
});

describe('what the host lends the sweep, failing on the built function', () => {
  it('a listing whose wait for a call slot the time budget ends names no attempt sent', async () => {
    // One slot for the instance: a long invocation's listing holds it while a short one's waits.
    const { server, fn } = await start({
      resources: [
        { kind: 'compute.instance', id: 'vm1', folderId: FOLDER },
        { kind: 'compute.disk', id: 'disk1', folderId: FOLDER },
      ],
      listingLatencyMs: 30_000,
      env: { MAX_CALLS_IN_FLIGHT: '1', TIME_MARGIN_MS: '500' },
    });
    const holding = fn
      .invoke(timerEvent(sweepWith({}, { kinds: ['compute.instance'] })), {
        ...TOKEN,
        timeoutMs: 60_000,
      })
      // Still waiting for its answer when the test ends and the instance is closed.
      .catch(() => undefined);
    await arrived(server, 'compute.instance/List');
    const payload = sweepWith({}, { kinds: ['compute.disk'] });
    const invocation = await fn.invoke(httpEvent(payload), { ...TOKEN, timeoutMs: 3000 });

    const reply = invocation.result as { statusCode: number };
    expect(reply.statusCode).toBe(503);
    const waited = await fn.waitForLine(
      (l) => l.msg === 'sweep listing failed' && l.request_id === invocation.requestId,
    );
    expect(waited).toMatchObject({
      listing: `compute.disk in folder ${FOLDER}`,
      code: 'NO_STATUS',
      attempts: 0,
      retryable: true,
      message: expect.stringMatching(
        /^DiskService\.List of folder b1gcrossings at 127\.0\.0\.1:\d+: stopped waiting for a free slot, all 1 \(MAX_CALLS_IN_FLIGHT\) in use/,
      ),
    });
    expect(await Promise.race([holding, 'still held'])).toBe('still held');
  });

  it("a listing the API refuses is logged with its call's words, attempts and request ids", async () => {
    const { server, fn } = await start({
      resources: [{ kind: 'compute.disk', id: 'disk1', folderId: FOLDER }],
    });
    server.failList('compute.disk', { code: 7, message: 'no compute.disks.list' });
    const invocation = await fn.invoke(
      timerEvent(sweepWith({}, { kinds: ['compute.disk'] })),
      TOKEN,
    );

    // A refusal is an answer: not a reason to deliver the timer's event again.
    expect(invocation.ok).toBe(true);
    const line = await fn.waitForLine((l) => l.msg === 'sweep listing refused');
    expect(line).toMatchObject({
      code: 'PERMISSION_DENIED',
      attempts: 1,
      clientRequestId: expect.any(String),
      message: expect.stringMatching(
        /^DiskService\.List of folder b1gcrossings at 127\.0\.0\.1:\d+: permission denied: no compute\.disks\.list \(PERMISSION_DENIED\)$/,
      ),
    });
  });
});

describe('a zip without re2.js', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'without-re2-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sweeps without a pattern, and says what is wrong with the zip for one with a pattern', async () => {
    for (const file of ['index.js', 'sweep.js']) {
      const built = path.join(DIST, file);
      if (!existsSync(built)) throw new Error(`${built} does not exist: run npm run build first`);
      copyFileSync(built, path.join(dir, file));
    }
    const { fn } = await start({ dir });
    const plain = await fn.invoke(httpEvent(sweepWith({}, { kinds: ['compute.disk'] })), TOKEN);
    expect((plain.result as { statusCode: number }).statusCode).toBe(200);

    const patterned = await fn.invoke(httpEvent(badSweep), TOKEN);
    const reply = patterned.result as { statusCode: number; body: string };
    expect(reply.statusCode).toBe(500);
    expect(JSON.parse(reply.body)).toEqual({
      error: { message: 'the deployed zip lacks re2.js: upload dist/function.zip whole' },
    });
  });
});

describe('what dist/index.js hands dist/observe.js, on the built files', () => {
  it('retries a Monitoring write and a message once, with the loop observe.js carries', async () => {
    const monitoring = await answeringServer(track, 500, 200);
    const webhook = await answeringServer(track, 503);
    const { fn } = await start({
      operations: [{ id: 'fd8observed', createdAt: HOUR_AGO(), cancel: 'cancels' }],
      env: {
        METRICS_FOLDER_ID: FOLDER,
        YC_MONITORING_URL: monitoring.url,
        NOTIFY_WEBHOOK_URL: `${webhook.url}/hook`,
      },
    });

    const invocation = await fn.invoke(httpEvent(ids(['fd8observed'])), TOKEN);

    expect(invocation.ok, invocation.body).toBe(true);
    const failed = await fn.waitForLine(
      (l) => l.request_id === invocation.requestId && l.msg === 'notification not sent',
    );
    expect(failed.reason).toBe('answered 503, twice');
    expect(monitoring.seen).toHaveLength(2);
    expect(webhook.seen.map((s) => s.url)).toEqual(['/hook', '/hook']);
    const lines = fn.linesFor(invocation.requestId);
    expect(lines.filter((l) => l.msg === 'metrics not written')).toEqual([]);
  });
});
