import { describe, expect, it } from 'vitest';
import type { FakeOperation } from '../../emulator/cloud-api-server';
import { RequestError } from '../../src/errors';
import { batchBound } from '../../src/event/batch-bound';
import { type Job, MAX_BODY_BYTES } from '../../src/model';
import { parseRequest } from '../../src/request/parse';
import { closedAfterEach } from '../support/cleanup';
import { queueEvent, timerEvent } from '../support/events';
import { invocationContext, onEmulator } from '../support/in-process';
import { OPEN_POLICY } from '../support/policy';

// Issue 17: a batch is bounded as a whole, and no request in it is lost.
const track = closedAfterEach();

const hourAgo = () => new Date(Date.now() - 3_600_000);

const stack = (operations: FakeOperation[], env: Record<string, string> = {}) =>
  onEmulator(track, { operations }, env);

const ids = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

describe('the bound on a batch as a whole', () => {
  const origin = { source: 'queue' as const };
  const message = { origin, text: 'the text is not read here' };
  const job = (operationIds: string[]): Job => ({
    origin,
    request: parseRequest({ operationIds }, { maxOperations: 1000, policy: OPEN_POLICY }),
  });

  it.each([
    ['messages that fit', [3, 3, 3], 10, [true, true, true]],
    ['the message that would pass it, and every one after', [4, 4, 1], 6, [true, false, false]],
    ['exactly the bound', [5, 5], 10, [true, true]],
  ])('admits %s', (_case, sizes, max, admitted) => {
    const bound = batchBound(max);
    const jobs = sizes.map((size, i) => bound.admit(message, () => job(ids(`m${i}op`, size))));
    expect(jobs.map((j) => 'request' in j)).toEqual(admitted);
    for (const refused of jobs.filter((j) => 'error' in j)) {
      expect((refused as { error: RequestError }).error.message).toMatch(
        /the event names more than MAX_OPERATIONS \(\d+\) operations, or holds more than \d+ bytes of requests, in all; this message is not processed/,
      );
    }
  });

  it('counts an id the batch already names once', () => {
    const bound = batchBound(3);
    expect('request' in bound.admit(message, () => job(['a1', 'b1', 'c1']))).toBe(true);
    expect('request' in bound.admit(message, () => job(['c1', 'b1']))).toBe(true);
  });

  it('bounds the mentions of ids it already names too: each is a line of its own', () => {
    const bound = batchBound(2);
    // Ten messages' worth of MAX_OPERATIONS mentions, then no more.
    const admitted = Array.from({ length: 12 }, () =>
      bound.admit(message, () => job(['a1', 'b1'])),
    );
    expect(admitted.map((j) => 'request' in j)).toEqual([...Array(10).fill(true), false, false]);
  });

  it('reads no ids of a message once the batch is full', () => {
    const bound = batchBound(1);
    bound.admit(message, () => job(['a1', 'b1']));
    let parsed = false;
    bound.admit(message, () => {
      parsed = true;
      return job(['c1']);
    });
    expect(parsed).toBe(false);
  });

  it('hands on a message past it, and every one after, unread: a queue batch loses none', () => {
    const bound = batchBound(3);
    const leftover = (i: number) => ({ ...message, leftover: { message: i } });
    const jobs = [2, 2, 1].map((size, i) =>
      bound.admit(leftover(i), () => job(ids(`m${i}op`, size))),
    );
    expect(jobs.map((j) => Object.keys(j).sort())).toEqual([
      ['origin', 'request'],
      ['deferred', 'origin'],
      ['deferred', 'origin'],
    ]);
    expect(jobs.slice(1).map((j) => 'deferred' in j && j.deferred)).toEqual([
      { message: 1 },
      { message: 2 },
    ]);
  });

  it('refuses a message no invocation could take, rather than hand it on for ever', () => {
    const bound = batchBound(3);
    const huge = { origin, text: 'x'.repeat(MAX_BODY_BYTES + 1), leftover: { message: 0 } };
    const alone = bound.admit(huge, () => job(['a1']));
    expect(alone).toMatchObject({ error: expect.any(RequestError) });
  });

  it('bounds the bytes of requests it reads, whatever they name', () => {
    const bound = batchBound(1000);
    const half = { origin, text: 'x'.repeat(MAX_BODY_BYTES / 2), leftover: {} };
    const admitted = [half, half, half].map((m) => bound.admit(m, () => job(['a1'])));
    expect(admitted.map((j) => 'request' in j)).toEqual([true, true, false]);
  });

  it('answers a 1000-message batch of 150 ids each off the platform, refusing the rest by name', async () => {
    const { server, fn } = await stack([]);
    const bodies = Array.from({ length: 1000 }, (_, m) =>
      JSON.stringify({ operationIds: ids(`m${m}op`, 150) }),
    );

    const reply = (await fn.handler(queueEvent(bodies), invocationContext({ token: 't1.b' }))) as {
      summary: { operations: number; rejectedRequests: number };
    };

    // Six messages' 900 ids fit in MAX_OPERATIONS (1000); the seventh would not. With no function
    // id to hand the rest on to, they are refused, in one line.
    expect(reply.summary).toMatchObject({ operations: 900, rejectedRequests: 994 });
    const rest = fn.lines.filter((l) => l.msg === 'batch rest not handed on');
    expect(rest).toEqual([
      expect.objectContaining({ level: 'ERROR', messageId: 'msg-6', messages: 994 }),
    ]);
    // Each of the six messages' ids is asked about, and no other. A Get counts once however
    // often it was sent: on a loaded machine a call past CALL_TIMEOUT_MS is retried.
    const asked = new Set(server.calls.filter((c) => c.method === 'Get').map((c) => c.subject));
    expect([...asked].sort()).toEqual(
      Array.from({ length: 6 }, (_, m) => ids(`m${m}op`, 150))
        .flat()
        .sort(),
    );
  });
});

