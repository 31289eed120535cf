import { type Budget, createBudget } from '../../src/act/budget';
import type { PipelineDeps } from '../../src/act/cancel-operation';
import { cancelPermits } from '../../src/act/permits';
import type { CallResult, Operation, OperationApi } from '../../src/cloud/operation-api';
import type { InvocationToken } from '../../src/cloud/token';
import type { RequestIds } from '../../src/model';

/** A token that never changes: what an invocation with a valid context token has. */
export function fixedToken(value: string): InvocationToken {
  return { current: () => value, replace: async () => undefined };
}

/** Pipeline dependencies with no time budget and no waiting, unless a test asks for them. */
export function pipelineDeps(
  api: OperationApi,
  overrides: Partial<Omit<PipelineDeps, 'api'>> & { budget?: Budget } = {},
): PipelineDeps {
  return {
    api,
    token: fixedToken('t1.test-token'),
    budget: createBudget({}, 0),
    waitSeconds: 0,
    permits: cancelPermits(Number.POSITIVE_INFINITY),
    ...overrides,
  };
}

/** Request ids as a fake OperationService's answers carry them. */
export function fakeIds(apiRequestId?: string): RequestIds {
  return {
    clientTraceId: 'fake-client-trace',
    clientRequestId: 'fake-client-request',
    ...(apiRequestId !== undefined && { apiRequestId }),
  };
}

/** Hears each call a fake OperationService answers, by method and operation id. */
export type CallRecorder = (method: 'get' | 'cancel', id: string) => void;

/**
 * An OperationService where every operation has run an hour and cancels at once; `fields` and
 * `ids` change what its answers carry, and `record` hears every call.
 */
export function cancellingApi(
  fields: Partial<Operation> = {},
  ids: Partial<RequestIds> = {},
  { record }: { record?: CallRecorder } = {},
): OperationApi {
  const answer = (method: 'get' | 'cancel', id: string): Promise<CallResult> => {
    record?.(method, id);
    const done = method === 'cancel';
    return Promise.resolve({
      operation: {
        id,
        description: 'Create instance',
        createdAt: new Date(Date.now() - 3_600_000),
        createdBy: 'ajefakeuser',
        done,
        ...(done && { error: { code: 1, message: 'cancelled', details: [] } }),
        ...fields,
      },
      attempts: 1,
      ids: { ...fakeIds('api-req-1'), ...ids },
    });
  };
  return { get: (id) => answer('get', id), cancel: (id) => answer('cancel', id) };
}

/** An OperationService where every operation is done already, so nothing is cancelled. */
export function doneApi(record?: CallRecorder): OperationApi {
  const answer = (method: 'get' | 'cancel', id: string): Promise<CallResult> => {
    record?.(method, id);
    const operation = { id, description: '', createdBy: '', done: true };
    return Promise.resolve({ operation, attempts: 1, ids: fakeIds() });
  };
  return { get: (id) => answer('get', id), cancel: (id) => answer('cancel', id) };
}
