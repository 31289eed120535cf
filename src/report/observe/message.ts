import { NotifyFormat } from '../../config';
import { ACTIVE_OPERATIONS_QUOTA, type FoldersNotHandedOn } from '../../model';
import type { Noteworthy } from './notify';

/** Telegram's sendMessage takes up to 4096 characters (core.telegram.org/bots/api#sendmessage). */
export const MAX_MESSAGE_CHARS = 4096;
/** The folders a message names where the active-operations quota was met; the rest counted. */
const QUOTA_FOLDERS_NAMED = 3;

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
  const more = where.length - QUOTA_FOLDERS_NAMED;
  const named = where.slice(0, QUOTA_FOLDERS_NAMED).join(', ');
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
