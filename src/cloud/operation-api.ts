import { credentials } from '@grpc/grpc-js';
import { OperationServiceClient } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import type { RequestIds } from '../model';
import {
  type CallLimits,
  CHANNEL_OPTIONS,
  callWithRetries,
  methodName,
  type RetryOptions,
} from './unary';

export { CallError, type CallLimits } from './unary';

/** yandex.cloud.operation.Operation (operation.proto), as far as the function reads it. */
export interface Operation {
  readonly id: string;
  readonly description: string;
  readonly createdAt?: Date;
  readonly createdBy: string;
  readonly modifiedAt?: Date;
  readonly done: boolean;
  /** google.rpc.Status, when the operation failed; its `details` are not read. */
  readonly error?: { readonly code: number; readonly message: string };
}

export interface CallResult {
  readonly operation: Operation;
  readonly attempts: number;
  readonly ids: RequestIds;
}

export interface OperationApi {
  get(operationId: string, token: string, limits?: CallLimits): Promise<CallResult>;
  cancel(operationId: string, token: string, limits?: CallLimits): Promise<CallResult>;
}

export interface OperationApiOptions extends RetryOptions {
  readonly endpoint: string;
}

/**
 * The SDK's generated OperationService client, a plain grpc-js client over one TLS channel:
 * no `Session` (which would load axios, log4js and friends) and no nice-grpc middleware, which
 * the benchmark showed costing cold-start time for nothing a unary call needs.
 */
export function createOperationApi(
  options: OperationApiOptions,
): OperationApi & { connect(): void; close(): void } {
  const client = new OperationServiceClient(
    options.endpoint,
    credentials.createSsl(),
    CHANNEL_OPTIONS,
  );
  const call = async (
    method: 'get' | 'cancel',
    operationId: string,
    token: string,
    limits?: CallLimits,
  ): Promise<CallResult> => {
    const bound = client[method].bind(client);
    const { value, ...rest } = await callWithRetries(
      { method: methodName(client, method), subject: operationId, endpoint: options.endpoint },
      bound,
      { operationId },
      token,
      options,
      limits,
    );
    return { operation: value, ...rest };
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
