import { randomUUID } from 'node:crypto';
import {
  Client,
  type ClientUnaryCall,
  credentials,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import { type CallEnding, CallError, type CallName, SlotWaitError } from '../errors';
import type { RequestIds } from '../model';
import { describeStatus, Status, statusOf, unreadableAnswer } from './grpc-status';
import type { Slots } from './in-flight';
import { callPolicy, type RetryOptions, retrying, type Tried } from './retry';

/** One failed attempt that is about to be tried again. */
export interface RetryInfo extends CallName {
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** Its status name: `UNAVAILABLE`, `DEADLINE_EXCEEDED`. */
  readonly code: string;
  /** What went wrong, in plain words. */
  readonly message: string;
  /** The wait before the next attempt. */
  readonly delayMs: number;
}

/** What bounds one call beyond its own deadline: the invocation's time budget. */
export interface CallLimits {
  readonly signal?: AbortSignal;
  readonly remainingMs?: () => number;
  /** More metadata for every attempt, such as a mutation's `idempotency-key`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Told of each retry before its wait, so a caller with a logger can say so. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** The instance's bound on calls in flight: each attempt holds a slot, its backoff none. */
  readonly slots?: Slots;
}

export interface Answer<T> {
  readonly value: T;
  readonly attempts: number;
  readonly ids: RequestIds;
}

/**
 * A call that failed for good, its problem worded from its status in words a person knows
 * ("could not connect within 5 s (DEADLINE_EXCEEDED)").
 */
export function callError(
  call: string | CallName,
  attempts: number,
  ids: RequestIds,
  ending: CallEnding,
): CallError {
  const budgetBound = ending.budgetBound ?? false;
  const problem = describeStatus(ending.cause, {
    ...(ending.timeoutMs !== undefined && { timeoutMs: ending.timeoutMs }),
    budgetBound,
    budgetRanOut: budgetBound,
  });
  const name = typeof call === 'string' ? { method: call } : call;
  return new CallError(name, attempts, ids, { ...ending, problem });
}

/**
 * Whether a failure is a CallError, told by its name: a bundle lent callWithRetries
 * (dist/sweep.js) recognises the calls' failures as data, not by the identity of a class.
 */
export const isCallError = (error: unknown): error is CallError =>
  error instanceof Error && error.name === 'CallError';

/** The invocation's token as calls carry it: the one in use, and a fresh one after a refusal. */
export interface BearerToken {
  current(): string;
  /**
   * The token to retry with after `rejected` was refused as not authenticated, or undefined when
   * there is none, or none came before the invocation's time budget ran out.
   */
  replace(rejected: string): Promise<string | undefined>;
}

/** Refusals of a token whose replacement the time budget cut short, as they were thrown on. */
const REFRESH_CUT = new WeakSet<object>();

/**
 * Whether a failure is the API's refusal of a token that no fresh one replaced because the time
 * budget ran out first: the budget's doing, not a refusal of the service account.
 */
export const refreshCut = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && REFRESH_CUT.has(error);
/** What such a refusal's message ends with. */
export const REFRESH_CUT_SHORT = 'the time budget ran out while getting a fresh IAM token';

/**
 * A call with the invocation's token, made once more with a fresh one when the API answers
 * UNAUTHENTICATED: the token may have expired or been revoked since it was issued. The fresh
 * one's refusal stands, as does the first's when no fresh one came; when `signal` (the time
 * budget's) ended the wait for one, the refusal is marked so (`refreshCut`).
 */
export async function withFreshToken<T>(
  token: BearerToken,
  call: (bearer: string) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const used = token.current();
  try {
    return await call(used);
  } catch (error) {
    if (!isCallError(error) || statusOf(error.cause) !== Status.UNAUTHENTICATED) throw error;
    const fresh = await token.replace(used);
    if (fresh === undefined) {
      if (signal?.aborted) REFRESH_CUT.add(error);
      throw error;
    }
    return call(fresh);
  }
}

/**
 * A generated client's method by its proto name, `FunctionService.List`, read from the
 * client's service definition; `key` itself for a client that has none.
 */
export function methodName(client: object, key: string): string {
  const owner = (typeof client === 'function' ? client : client.constructor) as {
    service?: Record<string, { path?: unknown } | undefined>;
  };
  const path = owner.service?.[key]?.path;
  const match = typeof path === 'string' ? /([^./]+)\/([^/]+)$/.exec(path) : null;
  return match ? `${match[1]}.${match[2]}` : key;
}

/** A unary method of a cloudapi service, and how its request and its answer go on the wire. */
export interface RpcMethod<Req, Res> {
  /** The service's full name: `yandex.cloud.operation.OperationService`. */
  readonly service: string;
  /** The method's name in the proto: `Get`, `ListOperations`. */
  readonly method: string;
  encode(request: Req): Buffer;
  decode(bytes: Buffer): Res;
}

/** `OperationService.Get`: the method as errors and retry lines name it. */
export const rpcName = ({ service, method }: RpcMethod<never, unknown>): string =>
  `${service.slice(service.lastIndexOf('.') + 1)}.${method}`;

/** The method as a client's call, over the client's channel. */
export function unaryMethod<Req, Res>(
  client: Client,
  rpc: RpcMethod<Req, Res>,
): UnaryMethod<Req, Res> {
  const path = `/${rpc.service}/${rpc.method}`;
  return (request, metadata, options, callback) =>
    client.makeUnaryRequest(
      path,
      rpc.encode,
      rpc.decode,
      request,
      metadata,
      options,
      (error, value) => callback(error, value as Res),
    );
}

/** Transient by nature: the same call may well succeed a moment later. */
export const RETRYABLE_STATUSES: ReadonlySet<Status> = new Set([
  Status.UNAVAILABLE,
  Status.RESOURCE_EXHAUSTED,
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
]);

const NO_SLOTS: Slots = { hold: (work) => work() };

/** A grpc-js client's unary method, as unaryMethod() makes one and the SDK's clients have them. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** The server's ids, from whichever of its headers and trailers carried them. */
type ServerIds = Pick<RequestIds, 'apiRequestId' | 'serverTraceId'>;

const SERVER_ID_HEADERS = {
  apiRequestId: 'x-request-id',
  serverTraceId: 'x-server-trace-id',
} as const;

/** What one attempt sends: the request, with the token and ids in its metadata. */
interface Sent<Req, Res> {
  readonly method: UnaryMethod<Req, Res>;
  readonly request: Req;
  readonly token: string;
  readonly ids: Pick<RequestIds, 'clientTraceId' | 'clientRequestId'>;
  readonly deadlineMs: number;
}

/** One attempt: resolves with the answer, or rejects with the grpc-js ServiceError. */
function attempt<Req, Res>(
  sent: Sent<Req, Res>,
  { signal, metadata: extra = {} }: CallLimits,
  onServerIds: (ids: ServerIds) => void,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
    metadata.set('authorization', `Bearer ${sent.token}`);
    metadata.set('x-request-id', sent.ids.clientRequestId);
    metadata.set('x-client-trace-id', sent.ids.clientTraceId);
    const remember = (md: Metadata) => {
      for (const [field, name] of Object.entries(SERVER_ID_HEADERS)) {
        const [value] = md.get(name);
        if (typeof value === 'string') onServerIds({ [field]: value });
      }
    };
    const cancel = () => call.cancel();
    const call = sent.method(
      sent.request,
      metadata,
      { deadline: Date.now() + sent.deadlineMs },
      (error, response) => {
        signal?.removeEventListener('abort', cancel);
        if (error) reject(error);
        else resolve(response);
      },
    );
    call.on('metadata', remember);
    call.on('status', ({ metadata: trailers }) => remember(trailers));
    if (signal?.aborted) call.cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
  });
}

