import { describe, expect, it } from 'vitest';
import type { CloudApiServer, FakeOperation, FakeResource } from '../../emulator/cloud-api-server';
import { closedAfterEach } from '../support/cleanup';
import { httpEvent } from '../support/events';
import { invocationContext, loggedResultsById, onEmulator } from '../support/in-process';

const FOLDER = 'b1gfolder';
const TOKEN = 't1.learn-token';
const NOW = Date.now();
const minutesAgo = (m: number) => new Date(NOW - m * 60_000);
const track = closedAfterEach();

/** Operations done in `seconds` each, one an hour further back, on `resourceId`. */
const history = (resourceId: string, description: string, seconds: number, count: number) =>
  Array.from({ length: count }, (_, i): FakeOperation => {
    const createdAt = minutesAgo(120 + 60 * i);
    return {
      id: `${resourceId}done${seconds}x${i}`,
      resourceId,
      description,
      createdAt,
      modifiedAt: new Date(createdAt.getTime() + seconds * 1000),
      done: true,
    };
  });

const running = (id: string, resourceId: string, description: string, minutes: number) => ({
  id,
  resourceId,
  description,
  createdAt: minutesAgo(minutes),
});

const instance = (id: string, labels?: Record<string, string>): FakeResource => ({
  kind: 'compute.instance',
  id,
  folderId: FOLDER,
  ...(labels && { labels }),
});

/**
 * Twenty Creates that took about a minute each on one instance, and running ones on another:
 * the sweep learns from the whole folder. No Stop has ever finished.
 */
const FOLDER_WITH_HISTORY = {
  resources: [instance('vmhistory'), instance('vmbusy')],
  operations: [
    ...history('vmhistory', 'Create instance', 55, 10),
    ...history('vmhistory', 'Create instance', 65, 10),
    running('createeight', 'vmbusy', 'Create instance', 8),
    running('createtwo', 'vmbusy', 'Create instance', 2),
    running('stopthirty', 'vmbusy', 'Stop instance', 30),
    running('stopninety', 'vmbusy', 'Stop instance', 90),
  ],
};

const LEARN = { factor: 3, floor: '5m', minSamples: 5 };
const cancels = (server: CloudApiServer) =>
  server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);

async function swept(
  setup: { resources: FakeResource[]; operations: FakeOperation[] },
  request: object,
  env: Record<string, string> = {},
) {
  const { server, fn } = await onEmulator(track, setup, env);
  const reply = (await fn.handler(
    httpEvent(JSON.stringify(request)),
    invocationContext({ token: TOKEN }),
  )) as { statusCode: number; body: string };
  const body = JSON.parse(reply.body) as {
    results: Array<Record<string, unknown>>;
    summary: { sweep: Record<string, unknown> };
  };
  return { server, fn, reply, body, results: loggedResultsById(fn.lines) };
}

