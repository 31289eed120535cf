/** A token as the metadata service issues it. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

/** The part of the invocation context that carries the service account's token. */
export interface TokenContext {
  readonly token?: { readonly access_token?: unknown; readonly expires_in?: unknown } | undefined;
}

export interface TokenProvider {
  /** Resolves to a bearer token, or rejects with NoTokenError. */
  token(context: TokenContext): Promise<string>;
  /** A token other than the one the API just refused, from the metadata service; or undefined. */
  replace(rejected: string): Promise<string | undefined>;
}

export interface TokenProviderDeps {
  readonly fetchToken: () => Promise<IssuedToken>;
  readonly now?: () => number;
}

/** Refresh this long before expiry (or at half-life for short tokens), so a call never carries a dying token. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** A context token closer than this to its end is not used: calls and retries may outlive it. */
const MIN_CONTEXT_LIFETIME_SECONDS = 60;

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

  const fromMetadata = (): Promise<string> => {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.value);
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    async token(context) {
      return contextToken(context) ?? fromMetadata();
    },
    async replace(rejected) {
      if (cached?.value === rejected) cached = undefined;
      const fresh = await fromMetadata().catch(() => undefined);
      return fresh === rejected ? undefined : fresh;
    },
  };
}

/** One invocation's token: every operation uses it, and a refusal replaces it once for all. */
export interface InvocationToken {
  current(): string;
  /** The token to retry with after `rejected` was refused, or undefined when there is none. */
  replace(rejected: string): Promise<string | undefined>;
}

export async function invocationToken(
  provider: TokenProvider,
  context: TokenContext,
): Promise<InvocationToken> {
  let current = await provider.token(context);
  let replacing: Promise<string | undefined> | undefined;
  let replaced = false;
  return {
    current: () => current,
    replace(rejected) {
      if (rejected !== current) return Promise.resolve(current);
      // The fresh token was refused too: there is no third to try.
      if (replaced) return Promise.resolve(undefined);
      replacing ??= provider.replace(rejected).then((fresh) => {
        replaced = true;
        if (fresh !== undefined) current = fresh;
        return fresh;
      });
      return replacing;
    },
  };
}
