import type { IssuedToken } from './metadata-token';

/** The part of the invocation context that carries the service account's token. */
export interface TokenContext {
  readonly token?: { readonly access_token?: unknown } | undefined;
}

export interface TokenProvider {
  /** Resolves to a bearer token, or rejects with NoTokenError. */
  token(context: TokenContext): Promise<string>;
}

export interface TokenProviderDeps {
  readonly fetchToken: () => Promise<IssuedToken>;
  readonly now?: () => number;
}

/** Refresh this long before expiry (or at half-life for short tokens), so a call never carries a dying token. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * The context's token when the function has a service account; otherwise the metadata service's,
 * cached for the warm instance and fetched by one caller at a time.
 */
export function createTokenProvider({
  fetchToken,
  now = Date.now,
}: TokenProviderDeps): TokenProvider {
  let cached: { value: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const refresh = async (): Promise<string> => {
    const issued = await fetchToken();
    const lifetimeMs = issued.expiresInSeconds * 1000;
    cached = {
      value: issued.accessToken,
      refreshAt: now() + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2),
    };
    return issued.accessToken;
  };

  return {
    async token(context) {
      const fromContext = context.token?.access_token;
      if (typeof fromContext === 'string' && fromContext !== '') return fromContext;
      if (cached && now() < cached.refreshAt) return cached.value;
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
