import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/cloud/operation-api';
import { LEARNT_NAMED, type LearnSpec } from '../../src/model';
import { LEARN_MEMORY, learning } from '../../src/sweep/listing/learning';
import {
  lowestThreshold,
  median,
  type Override,
  overrideOf,
  thresholdOf,
} from '../../src/sweep/listing/threshold';

const LEARN: LearnSpec = { factor: 3, floorSeconds: 300, minSamples: 5 };
const NONE: Override = { kind: 'none' };

describe('the canceller-older-than label', () => {
  it.each([
    ['no labels known (a named resource)', undefined, { kind: 'none' }],
    ['labels without it', { env: 'prod' }, { kind: 'none' }],
    ['never', { 'canceller-older-than': 'never' }, { kind: 'never' }],
    ['a minute', { 'canceller-older-than': '1m' }, { kind: 'duration', seconds: 60, value: '1m' }],
    [
      'two hours',
      { 'canceller-older-than': '2h' },
      { kind: 'duration', seconds: 7200, value: '2h' },
    ],
    [
      'seconds in range',
      { 'canceller-older-than': '90s' },
      { kind: 'duration', seconds: 90, value: '90s' },
    ],
    ['under a minute', { 'canceller-older-than': '30s' }, { kind: 'malformed', value: '30s' }],
    ['over 30 days', { 'canceller-older-than': '31d' }, { kind: 'malformed', value: '31d' }],
    ['empty', { 'canceller-older-than': '' }, { kind: 'malformed', value: '' }],
    ['a word', { 'canceller-older-than': 'forever' }, { kind: 'malformed', value: 'forever' }],
    ['no unit', { 'canceller-older-than': '10' }, { kind: 'malformed', value: '10' }],
    [
      'Never, capitalised',
      { 'canceller-older-than': 'Never' },
      { kind: 'malformed', value: 'Never' },
    ],
  ] as const)('%s', (_, labels, expected) => {
    expect(overrideOf(labels)).toEqual(expected);
  });

  it('is read from the resource itself, not from a key its prototype has', () => {
    const labels = Object.create({ 'canceller-older-than': 'never' }) as Record<string, string>;
    expect(overrideOf(labels)).toEqual({ kind: 'none' });
  });
});

