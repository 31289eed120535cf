import { get } from 'node:http';
import { NoTokenError } from '../errors';
import { retrying, type Tried } from './retry';
import { type IssuedToken, TOKEN_PATTERN } from './token';

export interface MetadataRetry {
  readonly attempts: number;
  readonly firstDelayMs: number;
  readonly timeoutMs: number;
}

/** A few quick tries: the service is local, and an invocation cannot wait long for it. */
const RETRY: MetadataRetry = { attempts: 3, firstDelayMs: 100, timeoutMs: 1000 };

/**
 * Asks the metadata service for the service account's token, retrying what may pass (refused
 * connection, timeout, 5xx) a bounded number of times; `signal` ends the request in flight and
 * the retries. Plain `http.get` rather than `fetch`: loading Node's fetch costs cold-start time,
 * and this is one small GET.
 */
export async function fetchMetadataToken(
  url: string,
  { retry = RETRY, signal }: { retry?: MetadataRetry; signal?: AbortSignal } = {},
): Promise<IssuedToken> {
  const policy = { attempts: retry.attempts, delayMs: (n: number) => retry.firstDelayMs * 2 ** n };
  const once = (): Promise<Tried<IssuedToken, unknown>> =>
    fetchOnce(url, retry.timeoutMs, signal).then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({
        ok: false,
        failure: error,
        retryable: error instanceof NoTokenError && error.transient,
      }),
    );
  const ended = await retrying(once, { policy, ...(signal && { signal }) });
  if (ended.ok) return ended.value;
  throw ended.failure;
}

const MAX_ANSWER_BYTES = 64 * 1024;

function fetchOnce(url: string, timeoutMs: number, signal?: AbortSignal): Promise<IssuedToken> {
  return new Promise((resolve, reject) => {
    // The whole answer within the timeout, not only some byte of it: a server that trickles
    // its answer would otherwise hold the request open for ever.
    const timer = setTimeout(
      () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const request = get(
      url,
      { headers: { 'Metadata-Flavor': 'Google' }, ...(signal && { signal }) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // A token answer is a few KB: a bigger one is a broken service, not read on.
          if (size > MAX_ANSWER_BYTES) {
            request.destroy(new Error(`answered more than ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error) =>
          reject(new NoTokenError('failed mid-answer', { cause: error, transient: true })),
        );
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 404) {
            reject(
              new NoTokenError(
                'answered 404 (is the metadata endpoint disabled on the function version?)',
              ),
            );
            return;
          }
          if (status !== 200) {
            reject(new NoTokenError(`answered HTTP ${status}`, { transient: status >= 500 }));
            return;
          }
          const token = parseToken(Buffer.concat(chunks).toString('utf8'));
          if (token) resolve(token);
          // The body is never quoted: a half-valid answer could still hold the token.
          else reject(new NoTokenError('answered without a usable access_token'));
        });
      },
    );
    request.on('close', () => clearTimeout(timer));
    request.on('error', (error) =>
      reject(
        new NoTokenError(`could not be reached (${errorCode(error)})`, {
          cause: error,
          transient: true,
        }),
      ),
    );
  });
}

function errorCode(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}

function parseToken(body: string): IssuedToken | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { access_token: accessToken, expires_in: expiresIn } = parsed as Record<string, unknown>;
    if (typeof accessToken !== 'string' || !TOKEN_PATTERN.test(accessToken)) return undefined;
    if (typeof expiresIn !== 'number' || !(expiresIn > 0)) return undefined;
    return { accessToken, expiresInSeconds: expiresIn };
  } catch {
    return undefined;
  }
}
