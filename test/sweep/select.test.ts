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
    expect(selection.candidates).toBe(candidates);
    expect(selection.refused.length > 0).toBe(refused);
  });

  const aged = (id: string, minutesOld: number): Target => ({
    ...named(id, 'timer'),
    createdAtMs: Date.parse('2026-12-03T12:00:00Z') - minutesOld * 60_000,
  });

  it.each([
    {
      case: 'more candidates than allowed: the oldest go, across sweeps, the rest are over',
      named: [named('a1')],
      swept: [aged('s10', 10), aged('s90', 90), aged('s30', 30), aged('s60', 60)],
      max: 2,
      targets: ['a1', 's90', 's60'],
      overLimit: ['s30', 's10'],
    },
    {
      case: 'within the allowance: all of them, none over',
      named: [],
      swept: [aged('s10', 10), aged('s90', 90)],
      max: 2,
      targets: ['s10', 's90'],
      overLimit: [],
    },
    {
      case: 'one of unknown age counts as the youngest',
      named: [],
      swept: [named('unknown', 'timer'), aged('s5', 5)],
      max: 1,
      targets: ['s5'],
      overLimit: ['unknown'],
    },
  ])('oldest: $case', ({ named: fromRequests, swept, max, targets, overLimit }) => {
    const selection = selectTargets(fromRequests, swept, max, 'oldest');
    expect(ids(selection.targets)).toEqual(targets);
    expect(ids(selection.overLimit)).toEqual(overLimit);
    expect(selection).toMatchObject({ candidates: swept.length, refused: [] });
  });

  it.each([
    ['refuse', 'refuse' as const],
    ['oldest', 'oldest' as const],
  ])(
    'a cap of none (a fan-out share of 0) under %s: every candidate over, none refused, named ones go',
    (_, onExcess) => {
      const selection = selectTargets(
        [named('a1')],
        [aged('s10', 10), aged('s90', 90)],
        0,
        onExcess,
      );
      expect(ids(selection.targets)).toEqual(['a1']);
      expect(ids(selection.overLimit)).toEqual(['s90', 's10']);
      expect(selection.refused).toEqual([]);
    },
  );

  it('keeps the origin of the first request to name an operation, and the others beside it', () => {
    const { targets } = selectTargets([named('a1', 'http', true)], [named('a1', 'timer')], 5);
    // The sweep that found it adds its line, not its guards: a named operation keeps its own.
    expect(targets).toEqual([{ ...named('a1', 'http', true), alsoFor: [{ source: 'timer' }] }]);
  });

  it.each([
    ['a dry run and a plain request: cancelled', [true, false], [0, 0], false, 0],
    ['two dry runs: a dry run', [true, true], [0, 0], true, 0],
    ['two minimum ages: the lower', [false, false], [600, 7200], false, 600],
  ])('merges the guards of requests naming one operation: %s', (_case, dry, ages, dryRun, age) => {
    const requests = dry.map((d, i) => ({
      ...named('a1', 'http', d),
      minAgeSeconds: ages[i] as number,
    }));
    const [target] = selectTargets(requests, [], 5).targets;
    expect(target).toMatchObject({ dryRun, minAgeSeconds: age, alsoFor: [{ source: 'http' }] });
  });
});
