import { Metadata, status as Status } from '@grpc/grpc-js';
import { OperationServiceClient } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { FunctionServiceClient } from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import { describe, expect, it } from 'vitest';
import { timeReason } from '../../src/act/classify';
import { describeStatus, formatDuration, Unreadable } from '../../src/cloud/grpc-status';
import { callError, methodName } from '../../src/cloud/unary';
import { Reason } from '../../src/model';
import { fakeIds } from '../support/pipeline-deps';

/** A failure as grpc-js hands it over: `code`, `details`, and the message it makes of them. */
const grpcError = (code: Status, details: string) =>
  Object.assign(new Error(`${code} ${Status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });

describe('a status in words a person knows', () => {
  it.each([
    [
      'a deadline spent waiting for a connection',
      grpcError(
        Status.DEADLINE_EXCEEDED,
        'Deadline exceeded after 15.8s,name resolution: 0.016s,Waiting for LB pick',
      ),
      { timeoutMs: 15_800 },
      'could not connect within 15.8 s (DEADLINE_EXCEEDED)',
    ],
    [
      'a deadline spent before the name resolved',
      grpcError(
        Status.DEADLINE_EXCEEDED,
        'Deadline exceeded after 5.001s,waiting for name resolution',
      ),
      { timeoutMs: 5000 },
      'could not connect within 5 s (DEADLINE_EXCEEDED)',
    ],
    [
      'a deadline spent waiting for the answer',
      grpcError(
        Status.DEADLINE_EXCEEDED,
        'Deadline exceeded after 0.401s,LB pick: 0.001s,remote_addr=127.0.0.1:4000',
      ),
      { timeoutMs: 400 },
      'no answer within 400 ms (DEADLINE_EXCEEDED)',
    ],
    [
      'a refused connection',
      grpcError(
        Status.UNAVAILABLE,
        'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ',
      ),
      {},
      'could not connect: connection refused (UNAVAILABLE)',
    ],
    [
      'a host name that does not resolve',
      grpcError(
        Status.UNAVAILABLE,
        'Name resolution failed for target dns:serverless-functions.api.cloud.yandex.net:443',
      ),
      {},
      'could not connect: host name could not be resolved (UNAVAILABLE)',
    ],
    [
      'a certificate the client does not trust',
      grpcError(
        Status.UNAVAILABLE,
        'No connection established. Last error: Error: self-signed certificate. Resolution note: ',
      ),
      {},
      'could not connect: self-signed certificate (UNAVAILABLE)',
    ],
    [
      'a refusal that says no more than its status',
      grpcError(Status.PERMISSION_DENIED, 'Permission denied'),
      {},
      'permission denied (PERMISSION_DENIED)',
    ],
    [
      "a refusal with the server's reason",
      grpcError(Status.NOT_FOUND, 'Operation fd8abc not found'),
      {},
      'not found: Operation fd8abc not found (NOT_FOUND)',
    ],
    [
      "the SDK's ApiError, which keeps only the message",
      new Error('/yandex.cloud.operation.OperationService/Get UNAVAILABLE: try later'),
      {},
      'service unavailable: try later (UNAVAILABLE)',
    ],
    [
      'a call the time budget cut',
      grpcError(Status.CANCELLED, 'Cancelled on client'),
      { budgetRanOut: true },
      "stopped: the invocation's time budget ran out (CANCELLED)",
    ],
    ['an error with no status', new Error('socket hang up'), {}, 'socket hang up (NO_STATUS)'],
    // grpc-js says these under a server's status, but the trouble is the client's reading.
    [
      'an answer the client could not decode',
      grpcError(
        Status.INTERNAL,
        'Response message parsing error: Value is larger than Number.MAX_SAFE_INTEGER',
      ),
      {},
      'its answer could not be read: Value is larger than Number.MAX_SAFE_INTEGER (INTERNAL)',
    ],
    [
      "an answer over the client's receive limit",
      grpcError(Status.RESOURCE_EXHAUSTED, 'Received message larger than max (5242905 vs 4194304)'),
      {},
      'its answer is larger than the client accepts (5242905 bytes, at most 4194304) (RESOURCE_EXHAUSTED)',
    ],
    [
      'a quota, which is no unreadable answer',
      grpcError(Status.RESOURCE_EXHAUSTED, 'Quota limit exceeded'),
      {},
      'rate limit or quota exceeded: Quota limit exceeded (RESOURCE_EXHAUSTED)',
    ],
  ])('%s', (_name, error, context, words) => {
    expect(describeStatus(error, context)).toBe(words);
  });

  it.each([
    [5000, '5 s'],
    [15_800, '15.8 s'],
    [300, '300 ms'],
  ])('%i ms reads as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("a failed call's message", () => {
  it('says what was asked, of what, where, why, and after how many attempts', () => {
    const error = callError(
      {
        method: 'OperationService.Get',
        subject: 'fd8abc',
        endpoint: 'operation.api.cloud.yandex.net:443',
      },
      3,
      fakeIds(),
      {
        cause: grpcError(
          Status.DEADLINE_EXCEEDED,
          'Deadline exceeded after 5.0s,Waiting for LB pick',
        ),
        timeoutMs: 5000,
      },
    );
    expect(error.message).toBe(
      'OperationService.Get of fd8abc at operation.api.cloud.yandex.net:443: could not connect within 5 s (DEADLINE_EXCEEDED), after 3 attempts',
    );
    expect(error.cause).toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    expect(error.budgetBound).toBe(false);
  });

  it('leaves the attempts out when there was one', () => {
    const error = callError(
      {
        method: 'FunctionService.List',
        subject: 'folder b1gfolder',
        endpoint: 'serverless-functions.api.cloud.yandex.net:443',
      },
      1,
      fakeIds(),
      { cause: grpcError(Status.PERMISSION_DENIED, 'Permission denied') },
    );
    expect(error.message).toBe(
      'FunctionService.List of folder b1gfolder at serverless-functions.api.cloud.yandex.net:443: permission denied (PERMISSION_DENIED)',
    );
  });

  it("names a generated client's methods as the service does", () => {
    expect(methodName(OperationServiceClient, 'get')).toBe('OperationService.Get');
    expect(methodName(FunctionServiceClient, 'getVersionByTag')).toBe(
      'FunctionService.GetVersionByTag',
    );
    expect(methodName({}, 'list')).toBe('list');
  });
});

describe('whose time ran out', () => {
  const { DEADLINE_EXCEEDED, UNAVAILABLE, CANCELLED, NOT_FOUND, PERMISSION_DENIED } = Status;
  it.each([
    // status, budget spent, last attempt cut by the budget, reason
    [DEADLINE_EXCEEDED, false, false, Reason.CallTimeout],
    [DEADLINE_EXCEEDED, false, true, Reason.Deadline],
    [DEADLINE_EXCEEDED, true, false, Reason.Deadline],
    [DEADLINE_EXCEEDED, true, true, Reason.Deadline],
    [CANCELLED, true, true, Reason.Deadline],
    [UNAVAILABLE, true, false, Reason.Deadline],
    [UNAVAILABLE, false, false, undefined],
    [undefined, true, false, Reason.Deadline],
    // A definite answer is not the budget's doing, however little time was left.
    [NOT_FOUND, true, false, undefined],
    [PERMISSION_DENIED, true, true, undefined],
    [NOT_FOUND, false, false, undefined],
  ] as const)(
    '%s, budget spent %s, cut by the budget %s: %s',
    (status, budgetSpent, budgetBound, reason) => {
      expect(timeReason({ status, budgetSpent, budgetBound })).toBe(reason);
    },
  );

  it('is not the budget, for an answer the client could not read however little was left', () => {
    expect(
      timeReason({
        status: Status.INTERNAL,
        unreadable: Unreadable.Unparsable,
        budgetSpent: true,
        budgetBound: false,
      }),
    ).toBeUndefined();
  });
});
