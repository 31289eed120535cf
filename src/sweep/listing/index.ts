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
import { REPORTED_KINDS, type ResourceKind, type ResourceRef, type SweepSpec } from '../../model';
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
  readonly failures: readonly SweepFailure[];
}

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
 * the resources named), then each resource's operations, every list paged to its end. A listing
 * that fails is recorded and the rest go on; what was found is returned oldest first, those of
 * report-only kinds apart, each with the call that listed it.
 */
export async function findCandidates(spec: SweepSpec, deps: SweepDeps): Promise<SweepFindings> {
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
      const ids = await allPages(async (pageToken) => {
        const { value: page } = await call(
          named(kind, 'list', `folder ${spec.folderId}`),
          list,
          KINDS[kind].listRequest(spec.folderId ?? '', pageToken),
        );
        return { items: KINDS[kind].listedIds(page), nextPageToken: page.nextPageToken };
      });
      return ids.map((id): ResourceRef => ({ kind, id }));
    }),
  );
  const resources = new Map<string, ResourceRef>();
  for (const ref of [...spec.resources, ...listed.flatMap((refs) => refs ?? [])]) {
    resources.set(`${ref.kind}/${ref.id}`, ref);
  }

  let operations = 0;
  const found = await mapLimited([...resources.values()], LISTING_CONCURRENCY, (resource) =>
    attempt(`operations of ${resource.kind} ${resource.id}`, async () => {
      const { listOperations } = clientFor(resource.kind, endpointOf(resource.kind));
      const ops = await allPages(async (pageToken) => {
        const {
          value: page,
          attempts,
          ids,
        } = await call(
          named(resource.kind, 'listOperations', `${resource.kind} ${resource.id}`),
          listOperations,
          KINDS[resource.kind].operationsRequest(resource.id, pageToken),
        );
        const items = page.operations.map((operation) => ({ operation, attempts, ids }));
        return { items, nextPageToken: page.nextPageToken };
      });
      operations += ops.length;
      return ops
        .filter(({ operation }) => isStuck(operation, spec, deps.now))
        .map(
          (listed): Sighting => ({
            ...listed,
            operationId: listed.operation.id,
            createdAt: listed.operation.createdAt as Date,
            resource,
          }),
        );
    }),
  );
  const stuck = found.flatMap((sightings) => sightings ?? []);
  const reportOnly = (s: Sighting) => REPORTED.has(s.resource.kind);

  return {
    candidates: oldestFirst<Candidate>(stuck.filter((s) => !reportOnly(s))),
    reported: oldestFirst(stuck.filter(reportOnly)),
    resources: resources.size,
    operations,
    failures,
  };
}
