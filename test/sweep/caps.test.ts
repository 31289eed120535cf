import { describe, expect, it } from 'vitest';
import type { CloudApiServer, FakeOperation, FakeResource } from '../../emulator/cloud-api-server';
import { RequestError } from '../../src/errors';
import { parseRequest } from '../../src/request/parse';
import { parseSweep } from '../../src/request/sweep';
import { handOffEvent, splitCancels } from '../../src/sweep/fan-out';
import { closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { invocationContext, loggedResultsById, onEmulator } from '../support/in-process';
import { OPEN_POLICY } from '../support/policy';

// Issue 28, item 3: one cap for a whole sweep (`maxCancelsTotal`), split across a fan-out.
const FOLDER = 'b1gcapsfolder';
const TOKEN = 't1.caps-token';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const track = closedAfterEach();

describe('sweep.maxCancelsTotal, as a request gives it', () => {
  it.each([
    ['a cloud', { cloudId: 'b1gcloud', maxCancelsTotal: 3 }, 3],
    ['several folders', { folderIds: ['b1ga', 'b1gb'], maxCancelsTotal: 0 }, 0],
    ['one folder', { folderId: 'b1ga', maxCancelsTotal: 100_000 }, 100_000],
    ['named resources', { resources: [{ kind: 'vpc.subnet', id: 'e9b1' }], maxCancelsTotal: 7 }, 7],
  ])('is taken on %s', (_case, sweep, cap) => {
    expect(parseSweep({ olderThan: '30m', ...sweep }).maxCancelsTotal).toBe(cap);
  });

  it('is absent when not given: the deployment decides (MAX_CANCELS_PER_RUN)', () => {
    expect(parseSweep({ cloudId: 'b1gcloud' })).not.toHaveProperty('maxCancelsTotal');
  });

  it.each([
    ['a string', '3', 'is "3"'],
    ['a fraction', 2.5, 'is 2.5'],
    ['a negative count', -1, 'is -1'],
    ['too many', 100_001, 'is 100001'],
    ['null', null, 'is null'],
    ['a boolean', true, 'is a boolean'],
    ['an array', [3], 'is an array'],
    ['an object', { total: 3 }, 'is an object'],
  ])('refuses %s, naming the field and what it takes', (_case, value, shown) => {
    const sweep = { cloudId: 'b1gcloud', maxCancelsTotal: value };
    expect(() => parseSweep(sweep)).toThrow(RequestError);
    expect(() => parseSweep(sweep)).toThrow(
      `sweep.maxCancelsTotal ${shown}; expected a whole number from 0 to 100000`,
    );
  });

  it('refuses a request whose cap is garbage as a 400, before any call', () => {
    const parse = () =>
      parseRequest(
        { sweep: { cloudId: 'b1gcloud', maxCancelsTotal: 'all' } },
        { maxOperations: 10, policy: OPEN_POLICY },
      );
    expect(parse).toThrow(RequestError);
    expect(parse).toThrow(expect.objectContaining({ status: 400 }));
  });
});

const ids = (n: number) => Array.from({ length: n }, (_, i) => `b1gf${i + 1}`);

describe('the split of a fan-out', () => {
  it.each([
    // total, folders, named resources, each folder's share, and the split as the line states it
    [3, 4, false, [1, 1, 1, 0], { each: 0, oneMore: 3, oneMoreFolderIds: ids(3) }],
    [20, 3, false, [7, 7, 6], { each: 6, oneMore: 2, oneMoreFolderIds: ids(2) }],
    [20, 3, true, [5, 5, 5], { each: 5, oneMore: 0, kept: 5 }],
    [7, 3, true, [2, 2, 2], { each: 1, oneMore: 3, oneMoreFolderIds: ids(3), kept: 1 }],
    [0, 2, false, [0, 0], { each: 0, oneMore: 0 }],
    [12, 6, false, [2, 2, 2, 2, 2, 2], { each: 2, oneMore: 0 }],
    [23, 12, false, [...Array(11).fill(2), 1], { each: 1, oneMore: 11, oneMoreFolderIds: ids(10) }],
  ])('%i over %i folders (named resources: %s)', (total, folders, named, perFolder, split) => {
    const folderIds = ids(folders);
    const shares = splitCancels(total, folderIds, named);
    expect(shares.perFolder).toEqual(perFolder);
    expect(shares.split).toEqual({ maxCancelsTotal: total, folders, ...split });
    // The shares never add up to more than the sweep's cap, nor to less.
    const kept = shares.split.kept ?? 0;
    expect(shares.perFolder.reduce((sum, n) => sum + n, 0) + kept).toBe(total);
  });

  it("is carried as each handed-on folder sweep's own maxCancelsTotal, parsed as any request's", () => {
    const spec = { ...parseSweep({ folderId: 'b1gf1', olderThan: '30m' }), maxCancelsTotal: 2 };
    const event = handOffEvent(spec, { dryRun: false, minAgeSeconds: 0 }, 'sweep1', 9) as {
      sweepHandOff: { request: { sweep: Record<string, unknown> } };
    };
    expect(event.sweepHandOff.request.sweep.maxCancelsTotal).toBe(2);
    expect(parseSweep(event.sweepHandOff.request.sweep).maxCancelsTotal).toBe(2);
  });
});

/** Three instances in one folder, each running an old Create: three candidates. */
const RESOURCES: FakeResource[] = ['vma', 'vmb', 'vmc'].map((id) => ({
  kind: 'compute.instance',
  id,
  folderId: FOLDER,
}));
const OPERATIONS: FakeOperation[] = [
  { id: 'opoldest', resourceId: 'vma', createdAt: minutesAgo(90) },
  { id: 'opolder', resourceId: 'vmb', createdAt: minutesAgo(80) },
  { id: 'opold', resourceId: 'vmc', createdAt: minutesAgo(70) },
];
const stack = (env: Record<string, string>) =>
  onEmulator(track, { resources: RESOURCES, operations: OPERATIONS }, env);
const cancelled = (server: CloudApiServer) =>
  server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);
