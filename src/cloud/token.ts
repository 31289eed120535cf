import { NoTokenError } from '../errors';
import { beforeSignal } from './out-of-time';
import type { BearerToken } from './unary';

/** A token as the metadata service issues it. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

/** The part of the invocation context that carries the service account's token. */
export interface TokenContext {
  readonly token?: { readonly access_token?: unknown; readonly expires_in?: unknown } | undefined;
}

/** What a wait for a token stops at: the invocation's time budget. */
export interface TokenWait {
  readonly signal?: AbortSignal;
}

export interface TokenProvider {
  /** Resolves to a bearer token; rejects with NoTokenError, or CancellerError when `wait` ends. */
  token(context: TokenContext, wait?: TokenWait): Promise<string>;
  /**
   * A token other than the one the API just refused, from the metadata service; or undefined,
   * also when `wait` ends first.
   */
  replace(rejected: string, wait?: TokenWait): Promise<string | undefined>;
}

export interface TokenProviderDeps {
  /** Asks the metadata service; `signal` aborts when the fetch is abandoned. */
  readonly fetchToken: (signal: AbortSignal) => Promise<IssuedToken>;
  readonly now?: () => number;
  /** How long one fetch, its retries and all, may take before it is abandoned. */
  readonly fetchDeadlineMs?: number;
}

/** Refresh this long before expiry (or at half-life for short tokens), so a call never carries a dying token. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** A context token closer than this to its end is not used: calls and retries may outlive it. */
const MIN_CONTEXT_LIFETIME_SECONDS = 60;
/**
 * Above the metadata fetch's own worst case (three tries of 1 s and their pauses, 3.3 s), so that
 * its error, which says what went wrong, is the one reported; this cuts only a fetch that hangs
 * past its own timeouts.
 */
const FETCH_DEADLINE_MS = 4000;
/** A wait for a token says the same whether the budget was spent before it began or during it. */
const OUT_OF_TIME = {
  before: 'the time budget ran out while getting an IAM token',
  during: 'the time budget ran out while getting an IAM token',
} as const;

/**
 * What a bearer token can hold. Anything else would be refused by grpc-js with an error that
 * quotes the header, token and all, so such a token is treated as absent.
 */
export const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

function contextToken(context: TokenContext): string | undefined {
  const { access_token: value, expires_in: expiresIn } = context.token ?? {};
  if (typeof value !== 'string' || !TOKEN_PATTERN.test(value)) return undefined;
  if (typeof expiresIn === 'number' && expiresIn < MIN_CONTEXT_LIFETIME_SECONDS) return undefined;
  return value;
}

/**
 * The context's token when the function has a service account; otherwise the metadata service's,
 * cached for the warm instance and fetched by one caller at a time. A fetch past its deadline is
 * abandoned, so a request the service holds open cannot block the instance: the next caller
 * starts a fresh one.
 */
export function createTokenProvider({
  fetchToken,
  now = Date.now,
  fetchDeadlineMs = FETCH_DEADLINE_MS,
}: TokenProviderDeps): TokenProvider {
  let cached: { value: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const store = (issued: IssuedToken): string => {
    const lifetimeMs = issued.expiresInSeconds * 1000;
    cached = {
      value: issued.accessToken,
      refreshAt: now() + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2),
    };
    return issued.accessToken;
  };

  const refresh = (): Promise<string> => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new NoTokenError(`gave no token within ${fetchDeadlineMs} ms`, { transient: true }));
        controller.abort();
      }, fetchDeadlineMs);
      timer.unref();
    });
    // An abandoned fetch's late answer is dropped: it lost the race, so it is never stored.
    return Promise.race([fetchToken(controller.signal), abandoned])
      .then(store)
      .finally(() => clearTimeout(timer));
  };

  const fromMetadata = (wait: TokenWait): Promise<string> => {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.value);
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return beforeSignal(inFlight, wait.signal, OUT_OF_TIME);
  };

  return {
    async token(context, wait = {}) {
      return contextToken(context) ?? fromMetadata(wait);
    },
    async replace(rejected, wait = {}) {
      if (cached?.value === rejected) cached = undefined;
      const fresh = await fromMetadata(wait).catch(() => undefined);
      return fresh === rejected ? undefined : fresh;
    },
  };
}

/** One invocation's token: every call uses it, and a refusal replaces it once for all. */
export type InvocationToken = BearerToken;

/** Every wait for a token, the first and the one after a refusal, ends with `wait`. */
export async function invocationToken(
  provider: TokenProvider,
  context: TokenContext,
  wait: TokenWait = {},
): Promise<InvocationToken> {
  let current = await provider.token(context, wait);
  let replacing: Promise<string | undefined> | undefined;
  let replaced = false;
  return {
    current: () => current,
    replace(rejected) {
      if (rejected !== current) return Promise.resolve(current);
      // The fresh token was refused too: there is no third to try.
      if (replaced) return Promise.resolve(undefined);
      replacing ??= provider.replace(rejected, wait).then((fresh) => {
        replaced = true;
        if (fresh !== undefined) current = fresh;
        return fresh;
      });
      return replacing;
    },
  };
}
