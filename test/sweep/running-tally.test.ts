import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/cloud/operation-api';
import { runningByFolder } from '../../src/select/invocation';
import { runningTally } from '../../src/sweep/listing/running';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const op = (id: string, minutesOld: number | undefined, extra: Partial<Operation> = {}) =>
  ({
    id,
    description: `op ${id}`,
    createdBy: '',
    done: false,
    ...(minutesOld !== undefined && { createdAt: new Date(NOW - minutesOld * 60_000) }),
    ...extra,
  }) as Operation;
const vm = { kind: 'compute.instance', id: 'vm1' } as const;
const disk = { kind: 'compute.disk', id: 'disk1' } as const;

describe("a folder's running operations, as its listings see them", () => {
  it('counts each running one once, however many resources list it, and no done one', () => {
    const tally = runningTally(100);
    tally.saw(op('fd8a', 10), vm);
    tally.saw(op('fd8a', 10), disk);
    tally.saw(op('fd8b', 20, { done: true }), vm);
    tally.saw(op('fd8c', 5), disk);
    expect(tally.count).toBe(2);
    expect(tally.oldest(NOW).map((o) => [o.operationId, o.resourceId, o.ageSeconds])).toEqual([
      ['fd8a', 'vm1', 600],
      ['fd8c', 'disk1', 300],
    ]);
  });

  it('names the 5 oldest, oldest first, whatever order they come in', () => {
    const tally = runningTally(100);
    for (const [i, minutes] of [3, 90, 7, 45, 1, 300, 12, 60].entries()) {
      tally.saw(op(`fd8op${i}`, minutes), vm);
    }
    expect(tally.count).toBe(8);
    expect(tally.oldest(NOW).map((o) => (o.ageSeconds ?? 0) / 60)).toEqual([300, 90, 60, 45, 12]);
  });

  it('counts, and does not name, one of unknown age or with an id the rule refuses', () => {
    const tally = runningTally(100);
    tally.saw(op('fd8noage', undefined), vm);
    tally.saw(op('fd8farpast', undefined, { createdAt: new Date(-1e15) }), vm);
    tally.saw(op('../../etc', 500), vm);
    tally.saw(op('fd8named', 1), vm);
    expect(tally.count).toBe(4);
    expect(tally.oldest(NOW).map((o) => o.operationId)).toEqual(['fd8named']);
  });

  it('past the ids it remembers, counts each listing: a bound, not a reason to lose count', () => {
    const tally = runningTally(2);
    for (const id of ['fd8a', 'fd8b', 'fd8c', 'fd8c']) tally.saw(op(id, 5), vm);
    expect(tally.count).toBe(4);
  });
});

describe('the running operations by folder in a summary', () => {
  const activity = (folderId: string, running: number) => ({
    folderId,
    running,
    oldestRunning: [],
    quotaHit: false,
  });

  it('keeps the most any sweep saw in a folder', () => {
    expect(
      runningByFolder([activity('b1ga', 3), activity('b1gb', 1), activity('b1ga', 5)]),
    ).toEqual({
      b1ga: 5,
      b1gb: 1,
    });
  });

  it('names the ten busiest of many folders, so the reply and the metric write stay bounded', () => {
    const folders = Array.from({ length: 30 }, (_, i) => activity(`b1gf${i}`, i));
    const running = runningByFolder(folders);
    expect(Object.keys(running)).toHaveLength(10);
    expect(Object.values(running)).toEqual([29, 28, 27, 26, 25, 24, 23, 22, 21, 20]);
  });
});