const line = (fn: { lines: Array<Record<string, unknown>> }, msg: string) =>
  fn.lines.find((l) => l.msg === msg);
const folderSweep = (extra: object) => ({
  sweep: { folderId: FOLDER, kinds: ['compute.instance'], olderThan: '30m', ...extra },
});
/** A folder sweep as a fan-out hands it on, or as anyone may write one to look like it. */
const handOff = (extra: object) => ({
  sweepHandOff: { sweepId: 'sweepcaps', request: folderSweep(extra), maxCancels: 1000 },
});

describe("a folder sweep's cap, on the emulator", () => {
  it('lowers the blast-radius guard: more candidates than it are refused, naming the cap', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '20' });

    await fn.handler(
      timerEvent(JSON.stringify(folderSweep({ maxCancelsTotal: 2 }))),
      invocationContext({ token: TOKEN }),
    );

    expect(cancelled(server)).toEqual([]);
    expect(line(fn, 'sweep refused')).toMatchObject({
      level: 'ERROR',
      candidates: 3,
      reason: expect.stringMatching(/^3 candidates is more than the sweep's maxCancelsTotal \(2,/),
    });
  });

  it('never raises MAX_CANCELS_PER_RUN, however large the hand-off says its share is', async () => {
    const { server, fn } = await stack({ MAX_CANCELS_PER_RUN: '2' });

    await fn.handler(handOff({ maxCancelsTotal: 1000 }), invocationContext({ token: TOKEN }));

    expect(cancelled(server)).toEqual([]);
    expect(line(fn, 'sweep refused')).toMatchObject({
      candidates: 3,
      reason: expect.stringMatching(/more than MAX_CANCELS_PER_RUN \(2\)/),
    });
  });

  it('takes the oldest of its share under onExcess "oldest", and skips the rest', async () => {
    const { server, fn } = await stack({ ALLOW_ONEXCESS_OLDEST: 'true' });

    await fn.handler(
      handOff({ maxCancelsTotal: 1, onExcess: 'oldest' }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancelled(server)).toEqual(['opoldest']);
    const results = loggedResultsById(fn.lines);
    for (const id of ['opolder', 'opold']) {
      expect(results[id], id).toMatchObject({ outcome: 'skipped', reason: 'over_limit' });
    }
  });

  it('with a share of none is swept, and reports each candidate over the limit, refusing none', async () => {
    const { server, fn } = await stack({});

    const reply = await fn.handler(
      handOff({ maxCancelsTotal: 0 }),
      invocationContext({ token: TOKEN }),
    );

    expect(cancelled(server)).toEqual([]);
    expect(server.calls.filter((c) => c.method === 'Get')).toEqual([]);
    const results = loggedResultsById(fn.lines);
    for (const id of ['opoldest', 'opolder', 'opold']) {
      expect(results[id], id).toMatchObject({ outcome: 'skipped', reason: 'over_limit' });
    }
    expect(line(fn, 'sweep refused')).toBeUndefined();
    expect(line(fn, 'sweep over limit')).toMatchObject({
      level: 'WARN',
      overLimit: 3,
      reason: expect.stringMatching(/none goes on/),
    });
    expect(reply).toMatchObject({ summary: { sweep: { candidates: 3, refused: false } } });
  });
});
