import type { CallLimits } from '../cloud/unary';
import { type Logger, LogLevel } from '../log';
import type { Origin } from '../model';

/** Each retry of a listing as a WARN line, so a slow or flapping API shows while it happens. */
export const withRetryLines = (limits: CallLimits, log: Logger, origin: Origin): CallLimits => ({
  ...limits,
  onRetry: (retry) => log.log(LogLevel.Warn, 'call retried', { ...origin, ...retry }),
});
