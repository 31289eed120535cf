import { type OperationResult, Outcome, type Report, type Summary } from '../model';

export function summarize(
  results: readonly OperationResult[],
  rejectedRequests: number,
  durationMs: number,
): Summary {
  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const { outcome } of results) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  return { operations: results.length, outcomes, rejectedRequests, durationMs };
}

/** The ids worth delivering again: cancel is idempotent, so a retry of the whole event is safe. */
export function retryableFailures(results: readonly OperationResult[]): string[] {
  return results
    .filter((r) => r.outcome === Outcome.Failed && r.retryable)
    .map((r) => r.operationId);
}

/** Whether a retry of the whole event may mend something: a transient failure, or a sweep listing. */
export function worthRetrying(report: Report): boolean {
  return (
    retryableFailures(report.results).length > 0 || (report.summary.sweep?.failedListings ?? 0) > 0
  );
}
