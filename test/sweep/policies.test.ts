import { describe, expect, it } from 'vitest';
import type { CloudApiServer, FakeOperation, FakeResource } from '../../emulator/cloud-api-server';
import { closedAfterEach } from '../support/cleanup';
import { httpEvent, timerEvent } from '../support/events';
import { invocationContext, loggedResultsById, onEmulator } from '../support/in-process';

// Issue 16: sweep policies as teams write them, against the emulator's listings.
const FOLDER = 'b1gfolder';
const TOKEN = 't1.policy-token';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const track = closedAfterEach();

const RESOURCES: FakeResource[] = [
  { kind: 'compute.instance', id: 'vm1', folderId: FOLDER, labels: { env: 'dev' } },
  { kind: 'compute.instance', id: 'vmprod', folderId: FOLDER, labels: { env: 'prod' } },
  { kind: 'mdb.postgresql', id: 'pg1', folderId: FOLDER },
  { kind: 'cloudrouter.routingInstance', id: 'ri1', folderId: FOLDER },
  { kind: 'cic.privateConnection', id: 'pc1', folderId: FOLDER },
  { kind: 'cic.trunkConnection', id: 'tc1', folderId: FOLDER },
  { kind: 'compute.reservedInstancePool', id: 'rip1', folderId: FOLDER },
  {
    kind: 'compute.instanceGroup',
    id: 'ig1',
    folderId: FOLDER,
    logRecords: [
      { timestamp: minutesAgo(50), message: 'Instance group is being updated' },
      { timestamp: minutesAgo(2), message: 'Waiting for quota: cores limit exceeded' },
      { timestamp: minutesAgo(30), message: 'Creating instance cl1-abc' },
    ],
  },
];

const op = (id: string, resourceId: string, minutes: number, fields: Partial<FakeOperation> = {}) =>
  ({
    id,
    resourceId,
    createdAt: minutesAgo(minutes),
    createdBy: 'ajeoperator0001',
    ...fields,
  }) as FakeOperation;

const OPERATIONS: FakeOperation[] = [
  op('vmcreate10', 'vm1', 10, { description: 'Create instance' }),
  op('vmprod30', 'vmprod', 30, { description: 'Update instance' }),
  op('pgupdate40', 'pg1', 40, { description: 'Modify PostgreSQL cluster' }),
  op('routing45', 'ri1', 45, { description: 'Update routing instance' }),
  op('private50', 'pc1', 50, { description: 'Upsert static route' }),
  op('trunk55', 'tc1', 55, { description: 'Update trunk connection' }),
  op('pool60', 'rip1', 60, { description: 'Create reserved instance pool' }),
  op('group70', 'ig1', 70, { description: 'Update instance group' }),
];

const stack = (env: Record<string, string> = {}) =>
  onEmulator(track, { resources: RESOURCES, operations: OPERATIONS, maxPageSize: 2 }, env);

const sweepOf = (sweep: object, extra: object = {}) =>
  timerEvent(JSON.stringify({ sweep: { folderId: FOLDER, ...sweep }, ...extra }), {
    triggerId: 'trpolicy',
  });
const cancelled = (server: CloudApiServer) =>
  server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);
const line = (fn: { lines: Array<Record<string, unknown>> }, msg: string) =>
  fn.lines.find((l) => l.msg === msg);

