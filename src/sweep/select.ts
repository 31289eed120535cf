import type { ServiceCalls } from '../cloud/calls';
import { isMissingBundle } from '../lazy-bundle';
import { LogLevel } from '../log';
import { mapLimited } from '../map-limited';
import type {
  CancelSplit,
  FolderActivity,
  FoldersNotHandedOn,
  KindTallies,
  LearntDuration,
  OperationResult,
  Origin,
  ResourceKind,
  SweepSpec,
  Target,
} from '../model';
import { folderAllowed } from '../request/scope';
import { folderActivity } from './activity';
import type { SweepContext } from './context';
import { logListingFailure, rolesMissing } from './failure-lines';
import { type Check, type Compiled, compileFilters } from './filters';
import { findCandidates, type Sighting, SWEEP_BOUNDS } from './listing';
import { ListingEnd } from './listing/ending';
import { latestLogRecord } from './listing/log-records';
import { Cut, MAX_PAGES } from './listing/pages';
import { stuckResult } from './listing/stuck';
import { logMalformed, logMalformedLabels } from './malformed';
import { withRetryLines } from './retry-lines';
import { sweepWide } from './wide';

export interface Swept {
  /** Oldest first, each with the resource it was found on in its origin. */
  readonly targets: readonly Target[];
  /**
   * Oldest first, each with its resource: the stuck operations of kinds the API cannot cancel,
   * as results already, since nothing more is done about them.
   */
  readonly reported: readonly OperationResult[];
  /**
   * Listings that failed after their retries (or folders not handed on) in a way a retry may
   * mend; an unreadable answer is logged, and not counted.
   */
  readonly failedListings: number;
  /** Listings the API refused for good (a role not granted): told, never a reason to retry. */
  readonly refusedListings: number;
  /** The roles those refused for a role ask for, each once. */
  readonly missingRoles?: readonly string[];
  /** Folders handed on, each to an invocation of its own. */
  readonly handedOn?: number;
  /** Folders whose hand-off failed for good. */
  readonly notHandedOn?: FoldersNotHandedOn;
  /** How a sweep that handed its folders on split its `maxCancelsTotal`: its `kept` is its own. */
  readonly cancelSplit?: CancelSplit;
  /** The sweep id of a sweep of a cloud or of several folders, for the lines of what it reports. */
  readonly sweepId?: string;
  /** By kind: what was listed, matched, filtered out, and found. */
  readonly tallies?: KindTallies;
  /** Under `learn`: the thresholds learnt, by kind and description. */
  readonly learnt?: readonly LearntDuration[];
  /** By folder swept here: what was running there, and whether it met the quota on that. */
  readonly folders?: readonly FolderActivity[];
}

/**
 * What a sweep answers: data alone, never a thrown class, since the host that reads it is
 * another bundle. `rejected` is a request the sweep cannot run, refused before anything is
 * listed (a filter's pattern that is not one RE2 reads); its message says why.
 */
export type SweepAnswer =
  | { readonly kind: 'rejected'; readonly message: string }
  /** A bundle of the zip it needs is missing (dist/re2.js): a packaging mistake, not a bug. */
  | { readonly kind: 'missingBundle'; readonly file: string }
  | ({ readonly kind: 'swept' } & Swept);

/**
 * Runs one sweep: of one folder (or of named resources) here, or of a cloud or several folders
 * folder by folder, here or handed on. It is the entry of dist/sweep.js (the `#sweep` import),
 * so none of it weighs on the cancel path.
 */
export async function sweep(spec: SweepSpec, context: SweepContext): Promise<SweepAnswer> {
  let filters: Compiled;
  try {
    filters = await compileFilters(spec.filters);
  } catch (error) {
    if (isMissingBundle(error)) return { kind: 'missingBundle', file: error.file };
    throw error;
  }
  if (filters.kind === 'rejected') return filters;
  const one = (part: SweepSpec, origin: Origin) =>
    sweepFolder(part, filters.check, { ...context, request: { ...context.request, origin } });
  // A folder only its cloud can place in the policy's scope goes the wide way, which asks.
  const placed =
    spec.folderId === undefined || folderAllowed(context.config.policy, spec.folderId) === true;
  if (spec.cloudId === undefined && spec.folderIds === undefined && placed) {
    return { kind: 'swept', ...(await one(spec, context.request.origin)) };
  }
  return { kind: 'swept', ...(await sweepWide({ ...context, spec, sweepOne: one })) };
}

