import { NotifyFormat } from '../../config';
import { type OperationResult, Outcome, type Report } from '../../model';
import { shortened } from '../../printable';

/** The outcomes a team hears about; anything else is a quiet run. */
const NOTEWORTHY: ReadonlySet<string> = new Set([Outcome.Cancelled, Outcome.Failed, Outcome.Stuck]);
/** Operations listed in one message; the counts cover the rest. */
export const MAX_LISTED = 20;
/**
 * How much of each listed operation's id and description a message shows: the server's text may
 * be any length, and Telegram refuses a message over 4096 characters, so 20 lines must fit in it.
 */
const SHOWN_CHARS = { id: 64, description: 80 } as const;

export interface Noteworthy {
  readonly dryRun: boolean;
  readonly counts: Readonly<Record<string, number>>;
  readonly refused: boolean;
  readonly operations: ReadonlyArray<{
    readonly id: string;
    readonly outcome: string;
    readonly description?: string;
    readonly ageSeconds?: number;
  }>;
  readonly omitted: number;
}

const ageOf = (result: OperationResult, now: number) =>
  result.ageSeconds ??
  (result.createdAt === undefined
    ? undefined
    : Math.round((now - Date.parse(result.createdAt)) / 1000));

/** What a message says, or undefined for a run nobody needs to hear about. */
export function noteworthy(
  report: Report,
  dryRun: boolean,
  now = Date.now(),
): Noteworthy | undefined {
  const refused = report.summary.sweep?.refused ?? false;
  // In a dry run, what would have been cancelled is the news.
  const listed = report.results.filter(
    (r) => NOTEWORTHY.has(r.outcome) || (r.outcome === Outcome.Skipped && r.reason === 'dry_run'),
  );
  if (listed.length === 0 && !refused) return undefined;
  const counts: Record<string, number> = {};
  for (const { outcome } of report.results) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return {
    dryRun,
    counts,
    refused,
    operations: listed.slice(0, MAX_LISTED).map((r) => {
      const age = ageOf(r, now);
      return {
        id: shortened(r.operationId, SHOWN_CHARS.id),
        outcome: r.outcome,
        ...(r.description && { description: shortened(r.description, SHOWN_CHARS.description) }),
        ...(age !== undefined && { ageSeconds: age }),
      };
    }),
    omitted: Math.max(0, listed.length - MAX_LISTED),
  };
}

const minutes = (s: number | undefined) =>
  s === undefined ? 'age unknown' : `${Math.round(s / 60)} min old`;

/** The message as text: counts first, then one line per operation. */
export function messageText(note: Noteworthy): string {
  const counts = Object.entries(note.counts)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  return [
    `operation canceller${note.dryRun ? ' (dry run)' : ''}: ${counts}${note.refused ? '; a sweep was refused by MAX_CANCELS_PER_RUN' : ''}`,
    ...note.operations.map(
      (op) =>
        `- ${op.id} ${op.outcome}: ${op.description ?? 'no description'}, ${minutes(op.ageSeconds)}`,
    ),
    ...(note.omitted > 0 ? [`and ${note.omitted} more`] : []),
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
