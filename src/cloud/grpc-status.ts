import { status as Status } from '@grpc/grpc-js';
import { redacted } from '../printable';

export { Status };

const STATUS_NAMES = new Set(Object.keys(Status).filter((k) => Number.isNaN(Number(k))));

/**
 * The gRPC status of a failed call. grpc-js errors carry a numeric `code`; errors that went
 * through the SDK's own middleware may have been rewrapped as its ApiError, which keeps only the
 * message ("<path> <STATUS>: <details>"), so the name is read back from there too.
 */
export function statusOf(error: unknown): Status | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'number' && Status[code] !== undefined) return code;
  if (typeof message !== 'string') return undefined;
  const name = /^\S+ ([A-Z_]+): /.exec(message)?.[1];
  return name !== undefined && STATUS_NAMES.has(name)
    ? Status[name as keyof typeof Status]
    : undefined;
}

/**
 * The name of a status code as an operation's `error` carries it: a google.rpc.Status code is any
 * number, so one gRPC does not define is named by its number.
 */
export function statusName(code: number): string {
  return Status[code] ?? `CODE_${code}`;
}

/** An answer that reached the client and could not be used: the server did answer the call. */
export const Unreadable = {
  /** grpc-js could not decode it, as with a Timestamp whose seconds no JavaScript number holds. */
  Unparsable: 'unparsable',
  /** Past grpc-js's receive limit (`grpc.max_receive_message_length`, 4 MB by default). */
  Oversize: 'oversize',
} as const;
export type Unreadable = (typeof Unreadable)[keyof typeof Unreadable];

/**
 * grpc-js's own words for an answer it received and could not use (client-interceptors.js,
 * subchannel-call.js), and how to say them. Anchored, because a server's status may quote gRPC's
 * wording about the request: grpc-go's "grpc: received message larger than max" is a server
 * refusing ours.
 */
const UNREADABLE_DETAILS = [
  {
    kind: Unreadable.Unparsable,
    status: Status.INTERNAL,
    details: /^Response message parsing error: ([\s\S]*)$/,
    words: ([, why]: RegExpExecArray) => `its answer could not be read: ${why}`,
  },
  {
    kind: Unreadable.Oversize,
    status: Status.RESOURCE_EXHAUSTED,
    details: /^Received message larger than max \((\d+) vs\.? (\d+)\)/,
    words: ([, size, max]: RegExpExecArray) =>
      `its answer is larger than the client accepts (${size} bytes, at most ${max})`,
  },
] as const;

function unreadable(error: unknown) {
  const status = statusOf(error);
  const details = detailsOf(error);
  for (const known of UNREADABLE_DETAILS) {
    const match = known.status === status ? known.details.exec(details) : null;
    if (match) return { known, match };
  }
  return undefined;
}

/**
 * Whether a failed call was answered with what the client could not read. A retry gets the same
 * answer, so it is final, though its status (INTERNAL, RESOURCE_EXHAUSTED) is otherwise transient;
 * and the server did answer, so a Cancel that ends so may well have been accepted.
 */
export function unreadableAnswer(error: unknown): Unreadable | undefined {
  return unreadable(error)?.known.kind;
}

/**
 * The platform's words when a folder's active operations are at their quota, as users quote them:
 * "RESOURCE_EXHAUSTED: The limit on maximum number of active operations has exceeded"
 * (yc-actions/yc-github-runner #700, 2026-08; the same text in YDB's VM-deploy scripts and
 * arenadata/ansible-module-yandex-cloud #9). Matched loosely (any case, with or without its stop,
 * "running" or "concurrent" for "active", "quota" for "limit"), since only the text tells this
 * quota from request-rate throttling, which answers RESOURCE_EXHAUSTED too. The quantifiers are
 * bounded and the text is cut first, so a long answer costs little.
 */
const ACTIVE_OPERATIONS_WORDS =
  /\b(?:limit|quota)\b[^.]{0,80}?\b(?:active|running|concurrent|simultaneous) operations\b|\b(?:active|running|concurrent|simultaneous) operations\b[^.]{0,80}?\b(?:limit|quota)\b/i;
const QUOTA_TEXT_CHARS = 1024;

/** Whether a status and its text say that the folder's active-operations quota is spent. */
export function namesActiveOperationsQuota(status: Status | undefined, details: string): boolean {
  if (status !== Status.RESOURCE_EXHAUSTED) return false;
  return ACTIVE_OPERATIONS_WORDS.test(details.slice(0, QUOTA_TEXT_CHARS).replace(/\s+/g, ' '));
}

/** Whether a failed call was answered RESOURCE_EXHAUSTED for the active-operations quota. */
export const hitActiveOperationsQuota = (error: unknown): boolean =>
  namesActiveOperationsQuota(statusOf(error), detailsOf(error));

