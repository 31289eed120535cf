import { status } from '@grpc/grpc-js';
import { CreateInstanceMetadata } from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import { describe, expect, it } from 'vitest';
import { createMemoryCgroup } from '../../bench/cgroup';
import {
  type CloudApiServer,
  type FakeOperation,
  type FakeResource,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import { hostedFunction } from '../support/async-host';
import { contextToken, NO_METADATA, startBuiltFunction } from '../support/built-function';
import { closedAfterEach } from '../support/cleanup';
import { httpEvent, queueEvent, timerEvent, timerMessage } from '../support/events';
import { testPki } from '../support/test-pki';

/**
 * Issue 25's "Done when", on the built function in a process of its own: the deployment's policy
 * bounds every caller, every channel is bounded alike, and nothing secret is echoed.
 */
const SECRET = 't1.9euelZqNkZKUk5GNy5bLjpCPm5yQmO3rnpWalpqTzZONmsaQk5eTz4_v9fQ';
const CONTEXT_TOKEN = contextToken(SECRET);
const TOKEN = { token: CONTEXT_TOKEN };
const CLOUD = 'b1gpolicycloud';
const MB = 1024 * 1024;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const track = closedAfterEach();

async function emulator(options: { resources?: FakeResource[]; operations?: FakeOperation[] }) {
  return track(await startCloudApiServer({ pki: testPki(), ...options }));
}

/** The built function on the emulator's APIs, trusting its test CA, with `env` as its settings. */
async function builtFunction(
  server: CloudApiServer,
  env: Record<string, string>,
  more: { nodePath?: string; memoryMb?: number } = {},
) {
  return track(await startBuiltFunction({ ...more, server, env: { ...NO_METADATA, ...env } }));
}

const cancels = (server: CloudApiServer) =>
  server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);
/** The folders and resources the sweep's listings asked about. */
const listed = (server: CloudApiServer) =>
  server.calls.filter((c) => /List/.test(c.method)).map((c) => c.subject);
const sweep = (spec: object) =>
  timerEvent(JSON.stringify({ sweep: { kinds: ['compute.instance'], ...spec } }));

describe('ALLOWED_FOLDERS, on the built function', () => {
  const resources: FakeResource[] = [
    { kind: 'compute.instance', id: 'vmina', folderId: 'b1gfoldera' },
    { kind: 'compute.instance', id: 'vminb', folderId: 'b1gfolderb' },
  ];
  const operations: FakeOperation[] = [
    { id: 'opina', resourceId: 'vmina', createdAt: minutesAgo(90) },
    { id: 'opinb', resourceId: 'vminb', createdAt: minutesAgo(90) },
  ];

  it('refuses a sweep of a folder outside it by name, with no call at all', async () => {
    const server = await emulator({ resources, operations });
    const fn = await builtFunction(server, { ALLOWED_FOLDERS: 'b1gfoldera' });

    const invocation = await fn.invoke(sweep({ folderId: 'b1gfolderb', olderThan: '30m' }), TOKEN);

    expect(invocation.ok).toBe(true);
    expect(server.calls).toEqual([]);
    const line = await fn.waitForLine((l) => l.msg === 'request rejected');
    expect((line.error as { message: string }).message).toMatch(
      /^folder\(s\) b1gfolderb are outside what this deployment may reach \(folders b1gfoldera: ALLOWED_FOLDERS, ALLOWED_CLOUDS\)/,
    );
  });

  it('leaves a folder outside it out of a cloud sweep, with no listing of it', async () => {
    const server = await emulator({ resources, operations });
    server.placeFolder('b1gfoldera', CLOUD);
    server.placeFolder('b1gfolderb', CLOUD);
    const fn = await builtFunction(server, { ALLOWED_FOLDERS: 'b1gfoldera' });

    const invocation = await fn.invoke(sweep({ cloudId: CLOUD, olderThan: '30m' }), TOKEN);

    expect(invocation.ok).toBe(true);
    expect(cancels(server)).toEqual(['opina']);
    expect(listed(server)).not.toContain('b1gfolderb');
    expect(listed(server)).toContain('b1gfoldera');
    const warned = await fn.waitForLine((l) => l.msg === 'sweep folders outside the policy');
    expect(warned).toMatchObject({ level: 'WARN', folders: 1 });
    const first = fn.lines.find((l) => l.request_id === invocation.requestId);
    expect(first).toMatchObject({ msg: 'invocation started', scope: 'folders b1gfoldera' });
  });

  it('with ALLOWED_CLOUDS, sweeps a folder its cloud places in scope, and no other', async () => {
    const server = await emulator({ resources, operations });
    server.placeFolder('b1gfoldera', CLOUD);
    server.placeFolder('b1gfolderb', 'b1gothercloud');
    const fn = await builtFunction(server, { ALLOWED_CLOUDS: CLOUD });

    await fn.invoke(sweep({ folderId: 'b1gfoldera', olderThan: '30m' }), TOKEN);
    await fn.invoke(sweep({ folderId: 'b1gfolderb', olderThan: '30m' }), TOKEN);

    expect(cancels(server)).toEqual(['opina']);
    expect(listed(server)).not.toContain('b1gfolderb');
  });

  it('says when it is unset that the function reaches any folder its service account can see', async () => {
    const server = await emulator({});
    const fn = await builtFunction(server, {});
    const invocation = await fn.invoke(timerEvent(), TOKEN);
    expect(fn.lines.find((l) => l.request_id === invocation.requestId)).toMatchObject({
      msg: 'invocation started',
      scope: 'any folder the service account can see',
    });
  });
});

