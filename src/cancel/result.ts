import type { Outcome } from '../constants';

/** One named operation's result: a reply entry and, with the invocation's fields, a log line. */
export interface OperationResult {
  readonly operationId: string;
  readonly outcome: Outcome;
  readonly reason?: string;
  readonly code?: string;
  readonly message?: string;
  readonly retryable?: boolean;
  readonly attempts: number;
  readonly durationMs: number;
  readonly description?: string;
  readonly createdAt?: string;
  readonly createdBy?: string;
  readonly apiRequestId?: string;
}
