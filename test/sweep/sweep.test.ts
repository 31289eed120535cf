import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { CloudApiServer, FakeOperation, FakeResource } from '../../emulator/cloud-api-server';
import { closedAfterEach } from '../support/cleanup';
import { queueEvent, timerEvent } from '../support/events';
import { invocationContext, loggedResultsById, onEmulator } from '../support/in-process';
import { startMetadataServer } from '../support/metadata-server';

const FOLDER = 'b1gfolder';
const TOKEN = 't1.sweep-token';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const track = closedAfterEach();

/** One resource of each kind, each with operations of several ages and states. */
function folder(): { resources: FakeResource[]; operations: FakeOperation[] } {
  const kinds = [
    ['compute.instance', 'inst'],
    ['compute.disk', 'disk'],
    ['compute.image', 'img'],
    ['vpc.network', 'net'],
    ['vpc.subnet', 'sub'],
    ['vpc.routeTable', 'rt'],
    ['vpc.securityGroup', 'sg'],
  ] as const;
  const resources = kinds.map(([kind, id]) => ({ kind, id: `${id}1`, folderId: FOLDER }));
  const operations = kinds.flatMap(([, id], i) => [
    { id: `${id}old`, resourceId: `${id}1`, createdAt: minutesAgo(60 + i * 10) },
    { id: `${id}young`, resourceId: `${id}1`, createdAt: minutesAgo(5) },
    { id: `${id}done`, resourceId: `${id}1`, createdAt: minutesAgo(300), done: true },
  ]);
  return {
    resources: [...resources, { kind: 'compute.disk', id: 'elsewhere1', folderId: 'b1gother' }],
    operations: [
      ...operations,
      { id: 'elsewhereold', resourceId: 'elsewhere1', createdAt: minutesAgo(500) },
    ],
  };
}

const stack = (env: Record<string, string> = {}) =>
  onEmulator(track, { ...folder(), maxPageSize: 2 }, env);

const timer = (payload: unknown) => timerEvent(JSON.stringify(payload), { triggerId: 'trsweep' });
const cancels = (server: CloudApiServer) =>
  server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);
const OLD = ['sgold', 'rtold', 'subold', 'netold', 'imgold', 'diskold', 'instold'];

