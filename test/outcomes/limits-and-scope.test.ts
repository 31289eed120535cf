import { describe, expect, it } from 'vitest';
import { cancelOperation } from '../../src/act/cancel-operation';
import { cancelPermits } from '../../src/act/permits';
import type { OperationApi } from '../../src/cloud/operation-api';
import { handOffAdapter } from '../../src/event/hand-off';
import { shares } from '../../src/sweep/fan-out';
import { cancellingApi, pipelineDeps } from '../support/pipeline-deps';
import { OPEN_POLICY } from '../support/policy';

// Issue 25: the invocation's Cancels are counted, whatever asked for them, and a fan-out shares them.
describe('the permits of an invocation', () => {
  it('give as many Cancels as the cap, then none', () => {
    const permits = cancelPermits(2);
    expect([permits.take(), permits.take(), permits.take()]).toEqual([true, true, false]);
    expect(permits.left()).toBe(0);
  });

  it.each([
    ['within what is left', 5, 3, 3, 2],
    ['more than is left', 5, 9, 5, 0],
    ['a negative count', 5, -1, 0, 5],
  ])('set aside for hand-offs %s', (_case, cap, asked, given, left) => {
    const permits = cancelPermits(cap);
    expect(permits.give(asked)).toBe(given);
    expect(permits.left()).toBe(left);
  });
});

describe('the shares of a fan-out', () => {
  it.each([
    [1000, 3, [334, 333, 333]],
    [1, 3, [1, 0, 0]],
    [6, 2, [3, 3]],
    [0, 2, [0, 0]],
  ])('of %i over %i folders are %j, adding up to the cap', (total, parts, expected) => {
    const split = shares(total, parts);
    expect(split).toEqual(expected);
    expect(split.reduce((a, b) => a + b, 0)).toBe(total);
  });
});

describe('a Cancel past the cap', () => {
  const counted = (): OperationApi & { cancels: string[] } => {
    const api = cancellingApi();
    const cancels: string[] = [];
    return {
      ...api,
      cancels,
      cancel: (id, token, limits) => {
        cancels.push(id);
        return api.cancel(id, token, limits);
      },
    };
  };
  const named = (id: string) => ({
    named: { valid: true as const, id },
    dryRun: false,
    minAgeSeconds: 0,
  });

  it('is not sent: the operation is skipped by name, and the next one too', async () => {
    const api = counted();
    const deps = pipelineDeps(api, { permits: cancelPermits(1) });
    const first = await cancelOperation(named('op1'), deps);
    const second = await cancelOperation(named('op2'), deps);
    expect(first).toMatchObject({ outcome: 'cancelled' });
    expect(second).toMatchObject({
      outcome: 'skipped',
      reason: 'over_invocation_limit',
      message: expect.stringMatching(/MAX_CANCELS_PER_INVOCATION/),
    });
    expect(api.cancels).toEqual(['op1']);
  });

  it('is asked of the scope first: one outside it takes no permit and sends no Cancel', async () => {
    const api = counted();
    const permits = cancelPermits(1);
    const outsidePolicy = async () => 'not cancelled: outside';
    const skipped = await cancelOperation(
      named('op1'),
      pipelineDeps(api, { permits, outsidePolicy }),
    );
    expect(skipped).toMatchObject({ outcome: 'skipped', reason: 'outside_policy' });
    expect(permits.left()).toBe(1);
    expect(api.cancels).toEqual([]);
  });
});

describe('a hand-off event', () => {
  const limits = { maxOperations: 1000, policy: OPEN_POLICY, httpApiKey: undefined };
  const handOff = (request: object, maxCancels?: unknown) => ({
    sweepHandOff: { sweepId: 'sweep1', request, ...(maxCancels !== undefined && { maxCancels }) },
  });

  it.each([
    ['a cloud', { sweep: { cloudId: 'b1gcloud', olderThan: '30m' } }],
    ['several folders', { sweep: { folderIds: ['b1ga', 'b1gb'], olderThan: '30m' } }],
    ['named ids', { operationIds: ['fd8op1'] }],
  ])('carrying %s is refused: a hand-off cannot fan out again', (_case, request) => {
    const [job] = handOffAdapter.jobs(handOff(request), limits);
    expect(job).toMatchObject({
      error: { message: expect.stringMatching(/cannot fan out again/) },
    });
  });

  it('carrying one folder is taken, with its share of the fan-out as its cap', () => {
    const event = handOff({ sweep: { folderId: 'b1ga', olderThan: '30m' } }, 7);
    expect(handOffAdapter.jobs(event, limits)).toEqual([
      expect.objectContaining({ request: expect.objectContaining({ kind: 'sweep' }) }),
    ]);
    expect(handOffAdapter.maxCancels?.(event)).toBe(7);
  });

  it.each([
    ['no share', undefined],
    ['a share that is no count', 'all'],
    ['a negative share', -1],
  ])('with %s may cancel nothing', (_case, share) => {
    const event = handOff({ sweep: { folderId: 'b1ga', olderThan: '30m' } }, share);
    expect(handOffAdapter.maxCancels?.(event)).toBe(0);
  });
});
