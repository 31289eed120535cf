import { describe, expect, it } from 'vitest';
import type { LearntDuration, Report } from '../../src/model';
import { messageText } from '../../src/report/observe/message';
import { metricsOf } from '../../src/report/observe/metrics';
import { noteworthy } from '../../src/report/observe/notify';
import { mergeLearnt } from '../../src/tallies';

const pair = (description: string, samples: number, median = 60): LearntDuration => ({
  kind: 'compute.instance',
  description,
  samples,
  medianSeconds: median,
  thresholdSeconds: median * 3,
});

const reportOf = (outcome: string, learnt: LearntDuration[]): Report => ({
  results: [
    {
      operationId: 'fd8stuck',
      outcome: outcome as Report['results'][number]['outcome'],
      attempts: 1,
      durationMs: 1,
    },
  ],
  summary: {
    operations: 1,
    outcomes: {},
    rejectedRequests: 0,
    durationMs: 1,
    sweep: { candidates: 1, refused: false, failedListings: 0, learnt },
  },
});

describe('the learnt durations in a message', () => {
  it('names the first two, of the most samples, and counts the rest', () => {
    const learnt = [pair('Create instance', 20), pair('Stop instance', 9, 20), pair('x', 5)];
    const note = noteworthy(reportOf('cancelled', learnt), false);
    if (note === undefined) throw new Error('expected a message');

    expect(messageText(note).split('\n').at(-1)).toBe(
      'learnt: compute.instance "Create instance" usually 60 s (20 done), stuck after 3 min; compute.instance "Stop instance" usually 20 s (9 done), stuck after 60 s; 1 more in the summary',
    );
  });

  it('cuts a long description, and says a month for anything longer', () => {
    const note = noteworthy(reportOf('cancelled', [pair('d'.repeat(500), 5, 10 ** 9)]), false);
    if (note === undefined) throw new Error('expected a message');

    expect(messageText(note)).toContain(`"${'d'.repeat(32)}…" usually over 30 d`);
  });

  it('is no news by itself: a quiet run stays quiet', () => {
    expect(noteworthy(reportOf('already_done', [pair('Create instance', 20)]), false)).toBe(
      undefined,
    );
  });
});

describe('learnt durations of several folders', () => {
  it('keep a pair two folders learnt once, as the one of more samples learnt it', () => {
    const merged = mergeLearnt(
      [pair('Create instance', 8, 50), pair('Stop instance', 6)],
      [pair('Create instance', 20, 70)],
    );
    expect(merged).toEqual([pair('Create instance', 20, 70), pair('Stop instance', 6)]);
  });

  it('write one series per label value, though two descriptions become the same one', () => {
    const learnt = [pair('Создание ВМ', 20, 70), pair('Удаление ВМ', 9, 20)];
    const points = metricsOf(reportOf('cancelled', learnt), 'http').filter((p) =>
      p.name.startsWith('canceller.sweep.learnt_'),
    );
    expect(points.map((p) => [p.name, p.labels.description, p.value])).toEqual([
      ['canceller.sweep.learnt_median_seconds', '________ __', 70],
      ['canceller.sweep.learnt_threshold_seconds', '________ __', 210],
    ]);
  });
});
