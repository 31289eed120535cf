import {
  type FoldersNotHandedOn,
  type LearntDuration,
  OLDEST_RUNNING_NAMED,
  type OperationResult,
  Outcome,
  type Report,
  type RunningOperation,
} from '../../model';
import { serverText } from '../../printable';

/** The outcomes a team hears about; anything else is a quiet run. */
const NOTEWORTHY: ReadonlySet<string> = new Set([
  Outcome.Cancelled,
  Outcome.Cancelling,
  Outcome.Failed,
  Outcome.Stuck,
]);
/** Operations listed in one message; the counts cover the rest. */
export const MAX_LISTED = 20;
/**
 * How much of each listed operation's id and description a message shows: the server's text may
 * be any length, and Telegram refuses a message over 4096 characters.
 */
const SHOWN_CHARS = { id: 64, description: 80, holder: 40 } as const;
/**
 * Learnt durations a message names, of the most samples, and how much of each description: on
 * one line, within Telegram's 4096 beside 20 operations; the summary and the metrics have all.
 */
const LEARNT_SHOWN = { pairs: 2, description: 32 } as const;
/**
 * With the active-operations quota met, a message lists fewer operations and cuts its holders'
 * descriptions shorter, so that its holders fit beside them in Telegram's 4096 characters too.
 */
const LISTED_BESIDE_QUOTA = 10;

export interface Noteworthy {
  readonly dryRun: boolean;
  readonly counts: Readonly<Record<string, number>>;
  readonly refused: boolean;
  /** Folders a wide sweep could not hand on: not swept by this run. */
  readonly notHandedOn?: FoldersNotHandedOn;
  /** Listings the API refused for good, by kind (`folders` for a cloud's). */
  readonly refusedListings: ReadonlyArray<{ readonly what: string; readonly count: number }>;
  /**
   * The roles the refusals for a role ask for: a sweep short of one finds nothing there, run after
   * run, until it is granted.
   */
  readonly missingRoles: readonly string[];
  /** Under `learn`: what the sweeps took as the usual duration, and the threshold made of it. */
  readonly learnt?: readonly LearntDuration[];
  /** Learnt durations the summary has beyond those. */
  readonly learntOmitted?: number;
  readonly operations: ReadonlyArray<{
    readonly id: string;
    readonly outcome: string;
    readonly description?: string;
    readonly ageSeconds?: number;
    /** What state it likely left and what to do next, as its log line says. */
    readonly next?: string;
    /** For a stuck one, the ids a support ticket names besides the operation's. */
    readonly resourceId?: string;
    readonly requestId?: string;
  }>;
  readonly omitted: number;
  /** Where a call met the active-operations quota, and the oldest running there, which hold it. */
  readonly activeOperationsQuota?: {
    readonly folders: ReadonlyArray<{ readonly folderId?: string; readonly running?: number }>;
    readonly oldestRunning: readonly RunningOperation[];
  };
}

const ageOf = (result: OperationResult, now: number) =>
  result.ageSeconds ??
  (result.createdAt === undefined
    ? undefined
    : Math.round((now - Date.parse(result.createdAt)) / 1000));

/** The refused listings by kind, and those not of a kind (a cloud's folders) as `folders`. */
function refusalsOf(report: Report): Noteworthy['refusedListings'] {
  const sweep = report.summary.sweep;
  const byKind = Object.entries(sweep?.kinds ?? {}).flatMap(([kind, tally]) =>
    tally?.refusedListings ? [{ what: kind, count: tally.refusedListings }] : [],
  );
  // Every refusal of a kind's listing is tallied by kind; the rest is the cloud's folder listing.
  const ofKinds = byKind.reduce((sum, r) => sum + r.count, 0);
  const folders = (sweep?.refusedListings ?? 0) - ofKinds;
  return folders > 0 ? [...byKind, { what: 'folders', count: folders }] : byKind;
}

