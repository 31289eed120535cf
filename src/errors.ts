import type { RequestIds } from './request-ids';

/** Base of every error this function raises on purpose; `cause` is passed through to the logs. */
export class CancellerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CancellerError';
  }
}

/** The event or body is not a request this function understands; retrying it cannot help. */
export class RequestError extends CancellerError {
  constructor(
    message: string,
    readonly status: 400 | 403 | 405 | 413 = 400,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RequestError';
  }
}

/** HTTP_API_KEY is set and the caller did not present it. */
export class UnauthorizedError extends CancellerError {
  constructor() {
    super('missing or wrong X-Api-Key header');
    this.name = 'UnauthorizedError';
  }
}

/** No IAM token could be had: nothing can be cancelled until the function has a service account. */
export class NoTokenError extends CancellerError {
  /** The metadata service may answer a moment later: a refused connection, a timeout, a 5xx. */
  readonly transient: boolean;

  constructor(
    detail: string,
    { transient = false, ...options }: ErrorOptions & { transient?: boolean } = {},
  ) {
    super(
      `no IAM token: attach a service account to the function (the invocation context carried no token, and the metadata service ${detail})`,
      options,
    );
    this.name = 'NoTokenError';
    this.transient = transient;
  }
}

/** An environment variable holds a value the function cannot use. */
export class ConfigError extends CancellerError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Some work failed in ways a later attempt may mend; thrown so a trigger delivers the event again. */
export class RetryableFailureError extends CancellerError {
  constructor(
    readonly operationIds: readonly string[],
    readonly failedListings = 0,
  ) {
    const shown = operationIds.slice(0, 10).join(', ') + (operationIds.length > 10 ? ', …' : '');
    const parts = [
      ...(operationIds.length > 0
        ? [`${operationIds.length} operation(s) failed with retryable errors (${shown})`]
        : []),
      ...(failedListings > 0 ? [`${failedListings} sweep listing(s) failed`] : []),
    ];
    super(`${parts.join('; ')}; failing the invocation so that it is delivered again`);
    this.name = 'RetryableFailureError';
  }
}

/**
 * A zip that is not the whole of what `npm run build` made: a packaging mistake, which only an
 * upload of dist/function.zip mends, and which must not read as a bug of the function's.
 */
export class MissingBundleError extends CancellerError {
  constructor(
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(`the deployed zip lacks ${file}: upload dist/function.zip whole`, options);
    this.name = 'MissingBundleError';
  }
}

/** A batch's rest could not be handed on: the platform is to deliver the batch again. */
export class HandOnError extends CancellerError {
  constructor(count: number, reason: string) {
    super(
      `${count} message(s) past MAX_OPERATIONS could not be handed on (${reason}); failing the invocation before anything is done, so that the batch is delivered again`,
    );
    this.name = 'HandOnError';
  }
}

/** An answer about another operation than the one asked about: it tells nothing of ours. */
export class MismatchedAnswer extends CancellerError {
  constructor(
    message: string,
    readonly ids: RequestIds,
  ) {
    super(message);
    this.name = 'MismatchedAnswer';
  }
}

/** A caller waiting for a slot stopped at its signal before one came free. */
export class SlotWaitError extends CancellerError {
  constructor(max: number, options?: ErrorOptions) {
    super(`stopped waiting for a free slot, all ${max} (MAX_CALLS_IN_FLIGHT) in use`, options);
    this.name = 'SlotWaitError';
  }
}

/** What a call asks, of what, and where: what its errors and retries are told by. */
export interface CallName {
  /** The method as its service names it: `OperationService.Get`, `FunctionService.List`. */
  readonly method: string;
  /** What it is about: an operation id, `folder b1g…`, `compute.instance fhm…`. */
  readonly subject?: string;
  /** Where it goes: `host:port`. */
  readonly endpoint?: string;
}

/** "OperationService.Get of fd8… at operation.api.cloud.yandex.net:443" */
export function callLabel({ method, subject, endpoint }: CallName): string {
  return `${method}${subject ? ` of ${subject}` : ''}${endpoint ? ` at ${endpoint}` : ''}`;
}

/** How a call's last attempt ended, beyond its status. */
export interface CallEnding {
  readonly cause: unknown;
  /** How long the last attempt was given. */
  readonly timeoutMs?: number;
  /**
   * The invocation's time budget ended the call: its signal cut the attempt, or the attempt's
   * deadline was the budget's remainder rather than CALL_TIMEOUT_MS.
   */
  readonly budgetBound?: boolean;
}

/**
 * A call that failed for good, after the retries; the gRPC error is its `cause`. Its message
 * says what was asked, of what, where, and why it failed, in words a person knows:
 * "OperationService.Get of fd8… at operation.api.cloud.yandex.net:443: could not connect within
 * 5 s (DEADLINE_EXCEEDED), after 3 attempts". cloud/unary.ts's callError words the `problem`.
 */
export class CallError extends CancellerError {
  readonly method: string;
  readonly subject?: string;
  readonly endpoint?: string;
  readonly timeoutMs?: number;
  readonly budgetBound: boolean;
  /** What went wrong, without the call's name: "permission denied (PERMISSION_DENIED)". */
  readonly problem: string;

  constructor(
    call: CallName,
    readonly attempts: number,
    readonly ids: RequestIds,
    ending: CallEnding & { readonly problem: string },
  ) {
    const tries = attempts > 1 ? `, after ${attempts} attempts` : '';
    super(`${callLabel(call)}: ${ending.problem}${tries}`, { cause: ending.cause });
    this.name = 'CallError';
    this.method = call.method;
    if (call.subject !== undefined) this.subject = call.subject;
    if (call.endpoint !== undefined) this.endpoint = call.endpoint;
    if (ending.timeoutMs !== undefined) this.timeoutMs = ending.timeoutMs;
    this.budgetBound = ending.budgetBound ?? false;
    this.problem = ending.problem;
  }
}
