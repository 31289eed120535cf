import { ApiError } from '@yandex-cloud/nodejs-sdk/dist/errors';
import { clientFactory } from '@yandex-cloud/nodejs-sdk/dist/utils/client-factory';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { OperationServiceService } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { ChannelCredentials, createChannel, Metadata, Status } from 'nice-grpc';
import { CancellerError } from '../errors';

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

export interface OperationApi {
  get(operationId: string, token: string): Promise<CallResult>;
  cancel(operationId: string, token: string): Promise<CallResult>;
}

export interface OperationApiOptions {
  readonly endpoint: string;
  readonly callTimeoutMs: number;
  readonly retryAttempts: number;
  readonly retryBaseDelayMs: number;
}

/** Transient by nature: the same call may well succeed a moment later. */
export const RETRYABLE_STATUSES: readonly Status[] = [
  Status.UNAVAILABLE,
  Status.RESOURCE_EXHAUSTED,
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
];

/**
 * The SDK's generated OperationService client over one TLS channel, without `Session` (which would
 * load axios, log4js and friends). Retries and per-attempt deadlines are the SDK's own middleware.
 */
export function createOperationApi(options: OperationApiOptions): OperationApi {
  const channel = createChannel(options.endpoint, ChannelCredentials.createSsl());
  const client = clientFactory.create(OperationServiceService, channel);

  const call = async (method: 'get' | 'cancel', operationId: string, token: string) => {
    let attempts = 1;
    let apiRequestId: string | undefined;
    const remember = (metadata: Metadata) => {
      apiRequestId = metadata.get('x-request-id') ?? apiRequestId;
    };
    try {
      const operation = await client[method](
        { operationId },
        {
          metadata: Metadata({ authorization: `Bearer ${token}` }),
          deadline: options.callTimeoutMs,
          retry: true,
          retryMaxAttempts: options.retryAttempts,
          retryBaseDelayMs: options.retryBaseDelayMs,
          retryMaxDelayMs: options.retryBaseDelayMs * 16,
          retryableStatuses: [...RETRYABLE_STATUSES],
          onRetryableError: () => {
            attempts += 1;
          },
          onHeader: remember,
          onTrailer: remember,
        },
      );
      return { operation, attempts, apiRequestId };
    } catch (error) {
      const requestId = apiRequestId ?? (error instanceof ApiError ? error.requestId : undefined);
      throw new CallError(method, attempts, requestId, { cause: error });
    }
  };

  return {
    get: (operationId, token) => call('get', operationId, token),
    cancel: (operationId, token) => call('cancel', operationId, token),
  };
}
