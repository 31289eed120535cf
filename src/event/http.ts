import { createHash, timingSafeEqual } from 'node:crypto';
import type { Http } from '@yandex-cloud/function-types/dist/src/http';
import { type CancellerError, RequestError, UnauthorizedError } from '../errors';
import { MAX_BODY_BYTES, Source } from '../model';
import { printable, redacted } from '../printable';
import { replyBody } from '../report/reply-body';
import { worthRetrying } from '../report/summary';
import { parseRequest } from '../request/parse';
import { type Adapter, refusalOf } from './adapter';
import { isObject } from './trigger-message';

/** Seconds a caller should wait before repeating a request with retryable failures. */
const RETRY_AFTER_SECONDS = '10';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The fields of a function-URL or API Gateway (payload 0.1 and 1.0) event that we read. */
type HttpEvent = Pick<Http.Event, 'httpMethod'> &
  Partial<Pick<Http.Event, 'headers' | 'body' | 'isBase64Encoded'>>;

function header(event: HttpEvent, name: string): string | undefined {
  if (!isObject(event.headers)) return undefined;
  const key = Object.keys(event.headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : event.headers[key];
  return typeof value === 'string' ? value : undefined;
}

/** Compares digests, so neither the key's length nor its content leaks through timing. */
function sameSecret(given: string | undefined, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

function bodyText(event: HttpEvent): string {
  const body = event.body ?? '';
  if (typeof body !== 'string') throw new RequestError('the body is not a string');
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw new RequestError('the body is larger than the platform limit of 3.5 MB', 413);
  }
  if (event.isBase64Encoded !== true) return body;
  const compact = body.replace(/\s+/g, '');
  if (!BASE64.test(compact)) {
    throw new RequestError('the body is marked isBase64Encoded but is not valid base64');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'));
  } catch (error) {
    throw new RequestError('the decoded body is not UTF-8 text', 400, { cause: error });
  }
}

function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): Http.Result {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    // Its results carry servers' words, redacted where they are read; this is the last check.
    body: redacted(JSON.stringify(body)),
    isBase64Encoded: false,
  };
}

function statusFor(error: CancellerError): number {
  if (error instanceof RequestError) return error.status;
  if (error instanceof UnauthorizedError) return 401;
  return 500;
}

export const httpAdapter: Adapter<HttpEvent> = {
  source: Source.Http,

  matches: (event): event is HttpEvent => isObject(event) && typeof event.httpMethod === 'string',

  jobs(event, settings) {
    if (
      settings.httpApiKey !== undefined &&
      !sameSecret(header(event, 'x-api-key'), settings.httpApiKey)
    ) {
      throw new UnauthorizedError();
    }
    if (event.httpMethod.toUpperCase() !== 'POST') {
      throw new RequestError(
        `method ${printable(event.httpMethod, 16)} is not allowed; send a POST`,
        405,
      );
    }
    return [{ origin: { source: Source.Http }, request: parseRequest(bodyText(event), settings) }];
  },

  reply(report) {
    const refusal = refusalOf(report);
    if (refusal !== undefined) return httpAdapter.refuse(refusal);
    const retry = worthRetrying(report);
    return jsonResponse(
      retry ? 503 : 200,
      replyBody(report),
      retry ? { 'Retry-After': RETRY_AFTER_SECONDS } : {},
    );
  },

  refuse(error) {
    const status = statusFor(error);
    const headers: Record<string, string> = status === 405 ? { Allow: 'POST' } : {};
    return jsonResponse(status, { error: { message: error.message } }, headers);
  },
};
