import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closable, type Track } from './cleanup';

/** What an answering server was asked: each request's path, Authorization header and body, in order. */
export interface Seen {
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/**
 * An HTTP server on loopback that answers the statuses given, one per request, and the last one
 * after them, closed after the test by `track`.
 */
export async function answeringServer(
  track: Track,
  ...statuses: number[]
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    seen.push({ url: request.url ?? '', authorization: request.headers.authorization, body });
    response.statusCode = statuses[Math.min(seen.length, statuses.length) - 1] ?? 500;
    response.end('{}');
  });
  track(closable(server));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
