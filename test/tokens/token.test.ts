import { describe, expect, it, vi } from 'vitest';
import { createTokenProvider, invocationToken } from '../../src/cloud/token';
import { NoTokenError } from '../../src/errors';

const issued = (accessToken: string, expiresInSeconds = 3600) => ({
  accessToken,
  expiresInSeconds,
});

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

describe("an invocation's token", () => {
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
