import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  answerMismatch,
  classifyStatus,
  outcomeAfterCancel,
  outcomeAfterUnusableCancel,
  ownError,
} from '../../src/act/classify';
import { decide } from '../../src/act/decide';
import { statusOf, Unreadable, unreadableAnswer } from '../../src/cloud/grpc-status';
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

  // Whatever the status otherwise means, an answer the client cannot read comes again on a retry.
  it.each([
    [Status.INTERNAL, Unreadable.Unparsable, 'invalid', false],
    [Status.RESOURCE_EXHAUSTED, Unreadable.Oversize, 'failed', false],
  ])(
    'status %s with an answer that is %s is %s (retryable: %s)',
    (status, unreadable, outcome, retryable) => {
      expect(classifyStatus(status, unreadable)).toEqual({
        outcome,
        code: Status[status],
        retryable,
      });
    },
  );

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

/** A failure as grpc-js hands it over: `code`, `details`, and the message it makes of them. */
const grpcError = (code: Status, details: string) =>
  Object.assign(new Error(`${code} ${Status[code]}: ${details}`), { code, details });

describe('unreadableAnswer', () => {
  it.each([
    [
      "grpc-js's parse failure",
      grpcError(
        Status.INTERNAL,
        'Response message parsing error: Value is larger than Number.MAX_SAFE_INTEGER',
      ),
      Unreadable.Unparsable,
    ],
    [
      "grpc-js's receive limit",
      grpcError(Status.RESOURCE_EXHAUSTED, 'Received message larger than max (5242905 vs 4194304)'),
      Unreadable.Oversize,
    ],
    [
      'the same rewrapped as an ApiError, which keeps only the message',
      new Error(
        '/yandex.cloud.operation.OperationService/Get RESOURCE_EXHAUSTED: Received message larger than max (5242905 vs 4194304)',
      ),
      Unreadable.Oversize,
    ],
    ['a transient INTERNAL', grpcError(Status.INTERNAL, 'internal error'), undefined],
    ['a quota', grpcError(Status.RESOURCE_EXHAUSTED, 'Quota exceeded'), undefined],
    [
      "grpc-go refusing the request it received: the server's words, not the client's",
      grpcError(Status.RESOURCE_EXHAUSTED, 'grpc: received message larger than max (9 vs. 4)'),
      undefined,
    ],
    [
      'the words under another status',
      grpcError(Status.UNAVAILABLE, 'Response message parsing error: x'),
      undefined,
    ],
    ['no status', new Error('Response message parsing error: x'), undefined],
  ])('%s', (_name, error, unreadable) => {
    expect(unreadableAnswer(error)).toBe(unreadable);
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

  const dryRun = {
    ...stop('skipped', 'dry_run'),
    message: expect.stringMatching(/^would cancel: /),
  };
  const failedOnItsOwn = {
    done: true,
    error: { code: Status.INTERNAL, message: 'disk\nfailed' },
  };
  const outOfRange = {
    action: 'stop',
    outcome: 'invalid',
    message: expect.stringMatching(/creation time outside the years 1 to 9999/),
  };
  /** A running operation of a compute method, by its metadata's type. */
  const started = (method: string, createdAt = ago(999)) =>
    operation({
      createdAt,
      metadata: { typeUrl: `type.googleapis.com/yandex.cloud.compute.v1.${method}Metadata` },
    });
  const notCancellable = {
    ...stop('not_cancellable', 'method_not_cancellable'),
    message: expect.stringMatching(/only the operations of the methods its proto marks/),
  };

  it.each([
    ['a done operation is left alone', operation({ done: true }), {}, stop('already_done')],
    [
      'a done operation keeps its own error, made printable',
      operation(failedOnItsOwn),
      {},
      { ...stop('already_done'), code: 'INTERNAL', message: 'disk?failed' },
    ],
    [
      'one done cancelled by someone else says so',
      operation({ done: true, error: { code: Status.CANCELLED, message: '' } }),
      {},
      { ...stop('already_done'), code: 'CANCELLED' },
    ],
    ['done wins over dry run', operation({ done: true }), { dryRun: true }, stop('already_done')],
    [
      'done wins over the age guard',
      operation({ done: true, createdAt: ago(1) }),
      { minAgeSeconds: 60 },
      stop('already_done'),
    ],
    ['a running operation in dry run is skipped', running(ago(999)), { dryRun: true }, dryRun],
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
    ['a createdAt no Date holds is invalid', running(new Date(Number.NaN)), {}, outOfRange],
    [
      'a createdAt past the year 9999 is invalid',
      running(new Date(Date.UTC(10000, 0, 1))),
      {},
      outOfRange,
    ],
    [
      'a createdAt out of range is invalid, not too young',
      running(new Date(Number.NaN)),
      { minAgeSeconds: 60 },
      outOfRange,
    ],
    [
      'the last second of the year 9999 is in range',
      running(new Date('9999-12-31T23:59:59.999Z')),
      {},
      cancel,
    ],
    [
      'too young wins over dry run',
      running(ago(1)),
      { minAgeSeconds: 60, dryRun: true },
      stop('skipped', 'too_young'),
    ],
    [
      'a method the API cannot cancel is not cancellable',
      started('StartInstance'),
      {},
      notCancellable,
    ],
    ['in a dry run too', started('StartInstance'), { dryRun: true }, notCancellable],
    [
      'and before the age guard',
      started('StartInstance', ago(1)),
      { minAgeSeconds: 60 },
      notCancellable,
    ],
    ['a method the API can cancel is cancelled', started('CreateInstance'), {}, cancel],
    ['one whose method cannot be told is tried', started('CreateSnapshot'), {}, cancel],
  ])('%s', (_name, op, input, decision) => {
    expect(decide(op, { dryRun: false, minAgeSeconds: 0, now, ...input })).toEqual(decision);
  });
});

const failed = (code: number, message = '') => ({
  done: true,
  error: { code, message },
});

describe('outcomeAfterCancel', () => {
  it.each([
    ['not done yet', {}, { outcome: 'cancelling' }],
    ['done with CANCELLED', failed(Status.CANCELLED), { outcome: 'cancelled' }],
    [
      'done with an error of its own, which is kept',
      failed(Status.INTERNAL, 'the disk broke'),
      { outcome: 'already_done', code: 'INTERNAL', message: 'the disk broke' },
    ],
    [
      'done with ABORTED and no message',
      failed(Status.ABORTED),
      { outcome: 'already_done', code: 'ABORTED' },
    ],
    ['done with a response', { done: true }, { outcome: 'already_done' }],
  ])('%s', (_name, fields, ending) => {
    expect(outcomeAfterCancel(operation(fields))).toEqual(ending);
  });
});

describe("a done operation's own error", () => {
  it.each([
    ['none', {}, {}],
    ['code OK, which is no error', failed(Status.OK, 'fine'), {}],
    [
      'a status gRPC defines',
      failed(Status.DATA_LOSS, 'gone'),
      { code: 'DATA_LOSS', message: 'gone' },
    ],
    ['a code gRPC does not define', failed(99, 'odd'), { code: 'CODE_99', message: 'odd' }],
    [
      'a message with control characters and no end',
      failed(Status.INTERNAL, `a\u0000b${'x'.repeat(5000)}`),
      { code: 'INTERNAL', message: `a?b${'x'.repeat(1021)}…` },
    ],
  ])('%s', (_name, fields, kept) => {
    expect(ownError(operation(fields))).toEqual(kept);
  });
});

// What a refused Cancel, or one whose answer could not be read, did, from a Get after it.
describe('outcomeAfterUnusableCancel', () => {
  const refused = (attempts: number) => ({ attempts, answered: false });
  const unread = (attempts: number) => ({ attempts, answered: true });
  it.each([
    ['refused, still running', operation({}), refused(1), 'not_cancellable'],
    ['refused on a retry, still running', operation({}), refused(2), 'cancelling'],
    ['refused, the Get failing too', undefined, refused(2), 'not_cancellable'],
    ['refused, ended in between', operation({ done: true }), refused(1), 'already_done'],
    ['refused, ended cancelled', operation(failed(Status.CANCELLED)), refused(1), 'cancelled'],
    [
      'answered unreadably, now cancelled',
      operation(failed(Status.CANCELLED)),
      unread(1),
      'cancelled',
    ],
    ['answered unreadably, still running', operation({}), unread(1), 'cancelling'],
    ['answered unreadably, the Get failing too', undefined, unread(1), 'cancelling'],
  ])('%s is %s', (_name, op, cancel, outcome) => {
    expect(outcomeAfterUnusableCancel(op, cancel).outcome).toBe(outcome);
  });

  it('keeps the error of one that ended on its own', () => {
    expect(
      outcomeAfterUnusableCancel(operation(failed(Status.INTERNAL, 'broke')), refused(1)),
    ).toEqual({ outcome: 'already_done', code: 'INTERNAL', message: 'broke' });
  });
});

describe('answerMismatch', () => {
  it.each([
    ['the same id', 'Cancel', 'op1', 'op1', undefined],
    [
      'a Cancel answered about another',
      'Cancel',
      'op1',
      'op2',
      'OperationService.Cancel of op1 was answered about another operation, "op2": whether op1 is being cancelled is not known',
    ],
    [
      'a Get answered about another',
      'Get',
      'op1',
      'op2',
      'OperationService.Get of op1 was answered about another operation, "op2": nothing was cancelled',
    ],
    [
      'an empty id',
      'Get',
      'op1',
      '',
      'OperationService.Get of op1 was answered about another operation, "": nothing was cancelled',
    ],
    [
      'an id with control characters and no end',
      'Cancel',
      'op1',
      `x\ny${'z'.repeat(500)}`,
      `OperationService.Cancel of op1 was answered about another operation, "x?y${'z'.repeat(61)}…": whether op1 is being cancelled is not known`,
    ],
  ] as const)('%s', (_name, method, asked, answered, message) => {
    expect(answerMismatch(method, asked, answered)).toBe(message);
  });
});
