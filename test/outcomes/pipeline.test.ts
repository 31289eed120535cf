import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { createBudget } from '../../src/act/budget';
import { cancelOperation } from '../../src/act/cancel-operation';
import {
  CallError,
  type CallResult,
  type Operation,
  type OperationApi,
} from '../../src/cloud/operation-api';
import { fakeIds, pipelineDeps } from '../support/pipeline-deps';

type Step = Partial<Operation> | { fail: unknown; attempts?: number };

/**
 * An OperationApi of our own making: each method answers from a script and records its calls.
 * Get's script may be a list, one step per call, the last repeated.
 */
function scripted(get: Step | Step[], cancel?: Step) {
  const calls: string[] = [];
  const gets = Array.isArray(get) ? get : [get];
  let getCalls = 0;
  const answer = (method: 'get' | 'cancel', step: Step | undefined): Promise<CallResult> => {
    calls.push(method);
    if (step === undefined) throw new Error(`unexpected ${method}`);
    if ('fail' in step) {
      return Promise.reject(
        new CallError(
          {
            method: method === 'get' ? 'OperationService.Get' : 'OperationService.Cancel',
            subject: 'op1',
            endpoint: 'operation.api.cloud.yandex.net:443',
          },
          step.attempts ?? 1,
          fakeIds('req-9'),
          { cause: step.fail },
        ),
      );
    }
    const operation = { id: 'op1', description: '', createdBy: '', done: false, ...step };
    return Promise.resolve({ operation, attempts: 1, ids: fakeIds(`req-${method}`) });
  };
  const api: OperationApi = {
    get: async () => answer('get', gets[Math.min(getCalls++, gets.length - 1)]),
    cancel: async () => answer('cancel', cancel),
  };
  return { api, calls };
}

const run = (api: OperationApi, dryRun = false, id = 'op1') =>
  cancelOperation({ named: { valid: true, id }, dryRun, minAgeSeconds: 0 }, pipelineDeps(api));

const grpcError = (code: Status) =>
  Object.assign(new Error(`/x/y ${Status[code]}: boom`), { code });

