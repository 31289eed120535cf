import { Cancellability, cancellabilityOf } from '../../cancellable';
import { callAt } from '../../cloud/calls';
import { Status, statusOf, unreadableAnswer } from '../../cloud/grpc-status';
import type { Operation } from '../../cloud/operation-api';
import type { RetryOptions } from '../../cloud/retry';
import {
  type BearerToken,
  type CallLimits,
  isCallError,
  REFRESH_CUT_SHORT,
  type RpcMethod,
  refreshCut,
} from '../../cloud/unary';
import { mapLimited } from '../../map-limited';
import {
  type FilterName,
  type KindTallies,
  type KindTally,
  REPORTED_KINDS,
  Reason,
  type RequestIds,
  type ResourceKind,
  type ResourceRef,
  type SweepSpec,
} from '../../model';
import { shortened } from '../../printable';
import type { Check } from '../filters';
import { MalformedIds } from '../malformed';
import { endsKind, ListingEnd, listingEnd } from './ending';
import { allPages, type Cut, type Pages } from './pages';
import { type Api, KINDS } from './resources';
import { type Candidate, isStuck, oldestFirst, type Sighting } from './stuck';
import type { PageRequest } from './wire';

export type { Candidate, Sighting };

export interface SweepDeps {
  readonly token: BearerToken;
  readonly endpoints: Readonly<Record<Api, string>>;
  readonly retry: RetryOptions;
  readonly limits: CallLimits;
  readonly now: number;
}

/** A listing that failed after its retries: the sweep went on without it, and says so. */
export interface SweepFailure extends Partial<RequestIds> {
  readonly listing: string;
  /** What was listed: a kind, in a folder or on one resource; absent for a cloud's folders. */
  readonly kind?: ResourceKind;
  readonly code: string;
  readonly message: string;
  /** Only a transient failure makes the invocation worth delivering again. */
  readonly end: ListingEnd;
  /** Attempts sent: 0 when the time budget ended the wait for a slot before any went out. */
  readonly attempts?: number;
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
  /** Lists that stopped at a bound before their end: what they gave is used, and said so. */
  readonly cuts: readonly SweepCut[];
  /** Stuck operations past SWEEP_BOUNDS.kept: counted, not kept. */
  readonly unkept: number;
  /** Listed ids that break the id rule, never sent on. */
  readonly malformed: { readonly resource: MalformedIds; readonly operation: MalformedIds };
  /**
   * Resources of a kind whose refusal stands for them too, by kind: not asked, or asked and
   * refused alike before the kind's refusal came back.
   */
  readonly unasked: Partial<Record<ResourceKind, number>>;
}

export interface SweepCut {
  readonly listing: string;
  readonly cut: Cut;
}

/** A resource to look at, with its labels when it was listed (a named one's are unknown). */
type Looked = ResourceRef & { readonly labels?: Readonly<Record<string, string>> };

/** A kind's tally as the listings count it up. */
type Tally = { -readonly [K in keyof KindTally]: KindTally[K] };

const bump = <K extends string>(counts: Partial<Record<K, number>>, key: K) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** What a failed call failed with: the gRPC error a CallError wraps, or the error itself. */
const causeOf = (error: unknown) =>
  error instanceof Error && error.cause !== undefined ? error.cause : error;

/**
 * A failed listing's status, how it ends the listing, and its message: a CallError's says what,
 * of what, where and why, and its attempts and request ids are what support finds the calls by.
 */
export function failureOf(error: unknown): Omit<SweepFailure, 'listing'> {
  const cause = causeOf(error);
  const status = statusOf(cause);
  const cut = refreshCut(error);
  const said = isCallError(error)
    ? error.message
    : cause instanceof Error
      ? cause.message
      : String(cause);
  return {
    code: status === undefined ? 'NO_STATUS' : Status[status],
    message: cut ? `${said}; ${REFRESH_CUT_SHORT}` : said,
    end: listingEnd(status, { unreadable: unreadableAnswer(cause) !== undefined, refreshCut: cut }),
    ...(isCallError(error) && { attempts: error.attempts, ...error.ids }),
  };
}

/** Listings in flight at once: enough to be quick, few enough not to be throttled. */
const LISTING_CONCURRENCY = 8;
/**
 * What one folder's sweep lists at most, and keeps: far more than a folder holds, few enough that
 * its memory and its lines stay bounded whatever the API lists. The blast-radius guard takes at
 * most 1000, so the kept candidates (the first found) are always more than it lets through.
 */
