import { describe, expect, it } from 'vitest';
import type { FolderActivity, OperationResult } from '../../src/model';
import { messageText } from '../../src/report/observe/message';
import { noteworthy } from '../../src/report/observe/notify';
import { type Placed, quotaHits } from '../../src/report/quota';

const folder = (folderId: string, quotaHit: boolean, running = 2): FolderActivity => ({
  folderId,
  running,
  oldestRunning: [
    {
      operationId: `${folderId}op`,
      ageSeconds: 600,
      resourceKind: 'compute.disk',
      resourceId: 'd1',
    },
  ],
  quotaHit,
});
const result = (reason?: string, folderId?: string): Placed => ({
  result: {
    operationId: 'fd8named',
    outcome: 'failed',
    ...(reason && { reason }),
    attempts: 2,
    durationMs: 1,
  } satisfies OperationResult,
  ...(folderId && { folderId }),
});
const hit = (f: FolderActivity) => ({
  folderId: f.folderId,
  running: f.running,
  oldestRunning: f.oldestRunning,
});

const [a, b, c] = [folder('b1ga', false), folder('b1gb', true), folder('b1gc', false)];

describe('where an invocation met the active-operations quota', () => {
  it.each([
    ['nowhere: no listing and no call met it', [a, c], [result(), result('deadline')], []],
    ['the folders whose listings met it, and only those', [a, b, c], [result()], [hit(b)]],
    [
      'every folder swept when a Cancel met it, those whose listings did first',
      [a, b, c],
      [result('active_operations_quota')],
      [hit(b), hit(a), hit(c)],
    ],
    [
      'only the folder a sweep found it in, when a Cancel of what it found met it',
      [a, b, c],
      [result('active_operations_quota', 'b1gc'), result()],
      [hit(b), hit(c)],
    ],
    [
      'the folder a Cancel met it in, though its sweep was not here',
      [a],
      [result('active_operations_quota', 'b1gelsewhere')],
      [{ folderId: 'b1gelsewhere', oldestRunning: [] }],
    ],
    [
      'every folder swept when a Cancel of a named id met it too',
      [a, b, c],
      [result('active_operations_quota', 'b1gc'), result('active_operations_quota')],
      [hit(b), hit(a), hit(c)],
    ],
    [
      'no folder when a Cancel met it and nothing was swept',
      [],
      [result('active_operations_quota')],
      [{ oldestRunning: [] }],
    ],
  ] as const)('%s', (_, folders, results, hits) => {
    expect(quotaHits(folders, results)).toEqual(hits);
  });

  it('names 10 folders at most', () => {
    const many = Array.from({ length: 30 }, (_, i) => folder(`b1g${i}`, true));
    expect(quotaHits(many, [])).toHaveLength(10);
  });
});

describe('a message about the quota', () => {
  const report = (activeOperationsQuota: ReturnType<typeof quotaHits>) => ({
    results: [],
    summary: {
      operations: 0,
      outcomes: {},
      rejectedRequests: 0,
      durationMs: 1,
      activeOperationsQuota,
    },
  });

  it('is sent for the quota alone, and names it without a folder when none was swept', () => {
    const note = noteworthy(report([{ oldestRunning: [] }]), false);
    expect(note && messageText(note)).toBe(
      "operation canceller: 0 operations; RESOURCE_EXHAUSTED for the quota on active operations per folder (Compute Cloud's is 15 by default: https://yandex.cloud/en/docs/compute/concepts/limits)",
    );
  });

  it('names the 5 oldest running of all the folders, oldest first', () => {
    const old = (id: string, ageSeconds: number) => ({
      operationId: id,
      ageSeconds,
      resourceKind: 'compute.instance' as const,
      resourceId: 'vm1',
    });
    const note = noteworthy(
      report([
        { folderId: 'b1ga', running: 16, oldestRunning: [old('a1', 60), old('a2', 6000)] },
        {
          folderId: 'b1gb',
          running: 15,
          oldestRunning: [old('b1', 600), old('b2', 1200), old('b3', 1800), old('b4', 30)],
        },
      ]),
      false,
    );
    const lines = (note && messageText(note).split('\n')) ?? [];
    expect(lines[0]).toContain('in folder b1ga (16 running), b1gb (15 running)');
    expect(lines.slice(1).map((l) => l.split(' ')[1])).toEqual(['a2', 'b3', 'b2', 'b1', 'a1']);
  });
});
