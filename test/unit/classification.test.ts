import { Status } from 'nice-grpc';
import { describe, expect, it } from 'vitest';
import { classifyStatus, outcomeAfterCancel, statusOf } from '../../src/cancel/classify';
import { decide } from '../../src/cancel/decide';
import type { Operation } from '../../src/cloud/operation-api';

const operation = (fields: Partial<Operation>): Operation => ({
  id: 'op1',
  description: '',
  createdBy: '',
  done: false,
  ...fields,
});

describe('classifyStatus', () => {
  it.each([
    [Status.NOT_FOUND, 'not_found', false],
    [Status.PERMISSION_DENIED, 'denied', false],
    [Status.UNAUTHENTICATED, 'denied', false],
    [Status.UNIMPLEMENTED, 'not_cancellable', false],
    [Status.FAILED_PRECONDITION, 'not_cancellable', false],
    [Status.INVALID_ARGUMENT, 'invalid', false],
    [Status.ALREADY_EXISTS, 'failed', false],
    [Status.DATA_LOSS, 'failed', false],
    [Status.UNAVAILABLE, 'failed', true],
    [Status.RESOURCE_EXHAUSTED, 'failed', true],
    [Status.INTERNAL, 'failed', true],
    [Status.UNKNOWN, 'failed', true],
    [Status.DEADLINE_EXCEEDED, 'failed', true],
    [Status.ABORTED, 'failed', true],
    [undefined, 'failed', true],
  ])('status %s is %s (retryable: %s)', (status, outcome, retryable) => {
    expect(classifyStatus(status)).toMatchObject({ outcome, retryable });
  });

  it('names the status in the code', () => {
    expect(classifyStatus(Status.NOT_FOUND).code).toBe('NOT_FOUND');
    expect(classifyStatus(undefined).code).toBe('NO_STATUS');
  });
});

describe('statusOf', () => {
  it.each([
    ['a ClientError-like object', { code: Status.NOT_FOUND, message: 'x' }, Status.NOT_FOUND],
    [
      'an ApiError, which keeps only the message',
      new Error('/yandex.cloud.operation.OperationService/Cancel PERMISSION_DENIED: nope'),
      Status.PERMISSION_DENIED,
    ],
    ['a message with a word that is no status', new Error('/x/Get NOPE_NOPE: x'), undefined],
    ['an error with no status', new Error('socket hang up'), undefined],
    ['a code out of range', { code: 99, message: '' }, undefined],
    ['not an object', 'UNAVAILABLE', undefined],
    ['null', null, undefined],
  ])('%s', (_name, error, status) => {
    expect(statusOf(error)).toBe(status);
  });
});

describe('decide', () => {
  it.each([
    [
      'a done operation is left alone',
      { done: true },
      false,
      { action: 'stop', outcome: 'already_done' },
    ],
    ['done wins over dry run', { done: true }, true, { action: 'stop', outcome: 'already_done' }],
    [
      'a running operation in dry run is skipped',
      {},
      true,
      { action: 'stop', outcome: 'skipped', reason: 'dry_run' },
    ],
    ['a running operation is cancelled', {}, false, { action: 'cancel' }],
  ])('%s', (_name, fields, dryRun, decision) => {
    expect(decide(operation(fields), { dryRun })).toEqual(decision);
  });
});

describe('outcomeAfterCancel', () => {
  it.each([
    ['not done yet', {}, 'cancelling'],
    [
      'done with CANCELLED',
      { done: true, error: { code: Status.CANCELLED, message: '', details: [] } },
      'cancelled',
    ],
    [
      'done with another error',
      { done: true, error: { code: Status.INTERNAL, message: '', details: [] } },
      'already_done',
    ],
    ['done with a response', { done: true }, 'already_done'],
  ])('%s is %s', (_name, fields, outcome) => {
    expect(outcomeAfterCancel(operation(fields))).toBe(outcome);
  });
});
