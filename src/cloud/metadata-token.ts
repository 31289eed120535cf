import { get } from 'node:http';
import { NoTokenError } from '../errors';

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

const TIMEOUT_MS = 2000;

/**
 * Asks the metadata service for the service account's token. Plain `http.get` rather than `fetch`:
 * loading Node's fetch costs cold-start time, and this is one small GET.
 */
export function fetchMetadataToken(url: string): Promise<IssuedToken> {
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      { headers: { 'Metadata-Flavor': 'Google' }, timeout: TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(new NoTokenError('failed mid-answer', { cause: error })));
        res.on('end', () => {
          if (res.statusCode === 404) {
            reject(
              new NoTokenError(
                'answered 404 (is the metadata endpoint disabled on the function version?)',
              ),
            );
            return;
          }
          if (res.statusCode !== 200) {
            reject(new NoTokenError(`answered HTTP ${res.statusCode}`));
            return;
          }
          const token = parseToken(Buffer.concat(chunks).toString('utf8'));
          if (token) resolve(token);
          // The body is never quoted: a half-valid answer could still hold the token.
          else reject(new NoTokenError('answered without a usable access_token'));
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    request.on('error', (error) =>
      reject(new NoTokenError(`could not be reached (${errorCode(error)})`, { cause: error })),
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
    if (typeof accessToken !== 'string' || accessToken === '') return undefined;
    if (typeof expiresIn !== 'number' || !(expiresIn > 0)) return undefined;
    return { accessToken, expiresInSeconds: expiresIn };
  } catch {
    return undefined;
  }
}