/** The learnt durations a message names, and how many more the summary has. */
function learntOf(report: Report): Pick<Noteworthy, 'learnt' | 'learntOmitted'> {
  const all = report.summary.sweep?.learnt ?? [];
  if (all.length === 0) return {};
  const learnt = all.slice(0, LEARNT_SHOWN.pairs).map((l) => ({
    ...l,
    description: serverText(l.description, LEARNT_SHOWN.description),
  }));
  const omitted = all.length - learnt.length;
  return { learnt, ...(omitted > 0 && { learntOmitted: omitted }) };
}

/** The quota's hits as a message names them: every folder, the oldest running of them all. */
function quotaOf(report: Report): Noteworthy['activeOperationsQuota'] {
  const hits = report.summary.activeOperationsQuota ?? [];
  if (hits.length === 0) return undefined;
  const oldestRunning = hits
    .flatMap((h) => h.oldestRunning)
    .sort((a, b) => (b.ageSeconds ?? 0) - (a.ageSeconds ?? 0))
    .slice(0, OLDEST_RUNNING_NAMED)
    .map((op) => ({
      ...op,
      operationId: serverText(op.operationId, SHOWN_CHARS.id),
      resourceId: serverText(op.resourceId, SHOWN_CHARS.id),
      ...(op.description && { description: serverText(op.description, SHOWN_CHARS.holder) }),
    }));
  const folders = hits.map(({ folderId, running }) => ({
    ...(folderId !== undefined && { folderId: serverText(folderId, SHOWN_CHARS.id) }),
    ...(running !== undefined && { running }),
  }));
  return { folders, oldestRunning };
}

/** What a message says, or undefined for a run nobody needs to hear about. */
export function noteworthy(
  report: Report,
  dryRun: boolean,
  now = Date.now(),
): Noteworthy | undefined {
  const refused = report.summary.sweep?.refused ?? false;
  const refusedListings = refusalsOf(report);
  const notHandedOn = report.summary.sweep?.notHandedOn;
  // In a dry run, what would have been cancelled is the news.
  const listed = report.results.filter(
    (r) => NOTEWORTHY.has(r.outcome) || (r.outcome === Outcome.Skipped && r.reason === 'dry_run'),
  );
  const quota = quotaOf(report);
  if (listed.length === 0 && !refused && refusedListings.length === 0 && !notHandedOn && !quota) {
    return undefined;
  }
  const maxListed = quota ? LISTED_BESIDE_QUOTA : MAX_LISTED;
  const counts: Record<string, number> = {};
  for (const { outcome } of report.results) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return {
    dryRun,
    counts,
    refused,
    refusedListings,
    missingRoles: report.summary.sweep?.missingRoles ?? [],
    ...learntOf(report),
    ...(notHandedOn && { notHandedOn }),
    ...(quota && { activeOperationsQuota: quota }),
    operations: listed.slice(0, maxListed).map((r) => {
      const age = ageOf(r, now);
      return {
        id: serverText(r.operationId, SHOWN_CHARS.id),
        outcome: r.outcome,
        ...(r.description && { description: serverText(r.description, SHOWN_CHARS.description) }),
        ...(age !== undefined && { ageSeconds: age }),
        ...(r.next && { next: r.next }),
        ...(r.outcome === Outcome.Stuck && ticketIds(r)),
      };
    }),
    omitted: Math.max(0, listed.length - maxListed),
  };
}

/**
 * The ids a support ticket about a stuck operation names with its own (every stuck one's next
 * step is a ticket): its resource, and the request id of the call that found it.
 */
function ticketIds(r: OperationResult): { resourceId?: string; requestId?: string } {
  const requestId = r.apiRequestId ?? r.clientRequestId;
  return {
    ...(r.resourceId && { resourceId: serverText(r.resourceId, SHOWN_CHARS.id) }),
    ...(requestId && { requestId: serverText(requestId, SHOWN_CHARS.id) }),
  };
}
