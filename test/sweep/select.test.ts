import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/model';
import { selectTargets, tightened } from '../../src/select/targets';

const named = (id: string, source: 'http' | 'timer' = 'http', dryRun = false): Target => ({
  named: { valid: true, id },
  origin: { source },
  dryRun,
  minAgeSeconds: 0,
});
const invalid = (text: string): Target => ({
  named: { valid: false, text },
  origin: { source: 'http' },
  dryRun: false,
  minAgeSeconds: 0,
});
const ids = (targets: readonly Target[]) =>
  targets.map((t) => (t.named.valid ? t.named.id : `!${t.named.text}`));

describe('guards a request can only tighten', () => {
  it.each([
    ['settings off, request off', false, 0, false, 0, false, 0],
    ['the request turns dry run on', false, 0, true, 0, true, 0],
    ['the request cannot turn dry run off', true, 0, false, 0, true, 0],
    ['the request raises the minimum age', false, 600, false, 7200, false, 7200],
    ['the request cannot lower it', false, 600, false, 0, false, 600],
  ])('%s', (_, setDry, setAge, reqDry, reqAge, dryRun, minAgeSeconds) => {
    expect(
      tightened(
        { dryRun: setDry, minAgeSeconds: setAge },
        { dryRun: reqDry, minAgeSeconds: reqAge },
      ),
    ).toEqual({ dryRun, minAgeSeconds });
  });
});

describe('selecting targets', () => {
  it.each([
    {
      case: 'named operations only: each once, invalid names kept',
      named: [named('a1'), named('b1'), named('a1'), invalid('x'), invalid('x')],
      swept: [],
      max: 1,
      targets: ['a1', 'b1', '!x', '!x'],
      candidates: 0,
      refused: false,
    },
    {
      case: 'two sweeps finding the same operations: counted once',
      named: [],
      swept: [
        named('s1', 'timer'),
        named('s2', 'timer'),
        named('s1', 'timer'),
        named('s2', 'timer'),
      ],
      max: 2,
      targets: ['s1', 's2'],
      candidates: 2,
      refused: false,
    },
    {
      case: 'more distinct candidates than allowed: none of them, named ones still go',
      named: [named('a1')],
      swept: [named('s1', 'timer'), named('s2', 'timer'), named('s3', 'timer')],
      max: 2,
      targets: ['a1'],
      candidates: 3,
      refused: true,
    },
    {
      case: 'a swept operation a request also names is not a new candidate',
      named: [named('s1'), named('s2')],
      swept: [named('s1', 'timer'), named('s2', 'timer'), named('s3', 'timer')],
      max: 1,
      targets: ['s1', 's2', 's3'],
      candidates: 1,
      refused: false,
    },
    {
      case: 'exactly the allowance goes through',
      named: [],
      swept: [named('s1', 'timer'), named('s2', 'timer')],
      max: 2,
      targets: ['s1', 's2'],
      candidates: 2,
      refused: false,
    },
  ])('$case', ({ named: fromRequests, swept, max, targets, candidates, refused }) => {
    const selection = selectTargets(fromRequests, swept, max);
    expect(ids(selection.targets)).toEqual(targets);
    expect(selection).toMatchObject({ candidates, refused });
  });

  it('keeps the guards and origin of the first request to name an operation', () => {
    const { targets } = selectTargets([named('a1', 'http', true)], [named('a1', 'timer')], 5);
    expect(targets).toEqual([named('a1', 'http', true)]);
  });
});
