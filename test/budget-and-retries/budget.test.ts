import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBudget } from '../../src/act/budget';
import { createSlots } from '../../src/cloud/in-flight';
import type { OperationApi } from '../../src/cloud/operation-api';
import { beforeSignal, outOfTimeFor } from '../../src/cloud/out-of-time';
import type { TokenProvider } from '../../src/cloud/token';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { run } from '../../src/run';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** What the platform passes: the time left counts down from `ms` with the (fake) clock. */
const remaining = (ms: number) => {
  const start = Date.now();
  return { getRemainingTimeInMillis: () => ms - (Date.now() - start) };
};
const never = <T>() => new Promise<T>(() => {});

describe('the time budget', () => {
  it('is the time the platform leaves, less the margin, and ends on the dot', () => {
    const budget = createBudget(remaining(5000), 1000);
    expect(budget.remainingMs()).toBe(4000);
    vi.advanceTimersByTime(3999);
    expect(budget.signal.aborted).toBe(false);
    expect(budget.remainingMs()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(budget.signal.aborted).toBe(true);
    expect(budget.remainingMs()).toBe(0);
  });

  it.each([
    ['no getRemainingTimeInMillis', {}],
    ['one that is not a function', { getRemainingTimeInMillis: 5000 }],
    ['one that answers NaN', { getRemainingTimeInMillis: () => Number.NaN }],
  ])('has no end with %s', (_, context) => {
    const budget = createBudget(context, 1000);
    vi.advanceTimersByTime(3_600_000);
    expect(budget.signal.aborted).toBe(false);
    expect(budget.remainingMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('has ended at once when the margin is more than the time left', async () => {
    const budget = createBudget(remaining(500), 1000);
    expect(budget.remainingMs()).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(budget.signal.aborted).toBe(true);
  });

  it('stops waiting for work when it ends, and says what was waited for', async () => {
    const budget = createBudget(remaining(3000), 1000);
    const waited = beforeSignal(never(), budget.signal, outOfTimeFor('getting an IAM token'));
    const settled = vi.fn();
    waited.catch(settled);
    await vi.advanceTimersByTimeAsync(1999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(waited).rejects.toThrow('the time budget ran out while getting an IAM token');
  });

  it('lets work that ends first through, and refuses to start once it has ended', async () => {
    const budget = createBudget(remaining(3000), 1000);
    await expect(
      beforeSignal(Promise.resolve('done'), budget.signal, outOfTimeFor('x')),
    ).resolves.toBe('done');
    await vi.advanceTimersByTimeAsync(2000);
    await expect(
      beforeSignal(Promise.resolve('late'), budget.signal, outOfTimeFor('listing')),
    ).rejects.toThrow('no time left for listing');
  });
});

describe('an invocation out of time', () => {
  const unusedApi: OperationApi = {
    get: () => Promise.reject(new Error('no call may be made')),
    cancel: () => Promise.reject(new Error('no call may be made')),
  };
  const instance = (tokens: TokenProvider) => ({
    config: loadConfig({ TIME_MARGIN_MS: '300' }),
    api: unusedApi,
    tokens,
    slots: createSlots(1),
  });
  const request = {
    origin: { source: 'raw' as const },
    request: {
      kind: 'ids' as const,
      operations: [{ valid: true as const, id: 'op1' }],
      dryRun: false,
      minAgeSeconds: 0,
    },
  };

  it('is not held past its budget by a token that never comes', async () => {
    const hanging: TokenProvider = { token: () => never(), replace: async () => undefined };
    const lines: string[] = [];
    const invocation = run(
      instance(hanging),
      [request],
      remaining(1300),
      createLogger((l) => lines.push(l)),
    );
    const settled = vi.fn();
    invocation.catch(settled);

    await vi.advanceTimersByTimeAsync(999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(invocation).rejects.toThrow(/time budget ran out while getting an IAM token/);
    expect(lines).toEqual([]);
  });
});
