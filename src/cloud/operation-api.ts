import { Client, credentials } from '@grpc/grpc-js';
import type { RequestIds } from '../model';
import type { RetryOptions } from './retry';
import {
  type CallLimits,
  CHANNEL_OPTIONS,
  callWithRetries,
  type RpcMethod,
  rpcName,
  unaryMethod,
} from './unary';
import { type Descriptor, decode, encode } from './wire';

/** yandex.cloud.operation.Operation (operation.proto), as far as the function reads it. */
export interface Operation {
  readonly id: string;
  readonly description: string;
  readonly createdAt?: Date;
  readonly createdBy: string;
  readonly modifiedAt?: Date;
  readonly done: boolean;
  /**
   * Its metadata (google.protobuf.Any): the type names the method that started it; the value,
   * read by Get and Cancel alone, names the resource it works on.
   */
  readonly metadata?: { readonly typeUrl: string; readonly value?: Uint8Array };
  /**
   * google.rpc.Status, when the operation failed; its `details` are not read, and a listing reads
   * its code alone.
   */
  readonly error?: { readonly code: number; readonly message?: string };
}

/**
 * Operation up to its metadata's type: all a listing of operations reads of each. Of the
 * metadata, an Any, only its type URL (1) is read, not its value (2).
 */
export const LISTED_OPERATION: Descriptor = {
  1: { name: 'id', type: 'string' },
  2: { name: 'description', type: 'string' },
  3: { name: 'createdAt', type: 'timestamp' },
  4: { name: 'createdBy', type: 'string' },
  5: { name: 'modifiedAt', type: 'timestamp' },
  6: { name: 'done', type: 'bool' },
  7: { name: 'metadata', type: { 1: { name: 'typeUrl', type: 'string' } } },
  // Whether a done one failed, which learning leaves out: its code, not its text.
  8: { name: 'error', type: { 1: { name: 'code', type: 'int32' } } },
};

/** What Get and Cancel read: the metadata's value and the error too; the response (9) is skipped. */
const OPERATION: Descriptor = {
  ...LISTED_OPERATION,
  7: {
    name: 'metadata',
    type: { 1: { name: 'typeUrl', type: 'string' }, 2: { name: 'value', type: 'bytes' } },
  },
  8: {
    name: 'error',
    type: { 1: { name: 'code', type: 'int32' }, 2: { name: 'message', type: 'string' } },
  },
};

/** OperationService's Get and Cancel: each asks about one operation_id (1), each answers one. */
const byId = (method: 'Get' | 'Cancel'): RpcMethod<string, Operation> => ({
  service: 'yandex.cloud.operation.OperationService',
  method,
  encode: (operationId) => encode([[1, operationId]]),
  decode: (bytes) => decode<Operation>(bytes, OPERATION),
});

export const OPERATION_SERVICE = { get: byId('Get'), cancel: byId('Cancel') } as const;

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
 * OperationService over one TLS channel: grpc-js's own client, with no `Session` (which would
 * load axios, log4js and friends), no nice-grpc middleware, and no generated code, whose
 * messages would decode fields the function never reads.
 */
export function createOperationApi(
  options: OperationApiOptions,
): OperationApi & { connect(): void; close(): void } {
  const client = new Client(options.endpoint, credentials.createSsl(), CHANNEL_OPTIONS);
  const { callTimeoutMs, retryAttempts, retryBaseDelayMs } = options;
  const retry = { callTimeoutMs, retryAttempts, retryBaseDelayMs };
  const call = async (
    rpc: RpcMethod<string, Operation>,
    operationId: string,
    token: string,
    limits?: CallLimits,
  ): Promise<CallResult> => {
    const { value, ...rest } = await callWithRetries(
      { method: rpcName(rpc), subject: operationId, endpoint: options.endpoint },
      unaryMethod(client, rpc),
      operationId,
      token,
      { ...retry, ...limits },
    );
    return { operation: value, ...rest };
  };

  return {
    get: (operationId, token, limits) => call(OPERATION_SERVICE.get, operationId, token, limits),
    cancel: (operationId, token, limits) =>
      call(OPERATION_SERVICE.cancel, operationId, token, limits),
    // Starts the TLS handshake now rather than on the first call.
    connect: () => void client.getChannel().getConnectivityState(true),
    // A warm instance keeps its channel to the end; tests close theirs.
    close: () => client.close(),
  };
}
