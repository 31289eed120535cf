import { RequestError } from '../../errors';
import { RESOURCE_KINDS, type ResourceKind } from '../../model';
import { duration, isRecord, shown, strictKeys } from './fields';

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