/** How an attempt failed: what it failed with, the ids it went out and came back with, its time. */
interface FailedAttempt {
  readonly error: unknown;
  readonly ids: RequestIds;
  /** The attempt's deadline, and the budget's remainder when it was set; 0 for one never sent. */
  readonly deadlineMs: number;
  readonly leftMs: number;
}

/** A call's options: the function's retry settings, and what bounds this call. */
export type CallOptions = RetryOptions & CallLimits;

/**
 * A unary call with the function's retry policy: transient statuses retried with exponential
 * backoff and full jitter, each attempt with its own deadline, all inside the time budget.
 */
export async function callWithRetries<Req, Res>(
  name: string | CallName,
  method: UnaryMethod<Req, Res>,
  request: Req,
  token: string,
  options: CallOptions,
): Promise<Answer<Res>> {
  const { signal, remainingMs = () => Number.POSITIVE_INFINITY, onRetry } = options;
  const slots = options.slots ?? NO_SLOTS;
  const call = typeof name === 'string' ? { method: name } : name;
  const clientTraceId = randomUUID();
  // The last attempt that went out: a wait for a slot after it names it.
  let lastSent: RequestIds | undefined;
  const once = async (): Promise<Tried<Omit<Answer<Res>, 'attempts'>, FailedAttempt>> => {
    // Ids the server sent for an earlier attempt do not name this one.
    let ids: RequestIds = { clientTraceId, clientRequestId: randomUUID() };
    const remember = (found: ServerIds) => {
      ids = { ...ids, ...found };
    };
    // Set once a slot is had: the wait for it is not the attempt's time.
    let leftMs = 0;
    let deadlineMs = 0;
    const send = () => {
      leftMs = remainingMs();
      deadlineMs = Math.max(1, Math.min(options.callTimeoutMs, leftMs));
      return attempt({ method, request, token, ids, deadlineMs }, options, remember);
    };
    try {
      const value = await slots.hold(send, signal);
      return { ok: true, value: { value, ids } };
    } catch (error) {
      // Only the budget's signal stops the wait, and this attempt was never sent.
      if (error instanceof SlotWaitError) {
        return { ok: false, failure: { error, ids, deadlineMs, leftMs }, retryable: false };
      }
      lastSent = ids;
      // An answer the client could not read comes back the same however often it is asked for.
      const status = statusOf(error);
      const retryable =
        status !== undefined && RETRYABLE_STATUSES.has(status) && !unreadableAnswer(error);
      return { ok: false, failure: { error, ids, deadlineMs, leftMs }, retryable };
    }
  };
  const ended = await retrying(once, {
    policy: callPolicy(options),
    ...(signal && { signal }),
    remainingMs,
    ...(onRetry && {
      onRetry: ({ attempt: n, failure, delayMs }) =>
        onRetry({
          ...call,
          attempt: n,
          code: Status[statusOf(failure.error) as Status],
          message: describeStatus(failure.error, { timeoutMs: failure.deadlineMs }),
          delayMs: Math.round(delayMs),
        }),
    }),
  });
  if (ended.ok) return { ...ended.value, attempts: ended.attempts };
  const { error, ids, deadlineMs, leftMs } = ended.failure;
  if (error instanceof SlotWaitError) {
    throw callError(call, ended.attempts - 1, lastSent ?? ids, { cause: error, budgetBound: true });
  }
  // A timeout of the budget's making is the budget's; CALL_TIMEOUT_MS's is the call's.
  const budgetBound =
    signal?.aborted === true ||
    (statusOf(error) === Status.DEADLINE_EXCEEDED && leftMs < options.callTimeoutMs);
  throw callError(call, ended.attempts, ids, { cause: error, timeoutMs: deadlineMs, budgetBound });
}

/**
 * A connection that died while the instance was frozen is found by a ping, not by a call that
 * waits for an answer that never comes.
 */
export const CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 5_000,
} as const;

/** One channel per endpoint, kept while the instance is warm, as the cancel client's is. */
const clients = new Map<string, Client>();

/** The method as a call over the endpoint's channel. */
export function methodAt<Req, Res>(
  endpoint: string,
  rpc: RpcMethod<Req, Res>,
): UnaryMethod<Req, Res> {
  let client = clients.get(endpoint);
  if (client === undefined) {
    client = new Client(endpoint, credentials.createSsl(), CHANNEL_OPTIONS);
    clients.set(endpoint, client);
  }
  return unaryMethod(client, rpc);
}
