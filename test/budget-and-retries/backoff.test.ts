import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/cloud/backoff';

const policy = { baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoff with full jitter', () => {
  it.each([
    [0, 1, 99],
    [1, 1, 199],
    [2, 1, 399],
    [3, 1, 799],
    [4, 1, 999],
    [10, 1, 999],
    [3, 0.5, 400],
    [3, 0, 0],
  ])('retry %s with random %s waits %s ms', (retry, random, delay) => {
    expect(backoffDelay(retry, policy, () => (random === 1 ? 0.999999 : random))).toBe(delay);
  });
});