describe('several messages of a batch naming one operation', () => {
  it('cancel it with the loosest guards any of them allows, and each has its line', async () => {
    const { server, fn } = await stack([
      { id: 'shared1', createdAt: hourAgo(), cancel: 'cancels' },
    ]);

    await fn.handler(
      queueEvent([
        JSON.stringify({ operationIds: ['shared1'], dryRun: true }),
        JSON.stringify({ operationIds: ['shared1'], minAgeSeconds: 31_536_000 }),
        JSON.stringify({ operationIds: ['shared1'] }),
      ]),
      invocationContext({ token: 't1.b' }),
    );

    expect(server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject)).toEqual([
      'shared1',
    ]);
    const lines = fn.lines.filter((l) => l.operationId === 'shared1' && l.msg !== 'retrying');
    expect(lines.map((l) => [l.messageId, l.outcome])).toEqual([
      ['msg-0', 'cancelled'],
      ['msg-1', 'cancelled'],
      ['msg-2', 'cancelled'],
    ]);
    expect(fn.lines.find((l) => l.msg === 'invocation summary')).toMatchObject({
      operations: 1,
      outcomes: { cancelled: 1 },
    });
  });

  it('keep a dry run when every one of them asks for it', async () => {
    const { server, fn } = await stack([{ id: 'shared1', createdAt: hourAgo() }]);

    await fn.handler(
      queueEvent([
        JSON.stringify({ operationIds: ['shared1'], dryRun: true }),
        JSON.stringify({ operationIds: ['shared1'], dryRun: true }),
      ]),
      invocationContext({ token: 't1.b' }),
    );

    expect(server.calls.filter((c) => c.method === 'Cancel')).toEqual([]);
    expect(
      fn.lines.filter((l) => l.operationId === 'shared1').map((l) => [l.messageId, l.reason]),
    ).toEqual([
      ['msg-0', 'dry_run'],
      ['msg-1', 'dry_run'],
    ]);
  });
});

describe('identical sweeps in one batch', () => {
  it('run once, and each other message says it was merged', async () => {
    const operations = ids('stuck', 25).map((id) => ({
      id,
      createdAt: hourAgo(),
      resourceId: 'vm1',
    }));
    const { server, fn } = await stack(operations);
    server.setResources({ kind: 'compute.instance', id: 'vm1', folderId: 'b1gfolder' });
    const body = JSON.stringify({
      sweep: { folderId: 'b1gfolder', kinds: ['compute.instance'], olderThan: '30m' },
    });

    await fn.handler(queueEvent(Array(100).fill(body)), invocationContext({ token: 't1.b' }));

    expect(server.calls.filter((c) => c.method === 'compute.instance/List')).toHaveLength(1);
    expect(fn.lines.filter((l) => l.msg === 'sweep merged')).toHaveLength(99);
    expect(fn.lines.filter((l) => l.msg === 'sweep refused')).toHaveLength(1);
  });
});

describe('a dry-run sweep the guard refuses', () => {
  it('still names its candidates, oldest first, with ages and resources', async () => {
    const operations = ids('stuck', 25).map((id, i) => ({
      id,
      createdAt: new Date(Date.now() - (60 + i) * 60_000),
      resourceId: 'vm1',
    }));
    const { server, fn } = await stack(operations);
    server.setResources({ kind: 'compute.instance', id: 'vm1', folderId: 'b1gfolder' });

    await fn.handler(
      timerEvent(
        JSON.stringify({
          sweep: { folderId: 'b1gfolder', kinds: ['compute.instance'], olderThan: '30m' },
          dryRun: true,
        }),
      ),
      invocationContext({ token: 't1.b' }),
    );

    const refused = fn.lines.find((l) => l.msg === 'sweep refused') as {
      refusedCandidates: Array<Record<string, unknown>>;
    };
    expect(refused.refusedCandidates).toHaveLength(25);
    expect(refused.refusedCandidates[0]).toEqual({
      operationId: 'stuck0024',
      ageSeconds: expect.any(Number),
      resourceKind: 'compute.instance',
      resourceId: 'vm1',
    });
    expect(Number(refused.refusedCandidates[0]?.ageSeconds)).toBeGreaterThanOrEqual(84 * 60);
    expect(fn.lines.find((l) => l.msg === 'invocation summary')).toMatchObject({
      sweep: { refused: true, refusedCandidates: expect.arrayContaining([expect.any(Object)]) },
    });
  });
});
