import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { cancelOperation } from '../../src/act/cancel-operation';
import {
  CallError,
  type CallResult,
  type Operation,
  type OperationApi,
} from '../../src/cloud/operation-api';
import { pipelineDeps } from '../support/pipeline-deps';

type Step = Partial<Operation> | { fail: unknown; attempts?: number };

/** An OperationApi of our own making: each method answers from a script and records its calls. */
function scripted(get: Step, cancel?: Step) {
  const calls: string[] = [];
  const answer = (method: 'get' | 'cancel', step: Step | undefined): Promise<CallResult> => {
    calls.push(method);
    if (step === undefined) throw new Error(`unexpected ${method}`);
    if ('fail' in step) {
      return Promise.reject(
        new CallError(method, step.attempts ?? 1, 'req-9', { cause: step.fail }),
      );
    }
    const operation = { id: 'op1', description: '', createdBy: '', done: false, ...step };
    return Promise.resolve({ operation, attempts: 1, apiRequestId: `req-${method}` });
  };
  const api: OperationApi = {
    get: async () => answer('get', get),
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
    expect(await run(api, true)).toMatchObject({ outcome: 'skipped', reason: 'dry_run' });
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
    [
      'Cancel',
      {},
      { fail: grpcError(Status.FAILED_PRECONDITION) },
      'not_cancellable',
      ['get', 'cancel'],
    ],
  ])('classifies an error from %s', async (_method, get, cancel, outcome, expectedCalls) => {
    const { api, calls } = scripted(get, cancel);
    const result = await run(api);
    expect(result.outcome).toBe(outcome);
    expect(result.retryable).toBeUndefined();
    expect(calls).toEqual(expectedCalls);
  });

  it('reports a transient failure as failed and retryable, with the attempts and request id', async () => {
    const { api } = scripted({}, { fail: grpcError(Status.UNAVAILABLE), attempts: 3 });
    expect(await run(api)).toMatchObject({
      outcome: 'failed',
      code: 'UNAVAILABLE',
      retryable: true,
      attempts: 4,
      apiRequestId: 'req-9',
      message: '/x/y UNAVAILABLE: boom',
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
