import { NotifyFormat } from '../../config';
import {
  ACTIVE_OPERATIONS_QUOTA,
  type FoldersNotHandedOn,
  OLDEST_RUNNING_NAMED,
  type OperationResult,
  Outcome,
  type Report,
  type RunningOperation,
} from '../../model';
import { shortened } from '../../printable';

/** The outcomes a team hears about; anything else is a quiet run. */
const NOTEWORTHY: ReadonlySet<string> = new Set([Outcome.Cancelled, Outcome.Failed, Outcome.Stuck]);
/** Operations listed in one message; the counts cover the rest. */
export const MAX_LISTED = 20;
/**
 * How much of each listed operation's id and description a message shows: the server's text may
 * be any length, and Telegram refuses a message over 4096 characters, so 20 lines must fit in it.
 */
const SHOWN_CHARS = { id: 64, description: 80, holder: 40 } as const;
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
  readonly operations: ReadonlyArray<{
    readonly id: string;
    readonly outcome: string;
    readonly description?: string;
    readonly ageSeconds?: number;
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
      operationId: shortened(op.operationId, SHOWN_CHARS.id),
      resourceId: shortened(op.resourceId, SHOWN_CHARS.id),
      ...(op.description && { description: shortened(op.description, SHOWN_CHARS.holder) }),
    }));
  const folders = hits.map(({ folderId, running }) => ({
    ...(folderId !== undefined && { folderId: shortened(folderId, SHOWN_CHARS.id) }),
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
    ...(notHandedOn && { notHandedOn }),
    ...(quota && { activeOperationsQuota: quota }),
    operations: listed.slice(0, maxListed).map((r) => {
      const age = ageOf(r, now);
      return {
        id: shortened(r.operationId, SHOWN_CHARS.id),
        outcome: r.outcome,
        ...(r.description && { description: shortened(r.description, SHOWN_CHARS.description) }),
        ...(age !== undefined && { ageSeconds: age }),
      };
    }),
    omitted: Math.max(0, listed.length - maxListed),
  };
}

const minutes = (s: number | undefined) =>
  s === undefined ? 'age unknown' : `${Math.round(s / 60)} min old`;

/** `; 12 folders not handed on (b1ga, b1gb, …)`, or nothing. */
function handOffs(notHandedOn: FoldersNotHandedOn | undefined): string {
  if (notHandedOn === undefined) return '';
  const { count, folderIds } = notHandedOn;
  const more = count > folderIds.length ? ', …' : '';
  return `; ${count} folder(s) not handed on (${folderIds.join(', ')}${more})`;
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

/** The message as text: counts first, then one line per operation. */
export function messageText(note: Noteworthy): string {
  const counts = Object.entries(note.counts)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  const refusals = note.refusedListings.map(({ what, count }) => `${what} ×${count}`).join(', ');
  const grant =
    note.missingRoles.length > 0
      ? `; the service account needs ${note.missingRoles.join(', ')} (docs/iam.md)`
      : '';
  return [
    `operation canceller${note.dryRun ? ' (dry run)' : ''}: ${counts || '0 operations'}${note.refused ? '; a sweep was refused by MAX_CANCELS_PER_RUN' : ''}${refusals ? `; listings refused: ${refusals}` : ''}${grant}${handOffs(note.notHandedOn)}${quotaWords(note.activeOperationsQuota)}`,
    ...note.operations.map(
      (op) =>
        `- ${op.id} ${op.outcome}: ${op.description ?? 'no description'}, ${minutes(op.ageSeconds)}`,
    ),
    ...(note.omitted > 0 ? [`and ${note.omitted} more`] : []),
    ...holdingLines(note.activeOperationsQuota),
  ].join('\n');
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
