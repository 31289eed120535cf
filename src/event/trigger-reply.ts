import { type CancellerError, RequestError, RetryableFailureError } from '../errors';
import type { CancelRequest, Job, Origin, Report, Summary } from '../model';
import { retryableFailures, worthRetrying } from '../report/summary';
import { parseRequest, type RequestLimits } from '../request/parse';

/** A trigger's request: parsed, or kept as a refused job so one bad message does not sink the batch. */
export function jobFrom(origin: Origin, input: unknown, limits: RequestLimits): Job {
  let request: CancelRequest;
  try {
    request = parseRequest(input, limits);
  } catch (error) {
    if (error instanceof RequestError) return { origin, error };
    throw error;
  }
  return { origin, request };
}

/**
 * Throwing makes the trigger deliver again (a queue: the whole batch), so only for what a retry
 * may mend. The platform discards a trigger's reply, so it is the summary alone: a batch of 1000
 * large messages would otherwise reply past the 3.5 MB cap and fail after its cancels were done.
 */
export function triggerReply(report: Report): { summary: Summary } {
  if (worthRetrying(report)) {
    throw new RetryableFailureError(
      retryableFailures(report.results),
      report.summary.sweep?.failedListings ?? 0,
    );
  }
  return { summary: report.summary };
}

export function triggerRefuse(error: CancellerError): { error: { message: string } } {
  if (error instanceof RequestError) return { error: { message: error.message } };
  throw error;
}