describe('the median of the durations', () => {
  it.each([
    [[60], 60],
    [[60, 120], 90],
    [[300, 60, 120], 120],
    [[1, 2, 3, 1000], 2.5],
    [[5, 5, 5, 5, 5, 9000], 5],
  ])('of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('leaves the samples it was given in their order', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

const sixty = (n: number) => Array.from({ length: n }, () => 60);

describe('the threshold a running operation is judged by', () => {
  it.each([
    [
      'fixed, without learn',
      { override: NONE, fixedSeconds: 3600, floorSeconds: 0 },
      { source: 'fixed', seconds: 3600 },
    ],
    [
      'fixed, under learn with too few samples, saying how many',
      { override: NONE, fixedSeconds: 3600, floorSeconds: 0, learn: LEARN, samples: sixty(4) },
      { source: 'fixed', seconds: 3600, samples: 4 },
    ],
    [
      'fixed, under learn with no sample at all',
      { override: NONE, fixedSeconds: 3600, floorSeconds: 0, learn: LEARN },
      { source: 'fixed', seconds: 3600, samples: 0 },
    ],
    [
      'learnt: the floor, when factor × median is under it',
      { override: NONE, fixedSeconds: 3600, floorSeconds: 0, learn: LEARN, samples: sixty(20) },
      { source: 'learnt', seconds: 300, samples: 20, medianSeconds: 60 },
    ],
    [
      'learnt: factor × median, when over the floor',
      {
        override: NONE,
        fixedSeconds: 3600,
        floorSeconds: 0,
        learn: LEARN,
        samples: [600, 700, 800, 900, 1000],
      },
      { source: 'learnt', seconds: 2400, samples: 5, medianSeconds: 800 },
    ],
    [
      'learnt: above the fixed one too, for a kind that is usually slow',
      {
        override: NONE,
        fixedSeconds: 1800,
        floorSeconds: 0,
        learn: LEARN,
        samples: [3600, 3600, 3600, 3600, 3600],
      },
      { source: 'learnt', seconds: 10_800, samples: 5, medianSeconds: 3600 },
    ],
    [
      'learnt: never under the deployment floor',
      { override: NONE, fixedSeconds: 3600, floorSeconds: 900, learn: LEARN, samples: sixty(20) },
      { source: 'learnt', seconds: 900, samples: 20, medianSeconds: 60 },
    ],
    [
      'learnt: a fractional threshold rounded up',
      {
        override: NONE,
        fixedSeconds: 3600,
        floorSeconds: 0,
        learn: { factor: 2.5, floorSeconds: 60, minSamples: 1 },
        samples: [61],
      },
      { source: 'learnt', seconds: 153, samples: 1, medianSeconds: 61 },
    ],
    [
      'a label, over learnt and fixed alike',
      {
        override: { kind: 'duration', seconds: 60, value: '1m' },
        fixedSeconds: 3600,
        floorSeconds: 0,
        learn: LEARN,
        samples: sixty(20),
      },
      { source: 'label', seconds: 60, value: '1m' },
    ],
    [
      'a label, raised to the deployment floor, saying so',
      {
        override: { kind: 'duration', seconds: 60, value: '1m' },
        fixedSeconds: 3600,
        floorSeconds: 600,
      },
      { source: 'label', seconds: 600, value: '1m', raisedBy: 'MIN_OLDER_THAN' },
    ],
    [
      'a label above the floor, as it is',
      {
        override: { kind: 'duration', seconds: 7200, value: '2h' },
        fixedSeconds: 600,
        floorSeconds: 600,
      },
      { source: 'label', seconds: 7200, value: '2h' },
    ],
    [
      'a malformed label: as if it were not set',
      { override: { kind: 'malformed', value: '0m' }, fixedSeconds: 3600, floorSeconds: 0 },
      { source: 'fixed', seconds: 3600 },
    ],
    [
      'a malformed label under learn: the learnt one',
      {
        override: { kind: 'malformed', value: 'soon' },
        fixedSeconds: 3600,
        floorSeconds: 0,
        learn: LEARN,
        samples: sixty(5),
      },
      { source: 'learnt', seconds: 300, samples: 5, medianSeconds: 60 },
    ],
  ] as const)('%s', (_, input, expected) => {
    expect(thresholdOf(input)).toEqual(expected);
  });

  it('is none under a never label, whatever else', () => {
    expect(
      thresholdOf({
        override: { kind: 'never' },
        fixedSeconds: 60,
        floorSeconds: 0,
        learn: LEARN,
        samples: sixty(20),
      }),
    ).toBeUndefined();
  });

  it.each([
    ['without learn: the fixed one', 3600, 0, undefined, 3600],
    ['under learn: the learn floor when under the fixed one', 3600, 0, LEARN, 300],
    ['under learn: the deployment floor when over the learn floor', 3600, 900, LEARN, 900],
    ['under learn: the fixed one when under both floors', 120, 0, LEARN, 120],
  ] as const)('the lowest it could be is, %s', (_, fixed, floor, learn, expected) => {
    expect(lowestThreshold(fixed, floor, learn)).toBe(expected);
  });
});

const done = (description: string, seconds: number, at = Date.parse('2026-12-01T00:00:00Z')) =>
  ({
    id: 'op1',
    description,
    createdBy: '',
    done: true,
    createdAt: new Date(at),
    modifiedAt: new Date(at + seconds * 1000),
  }) satisfies Operation;

describe('what a folder sweep learns from the done operations it lists', () => {
  const basis = { fixedSeconds: 3600, override: NONE };
  const running = (description: string): Operation => ({
    id: 'op2',
    description,
    createdBy: '',
    done: false,
  });

  it('learns by kind and description apart', () => {
    const learnt = learning(LEARN, 0);
    for (let i = 0; i < 5; i += 1) learnt.observe('compute.instance', done('Create instance', 60));
    for (let i = 0; i < 5; i += 1) learnt.observe('compute.disk', done('Create instance', 600));

    expect(learnt.thresholdOf('compute.instance', running('Create instance'), basis)).toEqual({
      source: 'learnt',
      seconds: 300,
      samples: 5,
      medianSeconds: 60,
    });
    expect(learnt.thresholdOf('compute.disk', running('Create instance'), basis)).toMatchObject({
      source: 'learnt',
      seconds: 1800,
    });
    expect(learnt.thresholdOf('compute.instance', running('Stop instance'), basis)).toEqual({
      source: 'fixed',
      seconds: 3600,
      samples: 0,
    });
  });

  it('takes no sample of an operation whose times cannot say how long it ran', () => {
    const learnt = learning({ ...LEARN, minSamples: 1 }, 0);
    const base = done('Create instance', 60);
    learnt.observe('compute.instance', { ...base, modifiedAt: undefined });
    learnt.observe('compute.instance', { ...base, createdAt: undefined });
    learnt.observe('compute.instance', {
      ...base,
      modifiedAt: new Date(base.createdAt.getTime() - 1000),
    });
    learnt.observe('compute.instance', { ...base, modifiedAt: new Date(-62_200_000_000_000) });

    expect(learnt.thresholdOf('compute.instance', running('Create instance'), basis)).toEqual({
      source: 'fixed',
      seconds: 3600,
      samples: 0,
    });
  });

  it('keeps at most its bound of samples a pair, and of pairs', () => {
    const learnt = learning({ ...LEARN, minSamples: 1 }, 0);
    for (let i = 0; i < LEARN_MEMORY.samplesPerKey + 50; i += 1) {
      learnt.observe('compute.instance', done('Create instance', 60));
    }
    for (let i = 0; i < LEARN_MEMORY.keys + 10; i += 1) {
      learnt.observe('compute.disk', done(`method ${i}`, 60));
    }

    expect(learnt.thresholdOf('compute.instance', running('Create instance'), basis)).toMatchObject(
      {
        samples: LEARN_MEMORY.samplesPerKey,
      },
    );
    // One pair is the instances'; the disks had room for the rest, and the last ones none.
    const last = `method ${LEARN_MEMORY.keys + 5}`;
    expect(learnt.thresholdOf('compute.disk', running(last), basis)).toMatchObject({
      source: 'fixed',
      samples: 0,
    });
    expect(learnt.thresholdOf('compute.disk', running('method 0'), basis)).toMatchObject({
      source: 'learnt',
    });
  });

  it('tells what it learnt, the pairs of the most samples first, and only those with enough', () => {
    const learnt = learning(LEARN, 0);
    for (let i = 0; i < 6; i += 1) learnt.observe('compute.instance', done('Create instance', 60));
    for (let i = 0; i < 9; i += 1) learnt.observe('compute.disk', done('Create disk', 200));
    for (let i = 0; i < 4; i += 1) learnt.observe('compute.image', done('Create image', 60));

    expect(learnt.learnt()).toEqual([
      {
        kind: 'compute.disk',
        description: 'Create disk',
        samples: 9,
        medianSeconds: 200,
        thresholdSeconds: 600,
      },
      {
        kind: 'compute.instance',
        description: 'Create instance',
        samples: 6,
        medianSeconds: 60,
        thresholdSeconds: 300,
      },
    ]);
  });

  it(`names at most ${LEARNT_NAMED} pairs`, () => {
    const learnt = learning({ ...LEARN, minSamples: 1 }, 0);
    for (let i = 0; i < LEARNT_NAMED + 5; i += 1) learnt.observe('compute.disk', done(`m${i}`, 60));
    expect(learnt.learnt()).toHaveLength(LEARNT_NAMED);
  });
});
