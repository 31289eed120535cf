import type { OperationResult } from '../cancel/result';
import type { Outcome, Source } from '../constants';
import type { CancellerError, RequestError } from '../errors';
import type { CancelRequest, RequestLimits } from './request';

/** Where a request came from, carried into every log line about it. */
export interface Origin {
  readonly source: Source;
  readonly triggerId?: string;
  readonly queueId?: string;
  readonly messageId?: string;
  /** Where a sweep found the operation. */
  readonly resourceKind?: string;
  readonly resourceId?: string;
}

/** One request found in an event: parsed, or refused with the reason. */
export type Job =
  | { readonly origin: Origin; readonly request: CancelRequest }
  | { readonly origin: Origin; readonly error: RequestError };

export interface Summary {
  readonly operations: number;
  readonly outcomes: Partial<Record<Outcome, number>>;
  readonly rejectedRequests: number;
  readonly durationMs: number;
  /** What the sweeps of this invocation found, when there were any. */
  readonly sweep?: SweepSummary;
}

export interface SweepSummary {
  readonly candidates: number;
  readonly refused: boolean;
  readonly failedListings: number;
}

/** Everything an invocation did, for the channel to shape its reply from. */
export interface Report {
  readonly results: readonly OperationResult[];
  readonly summary: Summary;
}

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
  /** The reply once every operation has a result; may throw to make the platform deliver again. */
  reply(report: Report): unknown;
  /** The reply when nothing could be attempted; throws where a retry might mend it. */
  refuse(error: CancellerError): unknown;
}
