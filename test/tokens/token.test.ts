import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBudget } from '../../src/act/budget';
import { createTokenProvider, type IssuedToken, invocationToken } from '../../src/cloud/token';
import { NoTokenError } from '../../src/errors';

afterEach(() => {
  vi.useRealTimers();
});

const issued = (accessToken: string, expiresInSeconds = 3600) => ({
  accessToken,
  expiresInSeconds,
});

/** A fetch that answers `token` after `ms` of the (fake) clock; a fetch that never answers with none. */
const answersAfter = (ms: number, token?: string) => (): Promise<IssuedToken> =>
  new Promise((resolve) => {
    if (token !== undefined) setTimeout(() => resolve(issued(token)), ms);
  });

/** What the platform passes: the time left counts down from `ms` with the (fake) clock. */
const remaining = (ms: number) => {
  const start = Date.now();
  return { getRemainingTimeInMillis: () => ms - (Date.now() - start) };
};

/** How a promise has settled so far, without waiting for it. */
const watch = <T>(promise: Promise<T>) => {
  const state: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: unknown) => Object.assign(state, { error, settled: true }),
  );
  return state;
};

describe('token provider', () => {
  it('uses the context token when the function has a service account, without asking the metadata service', async () => {
    const fetchToken = vi.fn(async () => issued('t1.metadata'));
    const tokens = createTokenProvider({ fetchToken });
    await expect(tokens.token({ token: { access_token: 't1.context' } })).resolves.toBe(
      't1.context',
    );
    expect(fetchToken).not.toHaveBeenCalled();
  });

  it.each([
    ['no token field', {}],
    ['an empty token', { token: { access_token: '' } }],
    ['a token that is not a string', { token: { access_token: 42 } }],
    // grpc-js would refuse such a header with an error quoting it, token and all.
    ['a token with a line break', { token: { access_token: 't1.abc\ndef' } }],
    ['a token with a non-ASCII letter', { token: { access_token: 't1.abcé' } }],
  ])('falls back to the metadata service with %s', async (_name, context) => {
    const tokens = createTokenProvider({ fetchToken: async () => issued('t1.metadata') });
    await expect(tokens.token(context)).resolves.toBe('t1.metadata');
  });

  it('caches the metadata token until shortly before it expires', async () => {
    let now = 0;
    let n = 0;
    const fetchToken = vi.fn(async () => issued(`t1.m${++n}`, 3600));
    const tokens = createTokenProvider({ fetchToken, now: () => now });
    await expect(tokens.token({})).resolves.toBe('t1.m1');
    now = 3300_000 - 1;
    await expect(tokens.token({})).resolves.toBe('t1.m1');
    now = 3300_000;
    await expect(tokens.token({})).resolves.toBe('t1.m2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('refreshes a short-lived token at half its life', async () => {
    let now = 0;
    let n = 0;
    const tokens = createTokenProvider({
      fetchToken: async () => issued(`t1.m${++n}`, 60),
      now: () => now,
    });
    await tokens.token({});
    now = 29_999;
    await expect(tokens.token({})).resolves.toBe('t1.m1');
    now = 30_000;
    await expect(tokens.token({})).resolves.toBe('t1.m2');
  });

  it('has one fetch in flight at a time', async () => {
    let release: (value: ReturnType<typeof issued>) => void = () => {};
    const fetchToken = vi.fn(() => new Promise<ReturnType<typeof issued>>((r) => (release = r)));
    const tokens = createTokenProvider({ fetchToken });
    const waiting = Array.from({ length: 5 }, () => tokens.token({}));
    release(issued('t1.shared'));
    await expect(Promise.all(waiting)).resolves.toEqual(Array(5).fill('t1.shared'));
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('tries again after a failed fetch', async () => {
    const fetchToken = vi
      .fn()
      .mockRejectedValueOnce(new NoTokenError('answered HTTP 500'))
      .mockResolvedValueOnce(issued('t1.later'));
    const tokens = createTokenProvider({ fetchToken });
    await expect(tokens.token({})).rejects.toThrow(/attach a service account/);
    await expect(tokens.token({})).resolves.toBe('t1.later');
  });
});

describe('a wait on a spent budget', () => {
  it('refuses at once, and a later failure of the shared fetch is handled, not left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let fail: (error: Error) => void = () => {};
      const tokens = createTokenProvider({
        fetchToken: () => new Promise<IssuedToken>((_, reject) => (fail = reject)),
      });
      const spent = AbortSignal.abort();
      // One caller starts the fetch; the other joins it with no time left.
      const started = tokens.token({}).catch((error: unknown) => error);
      await expect(tokens.token({}, { signal: spent })).rejects.toThrow(/time budget ran out/);
      fail(new NoTokenError('could not be reached (ECONNREFUSED)', { transient: true }));
      await started;
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('a fetch from the metadata service', () => {
  it('is abandoned at its deadline, its signal aborted, and the next caller starts a fresh one', async () => {
    vi.useFakeTimers();
    const signals: AbortSignal[] = [];
    const fetches = [answersAfter(0), answersAfter(10, 't1.fresh')];
    const tokens = createTokenProvider({
      fetchToken: (signal) => {
        signals.push(signal);
        return (fetches[signals.length - 1] ?? answersAfter(0))();
      },
      fetchDeadlineMs: 4000,
    });

    const first = watch(tokens.token({}));
    const joined = watch(tokens.token({}));
    await vi.advanceTimersByTimeAsync(3999);
    expect(first.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    for (const waiter of [first, joined]) {
      expect(waiter.error).toBeInstanceOf(NoTokenError);
      expect(waiter.error).toMatchObject({ transient: true });
      expect(String(waiter.error)).toMatch(/metadata service gave no token within 4000 ms/);
    }
    expect(signals[0]?.aborted).toBe(true);

    const next = tokens.token({});
    await vi.advanceTimersByTimeAsync(10);
    await expect(next).resolves.toBe('t1.fresh');
    expect(signals).toHaveLength(2);
    expect(signals[1]?.aborted).toBe(false);
  });

  it('that answers after its deadline is not stored', async () => {
    vi.useFakeTimers();
    let n = 0;
    const tokens = createTokenProvider({
      fetchToken: () => (++n === 1 ? answersAfter(5000, 't1.late') : answersAfter(0, 't1.m2'))(),
      fetchDeadlineMs: 4000,
    });
    const first = watch(tokens.token({}));
    await vi.advanceTimersByTimeAsync(4000);
    expect(first.error).toBeInstanceOf(NoTokenError);
    const second = tokens.token({});
    await vi.advanceTimersByTimeAsync(2000);
    await expect(second).resolves.toBe('t1.m2');
    await expect(tokens.token({})).resolves.toBe('t1.m2');
    expect(n).toBe(2);
  });

  it('is waited for by each caller until its own signal, while it goes on for the others', async () => {
    vi.useFakeTimers();
    const fetchToken = vi.fn(answersAfter(2000, 't1.shared'));
    const tokens = createTokenProvider({ fetchToken });
    const budget = new AbortController();
    setTimeout(() => budget.abort(), 1000);

    const hurried = watch(tokens.token({}, { signal: budget.signal }));
    const patient = watch(tokens.token({}));
    await vi.advanceTimersByTimeAsync(1000);
    expect(String(hurried.error)).toMatch(/the time budget ran out while getting an IAM token/);
    expect(patient.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(patient.value).toBe('t1.shared');
    expect(fetchToken).toHaveBeenCalledTimes(1);
    // A wait that has no time left is refused at once; a cached token needs no wait.
    await expect(tokens.token({})).resolves.toBe('t1.shared');
    await expect(tokens.token({}, { signal: budget.signal })).resolves.toBe('t1.shared');
  });

  it('is refused at once to a caller whose time has run out', async () => {
    const tokens = createTokenProvider({ fetchToken: answersAfter(0) });
    await expect(tokens.token({}, { signal: AbortSignal.abort() })).rejects.toThrow(
      /time budget ran out while getting an IAM token/,
    );
  });
});

describe("an invocation's token", () => {
  it("is not waited for past the invocation's budget, the first time or after a refusal", async () => {
    vi.useFakeTimers();
    // The fetch's own deadline is past the budget: the budget is what ends each wait.
    const slow = () =>
      createTokenProvider({ fetchToken: answersAfter(20_000, 't1.slow'), fetchDeadlineMs: 30_000 });
    const provider = slow();

    const first = watch(invocationToken(provider, {}, createBudget(remaining(3300), 300)));
    await vi.advanceTimersByTimeAsync(2999);
    expect(first.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(String(first.error)).toMatch(/time budget ran out while getting an IAM token/);

    const context = { token: { access_token: 't1.context' } };
    const token = await invocationToken(slow(), context, createBudget(remaining(3300), 300));
    const refreshed = watch(token.replace('t1.context'));
    await vi.advanceTimersByTimeAsync(2999);
    expect(refreshed.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(refreshed).toMatchObject({ settled: true, value: undefined });
    expect(token.current()).toBe('t1.context');
  });

  it('is replaced once when refused, and not again when the fresh one is refused too', async () => {
    let n = 0;
    const provider = createTokenProvider({ fetchToken: async () => issued(`t1.m${++n}`) });
    const token = await invocationToken(provider, { token: { access_token: 't1.context' } });

    await expect(token.replace('t1.context')).resolves.toBe('t1.m1');
    expect(token.current()).toBe('t1.m1');
    await expect(token.replace('t1.context')).resolves.toBe('t1.m1');
    await expect(token.replace('t1.m1')).resolves.toBeUndefined();
  });
});
