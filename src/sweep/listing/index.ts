import { Status, statusOf } from '../../cloud/grpc-status';
import {
  CallError,
  type CallLimits,
  type CallName,
  callWithRetries,
  methodName,
  type RetryOptions,
  type UnaryMethod,
} from '../../cloud/unary';
import { mapLimited } from '../../map-limited';
import {
  type FilterName,
  type KindTallies,
  REPORTED_KINDS,
  type ResourceKind,
  type ResourceRef,
  type SweepSpec,
} from '../../model';
import type { Check } from '../filters';
import { allPages } from './pages';
import { type Api, clientFor, KINDS } from './resources';
import { type Candidate, isStuck, oldestFirst, type Sighting } from './stuck';

export type { Candidate, Sighting };

export interface SweepDeps {
  readonly token: string;
  readonly endpoints: Readonly<Record<Api, string>>;
  readonly retry: RetryOptions;
  readonly limits: CallLimits;
  readonly now: number;
}

/** A listing that failed after its retries: the sweep went on without it, and says so. */
export interface SweepFailure {
  readonly listing: string;
  readonly code: string;
  readonly message: string;
}

export interface SweepFindings {
  /** Oldest first: the stuck operations of the kinds the API can cancel. */
  readonly candidates: readonly Candidate[];
  /** Oldest first: the stuck operations of the kinds it cannot, to be reported only. */
  readonly reported: readonly Sighting[];
  readonly resources: number;
  readonly operations: number;
  /** Matched operations a filter left out, by the filter. */
  readonly filteredOut: Partial<Record<FilterName, number>>;
  readonly tallies: KindTallies;
  readonly failures: readonly SweepFailure[];
}

/** A resource to look at, with its labels when it was listed (a named one's are unknown). */
type Looked = ResourceRef & { readonly labels?: Readonly<Record<string, string>> };

interface Tally {
  operations: number;
  matched: number;
  filteredOut?: Partial<Record<FilterName, number>>;
  candidates?: number;
  reported?: number;
}

const bump = <K extends string>(counts: Partial<Record<K, number>>, key: K) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** A failed listing's status, and its message: a CallError's says what, of what, where and why. */
export function failureOf(error: unknown): Omit<SweepFailure, 'listing'> {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const status = statusOf(cause);
  const message =
    error instanceof CallError
      ? error.message
      : cause instanceof Error
        ? cause.message
        : String(cause);
  return { code: status === undefined ? 'NO_STATUS' : Status[status], message };
}

/** Listings in flight at once: enough to be quick, few enough not to be throttled. */
const LISTING_CONCURRENCY = 8;
const REPORTED: ReadonlySet<ResourceKind> = new Set(REPORTED_KINDS);
/**
 * Finds the operations that have run too long: lists the folder's resources of each kind (and
 * the resources named), then each resource's operations, every list paged to its end and each
 * page kept only for the operations that are stuck by the kind's threshold and pass the filters
 * (the rest are counted). A listing that fails is recorded and the rest go on; what was found is
 * returned oldest first, those of report-only kinds apart, each with the call that listed it.
 */
export async function findCandidates(
  spec: SweepSpec,
  check: Check,
  deps: SweepDeps,
): Promise<SweepFindings> {
  const failures: SweepFailure[] = [];
  const attempt = async <T>(listing: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      failures.push({ listing, ...failureOf(error) });
      return undefined;
    }
  };
  const call = <Res>(name: CallName, method: UnaryMethod<object, Res>, request: object) =>
    callWithRetries(name, method, request, deps.token, deps.retry, deps.limits);
  const endpointOf = (kind: ResourceKind) => deps.endpoints[KINDS[kind].api];
  /** `InstanceService.List of folder b1g… at compute.api.cloud.yandex.net:443` */
  const named = (kind: ResourceKind, key: 'list' | 'listOperations', subject: string) => ({
    method: methodName(KINDS[kind].client, key),
    subject,
    endpoint: endpointOf(kind),
  });

  const listed = await mapLimited(spec.kinds, LISTING_CONCURRENCY, (kind) =>
    attempt(`${kind} in folder ${spec.folderId}`, async () => {
      const { list } = clientFor(kind, endpointOf(kind));
      const listedHere = await allPages(async (pageToken) => {
        const { value: page } = await call(
          named(kind, 'list', `folder ${spec.folderId}`),
          list,
          KINDS[kind].listRequest(spec.folderId ?? '', pageToken),
        );
        return { items: KINDS[kind].listed(page), nextPageToken: page.nextPageToken };
      });
      return listedHere.map(({ id, labels }): Looked => ({ kind, id, labels }));
    }),
  );
  const resources = new Map<string, Looked>();
  // Listed after named: a named resource that is listed too is checked with its labels.
  for (const ref of [...spec.resources, ...listed.flatMap((refs) => refs ?? [])]) {
    resources.set(`${ref.kind}/${ref.id}`, ref);
  }

  const tallies = new Map<ResourceKind, Tally>();
  const tallyOf = (kind: ResourceKind) => {
    const tally = tallies.get(kind) ?? { operations: 0, matched: 0 };
    tallies.set(kind, tally);
    return tally;
  };
  const filteredOut: Partial<Record<FilterName, number>> = {};
  let operations = 0;
  const found = await mapLimited([...resources.values()], LISTING_CONCURRENCY, (looked) =>
    attempt(`operations of ${looked.kind} ${looked.id}`, async () => {
      const resource: ResourceRef = { kind: looked.kind, id: looked.id };
      const { listOperations } = clientFor(resource.kind, endpointOf(resource.kind));
      const threshold = {
        olderThanSeconds: spec.olderThanSeconds[resource.kind],
        notModifiedForSeconds: spec.notModifiedForSeconds,
      };
      const tally = tallyOf(resource.kind);
      return allPages(async (pageToken) => {
        const {
          value: page,
          attempts,
          ids,
        } = await call(
          named(resource.kind, 'listOperations', `${resource.kind} ${resource.id}`),
          listOperations,
          KINDS[resource.kind].operationsRequest(resource.id, pageToken),
        );
        operations += page.operations.length;
        tally.operations += page.operations.length;
        const items: Sighting[] = [];
        for (const operation of page.operations) {
          if (!isStuck(operation, threshold, deps.now)) continue;
          tally.matched += 1;
          const filter = check({ ...operation, labels: looked.labels });
          if (filter !== undefined) {
            bump(filteredOut, filter);
            tally.filteredOut = tally.filteredOut ?? {};
            bump(tally.filteredOut, filter);
            continue;
          }
          const createdAt = operation.createdAt as Date;
          items.push({ operation, attempts, ids, operationId: operation.id, createdAt, resource });
        }
        return { items, nextPageToken: page.nextPageToken };
      });
    }),
  );
  const stuck = found.flatMap((sightings) => sightings ?? []);
  const reportOnly = (s: Sighting) => REPORTED.has(s.resource.kind);
  const candidates = oldestFirst<Candidate>(stuck.filter((s) => !reportOnly(s)));
  const reported = oldestFirst(stuck.filter(reportOnly));
  for (const c of candidates) bump(tallyOf(c.resource.kind), 'candidates');
  for (const r of reported) bump(tallyOf(r.resource.kind), 'reported');

  return {
    candidates,
    reported,
    resources: resources.size,
    operations,
    filteredOut,
    tallies: Object.fromEntries(tallies),
    failures,
  };
}
