import { Cancellability, cancellabilityOf } from '../../cancellable';
import { type CallContext, callAt } from '../../cloud/calls';
import type { Operation } from '../../cloud/operation-api';
import { mapLimited } from '../../map-limited';
import {
  type FilterName,
  type KindTallies,
  type LearntDuration,
  REPORTED_KINDS,
  Reason,
  type ResourceKind,
  type ResourceRef,
  type RunningOperation,
  type SweepSpec,
  type ThresholdUsed,
} from '../../model';
import { shortened } from '../../printable';
import type { Check } from '../filters';
import { MalformedIds, MalformedLabels } from '../malformed';
import type { SweepFailure } from './failure';
import { type Learning, learning } from './learning';
import { allPages } from './pages';
import { type ListingRecord, listingRecord, type SweepCut } from './record';
import { type Api, KINDS } from './resources';
import { type RunningTally, runningTally } from './running';
import { type Candidate, isStuck, oldestFirst, type Sighting } from './stuck';
import { type FolderTally, folderTally } from './tally';
import { lowestThreshold, type Override, overrideOf, thresholdOf } from './threshold';

export { failureOf, type SweepFailure } from './failure';
export type { SweepCut } from './record';
export type { Candidate, Sighting };

export interface SweepDeps extends CallContext {
  readonly endpoints: Readonly<Record<Api, string>>;
  readonly now: number;
  /** The deployment's floor under every threshold (MIN_OLDER_THAN): a label's too. */
  readonly floorSeconds: number;
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
  /** Resources whose `canceller-older-than` label is malformed: ignored. */
  readonly malformedLabels: MalformedLabels;
  /** Under `learn`: what the done operations listed taught, by kind and description. */
  readonly learnt: readonly LearntDuration[];
  /**
   * Resources of a kind whose refusal stands for them too, by kind: not asked, or asked and
   * refused alike before the kind's refusal came back.
   */
  readonly unasked: Partial<Record<ResourceKind, number>>;
  /**
   * The operations listed on the folder's own resources that are running (not done), each once,
   * and the oldest of them: what holds the folder's active-operations quota.
   */
  readonly running: { readonly count: number; readonly oldest: readonly RunningOperation[] };
}

/**
 * A resource to look at, with its labels when it was listed (a named one's are unknown), and
 * whether the folder's listing gave it: a named one may be in any folder.
 */
type Looked = ResourceRef & {
  readonly labels?: Readonly<Record<string, string>>;
  readonly inFolder?: true;
};

/** A resource whose operations are being listed, with what its label asks of their threshold. */
type Looking = Looked & { readonly override: Override };

/** What a listing call showed of a running operation, and where. */
interface Seen {
  readonly answer: Pick<Sighting, 'attempts' | 'ids'>;
  readonly looked: Looking;
}

