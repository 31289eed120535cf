import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  type CloudApiServer,
  type FakeOperation,
  type FakeResource,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import { endpointsAt } from '../../emulator/endpoints';
import { type AsyncHost, hostedFunction } from '../support/async-host';
import { contextToken, NO_METADATA, startBuiltFunction } from '../support/built-function';
import { closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { FAST_ENV } from '../support/fixtures';
import { inProcessFunction, invocationContext, loggedResultsById } from '../support/in-process';
import type { RecordedRuntime } from '../support/runtime';
import { testPki } from '../support/test-pki';

const CLOUD = 'b1gcloud';
const TOKEN = 't1.cloud-sweep-token';
const CONTEXT_TOKEN = contextToken(TOKEN, 3600);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const track = closedAfterEach();

/**
 * A cloud of folders, each with one instance running an old and a young operation, a
 * Kubernetes cluster and a PostgreSQL cluster each running an old one (report-only kinds).
 */
async function cloudOf(folders: ReadonlyArray<{ id: string; labels?: Record<string, string> }>) {
  const resources: FakeResource[] = folders.flatMap(({ id }): FakeResource[] => [
    { kind: 'compute.instance', id: `${id}vm`, folderId: id },
    { kind: 'k8s.cluster', id: `${id}k8s`, folderId: id },
    { kind: 'mdb.postgresql', id: `${id}pg`, folderId: id },
  ]);
  const operations: FakeOperation[] = folders.flatMap(({ id }) => [
    { id: `${id}old`, resourceId: `${id}vm`, createdAt: minutesAgo(90) },
    { id: `${id}young`, resourceId: `${id}vm`, createdAt: minutesAgo(5) },
    { id: `${id}k8sold`, resourceId: `${id}k8s`, createdAt: minutesAgo(120) },
    { id: `${id}pgold`, resourceId: `${id}pg`, createdAt: minutesAgo(100) },
  ]);
  const server = track(await startCloudApiServer({ pki: testPki(), resources, operations }));
  for (const { id, labels } of folders) server.placeFolder(id, CLOUD, labels);
  return server;
}

const endpoints = (server: CloudApiServer) => endpointsAt(server.address);

const cancels = (server: CloudApiServer) =>
  server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);
/** A sweep of one kind unless told `all`, the default a request without kinds gets. */
const sweepTimer = (sweep: object, kinds: readonly string[] | 'all' = ['compute.instance']) =>
  timerEvent(
    JSON.stringify({ sweep: { olderThan: '30m', ...(kinds !== 'all' && { kinds }), ...sweep } }),
  );

