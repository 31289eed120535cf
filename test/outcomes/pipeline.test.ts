import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { createBudget } from '../../src/act/budget';
import { cancelOperation } from '../../src/act/cancel-operation';
import type { CallResult, Operation, OperationApi } from '../../src/cloud/operation-api';
import { callError } from '../../src/cloud/unary';
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
        callError(
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
      { done: true, error: { code: Status.CANCELLED, message: '' } },
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

  it('leaves alone, as invalid, an operation whose creation time is out of range', async () => {
    const { api, calls } = scripted({ createdAt: new Date(Number.NaN), description: 'odd' });
    const result = await run(api);
    expect(result).toMatchObject({
      outcome: 'invalid',
      description: 'odd',
      message: expect.stringMatching(/creation time outside the years 1 to 9999/),
    });
    expect(result).not.toHaveProperty('createdAt');
    expect(result).not.toHaveProperty('retryable');
    expect(calls).toEqual(['get']);
  });

  it('never calls Cancel for a done operation', async () => {
    const { api, calls } = scripted({ done: true });
    expect(await run(api)).toMatchObject({ outcome: 'already_done', attempts: 1 });
    expect(calls).toEqual(['get']);
  });

  it("keeps a done operation's own error", async () => {
    const { api, calls } = scripted({
      done: true,
      error: { code: Status.INTERNAL, message: 'the host failed' },
    });
    expect(await run(api)).toMatchObject({
      outcome: 'already_done',
      code: 'INTERNAL',
      message: 'the host failed',
    });
    expect(calls).toEqual(['get']);
  });

  it('keeps the error of an operation that ended on its own when Cancel came', async () => {
    const { api } = scripted(
      {},
      { done: true, error: { code: Status.ABORTED, message: 'aborted' } },
    );
    expect(await run(api)).toMatchObject({
      outcome: 'already_done',
      code: 'ABORTED',
      message: 'aborted',
    });
  });

  describe('an answer about another operation', () => {
    const cancelledOther = {
      id: 'op2',
      done: true,
      error: { code: Status.CANCELLED, message: '' },
    };

    it('from Cancel is a failure, not cancelled, and final', async () => {
      const { api, calls } = scripted({}, cancelledOther);
      const result = await run(api);
      expect(result).toMatchObject({
        operationId: 'op1',
        outcome: 'failed',
        retryable: false,
        apiRequestId: 'req-cancel',
        message:
          'OperationService.Cancel of op1 was answered about another operation, "op2": whether op1 is being cancelled is not known',
      });
      expect(result).not.toHaveProperty('code');
      expect(calls).toEqual(['get', 'cancel']);
    });

    it('from Get is a failure, and nothing is cancelled', async () => {
      const { api, calls } = scripted({ id: 'op2' });
      expect(await run(api)).toMatchObject({
        outcome: 'failed',
        retryable: false,
        message: expect.stringMatching(/^OperationService\.Get of op1 was answered about another/),
      });
      expect(calls).toEqual(['get']);
    });

    it('from the Get after a refused Cancel tells nothing: the refusal stands', async () => {
      const { api } = scripted([{}, { id: 'op2', done: true }], {
        fail: grpcError(Status.FAILED_PRECONDITION),
      });
      expect(await run(api)).toMatchObject({
        outcome: 'not_cancellable',
        code: 'FAILED_PRECONDITION',
      });
    });
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
  const cancelledOp = { done: true, error: { code: Status.CANCELLED, message: '' } };
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
    const cancels = { done: true, error: { code: Status.CANCELLED, message: '' } };

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

  // grpc-js's words for an answer it could not read; a retry would get the same answer.
  const unparsable = Object.assign(
    new Error(
      '13 INTERNAL: Response message parsing error: Value is larger than Number.MAX_SAFE_INTEGER',
    ),
    {
      code: Status.INTERNAL,
      details: 'Response message parsing error: Value is larger than Number.MAX_SAFE_INTEGER',
    },
  );
  const oversize = Object.assign(
    new Error('8 RESOURCE_EXHAUSTED: Received message larger than max (5242905 vs 4194304)'),
    {
      code: Status.RESOURCE_EXHAUSTED,
      details: 'Received message larger than max (5242905 vs 4194304)',
    },
  );

  describe('an answer the client could not read', () => {
    it('from Get, as unparsable, makes the operation invalid, with no Cancel', async () => {
      const { api, calls } = scripted({ fail: unparsable });
      const result = await run(api);
      expect(result).toMatchObject({
        outcome: 'invalid',
        code: 'INTERNAL',
        message:
          'OperationService.Get of op1 at operation.api.cloud.yandex.net:443: its answer could not be read: Value is larger than Number.MAX_SAFE_INTEGER (INTERNAL)',
      });
      expect(result).not.toHaveProperty('retryable');
      expect(calls).toEqual(['get']);
    });

    it('from Get, as too large, is a final failure, with no Cancel', async () => {
      const { api, calls } = scripted({ fail: oversize });
      expect(await run(api)).toMatchObject({
        outcome: 'failed',
        code: 'RESOURCE_EXHAUSTED',
        retryable: false,
        message: expect.stringContaining(
          'its answer is larger than the client accepts (5242905 bytes, at most 4194304) (RESOURCE_EXHAUSTED)',
        ),
      });
      expect(calls).toEqual(['get']);
    });

    it.each([
      ['too large', oversize],
      ['unparsable', unparsable],
    ])('from Cancel, as %s, is what a Get after it shows', async (_name, fail) => {
      const { api, calls } = scripted(
        [{}, { done: true, error: { code: Status.CANCELLED, message: '' } }],
        { fail },
      );
      const result = await run(api);
      expect(result).toMatchObject({ outcome: 'cancelled', apiRequestId: 'req-9' });
      expect(result).not.toHaveProperty('message');
      expect(calls).toEqual(['get', 'cancel', 'get']);
    });

    it('from Cancel and from the Get after it is cancelling: the server answered the Cancel', async () => {
      const { api } = scripted([{}, { fail: oversize }], { fail: oversize });
      expect(await run(api)).toMatchObject({
        outcome: 'cancelling',
        code: 'RESOURCE_EXHAUSTED',
        message: expect.stringMatching(/^OperationService\.Cancel of op1 .*larger than the client/),
      });
    });
  });

  it.each([Status.ALREADY_EXISTS, Status.OUT_OF_RANGE, Status.DATA_LOSS])(
    'reports status %s from Cancel as a final failure',
    async (status) => {
      const { api } = scripted({}, { fail: grpcError(status) });
      expect(await run(api)).toMatchObject({
        outcome: 'failed',
        code: Status[status],
        retryable: false,
      });
    },
  );

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
