import { type CancellerError, RequestError } from '../errors';
import type { Job, Report, Source } from '../model';
import type { RequestLimits } from '../request/parse';

export interface AdapterSettings extends RequestLimits {
  readonly httpApiKey: string | undefined;
}

/**
 * One way of invoking the function. An adapter turns its event into jobs and shapes the reply;
 * a new trigger type is one new adapter.
 */
export interface Adapter<E = unknown> {
  readonly source: Source;
  matches(event: unknown): event is E;
  /** The requests in the event; throws a CancellerError when the event as a whole is unusable. */
  jobs(event: E, settings: AdapterSettings): Job[];
  /** A cap on the invocation's Cancels that the event itself carries, below the deployment's. */
  maxCancels?(event: E): number | undefined;
  /** The reply once every operation has a result; may throw to make the platform deliver again. */
  reply(report: Report): unknown;
  /** The reply when nothing could be attempted; throws where a retry might mend it. */
  refuse(error: CancellerError): unknown;
}

/**
 * The refusal of a channel that carries one request (HTTP, a raw call) when that request was
 * refused once read, as a sweep whose pattern RE2 cannot read is: the caller is answered as for
 * a request that did not parse.
 */
export function refusalOf(report: Report): RequestError | undefined {
  const [message] = report.rejections ?? [];
  return message === undefined ? undefined : new RequestError(message);
}