describe('a sweep from a timer', () => {
  it('cancels exactly the operations older than the threshold that are not done, oldest first', async () => {
    const { server, fn } = await stack({ CONCURRENCY: '1' });

    await fn.handler(
      timer({ sweep: { folderId: FOLDER, olderThan: '30m' } }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancels(server)).toEqual(OLD);
    const results = loggedResultsById(fn.lines);
    for (const id of OLD) expect(results[id]).toMatchObject({ outcome: 'cancelled' });
    expect(Object.keys(results)).toHaveLength(OLD.length);
    const listed = fn.lines.find((l) => l.msg === 'sweep listed');
    expect(listed).toMatchObject({
      folderId: FOLDER,
      resources: 7,
      operations: 21,
      candidates: 7,
      source: 'timer',
    });
    const line = fn.lines.find((l) => l.operationId === 'instold');
    expect(line).toMatchObject({
      resourceKind: 'compute.instance',
      resourceId: 'inst1',
      triggerId: 'trsweep',
    });
    // Every list paged to its end: 7 kinds of one resource each, 3 operations at 2 a page.
    expect(server.calls.filter((c) => c.method.endsWith('/ListOperations'))).toHaveLength(14);
    for (const call of server.calls) expect(call.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('looks only at the kinds and resources it names', async () => {
    const { server, fn } = await stack();

    await fn.handler(
      timer({
        sweep: {
          folderId: FOLDER,
          kinds: ['vpc.subnet'],
          resources: [{ kind: 'compute.disk', id: 'elsewhere1' }],
          olderThan: '30m',
        },
      }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancels(server).sort()).toEqual(['elsewhereold', 'subold']);
  });

  it('with a higher threshold leaves the younger of the old ones alone', async () => {
    const { server, fn } = await stack();

    await fn.handler(
      timer({ sweep: { folderId: FOLDER, olderThan: '105m' } }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancels(server).sort()).toEqual(['rtold', 'sgold']);
  });

  it('in a dry run reports what it would cancel and cancels nothing', async () => {
    const { server, fn } = await stack();

    await fn.handler(
      timer({ sweep: { folderId: FOLDER, olderThan: '30m' }, dryRun: true }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancels(server)).toEqual([]);
    const results = Object.values(loggedResultsById(fn.lines));
    expect(results).toHaveLength(7);
    for (const result of results)
      expect(result).toMatchObject({ outcome: 'skipped', reason: 'dry_run' });
  });
});

describe('an operation a sweep lists and Get cannot yet find', () => {
  // go-sdk `PollUntilDone`: "the returned operation is not on all replicas yet" (audit 6.6).
  it('is asked about once more after a pause, and cancelled', async () => {
    const { server, fn } = await stack();
    server.set({
      id: 'instlagging',
      resourceId: 'inst1',
      createdAt: minutesAgo(45),
      get: { code: status.NOT_FOUND, times: 1 },
    });

    await fn.handler(
      timer({ sweep: { folderId: FOLDER, olderThan: '30m', kinds: ['compute.instance'] } }),
      invocationContext({ token: TOKEN }),
    );

    const gets = server.callsFor('instlagging').filter((c) => c.method === 'Get');
    expect(gets).toHaveLength(2);
    expect((gets[1]?.at ?? 0) - (gets[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(loggedResultsById(fn.lines).instlagging).toMatchObject({ outcome: 'cancelled' });
  });
});

describe('the blast-radius guard', () => {
  it('cancels none when a sweep finds more than MAX_CANCELS_PER_RUN, and says so at ERROR', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '6' });

    const reply = await fn.handler(
      timer({ sweep: { folderId: FOLDER, olderThan: '30m' } }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancels(server)).toEqual([]);
    expect(server.calls.filter((c) => c.method === 'Get')).toEqual([]);
    expect(reply).toEqual({
      summary: expect.objectContaining({
        operations: 0,
        sweep: expect.objectContaining({ candidates: 7, refused: true }),
      }),
    });
    expect(fn.lines.find((l) => l.msg === 'sweep refused')).toMatchObject({
      level: 'ERROR',
      candidates: 7,
      reason: expect.stringMatching(/MAX_CANCELS_PER_RUN \(6\)/),
    });
  });

  it('lets exactly MAX_CANCELS_PER_RUN through', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '7' });

    await fn.handler(
      timer({ sweep: { folderId: FOLDER, olderThan: '30m' } }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancels(server)).toHaveLength(7);
  });
});

describe('several sweeps in one invocation', () => {
  const queue = (...bodies: unknown[]) => queueEvent(bodies.map((body) => JSON.stringify(body)));
  const resources = (...refs: Array<[string, string]>) => ({
    sweep: { resources: refs.map(([kind, id]) => ({ kind, id })), olderThan: '30m' },
  });

  it('that find the same operations count them once against MAX_CANCELS_PER_RUN, and handle each once', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '10' });
    // Two different sweeps, so both run: the folder's finds all 7, the resources' 4 of them.
    const folderSweep = { sweep: { folderId: FOLDER, olderThan: '30m' } };
    const resourcesSweep = resources(
      ['compute.instance', 'inst1'],
      ['compute.disk', 'disk1'],
      ['compute.image', 'img1'],
      ['vpc.network', 'net1'],
    );

    const reply = await fn.handler(
      queue(folderSweep, resourcesSweep),
      invocationContext({ token: TOKEN }),
    );

    expect(fn.lines.filter((l) => l.msg === 'sweep merged')).toEqual([]);
    expect(fn.lines.filter((l) => l.msg === 'sweep listed')).toHaveLength(2);
    // 11 found, 7 distinct: within 10, so nothing is refused, and each is cancelled once.
    expect(cancels(server).sort()).toEqual([...OLD].sort());
    expect(fn.lines.filter((l) => l.msg === 'sweep refused')).toEqual([]);
    expect(reply).toMatchObject({ summary: { sweep: { candidates: 7, refused: false } } });
  });

  it('share one MAX_CANCELS_PER_RUN: more distinct candidates than it allows cancels none of them', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '6' });
    // Each within the limit alone (4 and 3), together over it.
    const first = resources(
      ['compute.instance', 'inst1'],
      ['compute.disk', 'disk1'],
      ['compute.image', 'img1'],
      ['vpc.network', 'net1'],
    );
    const second = resources(
      ['vpc.subnet', 'sub1'],
      ['vpc.routeTable', 'rt1'],
      ['vpc.securityGroup', 'sg1'],
    );

    const reply = await fn.handler(queue(first, second), invocationContext({ token: TOKEN }));

    expect(cancels(server)).toEqual([]);
    expect(fn.lines.filter((l) => l.msg === 'sweep refused')).toHaveLength(1);
    expect(reply).toMatchObject({ summary: { sweep: { candidates: 7, refused: true } } });
  });

  it('never refuse an operation a request names, and do not count it as a candidate', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '6' });
    const named = { operationIds: [OLD[0]] };
    const sweep = { sweep: { folderId: FOLDER, olderThan: '30m' } };

    const reply = await fn.handler(queue(named, sweep), invocationContext({ token: TOKEN }));

    // 7 found, one of them named: 6 new candidates, which MAX_CANCELS_PER_RUN allows.
    expect(cancels(server).sort()).toEqual([...OLD].sort());
    expect(reply).toMatchObject({ summary: { sweep: { candidates: 6, refused: false } } });
  });
});