export const SWEEP_BOUNDS = {
  resources: 100_000,
  operations: 500_000,
  /** Candidates, and stuck operations of report-only kinds, each. */
  kept: 5000,
} as const;
/** What a kept operation's description is cut to: the API's own limit is 256 characters. */
const KEPT_TEXT = 1024;
const REPORTED: ReadonlySet<ResourceKind> = new Set(REPORTED_KINDS);

/** Only what a result shows of a kept operation: a page's others, and its payloads, are let go. */
const keptOf = (operation: Operation): Operation => ({
  id: operation.id,
  description: shortened(operation.description, KEPT_TEXT),
  createdBy: shortened(operation.createdBy, KEPT_TEXT),
  done: operation.done,
  ...(operation.createdAt && { createdAt: operation.createdAt }),
  ...(operation.modifiedAt && { modifiedAt: operation.modifiedAt }),
  ...(operation.metadata && {
    metadata: { typeUrl: shortened(operation.metadata.typeUrl, KEPT_TEXT) },
  }),
});

/**
 * Whether a stuck operation is reported rather than a candidate: of a report-only kind, or of a
 * method of a cancellable kind that the API cannot cancel, which is its reason (its metadata's
 * type says which; one whose type cannot be told is a candidate, and a refused Cancel does no
 * harm).
 */
function reporting(kind: ResourceKind, operation: Operation) {
  if (REPORTED.has(kind)) return { reported: true } as const;
  return cancellabilityOf(operation.metadata?.typeUrl) === Cancellability.NotCancellable
    ? ({ reported: true, reason: Reason.MethodNotCancellable } as const)
    : ({ reported: false } as const);
}

