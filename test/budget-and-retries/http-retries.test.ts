import { afterEach, describe, expect, it, vi } from 'vitest';
import { invokeSelf, type SelfInvokeDeps } from '../../src/cloud/invoke-async';
import { type RetryPolicy, retrying, type Tried } from '../../src/cloud/retry';
import { postJson } from '../../src/report/observe/post';
import { answeringServer } from '../support/answering-server';
import { closedAfterEach } from '../support/cleanup';

const track = closedAfterEach();
afterEach(() => {
  vi.restoreAllMocks();
});

const answering = (...statuses: number[]) => answeringServer(track, ...statuses);

const selfDeps = (invokeUrl: string, overrides: Partial<SelfInvokeDeps> = {}): SelfInvokeDeps => ({
  invokeUrl,
  functionId: 'd4eself',
  token: { current: () => 't1.self-token', replace: async () => undefined },
  retry: { callTimeoutMs: 5_000, retryAttempts: 2, retryBaseDelayMs: 1 },
  limits: {},
  ...overrides,
});

describe("a hand-off (the function's asynchronous call of itself)", () => {
  it('is retried after a 503, and taken at the 202', async () => {
    const server = await answering(503, 202);
    expect(await invokeSelf('{}', selfDeps(server.url))).toBeUndefined();
    expect(server.seen).toEqual([
      { url: '/d4eself?integration=async', authorization: 'Bearer t1.self-token', body: '{}' },
      { url: '/d4eself?integration=async', authorization: 'Bearer t1.self-token', body: '{}' },
    ]);
  });

  it('is tried RETRY_ATTEMPTS + 1 times in all while it keeps failing, and says so', async () => {
    const server = await answering(503);
    expect(await invokeSelf('{}', selfDeps(server.url))).toBe('answered 503 after 3 attempt(s)');
    expect(server.seen).toHaveLength(3);
  });

  it('is not retried after an answer no retry mends', async () => {
    const server = await answering(403);
    expect(await invokeSelf('{}', selfDeps(server.url))).toBe('answered 403 after 1 attempt(s)');
    expect(server.seen).toHaveLength(1);
  });

  it('says the time budget ran out when it ends the wait before a retry', async () => {
    const server = await answering(503);
    const budget = new AbortController();
    // Full jitter drawn at its top: the first wait is close to the 5 s cap, far past the abort.
    vi.spyOn(Math, 'random').mockReturnValue(0.99);
    const retry = { callTimeoutMs: 5_000, retryAttempts: 2, retryBaseDelayMs: 60_000 };
    const handedOn = invokeSelf(
      '{}',
      selfDeps(server.url, { retry, limits: { signal: budget.signal } }),
    );
    setTimeout(() => budget.abort(), 100);
    expect(await handedOn).toBe('answered 503; the time budget ran out');
    expect(server.seen).toHaveLength(1);
  });
});

describe('a post to Monitoring or a webhook', () => {
  it('is retried once, at once, after a 500, and then taken', async () => {
    const server = await answering(500, 200);
    expect(await postJson(server.url, { a: 1 }, {}, 5_000)).toEqual({ ok: true, status: 200 });
    expect(server.seen).toHaveLength(2);
  });

  it('fails after the second 500, saying it was twice', async () => {
    const server = await answering(500);
    expect(await postJson(server.url, { a: 1 }, {}, 5_000)).toEqual({
      ok: false,
      status: 500,
      reason: 'answered 500, twice',
    });
    expect(server.seen).toHaveLength(2);
  });

  it('is not retried after a 400', async () => {
    const server = await answering(400);
    expect(await postJson(server.url, { a: 1 }, {}, 5_000)).toEqual({
      ok: false,
      status: 400,
      reason: 'answered 400',
    });
    expect(server.seen).toHaveLength(1);
  });
});

describe('the retry loop', () => {
  const policy = (attempts: number, delayMs = 0): RetryPolicy => ({
    attempts,
    delayMs: () => delayMs,
  });
  /** An attempt that fails `failures` times (retryably unless told otherwise), then succeeds. */
  const failing = (failures: number, retryable = true) => {
    const tries: number[] = [];
    const attempt = async (n: number): Promise<Tried<string, string>> => {
      tries.push(n);
      return n > failures
        ? { ok: true, value: `ok at ${n}` }
        : { ok: false, failure: `no ${n}`, retryable };
    };
    return { attempt, tries };
  };

  it.each([
    { case: 'succeeds at once', failures: 0, attempts: 3, retryable: true, ok: true, tried: 1 },
    {
      case: 'succeeds at the last attempt',
      failures: 2,
      attempts: 3,
      retryable: true,
      ok: true,
      tried: 3,
    },
    { case: 'spends its attempts', failures: 5, attempts: 3, retryable: true, ok: false, tried: 3 },
    {
      case: 'stops at a failure no retry mends',
      failures: 5,
      attempts: 3,
      retryable: false,
      ok: false,
      tried: 1,
    },
  ])('$case', async ({ failures, attempts, retryable, ok, tried }) => {
    const { attempt, tries } = failing(failures, retryable);
    const ended = await retrying(attempt, { policy: policy(attempts) });
    expect(ended).toMatchObject({ ok, attempts: tried, cut: false });
    expect(tries).toEqual(Array.from({ length: tried }, (_, i) => i + 1));
  });

  it('makes no retry whose wait the time left cannot hold, and tells of none', async () => {
    const { attempt, tries } = failing(5);
    const told: number[] = [];
    const ended = await retrying(attempt, {
      policy: policy(3, 10_000),
      remainingMs: () => 5_000,
      onRetry: (retry) => told.push(retry.attempt),
    });
    expect(ended).toMatchObject({ ok: false, attempts: 1, cut: false, failure: 'no 1' });
    expect(tries).toEqual([1]);
    expect(told).toEqual([]);
  });

  it('tells of each retry before its wait, and a teller that throws fails nothing', async () => {
    const { attempt } = failing(2);
    const told: Array<{ attempt: number; failure: string }> = [];
    const ended = await retrying(attempt, {
      policy: policy(3),
      onRetry: ({ attempt: n, failure }) => {
        told.push({ attempt: n, failure });
        throw new Error('a logger that broke');
      },
    });
    expect(ended).toMatchObject({ ok: true, value: 'ok at 3', attempts: 3 });
    expect(told).toEqual([
      { attempt: 1, failure: 'no 1' },
      { attempt: 2, failure: 'no 2' },
    ]);
  });

  it('is cut when the budget aborts during a wait, and starts no attempt after', async () => {
    const { attempt, tries } = failing(5);
    const budget = new AbortController();
    const ended = retrying(attempt, { policy: policy(3, 60_000), signal: budget.signal });
    setTimeout(() => budget.abort(), 50);
    expect(await ended).toMatchObject({ ok: false, attempts: 1, cut: true });
    expect(tries).toEqual([1]);
  });
});