/** Sweeps one folder (or named resources), logs what it listed and what failed, and turns what it found into targets. */
async function sweepFolder(spec: SweepSpec, check: Check, context: SweepContext): Promise<Swept> {
  const { request, config, log } = context;
  const now = Date.now();
  const calls = {
    ...context.calls,
    limits: withRetryLines(context.calls.limits, log, request.origin),
  };
  const findings = await findCandidates(spec, check, {
    ...calls,
    endpoints: config.endpoints,
    now,
    floorSeconds: config.policy.minOlderThanSeconds,
  });
  const { origin, ...guards } = request;
  const told = new Set<ResourceKind>();
  for (const failure of findings.failures) {
    const { kind, end } = failure;
    // The resources a kind's refusal left unasked are told once, with it.
    const first = kind !== undefined && end === ListingEnd.Refused && !told.has(kind);
    if (first) told.add(kind);
    logListingFailure(log, origin, failure, first ? (findings.unasked[kind] ?? 0) : 0);
  }
  // One line per kind of cut: a bound reached cuts every listing after it alike.
  for (const cut of Object.values(Cut)) {
    const [first, ...others] = findings.cuts.filter((c) => c.cut === cut).map((c) => c.listing);
    if (first === undefined) continue;
    log.log(LogLevel.Warn, 'sweep listing cut short', {
      ...origin,
      cut,
      listing: first,
      ...(others.length > 0 && { alsoCut: others.length, next: others.slice(0, 4) }),
      reason: CUT_REASONS[cut],
    });
  }
  if (findings.unkept > 0) {
    log.log(LogLevel.Warn, 'sweep kept the first found', {
      ...origin,
      unkept: findings.unkept,
      reason: `past ${SWEEP_BOUNDS.kept} candidates (or stuck operations of report-only kinds, or operations waiting for the learnt thresholds), the rest are counted, not kept`,
    });
  }
  logMalformed(log, origin, 'resource', findings.malformed.resource);
  logMalformed(log, origin, 'operation', findings.malformed.operation);
  logMalformedLabels(log, origin, findings.malformedLabels);
  const activity = folderActivity(spec, findings, log, origin);
  log.log(LogLevel.Info, 'sweep listed', {
    ...origin,
    ...(spec.folderId && { folderId: spec.folderId }),
    resources: findings.resources,
    operations: findings.operations,
    ...(activity && { running: activity.running }),
    candidates: findings.candidates.length,
    reported: findings.reported.length,
    ...(Object.keys(findings.filteredOut).length > 0 && { filteredOut: findings.filteredOut }),
    kinds: findings.tallies,
    ...(findings.learnt.length > 0 && { learnt: findings.learnt }),
  });
  const groupLog = { ...calls, endpoint: config.endpoints.compute };
  return {
    targets: findings.candidates.map((candidate) => ({
      ...guards,
      origin: {
        ...origin,
        resourceKind: candidate.resource.kind,
        resourceId: candidate.resource.id,
      },
      named: { valid: true as const, id: candidate.operationId },
      createdAtMs: candidate.createdAt.getTime(),
      ...(spec.folderId && { folderId: spec.folderId }),
      ...(candidate.threshold !== undefined && { threshold: candidate.threshold }),
    })),
    reported: await reportedResults(findings.reported, now, groupLog),
    failedListings: findings.failures.filter((f) => f.end === ListingEnd.Transient).length,
    refusedListings: findings.failures.filter((f) => f.end === ListingEnd.Refused).length,
    missingRoles: rolesMissing(findings.failures),
    tallies: findings.tallies,
    ...(findings.learnt.length > 0 && { learnt: findings.learnt }),
    ...(activity && { folders: [activity] }),
  };
}

const CUT_REASONS: Record<Cut, string> = {
  [Cut.Loop]: 'the server handed back a page token it had given before; the list ends there',
  [Cut.Pages]: `the list ran to ${MAX_PAGES} pages; the rest is left for a narrower sweep`,
  [Cut.Limit]: `the folder's sweep listed ${SWEEP_BOUNDS.resources} resources or ${SWEEP_BOUNDS.operations} operations; the rest is left for a narrower sweep`,
};

/** Instance groups whose logs are read at once. */
const LOG_CONCURRENCY = 8;

/**
 * The stuck operations of report-only kinds as their results; an instance group's with the
 * latest entry of the group's log, read once per group: its operations are "cancelled by another
 * operation", not by Cancel, and the log is where the group says what it waits for.
 */
async function reportedResults(
  sightings: readonly Sighting[],
  now: number,
  groupLog: ServiceCalls,
): Promise<OperationResult[]> {
  const groups = [
    ...new Set(
      sightings
        .filter((s) => s.resource.kind === 'compute.instanceGroup')
        .map((s) => s.resource.id),
    ),
  ];
  const logs = await mapLimited(groups, LOG_CONCURRENCY, (id) => latestLogRecord(id, groupLog));
  const latest = new Map(groups.map((id, i) => [id, logs[i]]));
  return sightings.map((sighting) => {
    const result = stuckResult(sighting, now);
    const record = latest.get(sighting.resource.id);
    return record === undefined ? result : { ...result, latestLogRecord: record };
  });
}