/** One sweep's listings: the calls, and what they found, failed at and counted on the way. */
function listings(spec: SweepSpec, check: Check, deps: SweepDeps) {
  const failures: SweepFailure[] = [];
  const cuts: SweepCut[] = [];
  const malformed = { resource: new MalformedIds(), operation: new MalformedIds() };
  const tallies = new Map<ResourceKind, Tally>();
  const filteredOut: Partial<Record<FilterName, number>> = {};
  let operations = 0;
  let resources = 0;
  const kept = { candidates: 0, reported: 0, dropped: 0 };
  /** Kinds a refusal ended in this folder, and the resources of each left unasked. */
  const ended = new Set<ResourceKind>();
  const unasked: Partial<Record<ResourceKind, number>> = {};

  const tallyOf = (kind: ResourceKind) => {
    const tally = tallies.get(kind) ?? { operations: 0, matched: 0 };
    tallies.set(kind, tally);
    return tally;
  };
  const endpointOf = (kind: ResourceKind) => deps.endpoints[KINDS[kind].api];
  /** One page; the call is named `InstanceService.List of folder b1g… at compute.api…:443`. */
  const call = <Res>(
    kind: ResourceKind,
    rpc: RpcMethod<PageRequest, Res>,
    subject: string,
    request: PageRequest,
  ) => {
    return callAt(deps, { endpoint: endpointOf(kind), rpc, subject }, request);
  };
  /**
   * The work's items; a failure is recorded and gives none, and a cut is recorded. A refusal of
   * the kind's List, or one that holds for the whole kind (a role, an API), ends the kind here.
   */
  const attempt = async <T>(
    listing: string,
    kind: ResourceKind,
    whole: boolean,
    work: () => Promise<Pages<T>>,
  ): Promise<T[]> => {
    try {
      const { items, cut } = await work();
      if (cut !== undefined) cuts.push({ listing, cut });
      return items;
    } catch (error) {
      const failure = { listing, kind, ...failureOf(error) };
      const refused = failure.end === ListingEnd.Refused;
      // One sent before the kind's refusal came back is told with it, as one left unasked.
      if (refused && ended.has(kind)) {
        bump(unasked, kind);
        return [];
      }
      failures.push(failure);
      if (refused) bump(tallyOf(kind), 'refusedListings');
      if (refused && (whole || endsKind(statusOf(causeOf(error))))) ended.add(kind);
      return [];
    }
  };

  /** The folder's resources of one kind, with their labels. */
  const resourcesOf = (kind: ResourceKind) =>
    attempt(`${kind} in folder ${spec.folderId}`, kind, true, () => {
      const of = spec.folderId ?? '';
      return allPages(
        async (pageToken) => {
          const { value: page } = await call(kind, KINDS[kind].list, `folder ${of}`, {
            of,
            pageToken,
          });
          const items = page.items
            .filter(({ id }) => malformed.resource.accepts(id))
            .map(({ id, labels }): Looked => ({ kind, id, labels }));
          resources += items.length;
          return { items, nextPageToken: page.nextPageToken };
        },
        () => resources < SWEEP_BOUNDS.resources,
      );
    });

  /** A resource's stuck operations that pass the filters, page by page; the rest counted. */
  const stuckOn = (looked: Looked) => {
    if (ended.has(looked.kind)) {
      bump(unasked, looked.kind);
      return Promise.resolve([]);
    }
    return attempt(`operations of ${looked.kind} ${looked.id}`, looked.kind, false, () => {
      const resource: ResourceRef = { kind: looked.kind, id: looked.id };
      const threshold = {
        olderThanSeconds: spec.olderThanSeconds[resource.kind],
        notModifiedForSeconds: spec.notModifiedForSeconds,
      };
      const tally = tallyOf(resource.kind);
      const sighting = (
        operation: Operation,
        answer: { attempts: number; ids: Sighting['ids'] },
      ) => {
        if (
          !malformed.operation.accepts(operation.id) ||
          !isStuck(operation, threshold, deps.now)
        ) {
          return undefined;
        }
        tally.matched += 1;
        const filter = check({ ...operation, labels: looked.labels });
        if (filter !== undefined) {
          bump(filteredOut, filter);
          tally.filteredOut = tally.filteredOut ?? {};
          bump(tally.filteredOut, filter);
          return undefined;
        }
        // Reported, not a candidate: a kind the API cannot cancel, or a method of it it cannot.
        const report = reporting(resource.kind, operation);
        const side = report.reported ? 'reported' : 'candidates';
        if (kept[side] >= SWEEP_BOUNDS.kept) {
          kept.dropped += 1;
          return undefined;
        }
        kept[side] += 1;
        const createdAt = operation.createdAt as Date;
        return {
          operation: keptOf(operation),
          ...answer,
          operationId: operation.id,
          createdAt,
          resource,
          ...report,
        };
      };
      return allPages(
        async (pageToken) => {
          const { value: page, ...answer } = await call(
            resource.kind,
            KINDS[resource.kind].listOperations,
            `${resource.kind} ${resource.id}`,
            { of: resource.id, pageToken },
          );
          operations += page.items.length;
          tally.operations += page.items.length;
          const items = page.items.flatMap((operation) => sighting(operation, answer) ?? []);
          return { items, nextPageToken: page.nextPageToken };
        },
        () => operations < SWEEP_BOUNDS.operations,
      );
    });
  };

  return {
    resourcesOf,
    stuckOn,
    tallyOf,
    done: () => ({
      operations,
      filteredOut,
      tallies: Object.fromEntries(tallies) as KindTallies,
      failures,
      cuts,
      malformed,
      unkept: kept.dropped,
      unasked,
    }),
  };
}

/**
 * Finds the operations that have run too long: lists the folder's resources of each kind (and
 * the resources named), then each resource's operations, every list paged to its end (or to its
 * bound) and each page kept only for the operations that are stuck by the kind's threshold and
 * pass the filters (the rest are counted). A listing that fails is recorded and the rest go on;
 * what was found is returned oldest first, those of report-only kinds apart, each with the call
 * that listed it.
 */
export async function findCandidates(
  spec: SweepSpec,
  check: Check,
  deps: SweepDeps,
): Promise<SweepFindings> {
  const listing = listings(spec, check, deps);
  const listed = await mapLimited(spec.kinds, LISTING_CONCURRENCY, listing.resourcesOf);
  const resources = new Map<string, Looked>();
  // Listed after named: a named resource that is listed too is checked with its labels.
  for (const ref of [...spec.resources, ...listed.flat()]) {
    resources.set(`${ref.kind}/${ref.id}`, ref);
  }
  const found = await mapLimited([...resources.values()], LISTING_CONCURRENCY, listing.stuckOn);
  const stuck = found.flat();
  const candidates = oldestFirst<Sighting>(stuck.filter((s) => !s.reported));
  const reported = oldestFirst(stuck.filter((s) => s.reported));
  for (const c of candidates) bump(listing.tallyOf(c.resource.kind), 'candidates');
  for (const r of reported) bump(listing.tallyOf(r.resource.kind), 'reported');
  return { candidates, reported, resources: resources.size, ...listing.done() };
}
