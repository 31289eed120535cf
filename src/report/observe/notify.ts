import { NotifyFormat } from '../../config';
import {
  ACTIVE_OPERATIONS_QUOTA,
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
/** Telegram's sendMessage takes up to 4096 characters (core.telegram.org/bots/api#sendmessage). */
export const MAX_MESSAGE_CHARS = 4096;
/**
 * With the active-operations quota met, a message lists fewer operations, names 3 of its folders
 * and cuts its holders' descriptions shorter, so that its holders fit beside them in Telegram's
 * 4096 characters too.
 */
const BESIDE_QUOTA = { listed: 10, folders: 3 } as const;

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
  const maxListed = quota ? BESIDE_QUOTA.listed : MAX_LISTED;
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

const minutes = (s: number | undefined) =>
  s === undefined ? 'age unknown' : `${Math.round(s / 60)} min old`;

/** A month: longer than any threshold a request may give (olderThan's 30d). */
const MONTH_SECONDS = 30 * 86_400;

/** A duration as a person reads it: seconds under two minutes, minutes up to a month. */
const span = (s: number) =>
  s < 120 ? `${Math.round(s)} s` : s <= MONTH_SECONDS ? `${Math.round(s / 60)} min` : 'over 30 d';

/** `; 12 folders not handed on (b1ga, b1gb, …)`, or nothing. */
function handOffs(notHandedOn: FoldersNotHandedOn | undefined): string {
  if (notHandedOn === undefined) return '';
  const { count, folderIds } = notHandedOn;
  const more = count > folderIds.length ? ', …' : '';
  return `; ${count} folder(s) not handed on (${folderIds.join(', ')}${more})`;
}

/** One operation's line: what it is, then what to do next and the ids to do it with. */
function operationLine(op: Noteworthy['operations'][number]): string {
  const ids = [
    op.resourceId && `resource ${op.resourceId}`,
    op.requestId && `request ${op.requestId}`,
  ].filter(Boolean);
  return `- ${op.id} ${op.outcome}: ${op.description ?? 'no description'}, ${minutes(op.ageSeconds)}${op.next ? ` → ${op.next}` : ''}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}`;
}

/** The lines that fit in `room` characters with the `and N more` line, and that line. */
function fitted(lines: readonly string[], omitted: number, room: number): string[] {
  const more = (n: number) => (n > 0 ? [`and ${n} more`] : []);
  const kept: string[] = [];
  let used = 0;
  for (const [i, line] of lines.entries()) {
    // The line, its newline, and room for the count of what would still be left out after it.
    const after = more(omitted + lines.length - i - 1).join('').length;
    if (used + line.length + 1 + (after > 0 ? after + 1 : 0) > room) break;
    kept.push(line);
    used += line.length + 1;
  }
  return [...kept, ...more(omitted + lines.length - kept.length)];
}

/** `; RESOURCE_EXHAUSTED for the quota … in folder b1ga (17 running)`, or nothing. */
function quotaWords(quota: Noteworthy['activeOperationsQuota']): string {
  if (quota === undefined) return '';
  const where = quota.folders
    .filter((f) => f.folderId !== undefined)
    .map((f) => `${f.folderId}${f.running === undefined ? '' : ` (${f.running} running)`}`);
  const more = where.length - BESIDE_QUOTA.folders;
  const named = where.slice(0, BESIDE_QUOTA.folders).join(', ');
  const folders =
    where.length === 0 ? '' : ` in folder ${named}${more > 0 ? ` and ${more} more folders` : ''}`;
  return `; RESOURCE_EXHAUSTED for the quota on ${ACTIVE_OPERATIONS_QUOTA.name}${folders} (Compute Cloud's is ${ACTIVE_OPERATIONS_QUOTA.documented} by default: ${ACTIVE_OPERATIONS_QUOTA.docs})`;
}

/** The oldest running operations, which hold the quota: one line each. */
const holdingLines = (quota: Noteworthy['activeOperationsQuota']): string[] =>
  (quota?.oldestRunning ?? []).map(
    (op) =>
      `- ${op.operationId} running, holding the quota: ${op.description ?? 'no description'}, ${minutes(op.ageSeconds)}, on ${op.resourceKind} ${op.resourceId}`,
  );

/** The message as text: counts first, then one line per operation, as many as Telegram takes. */
export function messageText(note: Noteworthy): string {
  const counts = Object.entries(note.counts)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  const refusals = note.refusedListings.map(({ what, count }) => `${what} ×${count}`).join(', ');
  const grant =
    note.missingRoles.length > 0
      ? `; the service account needs ${note.missingRoles.join(', ')} (docs/iam.md)`
      : '';
  const head = `operation canceller${note.dryRun ? ' (dry run)' : ''}: ${counts || '0 operations'}${note.refused ? '; a sweep was refused by the blast-radius guard (MAX_CANCELS_PER_RUN, or its maxCancelsTotal)' : ''}${refusals ? `; listings refused: ${refusals}` : ''}${grant}${handOffs(note.notHandedOn)}${quotaWords(note.activeOperationsQuota)}`;
  // The quota's holders and the learnt line are bounded (BESIDE_QUOTA, LEARNT_SHOWN): the
  // operations fit in what they leave.
  const tail = [...holdingLines(note.activeOperationsQuota), ...learntLine(note)];
  const lines = note.operations.map(operationLine);
  const room = MAX_MESSAGE_CHARS - [head, ...tail].join('\n').length - 1;
  return [head, ...fitted(lines, note.omitted, room), ...tail].join('\n');
}

/** `learnt: compute.instance "Create instance" usually 1 min (20 done), stuck after 5 min`. */
function learntLine(note: Noteworthy): string[] {
  if (note.learnt === undefined) return [];
  const pairs = note.learnt.map(
    (l) =>
      `${l.kind} "${l.description}" usually ${span(l.medianSeconds)} (${l.samples} done), stuck after ${span(l.thresholdSeconds)}`,
  );
  const more = note.learntOmitted ? `; ${note.learntOmitted} more in the summary` : '';
  return [`learnt: ${pairs.join('; ')}${more}`];
}

/** The request body for each format: ours, Slack's incoming webhook, Telegram's sendMessage. */
export function messageBody(note: Noteworthy, format: NotifyFormat, chatId?: string): object {
  switch (format) {
    case NotifyFormat.Slack:
      return { text: messageText(note) };
    case NotifyFormat.Telegram:
      return { chat_id: chatId, text: messageText(note), disable_web_page_preview: true };
    case NotifyFormat.Json:
      return { text: messageText(note), ...note };
  }
}