describe('a sweep with thresholds by kind', () => {
  it('cancels a 10-minute-old instance create and leaves a 40-minute-old database operation alone', async () => {
    const { server, fn } = await stack();

    await fn.handler(
      sweepOf({
        kinds: ['compute.instance', 'mdb.postgresql'],
        olderThan: { 'compute.instance': '5m', 'mdb.postgresql': '60m' },
      }),
      invocationContext({ token: TOKEN }),
    );

    const results = loggedResultsById(fn.lines);
    expect(results.vmcreate10).toMatchObject({
      outcome: 'cancelled',
      resourceKind: 'compute.instance',
    });
    expect(results.pgupdate40).toBeUndefined();
    expect(
      server.callsFor('pgupdate40').filter((c) => c.method !== 'mdb.postgresql/ListOperations'),
    ).toEqual([]);
    expect(line(fn, 'sweep listed')).toMatchObject({
      kinds: {
        'compute.instance': { operations: 2, matched: 2, candidates: 2 },
        'mdb.postgresql': { operations: 1, matched: 0 },
      },
    });
  });

  it('takes the table of defaults when it gives none: 5 minutes for instances, an hour for PostgreSQL', async () => {
    const { server, fn } = await stack();

    await fn.handler(
      sweepOf({ kinds: ['compute.instance', 'mdb.postgresql'] }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancelled(server).sort()).toEqual(['vmcreate10', 'vmprod30']);
    expect(loggedResultsById(fn.lines).pgupdate40).toBeUndefined();
  });
});

describe('filters on what a sweep may touch', () => {
  it('protects a labelled resource operation, and counts what it left out on the sweep line', async () => {
    const { server, fn } = await stack();

    await fn.handler(
      sweepOf({
        kinds: ['compute.instance'],
        olderThan: '5m',
        filters: { labels: { exclude: ['env=prod'] } },
      }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancelled(server)).toEqual(['vmcreate10']);
    expect(
      server.callsFor('vmprod30').filter((c) => c.method === 'Get' || c.method === 'Cancel'),
    ).toEqual([]);
    expect(line(fn, 'sweep listed')).toMatchObject({
      candidates: 1,
      filteredOut: { labels: 1 },
      kinds: { 'compute.instance': { matched: 2, filteredOut: { labels: 1 }, candidates: 1 } },
    });
    // Counted, not logged one by one.
    expect(fn.lines.filter((l) => l.operationId === 'vmprod30')).toEqual([]);
  });

  it('leaves out by creator and by description, each counted under its filter', async () => {
    const { server, fn } = await stack();
    server.set(
      op('vmterraform', 'vm1', 20, {
        createdBy: 'ajeterraform0001',
        description: 'Create instance',
      }),
      op('vmmigration', 'vm1', 25, {
        createdBy: 'ajeterraform0001',
        description: 'Data MIGRATION step',
      }),
    );

    await fn.handler(
      sweepOf({
        kinds: ['compute.instance'],
        olderThan: '5m',
        filters: {
          createdBy: { include: ['ajeterraform0001'] },
          description: { exclude: ['migration', { regex: '^Restore' }] },
        },
      }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancelled(server)).toEqual(['vmterraform']);
    expect(line(fn, 'sweep listed')).toMatchObject({
      filteredOut: { createdBy: 2, description: 1 },
    });
  });

  it('rejects a request whose pattern RE2 cannot read before anything is listed', async () => {
    const { server, fn } = await stack();

    await fn.handler(
      sweepOf({ olderThan: '5m', filters: { description: { include: [{ regex: '(?<=x)y' }] } } }),
      invocationContext({ token: TOKEN }),
    );

    expect(line(fn, 'request rejected')).toMatchObject({
      level: 'ERROR',
      error: {
        message: expect.stringMatching(
          /sweep.filters.description.include\[0\].regex "\(\?<=x\)y" is not an RE2 pattern/,
        ),
      },
    });
    expect(server.calls).toEqual([]);
    expect(line(fn, 'invocation summary')).toMatchObject({ operations: 0, rejectedRequests: 1 });
  });
});

describe('every cancellable kind', () => {
  it('lists and cancels stuck Cloud Router, Interconnect and reserved pool operations', async () => {
    const { server, fn } = await stack();

    await fn.handler(
      sweepOf({
        kinds: [
          'cloudrouter.routingInstance',
          'cic.privateConnection',
          'cic.trunkConnection',
          'compute.reservedInstancePool',
        ],
        olderThan: '30m',
      }),
      invocationContext({ token: TOKEN }),
    );

    const results = loggedResultsById(fn.lines);
    for (const [id, kind, resourceId] of [
      ['routing45', 'cloudrouter.routingInstance', 'ri1'],
      ['private50', 'cic.privateConnection', 'pc1'],
      ['trunk55', 'cic.trunkConnection', 'tc1'],
      ['pool60', 'compute.reservedInstancePool', 'rip1'],
    ] as const) {
      expect(results[id], id).toMatchObject({
        outcome: 'cancelled',
        resourceKind: kind,
        resourceId,
      });
    }
    // Oldest first.
    expect(cancelled(server)).toEqual(['pool60', 'trunk55', 'private50', 'routing45']);
  });

  it('reports a stuck instance group with the latest entry of its log, and cancels nothing of it', async () => {
    const { server, fn } = await stack();

    await fn.handler(
      sweepOf({ kinds: ['compute.instanceGroup'], olderThan: '30m' }),
      invocationContext({ token: TOKEN }),
    );

    expect(loggedResultsById(fn.lines).group70).toMatchObject({
      level: 'WARN',
      outcome: 'stuck',
      resourceKind: 'compute.instanceGroup',
      latestLogRecord: {
        message: 'Waiting for quota: cores limit exceeded',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
    expect(cancelled(server)).toEqual([]);
    expect(
      server.calls.filter((c) => c.method === 'compute.instanceGroup/ListLogRecords'),
    ).toHaveLength(2);
  });
});

describe('onExcess', () => {
  const SEVEN = [
    'compute.instance',
    'cloudrouter.routingInstance',
    'cic.privateConnection',
    'cic.trunkConnection',
    'compute.reservedInstancePool',
  ];

  it('"oldest" cancels exactly MAX_CANCELS_PER_RUN, oldest first, and reports the rest over the limit', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '3', ALLOW_ONEXCESS_OLDEST: 'true' });

    await fn.handler(
      sweepOf({ kinds: SEVEN, olderThan: '5m', onExcess: 'oldest' }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancelled(server).sort()).toEqual(['pool60', 'private50', 'trunk55']);
    const results = loggedResultsById(fn.lines);
    for (const id of ['routing45', 'vmprod30', 'vmcreate10']) {
      expect(results[id], id).toMatchObject({
        outcome: 'skipped',
        reason: 'over_limit',
        resourceKind: expect.any(String),
      });
      expect(
        server.callsFor(id).filter((c) => c.method === 'Get' || c.method === 'Cancel'),
      ).toEqual([]);
    }
    expect(line(fn, 'sweep over limit')).toMatchObject({
      level: 'WARN',
      candidates: 6,
      overLimit: 3,
    });
    expect(line(fn, 'invocation summary')).toMatchObject({
      outcomes: { cancelled: 3, skipped: 3 },
      sweep: { candidates: 6, refused: false },
    });
  });

  it('"refuse", the default, still cancels none of them', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '3' });

    await fn.handler(
      sweepOf({ kinds: SEVEN, olderThan: '5m' }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancelled(server)).toEqual([]);
    expect(line(fn, 'sweep refused')).toMatchObject({ candidates: 6 });
  });
});

describe('a dry run', () => {
  it('says per kind what matched, what each filter left out and what would be cancelled', async () => {
    const { server, fn } = await stack();

    const reply = (await fn.handler(
      httpEvent(
        JSON.stringify({
          sweep: {
            folderId: FOLDER,
            kinds: ['compute.instance', 'cloudrouter.routingInstance', 'mdb.postgresql'],
            olderThan: { default: '5m', 'mdb.postgresql': '30m' },
            filters: { labels: { exclude: ['env=prod'] } },
          },
          dryRun: true,
        }),
      ),
      invocationContext({ token: TOKEN }),
    )) as { statusCode: number; body: string };

    expect(reply.statusCode).toBe(200);
    const { summary } = JSON.parse(reply.body) as { summary: { sweep: { kinds: object } } };
    expect(summary.sweep.kinds).toEqual({
      'compute.instance': {
        operations: 2,
        matched: 2,
        filteredOut: { labels: 1 },
        candidates: 1,
        wouldCancel: 1,
      },
      'cloudrouter.routingInstance': { operations: 1, matched: 1, candidates: 1, wouldCancel: 1 },
      // Listed with no labels: an exclusion leaves it be, and it is reported, as its kind is.
      'mdb.postgresql': { operations: 1, matched: 1, reported: 1 },
    });
    expect(cancelled(server)).toEqual([]);
  });
});
