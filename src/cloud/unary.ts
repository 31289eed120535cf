import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ClientUnaryCall, Metadata, type ServiceError } from '@grpc/grpc-js';
import { CancellerError } from '../errors';
import type { RequestIds } from '../model';
import { backoffDelay } from './backoff';
import { Status, statusOf } from './grpc-status';

/** What bounds one call beyond its own deadline: the invocation's time budget. */
export interface CallLimits {
  readonly signal?: AbortSignal;
  readonly remainingMs?: () => number;
  /** More metadata for every attempt, such as a mutation's `idempotency-key`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface RetryOptions {
  readonly callTimeoutMs: number;
  readonly retryAttempts: number;
  readonly retryBaseDelayMs: number;
}

export interface Answer<T> {
  readonly value: T;
  readonly attempts: number;
  readonly ids: RequestIds;
}

/** A call that failed for good, after the retries; the gRPC error is its `cause`. */
export class CallError extends CancellerError {
  constructor(
    readonly method: string,
    readonly attempts: number,
    readonly ids: RequestIds,
    options: { cause: unknown },
  ) {
    super(`${method} failed after ${attempts} attempt(s)`, options);
    this.name = 'CallError';
  }
}

/** Transient by nature: the same call may well succeed a moment later. */
export const RETRYABLE_STATUSES: ReadonlySet<Status> = new Set([
  Status.UNAVAILABLE,
  Status.RESOURCE_EXHAUSTED,
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
]);

const MAX_RETRY_DELAY_MS = 5000;
const UNBOUNDED = () => Number.POSITIVE_INFINITY;

/** A generated grpc-js client method, as the SDK's clients have them. */
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

/** One attempt: resolves with the answer, or rejects with the grpc-js ServiceError. */
function attempt<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  token: string,
  client: Pick<RequestIds, 'clientTraceId' | 'clientRequestId'>,
  deadlineMs: number,
  { signal, metadata: extra = {} }: CallLimits,
  onServerIds: (ids: ServerIds) => void,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
    metadata.set('authorization', `Bearer ${token}`);
    metadata.set('x-request-id', client.clientRequestId);
    metadata.set('x-client-trace-id', client.clientTraceId);
    const remember = (md: Metadata) => {
      for (const [field, name] of Object.entries(SERVER_ID_HEADERS)) {
        const [value] = md.get(name);
        if (typeof value === 'string') onServerIds({ [field]: value });
      }
    };
    const cancel = () => call.cancel();
    const call = method(
      request,
      metadata,
      { deadline: Date.now() + deadlineMs },
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

/**
 * A unary call with the function's retry policy: transient statuses retried with exponential
 * backoff and full jitter, each attempt with its own deadline, all inside the time budget.
 */
export async function callWithRetries<Req, Res>(
  name: string,
  method: UnaryMethod<Req, Res>,
  request: Req,
  token: string,
  options: RetryOptions,
  limits: CallLimits = {},
): Promise<Answer<Res>> {
  const { signal, remainingMs = UNBOUNDED } = limits;
  const policy = { baseDelayMs: options.retryBaseDelayMs, maxDelayMs: MAX_RETRY_DELAY_MS };
  const clientTraceId = randomUUID();
  for (let attempts = 1; ; attempts++) {
    // Ids the server sent for an earlier attempt do not name this one.
    let ids: RequestIds = { clientTraceId, clientRequestId: randomUUID() };
    const remember = (found: ServerIds) => {
      ids = { ...ids, ...found };
    };
    try {
      const deadlineMs = Math.max(1, Math.min(options.callTimeoutMs, remainingMs()));
      const value = await attempt(method, request, token, ids, deadlineMs, limits, remember);
      return { value, attempts, ids };
    } catch (error) {
      const fail = () => new CallError(name, attempts, ids, { cause: error });
      const status = statusOf(error);
      const retryable = status !== undefined && RETRYABLE_STATUSES.has(status);
      if (attempts > options.retryAttempts || !retryable || signal?.aborted) throw fail();
      const delay = backoffDelay(attempts - 1, policy);
      if (delay >= remainingMs()) throw fail();
      await sleep(delay, undefined, { signal }).catch(() => {
        throw fail();
      });
    }
  }
}

/**
 * A connection that died while the instance was frozen is found by a ping, not by a call that
 * waits for an answer that never comes.
 */
export const CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 5_000,
} as const;
