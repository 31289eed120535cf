import { RequestError } from '../../errors';
import { type LearnSpec, RESOURCE_KINDS, type ResourceKind } from '../../model';
import { duration, durationSeconds, isRecord, record, shown, strictKeys } from './fields';

// A label's value is read as `olderThan` is: the sweep bundle borrows the reading from here.
export { durationSeconds };

const MINUTES = 60;

/**
 * How long an operation runs before a sweep that gives no threshold for its kind counts it stuck:
 * the Terraform provider's default timeout for the resource (`terraform-provider-yandex`
 * `yandex/*.go`, `…DefaultTimeout`; the larger of create and update), when the provider has one.
 * A client that gave up after that long has stopped waiting, so the operation is running for
 * nobody. Never under 5 minutes: the VPC resources' 1 minute would race a healthy update.
 */
export const DEFAULT_OLDER_THAN_SECONDS = {
  'compute.instance': 5 * MINUTES,
  'compute.disk': 5 * MINUTES,
  'compute.image': 5 * MINUTES,
  'vpc.network': 5 * MINUTES,
  'vpc.subnet': 5 * MINUTES,
  'vpc.routeTable': 5 * MINUTES,
  'vpc.securityGroup': 5 * MINUTES,
  // No provider default found for these four: the half hour the sweep examples use.
  'compute.reservedInstancePool': 30 * MINUTES,
  'cic.privateConnection': 30 * MINUTES,
  'cic.trunkConnection': 30 * MINUTES,
  'cloudrouter.routingInstance': 30 * MINUTES,
  'k8s.cluster': 30 * MINUTES,
  'k8s.nodeGroup': 60 * MINUTES,
  'compute.instanceGroup': 30 * MINUTES,
  'mdb.postgresql': 60 * MINUTES,
  'mdb.mysql': 60 * MINUTES,
  'mdb.clickhouse': 90 * MINUTES,
  'mdb.redis': 60 * MINUTES,
  'mdb.mongodb': 120 * MINUTES,
  'mdb.kafka': 60 * MINUTES,
  'compute.snapshot': 20 * MINUTES,
} as const satisfies Record<ResourceKind, number>;

const DEFAULT_KEY = 'default';

/**
 * `olderThan`: one duration for every kind; or an object of durations by kind, with `default`
 * for the kinds it leaves out; or nothing. Whatever a sweep leaves open comes from the table.
 */
export function parseOlderThan(value: unknown): Record<ResourceKind, number> {
  const thresholds: Record<ResourceKind, number> = { ...DEFAULT_OLDER_THAN_SECONDS };
  if (value === undefined) return thresholds;
  if (typeof value === 'string') {
    const seconds = duration(value, 'sweep.olderThan');
    for (const k of RESOURCE_KINDS) thresholds[k] = seconds;
    return thresholds;
  }
  if (!isRecord(value)) {
    throw new RequestError(
      `sweep.olderThan is ${shown(value)}; expected a duration such as "30m", or durations by kind such as {"compute.instance": "10m", "default": "1h"}`,
    );
  }
  strictKeys(value, [DEFAULT_KEY, ...RESOURCE_KINDS], 'sweep.olderThan');
  if (value[DEFAULT_KEY] !== undefined) {
    const seconds = duration(value[DEFAULT_KEY], 'sweep.olderThan.default');
    for (const k of RESOURCE_KINDS) thresholds[k] = seconds;
  }
  for (const k of RESOURCE_KINDS) {
    if (value[k] !== undefined) thresholds[k] = duration(value[k], `sweep.olderThan["${k}"]`);
  }
  return thresholds;
}

/** The thresholds of the kinds a sweep lists, as `olderThan` takes them, for a handed-on sweep. */
export function olderThanRequest(
  thresholds: Readonly<Record<ResourceKind, number>>,
  kinds: readonly ResourceKind[],
): Record<string, string> {
  return Object.fromEntries(kinds.map((k) => [k, `${thresholds[k]}s`]));
}

/**
 * What `learn` may ask. A factor past 100 would never find anything stuck; a sweep keeps at most
 * `maxSamples` durations of each kind and description, so more could never be reached.
 */
export const LEARN_BOUNDS = { maxFactor: 100, maxSamples: 1000 } as const;
/** Jenkins build-timeout's "elastic" strategy takes 3 times the usual; 10 minutes, 5 builds. */
const LEARN_DEFAULTS = { factor: 3, floor: '10m', minSamples: 5 } as const;
const LEARN_FIELDS = ['factor', 'floor', 'minSamples'] as const;

function factor(value: unknown): number {
  if (typeof value !== 'number' || !(value > 1 && value <= LEARN_BOUNDS.maxFactor)) {
    throw new RequestError(
      `sweep.learn.factor is ${shown(value)}; expected a number over 1 and at most ${LEARN_BOUNDS.maxFactor}, such as 3`,
    );
  }
  return value;
}

function minSamples(value: unknown): number {
  if (
    !Number.isInteger(value) ||
    !((value as number) >= 1) ||
    (value as number) > LEARN_BOUNDS.maxSamples
  ) {
    throw new RequestError(
      `sweep.learn.minSamples is ${shown(value)}; expected a whole number from 1 to ${LEARN_BOUNDS.maxSamples}, such as 5`,
    );
  }
  return value as number;
}

/**
 * `learn`: `{"factor": 3, "floor": "10m", "minSamples": 5}`, each field optional (those are the
 * defaults); nothing, for the fixed thresholds alone.
 */
export function parseLearn(value: unknown): LearnSpec | undefined {
  if (value === undefined) return undefined;
  const given = record(value, LEARN_FIELDS, 'sweep.learn');
  return {
    factor: factor(given.factor ?? LEARN_DEFAULTS.factor),
    floorSeconds: duration(given.floor ?? LEARN_DEFAULTS.floor, 'sweep.learn.floor'),
    minSamples: minSamples(given.minSamples ?? LEARN_DEFAULTS.minSamples),
  };
}

/** `learn` as a request takes it, for a handed-on sweep. */
export function learnRequest(learn: LearnSpec): object {
  return { factor: learn.factor, floor: `${learn.floorSeconds}s`, minSamples: learn.minSamples };
}