describe('named ids under ALLOWED_FOLDERS, on the built function', () => {
  /** An instance's Create, whose metadata names the instance, as the Compute API answers it. */
  const creating = (id: string, instanceId: string): FakeOperation => ({
    id,
    createdAt: minutesAgo(60),
    metadata: {
      typeUrl: 'type.googleapis.com/yandex.cloud.compute.v1.CreateInstanceMetadata',
      value: Buffer.from(
        CreateInstanceMetadata.encode(CreateInstanceMetadata.fromPartial({ instanceId })).finish(),
      ),
    },
  });

  it('cancels one whose resource is in scope, and skips by name one outside it or unplaceable', async () => {
    const server = await emulator({
      resources: [
        { kind: 'compute.instance', id: 'vmina', folderId: 'b1gfoldera' },
        { kind: 'compute.instance', id: 'vminb', folderId: 'b1gfolderb' },
      ],
      operations: [
        creating('opnamedina', 'vmina'),
        creating('opnamedinb', 'vminb'),
        creating('opnamedgone', 'vmgone'),
        { id: 'opnamedbare', createdAt: minutesAgo(60) },
      ],
    });
    const fn = await builtFunction(server, { ALLOWED_FOLDERS: 'b1gfoldera' });
    const ids = ['opnamedina', 'opnamedinb', 'opnamedgone', 'opnamedbare'];

    const invocation = await fn.invoke({ operationIds: ids }, TOKEN);

    expect(cancels(server)).toEqual(['opnamedina']);
    const results = (invocation.result as { results: Array<Record<string, string>> }).results;
    const byId = Object.fromEntries(results.map((r) => [r.operationId, r]));
    expect(byId.opnamedina).toMatchObject({ outcome: 'cancelled' });
    expect(byId.opnamedinb).toMatchObject({
      outcome: 'skipped',
      reason: 'outside_policy',
      message: expect.stringMatching(
        /resource vminb is in folder b1gfolderb, which ALLOWED_FOLDERS/,
      ),
    });
    expect(byId.opnamedgone).toMatchObject({
      reason: 'outside_policy',
      message: expect.stringMatching(/folder of its resource vmgone could not be read.*NOT_FOUND/),
    });
    expect(byId.opnamedbare).toMatchObject({
      reason: 'outside_policy',
      message: expect.stringMatching(/its metadata names no resource/),
    });
    // The instance's folder is read by the Compute API's Get, the instance named.
    expect(
      server.calls.filter((c) => c.method === 'compute.instance/Get').map((c) => c.subject),
    ).toEqual(expect.arrayContaining(['vmina', 'vminb', 'vmgone']));
  });
});

