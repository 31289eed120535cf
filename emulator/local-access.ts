import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may use a local server of the emulator's: a program on this machine that knows the run's
 * secret, and no web page. A page reaches 127.0.0.1 with a "simple" POST, which needs no
 * preflight, or through a name of its own rebound to 127.0.0.1; either way the browser sends an
 * Origin (or a Sec-Fetch-Site) header, and in the second a Host that is not loopback. The secret
 * keeps out the other users of a shared machine, who can reach any loopback port.
 */
export const REFUSAL = {
  host: 'host',
  browser: 'browser',
  secret: 'secret',
} as const;
export type Refusal = (typeof REFUSAL)[keyof typeof REFUSAL];

/** What the decision reads of a request. */
export interface RequestFacts {
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  /** The request target as sent, `/<secret>/…?…`. */
  readonly target: string;
}

/** Allowed, with `rest`: the target with the secret taken off (`/…?…`); or refused, and why. */
export type Access =
  | { readonly allowed: true; readonly rest: string }
  | { readonly allowed: false; readonly refusal: Refusal };

const LOOPBACK_HOST = /^(?:127\.0\.0\.1|\[::1\]|localhost)(?::\d{1,5})?$/i;
/** What a browser sends for a request the user made by hand (typed a URL), not a page. */
const USER_INITIATED = 'none';
const SECRET_BYTES = 32;

/** 32 random bytes, URL-safe: a path segment nobody else can guess. */
export function runSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

/** Compared in constant time, so the answer's timing tells nothing of the secret. */
function sameSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The target without its first path segment when that segment is the secret. */
function underSecret(target: string, secret: string): string | undefined {
  if (!target.startsWith('/')) return undefined;
  const end = target.slice(1).search(/[/?]/);
  const segment = end < 0 ? target.slice(1) : target.slice(1, end + 1);
  if (!sameSecret(segment, secret)) return undefined;
  const rest = end < 0 ? '' : target.slice(end + 1);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** Whether a request may be served: loopback Host, no sign of a web page, the secret path. */
export function localAccess(facts: RequestFacts, secret: string): Access {
  if (!isLoopbackHost(facts.host)) return { allowed: false, refusal: REFUSAL.host };
  const fromPage =
    facts.origin !== undefined ||
    (facts.secFetchSite !== undefined && facts.secFetchSite !== USER_INITIATED);
  if (fromPage) return { allowed: false, refusal: REFUSAL.browser };
  const rest = underSecret(facts.target, secret);
  return rest === undefined ? { allowed: false, refusal: REFUSAL.secret } : { allowed: true, rest };
}

export function requestFacts(req: IncomingMessage): RequestFacts {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    host: header('host'),
    origin: header('origin'),
    secFetchSite: header('sec-fetch-site'),
    target: req.url ?? '',
  };
}

const REFUSED_BECAUSE: Record<Refusal, string> = {
  host: 'the Host header is not 127.0.0.1, [::1] or localhost (any port); this server serves its own machine only, not a name pointed at it',
  browser:
    'the request comes from a web page (it has an Origin header, or a Sec-Fetch-Site other than "none"); this server takes requests from programs such as curl only',
  secret: "the path does not start with this run's secret",
};

/** The refused caller is told why; `whereTheSecretIs` names where its user finds the secret. */
export function refusalMessage(refusal: Refusal, whereTheSecretIs: string): string {
  const where = refusal === REFUSAL.secret ? `; ${whereTheSecretIs}` : '';
  return `refused: ${REFUSED_BECAUSE[refusal]}${where}`;
}
