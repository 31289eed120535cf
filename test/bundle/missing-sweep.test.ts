import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudApiServer, startCloudApiServer } from '../../emulator/cloud-api-server';
import { MissingBundleError } from '../../src/errors';
import { lacksFile, loadBundle } from '../../src/lazy-bundle';
import {
  BUILT_INDEX,
  requireBuilt,
  startBuiltFunction,
  withToken,
} from '../support/built-function';
import { httpEvent, queueEvent, timerEvent } from '../support/events';
import type { RecordedRuntime } from '../support/runtime';
import { testPki } from '../support/test-pki';

// A zip of dist/index.js alone, as an upload of the one file would make it: the cancel path works,
// and a sweep says what is wrong with the zip instead of "unexpected failure".
const MESSAGE = 'the deployed zip lacks sweep.js: upload dist/function.zip whole';
const WITH_TOKEN = withToken('t1.missing-sweep');
const SWEEP = JSON.stringify({
  sweep: { folderId: 'b1gfolder', kinds: ['compute.disk'], olderThan: '30m' },
});

let dir: string;
let server: CloudApiServer;
let runtime: RecordedRuntime;

beforeAll(async () => {
  requireBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'missing-sweep-'));
  copyFileSync(BUILT_INDEX, path.join(dir, 'index.js'));
  const pki = testPki();
  server = await startCloudApiServer({
    pki,
    operations: [
      { id: 'opstuck', createdAt: new Date(Date.now() - 3_600_000) },
      { id: 'opbatched', createdAt: new Date(Date.now() - 3_600_000) },
    ],
  });
  runtime = await startBuiltFunction({ server, bundlePath: path.join(dir, 'index.js') });
});
afterAll(async () => {
  await runtime?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a zip without sweep.js', () => {
  it('still cancels named operations, which never load it', async () => {
    const invocation = await runtime.invoke(
      httpEvent(JSON.stringify({ operationIds: ['opstuck'] })),
      WITH_TOKEN,
    );
    const reply = invocation.result as { statusCode: number; body: string };
    expect(reply.statusCode).toBe(200);
    expect(JSON.parse(reply.body).results).toMatchObject([{ outcome: 'cancelled' }]);
  });

  it('answers a sweep over HTTP with what is wrong, and logs it with its cause', async () => {
    const invocation = await runtime.invoke(httpEvent(SWEEP), WITH_TOKEN);
    const reply = invocation.result as { statusCode: number; body: string };
    expect(reply.statusCode).toBe(500);
    expect(JSON.parse(reply.body)).toEqual({ error: { message: MESSAGE } });
    const line = await runtime.waitForLine(
      (l) => l.request_id === invocation.requestId && l.msg === 'invocation refused',
    );
    expect(line.error).toMatchObject({
      name: 'MissingBundleError',
      message: MESSAGE,
      cause: { message: expect.stringContaining('sweep.js') },
    });
  });

  it("fails a timer's sweep with the same words, for a redeploy to mend", async () => {
    const invocation = await runtime.invoke(timerEvent(SWEEP), WITH_TOKEN);
    expect(invocation.ok).toBe(false);
    expect(invocation.error?.message).toBe(MESSAGE);
  });

  it('still cancels the ids a queue batch names beside a sweep, and asks for the batch again', async () => {
    const event = queueEvent([SWEEP, JSON.stringify({ operationIds: ['opbatched'] })]);
    const invocation = await runtime.invoke(event, WITH_TOKEN);
    expect(server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject)).toContain(
      'opbatched',
    );
    const line = await runtime.waitForLine(
      (l) => l.request_id === invocation.requestId && l.msg === 'sweep failed',
    );
    expect(line).toMatchObject({ level: 'ERROR', error: { message: MESSAGE } });
    // The sweep counts as a failed listing: the queue delivers the batch again.
    expect(invocation.ok).toBe(false);
  });
});

describe('lacksFile', () => {
  const notFound = (request: string) =>
    Object.assign(
      new Error(`Cannot find module '${request}'\nRequire stack:\n- /function/code/index.js`),
      { code: 'MODULE_NOT_FOUND' },
    );
  it.each([
    ['sweep.js itself', notFound('./sweep.js'), true],
    ['a module sweep.js requires', notFound('./re2.js'), false],
    ['a file whose name ends alike', notFound('./oldsweep.js'), false],
    ['a package', notFound('sweep.js'), false],
    ['another failure', Object.assign(new Error('boom'), { code: 'ERR_REQUIRE_ESM' }), false],
    ['no error object', 'sweep.js', false],
  ])('%s: %s', (_name, error, lacks) => {
    expect(lacksFile(error, 'sweep.js')).toBe(lacks);
  });
});

describe('loadBundle', () => {
  it('says a missing observe.js is a packaging mistake, as it says of sweep.js', async () => {
    const missing = Object.assign(new Error("Cannot find module './observe.js'"), {
      code: 'MODULE_NOT_FOUND',
    });
    const loading = loadBundle('observe.js', () => Promise.reject(missing));
    await expect(loading).rejects.toBeInstanceOf(MissingBundleError);
    await expect(loading).rejects.toThrow(
      'the deployed zip lacks observe.js: upload dist/function.zip whole',
    );
  });

  it('passes any other failure through as it is', async () => {
    const boom = new Error('boom');
    await expect(loadBundle('observe.js', () => Promise.reject(boom))).rejects.toBe(boom);
  });
});
