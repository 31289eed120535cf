import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ACTIVE_OPERATIONS_LIMIT_TEXT } from '../../emulator/cloud-api/fault';
import { classifyStatus, quotaReason } from '../../src/act/classify';
import { hitActiveOperationsQuota } from '../../src/cloud/grpc-status';
import { failureOf } from '../../src/sweep/listing/failure';

/**
 * The folder's quota on active operations told from every other RESOURCE_EXHAUSTED by its text
 * alone: the platform's words (yc-actions/yc-github-runner #700) and the variants a wording change
 * may bring; request-rate throttling and the client's own receive limit stay as they were.
 */
const QUOTA = [
  ['the platform text, as the emulator answers it', ACTIVE_OPERATIONS_LIMIT_TEXT],
  ['the same without its stop', 'The limit on maximum number of active operations has exceeded'],
  ['in another case', 'THE LIMIT ON MAXIMUM NUMBER OF ACTIVE OPERATIONS HAS EXCEEDED'],
  ['with a line break', 'The limit on maximum number of active\noperations has exceeded'],
  ['"running" for "active"', 'Limit on running operations exceeded'],
  ['"concurrent", "quota" after', 'Too many concurrent operations: quota exceeded'],
  [
    'quoted inside a longer text',
    'request abc: The limit on maximum number of active operations has exceeded. Retry later',
  ],
] as const;

const OTHERS = [
  ['request-rate throttling (the API docs)', 'The request limit exceeded.'],
  ['a plain quota', 'Quota exceeded'],
  ['a resource quota', 'Quota limit vpc.networks.count exceeded'],
  ['the client receive limit', 'Received message larger than max (5242905 vs 4194304)'],
  ['operations without a limit', 'active operations are listed'],
  ['nothing at all', ''],
  // Far apart: the words must belong to one phrase, not to any long text that holds both.
  ['the words sentences apart', 'Limit reached. Later the active operations of the folder end.'],
] as const;

describe('a RESOURCE_EXHAUSTED about the active-operations quota', () => {
  it.each(QUOTA)('is the quota: %s', (_, text) => {
    expect(quotaReason(status.RESOURCE_EXHAUSTED, text)).toBe('active_operations_quota');
  });

  it.each(OTHERS)('is not the quota: %s', (_, text) => {
    expect(quotaReason(status.RESOURCE_EXHAUSTED, text)).toBeUndefined();
  });

  it.each([status.UNAVAILABLE, status.FAILED_PRECONDITION, status.INTERNAL, undefined])(
    'is only ever RESOURCE_EXHAUSTED: not status %s with the same text',
    (code) => {
      expect(quotaReason(code, ACTIVE_OPERATIONS_LIMIT_TEXT)).toBeUndefined();
    },
  );

  it('keeps its class, failed and retryable, as any RESOURCE_EXHAUSTED: the quota frees as operations end', () => {
    expect(classifyStatus(status.RESOURCE_EXHAUSTED)).toEqual({
      outcome: 'failed',
      code: 'RESOURCE_EXHAUSTED',
      retryable: true,
    });
  });

  it('reads a text past 1024 characters only so far', () => {
    const late = `${'x'.repeat(2000)} ${ACTIVE_OPERATIONS_LIMIT_TEXT}`;
    expect(quotaReason(status.RESOURCE_EXHAUSTED, late)).toBeUndefined();
  });
});

describe('a failed call, as grpc-js and the SDK give it', () => {
  const grpcError = (code: number, details: string) =>
    Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details });

  it.each([
    ['grpc-js', grpcError(status.RESOURCE_EXHAUSTED, ACTIVE_OPERATIONS_LIMIT_TEXT), true],
    [
      "the SDK's ApiError, its message alone",
      new Error(
        `/yandex.cloud.compute.v1.InstanceService/Create RESOURCE_EXHAUSTED: ${ACTIVE_OPERATIONS_LIMIT_TEXT}`,
      ),
      true,
    ],
    ['throttling', grpcError(status.RESOURCE_EXHAUSTED, 'The request limit exceeded.'), false],
    ['another status', grpcError(status.UNAVAILABLE, ACTIVE_OPERATIONS_LIMIT_TEXT), false],
    ['not an error', 'The limit on maximum number of active operations has exceeded', false],
  ] as const)('%s: %s', (_, error, hit) => {
    expect(hitActiveOperationsQuota(error)).toBe(hit);
  });

  it('names the quota in a failed listing, transient as before; throttling names none', () => {
    const quota = failureOf(grpcError(status.RESOURCE_EXHAUSTED, ACTIVE_OPERATIONS_LIMIT_TEXT));
    expect(quota).toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
      end: 'transient',
      quota: 'active operations per folder',
    });
    const throttled = failureOf(
      grpcError(status.RESOURCE_EXHAUSTED, 'The request limit exceeded.'),
    );
    expect(throttled).toMatchObject({ code: 'RESOURCE_EXHAUSTED', end: 'transient' });
    expect(throttled).not.toHaveProperty('quota');
  });
});
