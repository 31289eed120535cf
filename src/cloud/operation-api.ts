import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '@yandex-cloud/nodejs-sdk/dist/errors';
import { clientFactory } from '@yandex-cloud/nodejs-sdk/dist/utils/client-factory';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { OperationServiceService } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { ChannelCredentials, createChannel, Metadata, Status } from 'nice-grpc';
import { CancellerError } from '../errors';
import { backoffDelay } from './backoff';
import { statusOf } from './grpc-status';

export type { Operation };

export interface CallResult {
  readonly operation: Operation;
  readonly attempts: number;
  readonly apiRequestId: string | undefined;
}

/** A call that failed for good, after the retries; the gRPC error is its `cause`. */
export class CallError extends CancellerError {
  constructor(
    readonly method: 'get' | 'cancel',
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
 * The SDK's generated OperationService client over one TLS channel, without `Session` (which would
 * load axios, log4js and friends). Each attempt has the SDK's deadline middleware; the retries
 * are ours, not the SDK's: its retry middleware cannot see a status the SDK rewrapped as
 * ApiError, jitters only half the delay, and knows nothing of the invocation's time budget.
 */
export function createOperationApi(options: OperationApiOptions): OperationApi & { close(): void } {
  const channel = createChannel(options.endpoint, ChannelCredentials.createSsl(), CHANNEL_OPTIONS);
  const client = clientFactory.create(OperationServiceService, channel);
  const policy = { baseDelayMs: options.retryBaseDelayMs, maxDelayMs: MAX_RETRY_DELAY_MS };

  const call = async (
    method: 'get' | 'cancel',
    operationId: string,
    token: string,
    { signal, remainingMs = noLimits.remainingMs }: CallLimits = noLimits,
  ): Promise<CallResult> => {
    let apiRequestId: string | undefined;
    const remember = (metadata: Metadata) => {
      apiRequestId = metadata.get('x-request-id') ?? apiRequestId;
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const operation = await client[method](
          { operationId },
          {
            metadata: Metadata({ authorization: `Bearer ${token}` }),
            deadline: Math.max(1, Math.min(options.callTimeoutMs, remainingMs())),
            retry: false,
            ...(signal && { signal: signal as never }),
            onHeader: remember,
            onTrailer: remember,
          },
        );
        return { operation, attempts: attempt, apiRequestId };
      } catch (error) {
        const requestId = apiRequestId ?? (error instanceof ApiError ? error.requestId : undefined);
        const fail = () => new CallError(method, attempt, requestId, { cause: error });
        const status = statusOf(error);
        if (
          attempt > options.retryAttempts ||
          status === undefined ||
          !RETRYABLE_STATUSES.has(status)
        ) {
          throw fail();
        }
        const delay = backoffDelay(attempt - 1, policy);
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
    // A warm instance keeps its channel to the end; tests close theirs.
    close: () => channel.close(),
  };
}
