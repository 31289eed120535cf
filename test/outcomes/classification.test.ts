import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { classifyStatus, outcomeAfterCancel } from '../../src/act/classify';
import { decide } from '../../src/act/decide';
import { statusOf } from '../../src/cloud/grpc-status';
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
  const now = Date.parse('2026-11-27T12:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000);
  const running = (createdAt?: Date) => operation(createdAt ? { createdAt } : {});
  const cancel = { action: 'cancel' };
  const stop = (outcome: string, reason?: string) => ({
    action: 'stop',
    outcome,
    ...(reason && { reason }),
  });

  it.each([
    ['a done operation is left alone', operation({ done: true }), {}, stop('already_done')],
    ['done wins over dry run', operation({ done: true }), { dryRun: true }, stop('already_done')],
    [
      'done wins over the age guard',
      operation({ done: true, createdAt: ago(1) }),
      { minAgeSeconds: 60 },
      stop('already_done'),
    ],
    [
      'a running operation in dry run is skipped',
      running(ago(999)),
      { dryRun: true },
      stop('skipped', 'dry_run'),
    ],
    ['a running operation is cancelled', running(ago(999)), {}, cancel],
    ['without a guard, a missing createdAt does not matter', running(), {}, cancel],
    [
      'younger than the guard is too young',
      running(ago(59)),
      { minAgeSeconds: 60 },
      stop('skipped', 'too_young'),
    ],
    ['exactly as old as the guard is cancelled', running(ago(60)), { minAgeSeconds: 60 }, cancel],
    ['older than the guard is cancelled', running(ago(3600)), { minAgeSeconds: 60 }, cancel],
    [
      'a missing createdAt counts as too young',
      running(),
      { minAgeSeconds: 60 },
      stop('skipped', 'too_young'),
    ],
    [
      'a createdAt in the future counts as too young',
      running(ago(-30)),
      { minAgeSeconds: 1 },
      stop('skipped', 'too_young'),
    ],
    [
      'too young wins over dry run',
      running(ago(1)),
      { minAgeSeconds: 60, dryRun: true },
      stop('skipped', 'too_young'),
    ],
  ])('%s', (_name, op, input, decision) => {
    expect(decide(op, { dryRun: false, minAgeSeconds: 0, now, ...input })).toEqual(decision);
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