describe('a sweep that learns', () => {
  it('cancels a Create that ran three times its usual minute, and not one that ran two', async () => {
    const { server, body, results, fn } = await swept(FOLDER_WITH_HISTORY, {
      sweep: { folderId: FOLDER, olderThan: '1h', learn: LEARN },
    });

    expect(cancels(server).sort()).toEqual(['createeight', 'stopninety']);
    const learnt = { source: 'learnt', seconds: 300, samples: 20, medianSeconds: 60 };
    expect(results.createeight).toMatchObject({ outcome: 'cancelled', threshold: learnt });
    // Too few Stops ever ended: the kind's olderThan holds, and the line says why.
    expect(results.stopninety).toMatchObject({
      outcome: 'cancelled',
      threshold: { source: 'fixed', seconds: 3600, samples: 0 },
    });
    expect(results.createtwo).toBeUndefined();
    expect(results.stopthirty).toBeUndefined();
    const reply = Object.fromEntries(body.results.map((r) => [r.operationId, r]));
    expect(reply.createeight).toMatchObject({ threshold: learnt });
    const usual = {
      kind: 'compute.instance',
      description: 'Create instance',
      samples: 20,
      medianSeconds: 60,
      thresholdSeconds: 300,
    };
    expect(body.summary.sweep.learnt).toEqual([usual]);
    expect(fn.lines.find((l) => l.msg === 'sweep listed')).toMatchObject({ learnt: [usual] });
  });

  it('learns from what ended well only: Stops that failed in seconds or were cancelled teach nothing', async () => {
    const failed = (status: { code: number; message: string }) =>
      history('vmhistory', 'Stop instance', 3, 10).map((op) => ({
        ...op,
        id: `${op.id}c${status.code}`,
        error: status,
      }));
    const setup = {
      ...FOLDER_WITH_HISTORY,
      operations: [
        ...FOLDER_WITH_HISTORY.operations,
        ...failed({
          code: 8,
          message: 'The limit on maximum number of active operations has exceeded',
        }),
        ...failed({ code: 1, message: 'cancelled' }),
      ],
    };
    const { server, results } = await swept(setup, {
      sweep: { folderId: FOLDER, olderThan: '1h', learn: LEARN },
    });

    // Twenty Stops ended, none well: the half-hour Stop is not stuck by a "usual" 3 seconds.
    expect(cancels(server).sort()).toEqual(['createeight', 'stopninety']);
    expect(results.stopninety?.threshold).toEqual({ source: 'fixed', seconds: 3600, samples: 0 });
  });

  it('without learn, holds every operation to olderThan, and says so', async () => {
    const { server, results } = await swept(FOLDER_WITH_HISTORY, {
      sweep: { folderId: FOLDER, olderThan: '1h' },
    });

    expect(cancels(server)).toEqual(['stopninety']);
    expect(results.stopninety?.threshold).toEqual({ source: 'fixed', seconds: 3600 });
  });

  it('learns a slow kind too: a Create usually taking 20 minutes is not stuck at 45', async () => {
    const slow = {
      resources: [instance('vmhistory'), instance('vmbusy')],
      operations: [
        ...history('vmhistory', 'Create instance', 1200, 6),
        running('createslow', 'vmbusy', 'Create instance', 45),
        running('createstuck', 'vmbusy', 'Create instance', 70),
      ],
    };
    const { server, results } = await swept(slow, {
      sweep: { folderId: FOLDER, olderThan: '30m', learn: LEARN },
    });

    expect(cancels(server)).toEqual(['createstuck']);
    expect(results.createstuck?.threshold).toEqual({
      source: 'learnt',
      seconds: 3600,
      samples: 6,
      medianSeconds: 1200,
    });
  });

  it('keeps every other guard: dry run, minimum age, notModifiedFor, filters', async () => {
    const dry = await swept(FOLDER_WITH_HISTORY, {
      sweep: { folderId: FOLDER, olderThan: '1h', learn: LEARN },
      dryRun: true,
    });
    expect(cancels(dry.server)).toEqual([]);
    expect(dry.results.createeight).toMatchObject({
      outcome: 'skipped',
      reason: 'dry_run',
      threshold: { source: 'learnt' },
    });

    const young = await swept(FOLDER_WITH_HISTORY, {
      sweep: { folderId: FOLDER, olderThan: '1h', learn: LEARN },
      minAgeSeconds: 1200,
    });
    expect(cancels(young.server)).toEqual(['stopninety']);
    expect(young.results.createeight).toMatchObject({ outcome: 'skipped', reason: 'too_young' });

    const touched = {
      ...FOLDER_WITH_HISTORY,
      operations: FOLDER_WITH_HISTORY.operations.map((op) =>
        op.id === 'createeight' ? { ...op, modifiedAt: minutesAgo(1) } : op,
      ),
    };
    const idle = await swept(touched, {
      sweep: { folderId: FOLDER, olderThan: '1h', notModifiedFor: '5m', learn: LEARN },
    });
    expect(cancels(idle.server)).toEqual(['stopninety']);

    const filtered = await swept(FOLDER_WITH_HISTORY, {
      sweep: {
        folderId: FOLDER,
        olderThan: '1h',
        learn: LEARN,
        filters: { description: { exclude: ['create'] } },
      },
    });
    expect(cancels(filtered.server)).toEqual(['stopninety']);
    expect(filtered.body.summary.sweep.kinds).toMatchObject({
      'compute.instance': { matched: 2, filteredOut: { description: 1 } },
    });
  });

  it('never learns below the deployment floor', async () => {
    const { server, results } = await swept(
      FOLDER_WITH_HISTORY,
      { sweep: { folderId: FOLDER, olderThan: '1h', learn: LEARN } },
      { MIN_OLDER_THAN: '10m' },
    );

    expect(cancels(server)).toEqual(['stopninety']);
    expect(results.createeight).toBeUndefined();
  });

  it('holds a report-only kind to what it learnt too, and says so in its stuck line', async () => {
    const setup = {
      resources: [{ kind: 'mdb.postgresql' as const, id: 'pg1', folderId: FOLDER }],
      operations: [
        ...history('pg1', 'Update cluster', 60, 5),
        running('pgupdate', 'pg1', 'Update cluster', 8),
      ],
    };
    const { results } = await swept(setup, {
      sweep: { folderId: FOLDER, kinds: ['mdb.postgresql'], olderThan: '1h', learn: LEARN },
    });

    expect(results.pgupdate).toMatchObject({
      outcome: 'stuck',
      threshold: { source: 'learnt', seconds: 300, samples: 5 },
    });
  });
});

