import { type LearnSpec, OVERRIDE_LABEL, type ThresholdUsed } from '../../model';
import { durationSeconds } from '../../request/sweep/thresholds';

/** What a resource's `canceller-older-than` label asks of its operations' threshold. */
export type Override =
  | { readonly kind: 'none' }
  | { readonly kind: 'never' }
  | { readonly kind: 'duration'; readonly seconds: number; readonly value: string }
  /** Neither a duration nor `never`: reported, and ignored. */
  | { readonly kind: 'malformed'; readonly value: string };

const NONE: Override = { kind: 'none' };

/**
 * A resource's override, from its labels: a duration in `olderThan`'s syntax, or `never`. A
 * resource a request named and no List showed has labels unknown, and so no override.
 */
export function overrideOf(labels: Readonly<Record<string, string>> | undefined): Override {
  if (labels === undefined || !Object.hasOwn(labels, OVERRIDE_LABEL)) return NONE;
  const value = labels[OVERRIDE_LABEL] as string;
  if (value === 'never') return { kind: 'never' };
  const seconds = durationSeconds(value);
  return seconds === undefined
    ? { kind: 'malformed', value }
    : { kind: 'duration', seconds, value };
}

/** The middle of the durations (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** What decides one running operation's threshold: everything but the operation itself. */
export interface ThresholdInput {
  readonly override: Override;
  /** Its kind's `olderThan`, already raised to MIN_OLDER_THAN. */
  readonly fixedSeconds: number;
  /** The deployment's floor, MIN_OLDER_THAN (0 when unset). */
  readonly floorSeconds: number;
  readonly learn?: LearnSpec | undefined;
  /** Durations of the done operations of its kind and description, under `learn`. */
  readonly samples?: readonly number[] | undefined;
}

/**
 * The threshold a running operation is judged by, or undefined when its resource's label says
 * `never`. The label wins, raised to the deployment's floor; then, under `learn` with enough
 * samples, `max(floor, factor × median, MIN_OLDER_THAN)`; otherwise its kind's `olderThan`. A
 * malformed label counts as none: it never makes an operation stuck sooner.
 */
export function thresholdOf(input: ThresholdInput): ThresholdUsed | undefined {
  const { override, fixedSeconds, floorSeconds, learn, samples = [] } = input;
  if (override.kind === 'never') return undefined;
  if (override.kind === 'duration') {
    const raised = override.seconds < floorSeconds;
    return {
      source: 'label',
      seconds: Math.max(override.seconds, floorSeconds),
      value: override.value,
      ...(raised && { raisedBy: 'MIN_OLDER_THAN' as const }),
    };
  }
  if (learn === undefined) return { source: 'fixed', seconds: fixedSeconds };
  if (samples.length < learn.minSamples) {
    return { source: 'fixed', seconds: fixedSeconds, samples: samples.length };
  }
  const medianSeconds = median(samples);
  const seconds = Math.max(learn.floorSeconds, learn.factor * medianSeconds, floorSeconds);
  return {
    source: 'learnt',
    seconds: Math.ceil(seconds),
    samples: samples.length,
    medianSeconds: Math.round(medianSeconds),
  };
}

/**
 * The least threshold a running operation without a label could get once every listing is in:
 * its kind's `olderThan`, or a learnt one, which is never under the floors. One younger than this
 * is not stuck whatever is learnt, so it need not be kept until then.
 */
export function lowestThreshold(fixedSeconds: number, floorSeconds: number, learn?: LearnSpec) {
  if (learn === undefined) return fixedSeconds;
  return Math.min(fixedSeconds, Math.max(learn.floorSeconds, floorSeconds));
}