/** One folder's sweep as its listings go: what it asks, and where it counts and records. */
interface Listing {
  readonly spec: SweepSpec;
  readonly check: Check;
  readonly deps: SweepDeps;
  readonly tally: FolderTally;
  readonly record: ListingRecord;
  readonly malformed: SweepFindings['malformed'];
  readonly malformedLabels: MalformedLabels;
  /** Under `learn`: the durations listed so far, and the running operations that wait for them. */
  readonly learning?: Learning;
  readonly pending: Array<Seen & { readonly operation: Operation }>;
  /**
   * Running operations a resource's `never` label protects. One operation may be listed under
   * more than one resource, and `never` on any of them wins over every other listing of it.
   * Bounded as the listing is: no more ids than it may list (SWEEP_BOUNDS.operations).
   */
  readonly protectedIds: Set<string>;
  readonly running: RunningTally;
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
  /**
   * Candidates, and stuck operations of report-only kinds, each; and, under `learn`, running
   * operations kept until every listing is in.
   */
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

/** The endpoint of a kind's API, as the configuration groups them. */
const endpointOf = (listing: Listing, kind: ResourceKind) =>
  listing.deps.endpoints[KINDS[kind].api];

/** The folder's resources of one kind, with their labels. */
function listResources(kind: ResourceKind, listing: Listing): Promise<Looked[]> {
  const { spec, deps, tally, malformed } = listing;
  const of = spec.folderId ?? '';
  const site = {
    endpoint: endpointOf(listing, kind),
    rpc: KINDS[kind].list,
    subject: `folder ${of}`,
  };
  const name = `${kind} in folder ${spec.folderId}`;
  return listing.record.items({ name, kind, whole: true }, () =>
    allPages(
      async (pageToken) => {
        const { value: page } = await callAt(deps, site, { of, pageToken });
        const items = page.items
          .filter(({ id }) => malformed.resource.accepts(id))
          .map(({ id, labels }): Looked => ({ kind, id, labels, inFolder: true }));
        tally.listedResources(items.length);
        return { items, nextPageToken: page.nextPageToken };
      },
      () => tally.resources < SWEEP_BOUNDS.resources,
    ),
  );
}

/**
 * A listed operation as the sweep keeps it: undefined for one that is done (a sample, under
 * `learn`), that is not stuck, that a filter leaves out, or that is past the bound of what is
 * kept; each counted on the way. Under `learn`, a running one its resource's label does not
 * judge waits, if it is old enough to be stuck by any threshold it could get.
 */
function sighting(operation: Operation, seen: Seen, listing: Listing): Sighting | undefined {
  if (!listing.malformed.operation.accepts(operation.id)) return undefined;
  const { kind, override } = seen.looked;
  if (operation.done) {
    listing.learning?.observe(kind, operation);
    return undefined;
  }
  if (
    listing.learning !== undefined &&
    (override.kind === 'none' || override.kind === 'malformed')
  ) {
    if (stuckByAny(operation, kind, listing) && listing.tally.kept('pending', SWEEP_BOUNDS.kept)) {
      listing.pending.push({ ...seen, operation: keptOf(operation) });
    }
    return undefined;
  }
  const fixedSeconds = listing.spec.olderThanSeconds[kind];
  const { floorSeconds } = listing.deps;
  return judged(operation, seen, thresholdOf({ override, fixedSeconds, floorSeconds }), listing);
}

/** Whether a running operation is stuck by the lowest threshold it could get once all is listed. */
function stuckByAny(operation: Operation, kind: ResourceKind, listing: Listing): boolean {
  const { spec, deps } = listing;
  const lowest = lowestThreshold(spec.olderThanSeconds[kind], deps.floorSeconds, spec.learn);
  const threshold = { olderThanSeconds: lowest, notModifiedForSeconds: spec.notModifiedForSeconds };
  return isStuck(operation, threshold, deps.now);
}

/**
 * A running operation judged by its threshold (undefined: its resource's label says `never`):
 * stuck, then through the filters, then kept while the bound allows.
 */
function judged(
  operation: Operation,
  { answer, looked }: Seen,
  used: ThresholdUsed | undefined,
  listing: Listing,
): Sighting | undefined {
  const { spec, deps, tally } = listing;
  const resource: ResourceRef = { kind: looked.kind, id: looked.id };
  const notModifiedForSeconds = spec.notModifiedForSeconds;
  if (used === undefined) {
    if (stuckByAny(operation, resource.kind, listing)) tally.protectedByLabel(resource.kind);
    listing.protectedIds.add(operation.id);
    return undefined;
  }
  if (!isStuck(operation, { olderThanSeconds: used.seconds, notModifiedForSeconds }, deps.now)) {
    return undefined;
  }
  tally.matched(resource.kind);
  const filter = listing.check({ ...operation, labels: looked.labels });
  if (filter !== undefined) {
    tally.filteredOut(resource.kind, filter);
    return undefined;
  }
  // Reported, not a candidate: a kind the API cannot cancel, or a method of it it cannot.
  const report = reporting(resource.kind, operation);
  if (!tally.kept(report.reported ? 'reported' : 'candidates', SWEEP_BOUNDS.kept)) return undefined;
  return {
    operation: keptOf(operation),
    ...answer,
    operationId: operation.id,
    createdAt: operation.createdAt as Date,
    resource,
    threshold: used,
    ...report,
  };
}

/**
 * The running operations that waited for every listing, each judged by what the listings taught
 * of its kind and description.
 */
function decidePending(listing: Listing): Sighting[] {
  const { learning: learnt, spec } = listing;
  if (learnt === undefined) return [];
  return listing.pending.flatMap(({ operation, ...seen }) => {
    const { kind, override } = seen.looked;
    const basis = { fixedSeconds: spec.olderThanSeconds[kind], override };
    return judged(operation, seen, learnt.thresholdOf(kind, operation, basis), listing) ?? [];
  });
}

/** A resource's stuck operations that pass the filters, page by page; the rest counted. */
function stuckOperations(looked: Looked, listing: Listing): Promise<Sighting[]> {
  const { kind, id } = looked;
  if (listing.record.skips(kind)) return Promise.resolve([]);
  const override = overrideOf(looked.labels);
  if (override.kind === 'malformed') {
    listing.malformedLabels.add(looked, override.value);
    listing.tally.malformedLabel(kind);
  }
  const on: Looking = { ...looked, override };
  const site = {
    endpoint: endpointOf(listing, kind),
    rpc: KINDS[kind].listOperations,
    subject: `${kind} ${id}`,
  };
  const { deps, tally } = listing;
  return listing.record.items({ name: `operations of ${kind} ${id}`, kind, whole: false }, () => {
    tally.listing(kind);
    return allPages(
      async (pageToken) => {
        const { value: page, ...answer } = await callAt(deps, site, { of: id, pageToken });
        tally.listedOperations(kind, page.items.length);
        if (looked.inFolder) {
          for (const operation of page.items) listing.running.saw(operation, looked);
        }
        const seen = { answer, looked: on };
        const items = page.items.flatMap((operation) => sighting(operation, seen, listing) ?? []);
        return { items, nextPageToken: page.nextPageToken };
      },
      () => tally.operations < SWEEP_BOUNDS.operations,
    );
  });
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
  const tally = folderTally();
  const record = listingRecord(tally);
  const malformed = { resource: new MalformedIds(), operation: new MalformedIds() };
  const learnt = spec.learn && learning(spec.learn, deps.floorSeconds);
  const listing: Listing = {
    spec,
    check,
    deps,
    tally,
    record,
    malformed,
    malformedLabels: new MalformedLabels(),
    ...(learnt && { learning: learnt }),
    pending: [],
    protectedIds: new Set(),
    running: runningTally(SWEEP_BOUNDS.kept),
  };
  const listed = await mapLimited(spec.kinds, LISTING_CONCURRENCY, (kind) =>
    listResources(kind, listing),
  );
  const resources = new Map<string, Looked>();
  // Listed after named: a named resource that is listed too is checked with its labels.
  for (const ref of [...spec.resources, ...listed.flat()]) {
    resources.set(`${ref.kind}/${ref.id}`, ref);
  }
  const found = await mapLimited([...resources.values()], LISTING_CONCURRENCY, (looked) =>
    stuckOperations(looked, listing),
  );
  const stuck = [...found.flat(), ...decidePending(listing)].filter(
    (s) => !listing.protectedIds.has(s.operationId),
  );
  const candidates = oldestFirst<Sighting>(stuck.filter((s) => !s.reported));
  const reported = oldestFirst(stuck.filter((s) => s.reported));
  for (const c of candidates) tally.found(c.resource.kind, 'candidates');
  for (const r of reported) tally.found(r.resource.kind, 'reported');
  return {
    candidates,
    reported,
    resources: resources.size,
    operations: tally.operations,
    filteredOut: tally.filtered,
    tallies: tally.byKind(),
    failures: record.failures,
    cuts: record.cuts,
    malformed,
    malformedLabels: listing.malformedLabels,
    learnt: learnt?.learnt() ?? [],
    unkept: tally.unkept,
    unasked: record.unasked,
    running: { count: listing.running.count, oldest: listing.running.oldest(deps.now) },
  };
}