describe('a canceller-older-than label', () => {
  const labelled = {
    resources: [
      instance('vmkeep', { 'canceller-older-than': 'never' }),
      instance('vmquick', { 'canceller-older-than': '1m' }),
      instance('vmodd', { 'canceller-older-than': 'soon\u001b[2J' }),
      instance('vmplain'),
    ],
    operations: [
      running('keeptwodays', 'vmkeep', 'Create instance', 2 * 24 * 60),
      running('quickten', 'vmquick', 'Create instance', 10),
      running('oddten', 'vmodd', 'Create instance', 10),
      running('oddtwohours', 'vmodd', 'Create instance', 120),
      running('plainten', 'vmplain', 'Create instance', 10),
    ],
  };

  it('protects with never, hastens with a duration, and is ignored when malformed', async () => {
    const { server, results, body, fn } = await swept(labelled, {
      sweep: { folderId: FOLDER, olderThan: '1h' },
    });

    expect(cancels(server).sort()).toEqual(['oddtwohours', 'quickten']);
    expect(results.quickten?.threshold).toEqual({ source: 'label', seconds: 60, value: '1m' });
    expect(results.oddtwohours?.threshold).toEqual({ source: 'fixed', seconds: 3600 });
    expect(body.summary.sweep.kinds).toMatchObject({
      'compute.instance': { protectedByLabel: 1, malformedLabels: 1, candidates: 2 },
    });
    const warned = fn.lines.find((l) => l.msg === 'sweep ignored malformed labels');
    expect(warned).toMatchObject({
      level: 'WARN',
      label: 'canceller-older-than',
      count: 1,
      resources: [{ kind: 'compute.instance', id: 'vmodd', value: 'soon?[2J' }],
    });
  });

  it('protects with never an operation another resource lists too', async () => {
    const setup = {
      resources: [instance('vmkeep', { 'canceller-older-than': 'never' }), instance('vmother')],
      operations: [
        {
          ...running('sharedtwodays', 'vmother', 'Create instance', 2 * 24 * 60),
          alsoListedBy: ['vmkeep'],
        },
        running('othertwodays', 'vmother', 'Create instance', 2 * 24 * 60),
      ],
    };
    for (const learn of [undefined, LEARN]) {
      const { server } = await swept(setup, {
        sweep: { folderId: FOLDER, olderThan: '1h', ...(learn && { learn }) },
      });
      expect(
        server.calls
          .filter((c) => c.method === 'compute.instance/ListOperations')
          .map((c) => c.subject)
          .sort(),
      ).toEqual(['vmkeep', 'vmother']);
      expect(cancels(server)).toEqual(['othertwodays']);
    }
  });

  it('wins over a learnt threshold', async () => {
    const setup = {
      resources: [...labelled.resources, instance('vmhistory')],
      operations: [...labelled.operations, ...history('vmhistory', 'Create instance', 3000, 5)],
    };
    const { server, results } = await swept(setup, {
      sweep: { folderId: FOLDER, olderThan: '1h', learn: LEARN },
    });

    // Learnt: 3 × 50 minutes. The label's minute and never win; the malformed one is ignored.
    expect(cancels(server)).toEqual(['quickten']);
    expect(results.quickten?.threshold).toMatchObject({ source: 'label' });
  });

  it('is raised to MIN_OLDER_THAN, and the line says so', async () => {
    const setup = {
      resources: labelled.resources,
      operations: [...labelled.operations, running('quickthirty', 'vmquick', 'Stop instance', 30)],
    };
    const { server, results } = await swept(
      setup,
      { sweep: { folderId: FOLDER, olderThan: '1h' } },
      { MIN_OLDER_THAN: '15m' },
    );

    expect(cancels(server).sort()).toEqual(['oddtwohours', 'quickthirty']);
    expect(results.quickthirty?.threshold).toEqual({
      source: 'label',
      seconds: 900,
      value: '1m',
      raisedBy: 'MIN_OLDER_THAN',
    });
  });

  it('is unknown on a resource a sweep names without listing it: no override', async () => {
    const { server, results } = await swept(labelled, {
      sweep: { resources: [{ kind: 'compute.instance', id: 'vmquick' }], olderThan: '1h' },
    });

    expect(cancels(server)).toEqual([]);
    expect(results.quickten).toBeUndefined();
  });
});

