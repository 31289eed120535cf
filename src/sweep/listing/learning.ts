import { inTimestampRange } from '../../cloud/described';
import type { Operation } from '../../cloud/operation-api';
import {
  LEARNT_NAMED,
  type LearnSpec,
  type LearntDuration,
  type ResourceKind,
  type ThresholdUsed,
} from '../../model';
import { shortened } from '../../printable';
import { LEARN_BOUNDS } from '../../request/sweep/thresholds';
import { type Override, thresholdOf } from './threshold';

/**
 * What one folder's sweep keeps to learn from, at most: the durations of the first
 * `samplesPerKey` done operations of each kind and description, for the first `keys` of those
 * pairs. A folder's operations have a few dozen descriptions (one per method), so the bound is
 * met only by a hostile listing; past it, a pair learns nothing and its kind's `olderThan`
 * applies. At most 200 × 1000 numbers: about 1.6 MB.
 */
/** google.rpc.Code OK: a status of OK is no error. */
const GRPC_OK = 0;
const NO_OVERRIDE: Override = { kind: 'none' };

export const LEARN_MEMORY = { samplesPerKey: LEARN_BOUNDS.maxSamples, keys: 200 } as const;
/** What a description is cut to as a key: the API's own limit (`description` `<=256`). */
const KEY_TEXT = 256;

/** The durations a folder's sweep has listed, by kind and description, and what they teach. */
export interface Learning {
  /** A done operation: its duration (`modifiedAt − createdAt`) is a sample of its pair. */
  observe(kind: ResourceKind, operation: Operation): void;
  /** The threshold of a running operation of that pair, once every listing is in. */
  thresholdOf(
    kind: ResourceKind,
    operation: Operation,
    basis: { readonly fixedSeconds: number; readonly override: Override },
  ): ThresholdUsed | undefined;
  /** What was learnt, the pairs of the most samples first, LEARNT_NAMED at most. */
  learnt(): LearntDuration[];
}

interface Pair {
  readonly kind: ResourceKind;
  readonly description: string;
  readonly samples: number[];
}

// Cut as a copy: a long description's slice would keep the whole of it alive.
const keyOf = (kind: ResourceKind, description: string) =>
  `${kind}\n${shortened(description, KEY_TEXT)}`;

/**
 * How long a done operation ran, in seconds; undefined when its times cannot say, or when it
 * failed or was cancelled: that ends when it ends (a quota refuses in seconds, a Cancel cuts it
 * short), not when the method's work is done, and would pull the usual duration down.
 */
function durationOf(operation: Operation): number | undefined {
  if (operation.error !== undefined && operation.error.code !== GRPC_OK) return undefined;
  const { createdAt, modifiedAt } = operation;
  if (createdAt === undefined || modifiedAt === undefined) return undefined;
  if (!inTimestampRange(createdAt) || !inTimestampRange(modifiedAt)) return undefined;
  const seconds = (modifiedAt.getTime() - createdAt.getTime()) / 1000;
  return seconds >= 0 ? seconds : undefined;
}

export function learning(learn: LearnSpec, floorSeconds: number): Learning {
  const pairs = new Map<string, Pair>();
  return {
    observe(kind, operation) {
      const seconds = durationOf(operation);
      if (seconds === undefined) return;
      const key = keyOf(kind, operation.description);
      let pair = pairs.get(key);
      if (pair === undefined) {
        if (pairs.size >= LEARN_MEMORY.keys) return;
        pair = { kind, description: shortened(operation.description, KEY_TEXT), samples: [] };
        pairs.set(key, pair);
      }
      if (pair.samples.length < LEARN_MEMORY.samplesPerKey) pair.samples.push(seconds);
    },
    thresholdOf(kind, operation, { fixedSeconds, override }) {
      const samples = pairs.get(keyOf(kind, operation.description))?.samples;
      return thresholdOf({ override, fixedSeconds, floorSeconds, learn, samples });
    },
    learnt() {
      return [...pairs.values()]
        .filter((pair) => pair.samples.length >= learn.minSamples)
        .sort((a, b) => b.samples.length - a.samples.length)
        .slice(0, LEARNT_NAMED)
        .flatMap(({ kind, description, samples }) => {
          // Enough samples: learnt, whatever the kind's own threshold, which is never read.
          const basis = { override: NO_OVERRIDE, fixedSeconds: 0, floorSeconds, learn, samples };
          const used = thresholdOf(basis);
          if (used?.source !== 'learnt') return [];
          const { samples: count, medianSeconds, seconds: thresholdSeconds } = used;
          return [{ kind, description, samples: count, medianSeconds, thresholdSeconds }];
        });
    },
  };
}
