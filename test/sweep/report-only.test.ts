import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { CloudApiServer, FakeOperation, FakeResource } from '../../emulator/cloud-api-server';
import { closedAfterEach } from '../support/cleanup';
import { httpEvent, timerEvent } from '../support/events';
import { invocationContext, loggedResultsById, onEmulator } from '../support/in-process';

const FOLDER = 'b1gfolder';
const TOKEN = 't1.report-token';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const track = closedAfterEach();

/** Report-only resources with operations of several ages and states, and one cancellable disk. */
const RESOURCES: FakeResource[] = [
  { kind: 'k8s.cluster', id: 'k8s1', folderId: FOLDER },
  { kind: 'k8s.nodeGroup', id: 'ng1', folderId: FOLDER },
  { kind: 'mdb.postgresql', id: 'pg1', folderId: FOLDER },
  { kind: 'compute.instanceGroup', id: 'ig1', folderId: FOLDER },
  { kind: 'compute.disk', id: 'disk1', folderId: FOLDER },
];
const OPERATIONS: FakeOperation[] = [
  {
    id: 'k8sstuck',
    resourceId: 'k8s1',
    description: 'Update Kubernetes cluster',
    createdBy: 'ajeoperator000000001',
    createdAt: minutesAgo(90),
  },
  { id: 'k8syoung', resourceId: 'k8s1', createdAt: minutesAgo(5) },
  { id: 'k8sdone', resourceId: 'k8s1', createdAt: minutesAgo(300), done: true },
  {
    id: 'pgstuck',
    resourceId: 'pg1',
    description: 'Modify PostgreSQL cluster',
    createdBy: 'ajeoperator000000002',
    createdAt: minutesAgo(120),
  },
  { id: 'pgyoung', resourceId: 'pg1', createdAt: minutesAgo(10) },
  {
    id: 'igstuck',
    resourceId: 'ig1',
    description: 'Update instance group',
    createdBy: 'ajeoperator000000001',
    createdAt: minutesAgo(60),
  },
  { id: 'ngdone', resourceId: 'ng1', createdAt: minutesAgo(200), done: true },
  { id: 'diskstuck', resourceId: 'disk1', createdAt: minutesAgo(45) },
];
const STUCK = ['pgstuck', 'k8sstuck', 'igstuck'];

const stack = (env: Record<string, string> = {}) =>
  onEmulator(track, { resources: RESOURCES, operations: OPERATIONS, maxPageSize: 2 }, env);

const timer = (sweep: object) =>
  timerEvent(JSON.stringify({ sweep: { folderId: FOLDER, olderThan: '30m', ...sweep } }), {
    triggerId: 'trsweep',
  });
const stuckLines = (fn: { lines: Array<Record<string, unknown>> }) =>
  fn.lines.filter((l) => l.msg === 'operation stuck');
/** Get and Cancel calls about an operation: a listing's subject is its resource, never it. */
const actedOn = (server: CloudApiServer, id: string) =>
  server.callsFor(id).filter((c) => c.method === 'Get' || c.method === 'Cancel');