describe('MIN_OLDER_THAN, on the built function', () => {
  it('cancels nothing younger than it, whatever threshold a request asks for', async () => {
    const server = await emulator({
      resources: [{ kind: 'compute.instance', id: 'vm1', folderId: 'b1gfloor' }],
      operations: [
        { id: 'opyoung', resourceId: 'vm1', createdAt: minutesAgo(10) },
        { id: 'opold', resourceId: 'vm1', createdAt: minutesAgo(45) },
      ],
    });
    const fn = await builtFunction(server, { MIN_OLDER_THAN: '30m' });

    await fn.invoke(sweep({ folderId: 'b1gfloor', olderThan: '1m' }), TOKEN);

    expect(cancels(server)).toEqual(['opold']);
  });
});

describe('MAX_CANCELS_PER_INVOCATION, on the built function', () => {
  it('counts named ids: of 3 running ones, 1 is cancelled and 2 are skipped by name', async () => {
    const ids = ['opnamedone', 'opnamedtwo', 'opnamedthree'];
    const server = await emulator({
      operations: ids.map((id) => ({ id, createdAt: minutesAgo(60) })),
    });
    const fn = await builtFunction(server, { MAX_CANCELS_PER_INVOCATION: '1' });

    const invocation = await fn.invoke(httpEvent(JSON.stringify({ operationIds: ids })), TOKEN);

    expect(cancels(server)).toHaveLength(1);
    const body = JSON.parse((invocation.result as { body: string }).body);
    expect(body.summary.outcomes).toEqual({ cancelled: 1, skipped: 2 });
    const skipped = body.results.filter((r: { outcome: string }) => r.outcome === 'skipped');
    for (const result of skipped) expect(result.reason).toBe('over_invocation_limit');
  });
});

describe('a forged timer event of 160 payloads naming 160,000 ids, on the built function', () => {
  it('is bounded: the first payload is read, the rest refused by name, within 128 MB', async () => {
    const server = await emulator({});
    // Ids of 20 characters, as the API's are: 3.4 MB in all, under the platform's 3.5 MB.
    const payload = (m: number) =>
      Array.from(
        { length: 1000 },
        (_, i) => `fd8m${String(m).padStart(3, '0')}op${String(i).padStart(11, '0')}`,
      ).join(',');
    const event = { messages: Array.from({ length: 160 }, (_, m) => timerMessage(payload(m))) };
    expect(JSON.stringify(event).length).toBeGreaterThan(3.2 * MB);
    expect(JSON.stringify(event).length).toBeLessThan(3.5 * MB);
    // As the platform holds a function to its memory: a cgroup of 128 MB where the machine
    // allows one, else V8's heap sized as in 128 MB.
    const cgroup = createMemoryCgroup(128 * MB);
    const inCgroup = 'unavailable' in cgroup ? undefined : cgroup;
    try {
      const fn = await builtFunction(
        server,
        {
          ...(inCgroup === undefined && {
            NODE_OPTIONS: '--max-old-space-size=256 --max-semi-space-size=1',
          }),
        },
        { ...(inCgroup && { nodePath: inCgroup.nodePath }), memoryMb: 128 },
      );

      const invocation = await fn.invoke(event, TOKEN);

      expect(invocation.ok).toBe(true);
      expect(invocation.result).toMatchObject({
        summary: { operations: 1000, rejectedRequests: 159 },
      });
      expect(server.calls.filter((c) => c.method === 'Get')).toHaveLength(1000);
      if (inCgroup !== undefined) {
        expect(inCgroup.oomKills()).toBe(0);
        expect(inCgroup.peakBytes()).toBeLessThan(128 * MB);
      }
      await fn.close();
    } finally {
      inCgroup?.remove();
    }
  });
});