describe('what a sweep that learns keeps', () => {
  it('learns each folder from its own operations, in a sweep of several folders', async () => {
    const other = 'b1gotherfolder';
    const setup = {
      resources: [
        ...FOLDER_WITH_HISTORY.resources,
        { ...instance('vmelsewhere'), folderId: other },
      ],
      operations: [
        ...FOLDER_WITH_HISTORY.operations,
        running('createelsewhere', 'vmelsewhere', 'Create instance', 8),
      ],
    };
    const { server, body } = await swept(setup, {
      sweep: { folderIds: [FOLDER, other], olderThan: '1h', learn: LEARN },
    });

    // The other folder has no Create that ended: its 8 minutes are held to the hour.
    expect(cancels(server).sort()).toEqual(['createeight', 'stopninety']);
    expect(body.summary.sweep.learnt).toEqual([expect.objectContaining({ samples: 20 })]);
  });

  it('keeps at most its bound of operations waiting for what it learns, and counts the rest', async () => {
    // Old enough to wait (past the 5 minute floor), and not stuck by the 30 minutes learnt.
    const many = Array.from({ length: 5003 }, (_, i) =>
      running(`waiting${i}`, 'vmbusy', 'Create instance', 8),
    );
    const setup = {
      resources: [instance('vmbusy'), instance('vmhistory')],
      operations: [...history('vmhistory', 'Create instance', 600, 5), ...many],
    };
    const { server, body, fn } = await swept(setup, {
      sweep: { folderId: FOLDER, olderThan: '1h', learn: LEARN },
    });

    expect(cancels(server)).toEqual([]);
    expect(body.summary.sweep.candidates).toBe(0);
    expect(body.summary.sweep.learnt).toEqual([
      expect.objectContaining({ samples: 5, thresholdSeconds: 1800 }),
    ]);
    expect(fn.lines.find((l) => l.msg === 'sweep kept the first found')).toMatchObject({
      level: 'WARN',
      unkept: 3,
    });
  });
});