/** What each status means, as a person would say it. */
const STATUS_WORDS: Readonly<Record<Status, string>> = {
  [Status.OK]: 'no error',
  [Status.CANCELLED]: 'cancelled',
  [Status.UNKNOWN]: 'unknown error',
  [Status.INVALID_ARGUMENT]: 'invalid argument',
  [Status.DEADLINE_EXCEEDED]: 'no answer in time',
  [Status.NOT_FOUND]: 'not found',
  [Status.ALREADY_EXISTS]: 'already exists',
  [Status.PERMISSION_DENIED]: 'permission denied',
  [Status.RESOURCE_EXHAUSTED]: 'rate limit or quota exceeded',
  [Status.FAILED_PRECONDITION]: 'refused in its current state',
  [Status.ABORTED]: 'aborted',
  [Status.OUT_OF_RANGE]: 'out of range',
  [Status.UNIMPLEMENTED]: 'not supported by this API',
  [Status.INTERNAL]: 'internal server error',
  [Status.UNAVAILABLE]: 'service unavailable',
  [Status.DATA_LOSS]: 'data loss',
  [Status.UNAUTHENTICATED]: 'not authenticated (the IAM token is missing, invalid or expired)',
};

/** Socket errors as grpc-js quotes them in "Last error: …". */
const SOCKET_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name could not be resolved (DNS lookup failed)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
};

/** "5 s", "1.5 s", "300 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** The text after "<code> <STATUS>: " (grpc-js) or "<path> <STATUS>: " (the SDK's ApiError). */
export function detailsOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error ?? '');
  const { details, message } = error as { details?: unknown; message?: unknown };
  if (typeof details === 'string') return details;
  if (typeof message !== 'string') return '';
  return /^\S+ [A-Z_]+: ([\s\S]*)$/.exec(message)?.[1] ?? message;
}

/** Why no connection was made, from grpc-js's "No connection established. Last error: …". */
function connectFailure(details: string): string | undefined {
  if (/^Name resolution failed/i.test(details)) return 'host name could not be resolved';
  const last =
    /No connection established\. Last error: (?:\w*Error: )?([\s\S]*?)\.?(?: Resolution note:[\s\S]*)?$/.exec(
      details,
    )?.[1];
  if (last === undefined) return undefined;
  const code = /\b(E[A-Z_]{3,})\b/.exec(last)?.[1];
  return (code && SOCKET_WORDS[code]) || last.trim() || 'no connection';
}

export interface StatusContext {
  /** How long the failing attempt was given. */
  readonly timeoutMs?: number;
  /** The attempt's deadline was what was left of the invocation's time budget. */
  readonly budgetBound?: boolean;
  /** The invocation's time budget ran out and cut the call. */
  readonly budgetRanOut?: boolean;
}

/**
 * A failed call's status in words a person knows, with grpc-js's jargon ("Waiting for LB pick",
 * "No connection established") said plainly and the status name kept in brackets for searches:
 * "could not connect within 5 s (DEADLINE_EXCEEDED)", "permission denied: … (PERMISSION_DENIED)".
 */
export function describeStatus(error: unknown, context: StatusContext = {}): string {
  const status = statusOf(error);
  // A server may echo what it was sent, the token included.
  const details = redacted(detailsOf(error).trim());
  const name = status === undefined ? 'NO_STATUS' : Status[status];
  const within =
    context.timeoutMs === undefined
      ? ''
      : ` within ${formatDuration(context.timeoutMs)}${context.budgetBound ? " (what was left of the invocation's time budget)" : ''}`;
  const words = (() => {
    if (
      context.budgetRanOut &&
      (status === Status.CANCELLED || status === Status.DEADLINE_EXCEEDED)
    )
      return "stopped: the invocation's time budget ran out";
    if (status === Status.DEADLINE_EXCEEDED) {
      // grpc-js tells where the time went; a call that never got a connection says so.
      const connecting =
        /Waiting for LB pick|waiting for name resolution|waiting for metadata filters/i;
      return connecting.test(details) ? `could not connect${within}` : `no answer${within}`;
    }
    if (status === Status.UNAVAILABLE) {
      const why = connectFailure(details);
      if (why !== undefined) return `could not connect: ${why}`;
    }
    // grpc-js reports these under a server's status, but the server's answer arrived: the
    // trouble is the client's reading of it.
    const answer = unreadable(error);
    if (answer !== undefined) return answer.known.words(answer.match);
    if (status === undefined) return details || 'failed with no status';
    const plain = STATUS_WORDS[status];
    // The server's own words, when they say more than the status does.
    const extra = details !== '' && details.toLowerCase() !== plain.toLowerCase() ? details : '';
    return extra === '' ? plain : `${plain}: ${extra}`;
  })();
  return `${words} (${name})`;
}