describe('a queue batch past MAX_OPERATIONS, on the built function', () => {
  /** The bundle behind the function host, which takes its asynchronous calls as the platform does. */
  async function platform(server: CloudApiServer) {
    const hosted = await hostedFunction(
      { token: CONTEXT_TOKEN, timeoutMs: 60_000, async: { retries: 2 } },
      (hostUrl) => builtFunction(server, { YC_FUNCTIONS_INVOKE_URL: hostUrl }),
    );
    return { host: track(hosted.host), runtime: hosted.runtime };
  }

  it('hands the messages past it on: all 10,000 ids of 10 × 1000 are cancelled', async () => {
    const ids = (m: number) =>
      Array.from({ length: 1000 }, (_, i) => `m${m}op${String(i).padStart(4, '0')}`);
    const all = Array.from({ length: 10 }, (_, m) => ids(m)).flat();
    const server = await emulator({
      operations: all.map((id) => ({ id, createdAt: minutesAgo(60) })),
    });
    const { host, runtime } = await platform(server);

    const first = await runtime.invoke(
      queueEvent(Array.from({ length: 10 }, (_, m) => JSON.stringify({ operationIds: ids(m) }))),
      { ...TOKEN, timeoutMs: 60_000 },
    );
    expect(first.ok, first.body).toBe(true);
    await host.asyncDone();

    expect(new Set(cancels(server)).size).toBe(10_000);
    expect(cancels(server)).toHaveLength(10_000);
    // One invocation per message here, each handing the rest on, none delivered again.
    const calls = host.asyncCalls();
    expect(calls).toHaveLength(9);
    for (const call of calls) expect(call).toMatchObject({ attempts: 1 });
    expect(calls.map((c) => JSON.parse(c.data).messages.length)).toEqual([
      9, 8, 7, 6, 5, 4, 3, 2, 1,
    ]);
  }, 120_000);
});

describe('HTTP_API_KEY set but empty, on the built function', () => {
  it('fails the invocation as a configuration error, with no call', async () => {
    const server = await emulator({ operations: [{ id: 'opkeyless', createdAt: minutesAgo(60) }] });
    const fn = await builtFunction(server, { HTTP_API_KEY: '' });

    const invocation = await fn.invoke(
      httpEvent(JSON.stringify({ operationIds: ['opkeyless'] })),
      TOKEN,
    );

    const reply = invocation.result as { statusCode: number; body: string };
    expect(reply.statusCode).toBe(500);
    expect(JSON.parse(reply.body).error.message).toMatch(/^HTTP_API_KEY is set but empty/);
    expect(server.calls).toEqual([]);
  });
});

describe('a server that echoes the token in its error text, on the built function', () => {
  it('has it in no reply and no line', async () => {
    const echo = `token ${SECRET} is not allowed here (Authorization: Bearer ${SECRET})`;
    const server = await emulator({
      operations: [
        {
          id: 'opechoget',
          createdAt: minutesAgo(60),
          get: { code: status.PERMISSION_DENIED, message: echo },
        },
        {
          id: 'opechocancel',
          createdAt: minutesAgo(60),
          cancel: { code: status.INVALID_ARGUMENT, message: echo },
        },
      ],
    });
    const fn = await builtFunction(server, {});

    const http = await fn.invoke(
      httpEvent(JSON.stringify({ operationIds: ['opechoget', 'opechocancel'] })),
      TOKEN,
    );
    const raw = await fn.invoke({ operationIds: ['opechoget', 'opechocancel'] }, TOKEN);
    await fn.waitForLine((l) => l.request_id === raw.requestId && l.msg === 'invocation summary');

    // The calls carried the token, and the server did echo it.
    expect(server.calls.some((c) => c.authorization === `Bearer ${SECRET}`)).toBe(true);
    const body = (http.result as { body: string }).body;
    expect(JSON.parse(body).results).toHaveLength(2);
    expect(body).toContain('[redacted]');
    for (const text of [body, JSON.stringify(raw.result), JSON.stringify(fn.lines)]) {
      expect(text).not.toContain(SECRET.slice(0, 12));
    }
  });
});
