import { type Logger, LogLevel } from '../log';
import { type OperationResult, type Origin, Outcome, type Summary } from '../model';

const LEVELS: Record<Outcome, LogLevel> = {
  [Outcome.Cancelled]: LogLevel.Info,
  [Outcome.Cancelling]: LogLevel.Info,
  [Outcome.AlreadyDone]: LogLevel.Info,
  [Outcome.Skipped]: LogLevel.Info,
  [Outcome.NotFound]: LogLevel.Warn,
  [Outcome.NotCancellable]: LogLevel.Warn,
  [Outcome.Invalid]: LogLevel.Warn,
  // Nothing was done, and someone must look: the API offers no way to end it.
  [Outcome.Stuck]: LogLevel.Warn,
  [Outcome.Denied]: LogLevel.Error,
  [Outcome.Failed]: LogLevel.Error,
};

export function logResult(log: Logger, origin: Origin, result: OperationResult): void {
  log.log(LEVELS[result.outcome], `operation ${result.outcome}`, { ...origin, ...result });
}

export function logSummary(log: Logger, summary: Summary): void {
  const troubled = (summary.outcomes.failed ?? 0) + (summary.outcomes.denied ?? 0);
  log.log(troubled > 0 ? LogLevel.Warn : LogLevel.Info, 'invocation summary', { ...summary });
}
