import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { OperationServiceClient } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { CancellerError } from '../errors';
import { backoffDelay } from './backoff';
import { Status, statusOf } from './grpc-status';

export type { Operation };

type Method = 'get' | 'cancel';

export interface CallResult {
  readonly operation: Operation;
  readonly attempts: number;
  readonly apiRequestId: string | undefined;
}

/** A call that failed for good, after the retries; the gRPC error is its `cause`. */
export class CallError extends CancellerError {
  constructor(
    readonly method: Method,
    readonly attempts: number,
    readonly apiRequestId: string | undefined,
    options: { cause: unknown },
  ) {
    super(`${method} failed after ${attempts} attempt(s)`, options);
    this.name = 'CallError';
  }
}

/** What bounds one call beyond its own deadline: the invocation's time budget. */
export interface CallLimits {
  readonly signal?: AbortSignal;
  readonly remainingMs?: () => number;
}

export interface OperationApi {
  get(operationId: string, token: string, limits?: CallLimits): Promise<CallResult>;
  cancel(operationId: string, token: string, limits?: CallLimits): Promise<CallResult>;
}

export interface OperationApiOptions {
  readonly endpoint: string;
  readonly callTimeoutMs: number;
  readonly retryAttempts: number;
  readonly retryBaseDelayMs: number;
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

/**
 * A connection that died while the instance was frozen is found by a ping, not by a call that
 * waits for an answer that never comes.
 */
const CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 5_000,
} as const;

const noLimits = { remainingMs: () => Number.POSITIVE_INFINITY };

/**
 * The SDK's generated OperationService client, a plain grpc-js client over one TLS channel:
 * no `Session` (which would load axios, log4js and friends) and no nice-grpc middleware, which
 * measured as a fifth of the cold start for nothing a unary call needs. Deadlines and
 * cancellation are grpc-js's own; the retries are ours, with full jitter, inside the
 * invocation's time budget.
 */
export function createOperationApi(
  options: OperationApiOptions,
): OperationApi & { connect(): void; close(): void } {
  const client = new OperationServiceClient(
    options.endpoint,
    credentials.createSsl(),
    CHANNEL_OPTIONS,
  );
  const policy = { baseDelayMs: options.retryBaseDelayMs, maxDelayMs: MAX_RETRY_DELAY_MS };

  /** One attempt: resolves with the operation, or rejects with the grpc-js ServiceError. */
  const attempt = (
    method: Method,
    operationId: string,
    token: string,
    deadlineMs: number,
    signal: AbortSignal | undefined,
    onRequestId: (id: string) => void,
  ) =>
    new Promise<Operation>((resolve, reject) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      const remember = (md: Metadata) => {
        const [id] = md.get('x-request-id');
        if (typeof id === 'string') onRequestId(id);
      };
      const cancel = () => call.cancel();
      const call = client[method](
        { operationId },
        metadata,
        { deadline: Date.now() + deadlineMs },
        (error: ServiceError | null, operation: Operation) => {
          signal?.removeEventListener('abort', cancel);
          if (error) reject(error);
          else resolve(operation);
        },
      );
      call.on('metadata', remember);
      call.on('status', ({ metadata: trailers }) => remember(trailers));
      if (signal?.aborted) call.cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
    });

  const call = async (
    method: Method,
    operationId: string,
    token: string,
    { signal, remainingMs = noLimits.remainingMs }: CallLimits = noLimits,
  ): Promise<CallResult> => {
    let apiRequestId: string | undefined;
    const remember = (id: string) => {
      apiRequestId = id;
    };
    for (let attempts = 1; ; attempts++) {
      try {
        const deadlineMs = Math.max(1, Math.min(options.callTimeoutMs, remainingMs()));
        const operation = await attempt(method, operationId, token, deadlineMs, signal, remember);
        return { operation, attempts, apiRequestId };
      } catch (error) {
        const fail = () => new CallError(method, attempts, apiRequestId, { cause: error });
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
  };

  return {
    get: (operationId, token, limits) => call('get', operationId, token, limits),
    cancel: (operationId, token, limits) => call('cancel', operationId, token, limits),
    // Starts the TLS handshake now rather than on the first call.
    connect: () => void client.getChannel().getConnectivityState(true),
    // A warm instance keeps its channel to the end; tests close theirs.
    close: () => client.close(),
  };
}