describe('a sweep of a cloud, in one invocation', () => {
  const FOLDERS = [
    { id: 'b1gprod' },
    { id: 'b1gstage' },
    { id: 'b1gkept', labels: { env: 'prod', keep: 'yes' } },
    { id: 'b1gskip' },
  ];

  it('cancels the old operations of every folder but those excluded, under one sweep id', async () => {
    const server = await cloudOf(FOLDERS);
    const fn = track(inProcessFunction({ ...FAST_ENV, ...endpoints(server) }));

    await fn.handler(
      sweepTimer({ cloudId: CLOUD, exclude: { folderIds: ['b1gskip'], labels: ['keep'] } }),
      invocationContext({ token: TOKEN, requestId: 'inv-wide' }),
    );

    expect(cancels(server).sort()).toEqual(['b1gprodold', 'b1gstageold']);
    expect(server.callsFor(CLOUD).map((c) => c.method)).toEqual(['FolderService/List']);
    const results = loggedResultsById(fn.lines);
    expect(results.b1gprodold).toMatchObject({ outcome: 'cancelled', sweepId: 'inv-wide' });
    expect(fn.lines.find((l) => l.msg === 'sweep scope')).toMatchObject({
      cloudId: CLOUD,
      folders: 2,
      sweepId: 'inv-wide',
    });
  });

  it('sweeps the folders it names', async () => {
    const server = await cloudOf(FOLDERS);
    const fn = track(inProcessFunction({ ...FAST_ENV, ...endpoints(server) }));

    await fn.handler(
      sweepTimer({ folderIds: ['b1gstage', 'b1gkept'] }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancels(server).sort()).toEqual(['b1gkeptold', 'b1gstageold']);
    expect(server.callsFor(CLOUD)).toEqual([]);
  });

  it('counts the cloud listing as a failed listing when it fails for now, so a trigger retries', async () => {
    const server = await cloudOf(FOLDERS);
    server.failNext('FolderService/List', { code: status.UNAVAILABLE, times: 3 });
    const fn = track(inProcessFunction({ ...FAST_ENV, ...endpoints(server) }));

    const run = fn.handler(sweepTimer({ cloudId: CLOUD }), invocationContext({ token: TOKEN }));

    await expect(run).rejects.toThrow(/1 sweep listing\(s\) failed/);
    expect(fn.lines.find((l) => l.msg === 'sweep listing failed')).toMatchObject({
      level: 'ERROR',
      listing: `folders of cloud ${CLOUD}`,
      code: 'UNAVAILABLE',
      retryable: true,
    });
    expect(cancels(server)).toEqual([]);
  });

  it('tells a refused cloud listing with the role that lists folders, and asks no retry', async () => {
    const server = await cloudOf(FOLDERS);
    server.failNext('FolderService/List', { code: status.PERMISSION_DENIED });
    const fn = track(inProcessFunction({ ...FAST_ENV, ...endpoints(server) }));

    const reply = await fn.handler(
      sweepTimer({ cloudId: CLOUD }),
      invocationContext({ token: TOKEN }),
    );

    expect(reply).toMatchObject({ summary: { sweep: { failedListings: 0, refusedListings: 1 } } });
    expect(fn.lines.find((l) => l.msg === 'sweep listing refused')).toMatchObject({
      level: 'WARN',
      listing: `folders of cloud ${CLOUD}`,
      code: 'PERMISSION_DENIED',
      retryable: false,
      role: 'resource-manager.auditor',
      message: expect.stringMatching(
        new RegExp(`^FolderService\\.List of cloud ${CLOUD} at \\S+: permission denied`),
      ),
    });
    expect(fn.lines.some((l) => l.msg === 'sweep listing failed')).toBe(false);
  });
});

describe('a sweep of a cloud past SWEEP_FANOUT_FOLDERS', () => {
  const FOLDERS = [{ id: 'b1gone' }, { id: 'b1gtwo' }, { id: 'b1gthree' }];

  /**
   * The bundle under the runtime model, behind the function host, which takes its asynchronous
   * calls as the platform does; the function hands its folders on to that host.
   */
  async function platform(server: CloudApiServer, retries: number | undefined) {
    const hosted = await hostedFunction(
      { token: CONTEXT_TOKEN, ...(retries !== undefined && { async: { retries } }) },
      (hostUrl) =>
        startBuiltFunction({
          server,
          env: {
            ...FAST_ENV,
            SWEEP_FANOUT_FOLDERS: '2',
            YC_FUNCTIONS_INVOKE_URL: hostUrl,
            ...NO_METADATA,
          },
        }),
    );
    return { host: track(hosted.host), runtime: track(hosted.runtime) };
  }

  /** The timer run that sweeps the cloud, and every asynchronous call it led to, ended. */
  async function sweepCloud(
    host: AsyncHost,
    runtime: RecordedRuntime,
    { requestId, kinds }: { requestId?: string; kinds?: readonly string[] | 'all' } = {},
  ) {
    const coordinator = await runtime.invoke(sweepTimer({ cloudId: CLOUD }, kinds), {
      ...(requestId && { requestId }),
      token: CONTEXT_TOKEN,
    });
    expect(coordinator.ok, coordinator.body).toBe(true);
    await host.asyncDone();
    return host.asyncCalls();
  }

  it('hands each folder on as an asynchronous call of the function, each swept once', async () => {
    const server = await cloudOf(FOLDERS);
    const { host, runtime } = await platform(server, 1);

    // The payload as a team writes it: a cloud and an age, every kind by default.
    const calls = await sweepCloud(host, runtime, {
      requestId: 'inv-coordinator',
      kinds: 'all',
    });
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      // function-invoke-async.md: the caller's IAM token, here the function's own.
      expect(call.authorization).toBe(`Bearer ${TOKEN}`);
      expect(call.attempts).toBe(1);
      expect(call.deadLettered).toBeUndefined();
    }
    expect(calls.map((c) => JSON.parse(c.data).sweepHandOff.request.sweep.folderId).sort()).toEqual(
      ['b1gone', 'b1gthree', 'b1gtwo'],
    );
    // The fan-out shares the invocation's cap (MAX_CANCELS_PER_INVOCATION, MAX_OPERATIONS unset).
    const caps = calls.map((c) => JSON.parse(c.data).sweepHandOff.maxCancels as number);
    expect(caps.sort()).toEqual([333, 333, 334]);
    expect(cancels(server).sort()).toEqual(['b1goneold', 'b1gthreeold', 'b1gtwoold']);
    // The coordinator lists and hands on; it cancels nothing itself.
    const own = runtime.linesFor('inv-coordinator');
    expect(own.filter((l) => String(l.msg).startsWith('operation '))).toEqual([]);
    expect(own.find((l) => l.msg === 'sweep handed on')).toMatchObject({ folders: 3 });
    // One query by sweep id shows the whole sweep.
    const cancelled = runtime.lines.filter((l) => l.msg === 'operation cancelled');
    expect(cancelled).toHaveLength(3);
    for (const line of cancelled) {
      expect(line).toMatchObject({ source: 'fan-out', sweepId: 'inv-coordinator' });
    }
    // What cannot be cancelled is reported, with no Cancel: Kubernetes and the databases.
    const stuck = runtime.lines
      .filter((l) => l.msg === 'operation stuck')
      .map((l) => l.operationId);
    expect(stuck.sort()).toEqual(FOLDERS.flatMap(({ id }) => [`${id}k8sold`, `${id}pgold`]).sort());
    for (const line of runtime.lines.filter((l) => l.msg === 'operation stuck')) {
      expect(line).toMatchObject({ level: 'WARN', source: 'fan-out', sweepId: 'inv-coordinator' });
    }
    for (const id of stuck) expect(server.callsFor(String(id))).toEqual([]);
  });

  it("splits maxCancelsTotal over the folders it hands on, states the split, and each folder's invocation holds its share", async () => {
    const server = await cloudOf(FOLDERS);
    const { host, runtime } = await platform(server, 1);

    const coordinator = await runtime.invoke(sweepTimer({ cloudId: CLOUD, maxCancelsTotal: 4 }), {
      requestId: 'inv-split',
      token: CONTEXT_TOKEN,
    });
    expect(coordinator.ok, coordinator.body).toBe(true);
    await host.asyncDone();

    // In the order they are handed on (the cloud's listing order), the first takes the remainder.
    const split = {
      maxCancelsTotal: 4,
      folders: 3,
      each: 1,
      oneMore: 1,
      oneMoreFolderIds: ['b1gone'],
    };
    expect(runtime.linesFor('inv-split').find((l) => l.msg === 'sweep handed on')).toMatchObject({
      folders: 3,
      cancelSplit: split,
    });
    expect(coordinator.result).toMatchObject({ summary: { sweep: { cancelSplits: [split] } } });
    const shares = Object.fromEntries(
      host.asyncCalls().map((c) => {
        const { sweep } = JSON.parse(c.data).sweepHandOff.request;
        return [sweep.folderId, sweep.maxCancelsTotal];
      }),
    );
    expect(shares).toEqual({ b1gone: 2, b1gtwo: 1, b1gthree: 1 });
    // Each folder's one old operation is within its share.
    expect(cancels(server).sort()).toEqual(['b1goneold', 'b1gthreeold', 'b1gtwoold']);
  });

  it('lets the platform retry a folder sweep that fails, then dead-letter it', async () => {
    const server = await cloudOf(FOLDERS);
    server.failList('compute.instance', { code: status.UNAVAILABLE });
    const { host, runtime } = await platform(server, 1);

    const calls = await sweepCloud(host, runtime);
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call.attempts).toBe(2);
      expect(call.deadLettered?.error).toMatch(/RetryableFailureError/);
    }
    expect(cancels(server)).toEqual([]);
  });

  it('reports each folder a version without asyncInvocation refuses, and asks no redelivery', async () => {
    const server = await cloudOf(FOLDERS);
    // No async_invocation_config: the platform takes no asynchronous call of the version.
    const { host, runtime } = await platform(server, undefined);

    const coordinator = await runtime.invoke(sweepTimer({ cloudId: CLOUD }), {
      requestId: 'inv-refused',
      token: CONTEXT_TOKEN,
    });

    // A trigger is not asked to deliver again: every folder would be handed on again.
    expect(coordinator.ok, coordinator.body).toBe(true);
    expect(host.asyncCalls()).toEqual([]);
    expect(coordinator.result).toMatchObject({
      summary: {
        sweep: {
          failedListings: 0,
          notHandedOn: { count: 3, folderIds: ['b1gone', 'b1gtwo', 'b1gthree'] },
        },
      },
    });
    await runtime.waitForLine(
      (l) => l.request_id === 'inv-refused' && l.msg === 'invocation summary',
    );
    const failed = runtime.linesFor('inv-refused').filter((l) => l.msg === 'sweep hand-off failed');
    expect(failed.map((l) => l.folderId)).toEqual(['b1gone', 'b1gtwo', 'b1gthree']);
    for (const line of failed) {
      expect(line).toMatchObject({
        level: 'ERROR',
        reason: expect.stringMatching(/^answered 400/),
      });
    }
    expect(cancels(server)).toEqual([]);
  });
});