describe('a listing that fails', () => {
  it('is retried, then logged; the rest of the sweep goes on, and the trigger is asked to retry', async () => {
    const { server, fn } = await stack();
    server.failList('vpc.subnet', { code: status.UNAVAILABLE });

    const invocation = fn.handler(
      timer({ sweep: { folderId: FOLDER, olderThan: '30m' } }),
      invocationContext({ token: TOKEN }),
    );

    await expect(invocation).rejects.toThrow(/1 sweep listing\(s\) failed/);
    expect(server.calls.filter((c) => c.method === 'vpc.subnet/List')).toHaveLength(3);
    expect(cancels(server).sort()).toEqual(OLD.filter((id) => id !== 'subold').sort());
    expect(fn.lines.find((l) => l.msg === 'sweep listing failed')).toMatchObject({
      level: 'ERROR',
      code: 'UNAVAILABLE',
      listing: `vpc.subnet in folder ${FOLDER}`,
      message: expect.stringMatching(
        new RegExp(
          `^SubnetService\\.List of folder ${FOLDER} at \\S+: service unavailable.*\\(UNAVAILABLE\\), after 3 attempts$`,
        ),
      ),
    });
  });

  it.each([
    ['PERMISSION_DENIED', 'compute.auditor'],
    // No fresh token to be had (no metadata service here): no role would mend it.
    ['UNAUTHENTICATED', undefined],
    ['UNIMPLEMENTED', undefined],
    ['NOT_FOUND', undefined],
    ['INVALID_ARGUMENT', undefined],
  ] as const)(
    'refused with %s, is told once and not retried, and asks no redelivery',
    async (code, role) => {
      const { server, fn } = await stack();
      server.failList('compute.image', { code: status[code] });

      const reply = await fn.handler(
        timer({ sweep: { folderId: FOLDER, olderThan: '30m' } }),
        invocationContext({ token: TOKEN }),
      );

      expect(server.calls.filter((c) => c.method === 'compute.image/List')).toHaveLength(1);
      expect(cancels(server).sort()).toEqual(OLD.filter((id) => id !== 'imgold').sort());
      const refused = fn.lines.filter((l) => l.msg === 'sweep listing refused');
      expect(refused).toEqual([
        expect.objectContaining({
          level: 'WARN',
          kind: 'compute.image',
          listing: `compute.image in folder ${FOLDER}`,
          code,
          retryable: false,
        }),
      ]);
      expect(refused[0]?.role).toBe(role);
      const sweep = (reply as { summary: { sweep: { missingRoles?: string[] } } }).summary.sweep;
      expect(sweep.missingRoles).toEqual(role === undefined ? undefined : [role]);
      expect(reply).toMatchObject({
        summary: {
          sweep: {
            failedListings: 0,
            refusedListings: 1,
            kinds: { 'compute.image': { refusedListings: 1 } },
          },
        },
      });
    },
  );

  it('refused as UNAUTHENTICATED, is asked again with a fresh token, once for every listing', async () => {
    const metadata = track(await startMetadataServer({ token: 't1.fresh' }));
    const { server, fn } = await stack({ YC_METADATA_TOKEN_URL: metadata.url });
    server.failList('compute.image', { code: status.UNAUTHENTICATED, times: 1 });

    const reply = await fn.handler(
      timer({ sweep: { folderId: FOLDER, olderThan: '30m' } }),
      invocationContext({ token: TOKEN }),
    );

    const images = server.calls.filter((c) => c.method === 'compute.image/List');
    expect(images.map((c) => c.authorization)).toEqual([`Bearer ${TOKEN}`, 'Bearer t1.fresh']);
    expect(cancels(server).sort()).toEqual([...OLD].sort());
    expect(fn.lines.filter((l) => l.msg === 'sweep listing refused')).toEqual([]);
    expect(reply).toMatchObject({ summary: { sweep: { failedListings: 0 } } });
    expect(reply).not.toMatchObject({ summary: { sweep: { refusedListings: expect.anything() } } });
  });

  it('refused as UNAUTHENTICATED while the time budget runs out before a fresh token, is transient', async () => {
    const metadata = track(await startMetadataServer({ token: 't1.late' }));
    metadata.respond({ token: 't1.late', delayMs: 5000 });
    const { server, fn } = await stack({
      YC_METADATA_TOKEN_URL: metadata.url,
      TIME_MARGIN_MS: '0',
    });
    server.failList('compute.image', { code: status.UNAUTHENTICATED });

    const invocation = fn.handler(
      timer({ sweep: { folderId: FOLDER, kinds: ['compute.image'], olderThan: '30m' } }),
      invocationContext({ token: TOKEN, remainingMs: 1500 }),
    );

    await expect(invocation).rejects.toThrow(/1 sweep listing\(s\) failed/);
    expect(fn.lines.some((l) => l.msg === 'sweep listing refused')).toBe(false);
    expect(fn.lines.find((l) => l.msg === 'sweep listing failed')).toMatchObject({
      code: 'UNAUTHENTICATED',
      retryable: true,
      message: expect.stringMatching(/; the time budget ran out while getting a fresh IAM token$/),
    });
  });

  it('refused as UNAUTHENTICATED with a fresh token too, is a refusal no role mends', async () => {
    const metadata = track(await startMetadataServer({ token: 't1.fresh' }));
    const { server, fn } = await stack({ YC_METADATA_TOKEN_URL: metadata.url });
    server.failList('compute.image', { code: status.UNAUTHENTICATED, times: 2 });

    const reply = await fn.handler(
      timer({ sweep: { folderId: FOLDER, olderThan: '30m' } }),
      invocationContext({ token: TOKEN }),
    );

    const images = server.calls.filter((c) => c.method === 'compute.image/List');
    expect(images.map((c) => c.authorization)).toEqual([`Bearer ${TOKEN}`, 'Bearer t1.fresh']);
    const refused = fn.lines.filter((l) => l.msg === 'sweep listing refused');
    expect(refused).toEqual([
      expect.objectContaining({ kind: 'compute.image', code: 'UNAUTHENTICATED' }),
    ]);
    expect(refused[0]).not.toHaveProperty('role');
    expect(refused[0]?.reason).toMatch(/^the API refused the function's IAM token/);
    expect(reply).toMatchObject({ summary: { sweep: { failedListings: 0, refusedListings: 1 } } });
  });

  it('with a kind refused for a role, leaves the rest of its resources unasked and says how many', async () => {
    const disks = Array.from({ length: 10 }, (_, i) => ({ kind: 'compute.disk', id: `dk${i}` }));
    const { server, fn } = await stack();
    server.deny(['compute.disk']);

    const reply = await fn.handler(
      timer({ sweep: { resources: disks, olderThan: '30m' } }),
      invocationContext({ token: TOKEN }),
    );

    const refused = fn.lines.filter((l) => l.msg === 'sweep listing refused');
    expect(refused).toEqual([
      expect.objectContaining({ kind: 'compute.disk', role: 'compute.auditor', unasked: 9 }),
    ]);
    // At most the listings already in flight when the first refusal came back were sent.
    const asked = server.calls.filter((c) => c.method === 'compute.disk/ListOperations');
    expect(asked.length).toBeLessThanOrEqual(8);
    expect(reply).toMatchObject({ summary: { sweep: { failedListings: 0, refusedListings: 1 } } });
  });

  it("refused for one resource that is not found, ends that resource's listing only", async () => {
    const { server, fn } = await stack();

    const reply = await fn.handler(
      timer({
        sweep: {
          resources: [
            { kind: 'compute.disk', id: 'gone1' },
            { kind: 'compute.disk', id: 'disk1' },
          ],
          olderThan: '30m',
        },
      }),
      invocationContext({ token: TOKEN }),
    );

    expect(fn.lines.filter((l) => l.msg === 'sweep listing refused')).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', listing: 'operations of compute.disk gone1' }),
    ]);
    expect(cancels(server)).toEqual(['diskold']);
    expect(reply).toMatchObject({ summary: { sweep: { failedListings: 0, refusedListings: 1 } } });
  });
});
