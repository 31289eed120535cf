import { validateHeaderName, validateHeaderValue } from 'node:http';
import { canonicalHeaderName } from './http-event';

/** What to send back: headers in the order they are set, so a later one of a name wins. */
export interface Reply {
  status: number;
  headers: Array<[string, string | string[]]>;
  body: Buffer;
}

const MALFORMED = 'Malformed serverless function response: not a valid json';
// A function's response headers, per yandex-cloud/docs `en/functions/concepts/function-invoke.md`,
// "Message headers": these are removed, these make the response an error, these are renamed.
const REMOVED_HEADERS = new Set([
  'host',
  'authorization',
  'user-agent',
  'connection',
  'max-forwards',
  'cookie',
]);
const FORBIDDEN_HEADERS = new Set([
  'proxy-authenticate',
  'transfer-encoding',
  'via',
  'www-authenticate',
]);
const REMAPPED_HEADERS = new Set(['content-md5', 'date', 'server']);

class MalformedResult extends Error {
  override name = 'MalformedResult';
}

const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];

/** The platform's own answer when it, not the function, refuses or fails a request. */
export function errorReply(status: number, errorType: string, errorMessage: string): Reply {
  const body = Buffer.from(JSON.stringify({ errorMessage, errorType }));
  return { status, headers: [JSON_TYPE], body };
}

/**
 * An invocation that failed in the function's code, with the runtime's error JSON
 * (`{errorMessage, errorType, stackTrace}`) as the body: the platform marks it X-Function-Error.
 */
export function functionErrorReply(errorJson: string): Reply {
  return {
    status: 502,
    headers: [JSON_TYPE, ['X-Function-Error', 'true']],
    body: Buffer.from(errorJson),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap<T>(
  value: unknown,
  isValue: (v: unknown) => v is T,
  field: string,
): Record<string, T> {
  if (value == null) return {};
  if (!isRecord(value) || !Object.values(value).every(isValue)) {
    throw new MalformedResult(`${field} is not a map of the right type`);
  }
  return value as Record<string, T>;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function responseHeaderName(name: string): string {
  const lower = name.toLowerCase();
  if (FORBIDDEN_HEADERS.has(lower)) {
    throw new MalformedResult(`response header ${canonicalHeaderName(name)} is not allowed`);
  }
  const canonical = canonicalHeaderName(name);
  return REMAPPED_HEADERS.has(lower) ? `X-Yf-Remapped-${canonical}` : canonical;
}

function collectResponseHeaders(
  headers: Record<string, string>,
  multiValueHeaders: Record<string, string[]>,
): Array<[string, string | string[]]> {
  const merged = new Map<string, [string, string | string[]]>();
  // Same-named multiValueHeaders replace headers; names compare case-insensitively.
  for (const [name, value] of [...Object.entries(headers), ...Object.entries(multiValueHeaders)]) {
    // The body is re-framed here, so the function's own length would be wrong or redundant.
    if (name.toLowerCase() === 'content-length' || REMOVED_HEADERS.has(name.toLowerCase()))
      continue;
    const outName = responseHeaderName(name);
    try {
      validateHeaderName(outName);
      for (const v of Array.isArray(value) ? value : [value]) validateHeaderValue(outName, v);
    } catch (err) {
      throw new MalformedResult((err as Error).message);
    }
    merged.set(outName.toLowerCase(), [outName, value]);
  }
  return [...merged.values()];
}

function toReply(result: unknown): Reply {
  if (!isRecord(result) || typeof result.statusCode !== 'number') {
    throw new MalformedResult('no numeric statusCode');
  }
  const { statusCode, body, isBase64Encoded } = result;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new MalformedResult(`statusCode ${statusCode} is not an HTTP status`);
  }
  if (body != null && typeof body !== 'string') throw new MalformedResult('body is not a string');
  if (isBase64Encoded != null && typeof isBase64Encoded !== 'boolean') {
    throw new MalformedResult('isBase64Encoded is not a boolean');
  }
  const headers = collectResponseHeaders(
    stringMap(result.headers, isString, 'headers'),
    stringMap(result.multiValueHeaders, isStringArray, 'multiValueHeaders'),
  );
  const text = body ?? '';
  return {
    status: statusCode,
    headers,
    body: isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

/** Maps a handler's return value to the HTTP response, as the platform does for its URL. */
export function httpResultReply(result: unknown): Reply {
  try {
    return toReply(result);
  } catch (err) {
    if (!(err instanceof MalformedResult)) throw err;
    // The platform answers every unusable shape with the same message; which rule failed is
    // left out so the emulator's reply matches the real one byte for byte.
    return errorReply(502, 'ProxyIntegrationError', MALFORMED);
  }
}

/** `?integration=raw`: the runtime's response body (the result's JSON) as it is, always with 200. */
export function rawResultReply(body: string): Reply {
  return { status: 200, headers: [JSON_TYPE], body: Buffer.from(body) };
}