describe('a sweep over kinds whose operations cannot be cancelled', () => {
  it('reports each stuck one at WARN, with what was listed and the call that listed it, and asks nothing of it', async () => {
    // One cancellable candidate, which the report-only ones do not join against the guard.
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '1' });

    await fn.handler(timer({}), invocationContext({ token: TOKEN }));

    expect(stuckLines(fn).map((l) => l.operationId)).toEqual(STUCK);
    const results = loggedResultsById(fn.lines);
    for (const [id, kind, resourceId, createdBy, description, minutes] of [
      [
        'pgstuck',
        'mdb.postgresql',
        'pg1',
        'ajeoperator000000002',
        'Modify PostgreSQL cluster',
        120,
      ],
      ['k8sstuck', 'k8s.cluster', 'k8s1', 'ajeoperator000000001', 'Update Kubernetes cluster', 90],
      [
        'igstuck',
        'compute.instanceGroup',
        'ig1',
        'ajeoperator000000001',
        'Update instance group',
        60,
      ],
    ] as const) {
      const method = `${kind}/ListOperations`;
      // The page that held it: two to a page, and each was its resource's first.
      const listing = server.calls.find((c) => c.method === method && c.subject === resourceId);
      expect(results[id]).toMatchObject({
        level: 'WARN',
        outcome: 'stuck',
        description,
        createdBy,
        createdAt: expect.any(String),
        ageSeconds: expect.any(Number),
        resourceKind: kind,
        resourceId,
        source: 'timer',
        triggerId: 'trsweep',
        clientTraceId: listing?.clientTraceId,
        clientRequestId: listing?.clientRequestId,
        apiRequestId: listing?.requestId,
        serverTraceId: listing?.serverTraceId,
      });
      const age = Number(results[id]?.ageSeconds);
      expect(age).toBeGreaterThanOrEqual(minutes * 60 - 1);
      expect(age).toBeLessThan(minutes * 60 + 60);
      expect(actedOn(server, id)).toEqual([]);
    }
    for (const id of ['k8syoung', 'k8sdone', 'pgyoung', 'ngdone']) {
      expect(results[id], id).toBeUndefined();
    }
    expect(results.diskstuck).toMatchObject({ outcome: 'cancelled', resourceKind: 'compute.disk' });
    expect(fn.lines.find((l) => l.msg === 'sweep listed')).toMatchObject({
      resources: 5,
      candidates: 1,
      reported: 3,
    });
    expect(fn.lines.find((l) => l.msg === 'invocation summary')).toMatchObject({
      level: 'INFO',
      operations: 4,
      outcomes: { stuck: 3, cancelled: 1 },
      sweep: { candidates: 1, refused: false, failedListings: 0 },
    });
  });

  it('reports them in a dry run too, and still when the guard refuses the cancellable ones', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '1' });
    server.set({ id: 'diskstuck2', resourceId: 'disk1', createdAt: minutesAgo(50) });

    await fn.handler(
      timerEvent(JSON.stringify({ sweep: { folderId: FOLDER, olderThan: '30m' }, dryRun: true })),
      invocationContext({ token: TOKEN }),
    );

    expect(fn.lines.find((l) => l.msg === 'sweep refused')).toMatchObject({ candidates: 2 });
    expect(stuckLines(fn).map((l) => l.operationId)).toEqual(STUCK);
    expect(server.calls.filter((c) => c.method === 'Get' || c.method === 'Cancel')).toEqual([]);
  });

  it('answers HTTP with them among the results, each with its resource', async () => {
    const { fn } = await stack();

    const reply = (await fn.handler(
      httpEvent(JSON.stringify({ sweep: { folderId: FOLDER, olderThan: '30m' } })),
      invocationContext({ token: TOKEN }),
    )) as { statusCode: number; body: string };

    expect(reply.statusCode).toBe(200);
    const { results } = JSON.parse(reply.body) as { results: Array<Record<string, unknown>> };
    expect(results.filter((r) => r.outcome === 'stuck')).toEqual(
      STUCK.map((operationId) =>
        expect.objectContaining({ operationId, resourceId: expect.any(String) }),
      ),
    );
  });

  it('lists only the kinds the request names', async () => {
    const { server, fn } = await stack();

    await fn.handler(timer({ kinds: ['mdb.postgresql'] }), invocationContext({ token: TOKEN }));

    expect(stuckLines(fn).map((l) => l.operationId)).toEqual(['pgstuck']);
    const listings = server.calls.filter((c) => c.method.includes('/List'));
    expect(new Set(listings.map((c) => c.method))).toEqual(
      new Set(['mdb.postgresql/List', 'mdb.postgresql/ListOperations']),
    );
  });

  it('looks at a resource named without a folder', async () => {
    const { server, fn } = await stack();
    server.set({ id: 'ngstuck', resourceId: 'ng1', createdAt: minutesAgo(40) });

    await fn.handler(
      timerEvent(
        JSON.stringify({
          sweep: { resources: [{ kind: 'k8s.nodeGroup', id: 'ng1' }], olderThan: '30m' },
        }),
      ),
      invocationContext({ token: TOKEN }),
    );

    expect(stuckLines(fn)).toEqual([
      expect.objectContaining({ operationId: 'ngstuck', resourceKind: 'k8s.nodeGroup' }),
    ]);
  });

  it('counts a transient failure of their listing in failedListings, a refusal apart, and goes on', async () => {
    const { server, fn } = await stack();
    server.failList('k8s.cluster', { code: status.UNAVAILABLE });
    server.setResources({
      kind: 'compute.instanceGroup',
      id: 'ig1',
      folderId: FOLDER,
      list: { code: status.PERMISSION_DENIED },
    });

    await expect(fn.handler(timer({}), invocationContext({ token: TOKEN }))).rejects.toThrow(
      /1 sweep listing\(s\) failed/,
    );

    expect(server.calls.filter((c) => c.method === 'k8s.cluster/List')).toHaveLength(3);
    expect(stuckLines(fn).map((l) => l.operationId)).toEqual(['pgstuck']);
    const failed = fn.lines.filter((l) => l.msg === 'sweep listing failed');
    expect(failed).toEqual([
      expect.objectContaining({ code: 'UNAVAILABLE', listing: `k8s.cluster in folder ${FOLDER}` }),
    ]);
    expect(fn.lines.filter((l) => l.msg === 'sweep listing refused')).toEqual([
      expect.objectContaining({
        level: 'WARN',
        code: 'PERMISSION_DENIED',
        listing: 'operations of compute.instanceGroup ig1',
        kind: 'compute.instanceGroup',
        role: 'compute.auditor',
      }),
    ]);
    expect(fn.lines.find((l) => l.msg === 'invocation summary')).toMatchObject({
      sweep: { failedListings: 1, refusedListings: 1 },
    });
  });
});