describe('the pipeline for one operation', () => {
  it('gets, cancels, and reports what Get said of the operation', async () => {
    const createdAt = new Date('2026-01-02T03:04:05Z');
    const { api, calls } = scripted(
      { description: 'Create instance', createdAt, createdBy: 'sa1' },
      { done: true, error: { code: Status.CANCELLED, message: '', details: [] } },
    );
    expect(await run(api)).toMatchObject({
      operationId: 'op1',
      outcome: 'cancelled',
      attempts: 2,
      description: 'Create instance',
      createdAt: '2026-01-02T03:04:05.000Z',
      createdBy: 'sa1',
      apiRequestId: 'req-cancel',
    });
    expect(calls).toEqual(['get', 'cancel']);
  });

  it('reports an operation whose creation time is out of range without its createdAt', async () => {
    const { api } = scripted(
      { createdAt: new Date(Number.NaN), description: 'odd' },
      { done: true, error: { code: Status.CANCELLED, message: '', details: [] } },
    );
    const result = await run(api);
    expect(result).toMatchObject({ outcome: 'cancelled', description: 'odd' });
    expect(result).not.toHaveProperty('createdAt');
  });

  it('never calls Cancel for a done operation', async () => {
    const { api, calls } = scripted({ done: true });
    expect(await run(api)).toMatchObject({ outcome: 'already_done', attempts: 1 });
    expect(calls).toEqual(['get']);
  });

  it('never calls Cancel in a dry run', async () => {
    const { api, calls } = scripted({});
    expect(await run(api, true)).toMatchObject({
      outcome: 'skipped',
      reason: 'dry_run',
      message: expect.stringMatching(/^would cancel: /),
    });
    expect(calls).toEqual(['get']);
  });

  it('makes no call at all for an invalid id', async () => {
    const { api, calls } = scripted({});
    const result = await cancelOperation(
      { named: { valid: false, text: 'BAD' }, dryRun: false, minAgeSeconds: 0 },
      pipelineDeps(api),
    );
    expect(result).toMatchObject({ operationId: 'BAD', outcome: 'invalid', attempts: 0 });
    expect(calls).toEqual([]);
  });

  it.each([
    ['Get', { fail: grpcError(Status.NOT_FOUND) }, undefined, 'not_found', ['get']],
    ['Get', { fail: grpcError(Status.PERMISSION_DENIED) }, undefined, 'denied', ['get']],
    ['Cancel', {}, { fail: grpcError(Status.UNIMPLEMENTED) }, 'not_cancellable', ['get', 'cancel']],
  ])('classifies an error from %s', async (_method, get, cancel, outcome, expectedCalls) => {
    const { api, calls } = scripted(get, cancel);
    const result = await run(api);
    expect(result.outcome).toBe(outcome);
    expect(result.retryable).toBeUndefined();
    expect(calls).toEqual(expectedCalls);
  });

  // FAILED_PRECONDITION says only that a precondition failed (cloudapi errors-handling.md); a
  // second Get tells an operation that cannot be cancelled from one that ended in between, or
  // one an earlier attempt of this Cancel may already have cancelled (audit 6.5).
  const precondition = (attempts = 1) => ({
    fail: grpcError(Status.FAILED_PRECONDITION),
    attempts,
  });
  const cancelledOp = { done: true, error: { code: Status.CANCELLED, message: '', details: [] } };
  it.each([
    ['still running', [{}, {}], precondition(), 'not_cancellable'],
    ['ended in between', [{}, { done: true }], precondition(), 'already_done'],
    ['ended cancelled in between', [{}, cancelledOp], precondition(), 'cancelled'],
    ['running, refused on a retry', [{}, {}], precondition(2), 'cancelling'],
    [
      'unknown, the Get failing',
      [{}, { fail: grpcError(Status.UNAVAILABLE) }],
      precondition(2),
      'not_cancellable',
    ],
  ] as const)(
    'after FAILED_PRECONDITION gets again: %s is %s',
    async (_, gets, cancel, outcome) => {
      const { api, calls } = scripted([...gets], cancel);
      const result = await run(api);
      expect(result.outcome).toBe(outcome);
      expect(calls).toEqual(['get', 'cancel', 'get']);
      // The refusal's ids are the ones a support ticket needs, whatever the outcome.
      expect(result).toMatchObject({ apiRequestId: 'req-9', clientTraceId: 'fake-client-trace' });
      if (outcome === 'not_cancellable') expect(result.code).toBe('FAILED_PRECONDITION');
    },
  );

  describe('a Get that answers NOT_FOUND', () => {
    const listed = (api: OperationApi) =>
      cancelOperation(
        {
          named: { valid: true, id: 'op1' },
          dryRun: false,
          minAgeSeconds: 0,
          origin: { source: 'timer', resourceKind: 'compute.disk', resourceId: 'disk1' },
        },
        pipelineDeps(api, { notFoundPauseMs: 1 }),
      );
    const notFound = { fail: grpcError(Status.NOT_FOUND) };
    const cancels = { done: true, error: { code: Status.CANCELLED, message: '', details: [] } };

    // go-sdk `PollUntilDone`: "the returned operation is not on all replicas yet".
    it('is asked once more, after a pause, for an operation a sweep just listed', async () => {
      const { api, calls } = scripted([notFound, {}], cancels);
      expect(await listed(api)).toMatchObject({ outcome: 'cancelled', attempts: 3 });
      expect(calls).toEqual(['get', 'get', 'cancel']);
    });

    it('twice is not_found', async () => {
      const { api, calls } = scripted([notFound, notFound]);
      expect(await listed(api)).toMatchObject({ outcome: 'not_found' });
      expect(calls).toEqual(['get', 'get']);
    });

    it('is final at once for an id a caller named', async () => {
      const { api, calls } = scripted([notFound, {}]);
      expect(await run(api)).toMatchObject({ outcome: 'not_found' });
      expect(calls).toEqual(['get']);
    });

    it('is final when the pause would not fit in the budget', async () => {
      const { api, calls } = scripted([notFound, {}]);
      const budget = createBudget({ getRemainingTimeInMillis: () => 500 }, 0);
      const result = await cancelOperation(
        {
          named: { valid: true, id: 'op1' },
          dryRun: false,
          minAgeSeconds: 0,
          origin: { source: 'timer', resourceId: 'disk1' },
        },
        pipelineDeps(api, { notFoundPauseMs: 1000, budget }),
      );
      budget.dispose();
      expect(result).toMatchObject({ outcome: 'not_found' });
      expect(calls).toEqual(['get']);
    });
  });

  it('reports a transient failure as failed and retryable, with the attempts and request id', async () => {
    const { api } = scripted({}, { fail: grpcError(Status.UNAVAILABLE), attempts: 3 });
    expect(await run(api)).toMatchObject({
      outcome: 'failed',
      code: 'UNAVAILABLE',
      retryable: true,
      attempts: 4,
      apiRequestId: 'req-9',
      message:
        'OperationService.Cancel of op1 at operation.api.cloud.yandex.net:443: service unavailable: boom (UNAVAILABLE), after 3 attempts',
    });
  });

  it('lets a bug surface instead of calling it an API failure', async () => {
    const api: OperationApi = {
      get: async () => {
        throw new TypeError('a bug');
      },
      cancel: async () => {
        throw new Error('unreachable');
      },
    };
    await expect(run(api)).rejects.toThrow(TypeError);
  });
});
