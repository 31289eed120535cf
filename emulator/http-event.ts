import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The event Cloud Functions gives a function called through its own URL (no API Gateway). */
export interface HttpEvent {
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string>;
  multiValueQueryStringParameters: Record<string, string[]>;
  requestContext: {
    identity: { sourceIp: string; userAgent: string };
    httpMethod: string;
    requestId: string;
    requestTime: string;
    requestTimeEpoch: number;
  };
  path: '';
  body: string;
  isBase64Encoded: boolean;
}

/**
 * Removed from a request before the function sees it: the list in yandex-cloud/docs
 * `en/functions/concepts/function-invoke.md`, "Message headers". Host is not on that list, but
 * the documented example event (of a curl request, which always sends one) has none, so it is
 * dropped too: the platform's own output outweighs the list's silence.
 */
const DROPPED_HEADERS = new Set([
  'expect',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'authorization',
  'connection',
  'content-md5',
  'max-forwards',
  'server',
  'transfer-encoding',
  'www-authenticate',
  'cookie',
  'host',
]);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** `content-type` → `Content-Type`, `x-api-key` → `X-Api-Key`, as Go's net/textproto does. */
export const canonicalHeaderName = (name: string): string =>
  name.toLowerCase().replace(/(^|-)[a-z]/g, (start) => start.toUpperCase());

/** `26/Dec/2019:14:22:07 +0000`, always in UTC. */
export function formatRequestTime(date: Date): string {
  // toUTCString: `Thu, 26 Dec 2019 14:22:07 GMT`.
  const [, day, month, year, time] = date.toUTCString().split(' ');
  return `${day}/${month}/${year}:${time} +0000`;
}

function isTextual(contentType: string | undefined, body: Buffer): boolean {
  if (contentType === undefined) {
    try {
      strictUtf8.decode(body);
      return true;
    } catch {
      return false;
    }
  }
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    mediaType === 'application/json' || mediaType.endsWith('+json') || /^text\//.test(mediaType)
  );
}

/** Text for JSON and text/* bodies (and untyped UTF-8), base64 for everything else. */
export function encodeBody(
  contentType: string | undefined,
  body: Buffer,
): { body: string; isBase64Encoded: boolean } {
  if (body.length === 0 || isTextual(contentType, body)) {
    return { body: body.toString('utf8'), isBase64Encoded: false };
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

function collectHeaders(rawHeaders: string[]): Record<string, string[]> {
  const multi: Record<string, string[]> = {};
  // rawHeaders, not headers: Node merges or drops repeated headers, the platform keeps each one.
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (DROPPED_HEADERS.has(name.toLowerCase())) continue;
    const key = canonicalHeaderName(name);
    multi[key] = [...(multi[key] ?? []), rawHeaders[i + 1] as string];
  }
  return multi;
}

function lastValues(multi: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1] ?? '']));
}

function sourceAddress(req: IncomingMessage): { ip: string; port: number } {
  const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  return { ip, port: req.socket.remotePort ?? 0 };
}

export function buildHttpEvent(
  req: IncomingMessage,
  body: Buffer,
  requestId: string,
  now = new Date(),
): HttpEvent {
  const { ip, port } = sourceAddress(req);
  const multiValueHeaders = collectHeaders(req.rawHeaders);
  // Headers the platform's front end adds; X-Request-Id is the invocation's own id.
  multiValueHeaders['X-Real-Remote-Address'] = [`[${ip}]:${port}`];
  multiValueHeaders['X-Request-Id'] = [requestId];
  multiValueHeaders['X-Trace-Id'] = [randomUUID()];
  const headers = lastValues(multiValueHeaders);

  const multiValueQueryStringParameters: Record<string, string[]> = {};
  const query = new URL(req.url ?? '/', 'http://emulator').searchParams;
  for (const [key, value] of query) {
    multiValueQueryStringParameters[key] = [...(multiValueQueryStringParameters[key] ?? []), value];
  }

  const method = req.method ?? 'GET';
  return {
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: lastValues(multiValueQueryStringParameters),
    multiValueQueryStringParameters,
    requestContext: {
      identity: { sourceIp: ip, userAgent: headers['User-Agent'] ?? '' },
      httpMethod: method,
      requestId,
      requestTime: formatRequestTime(now),
      requestTimeEpoch: Math.floor(now.getTime() / 1000),
    },
    path: '',
    ...encodeBody(headers['Content-Type'], body),
  };
}
