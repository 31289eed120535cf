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

/**
 * An OperationService where every operation has run an hour and cancels at once; `fields` and
 * `ids` change what its answers carry.
 */
export function cancellingApi(
  fields: Partial<Operation> = {},
  ids: Partial<RequestIds> = {},
): OperationApi {
  const answer = (id: string, done: boolean): Promise<CallResult> =>
    Promise.resolve({
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
  return { get: (id) => answer(id, false), cancel: (id) => answer(id, true) };
}
