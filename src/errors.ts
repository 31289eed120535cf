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
  constructor(
    detail: string,
    options?: ErrorOptions,
    /** The metadata service may answer a moment later: a refused connection, a timeout, a 5xx. */
    readonly transient = false,
  ) {
    super(
      `no IAM token: attach a service account to the function (the invocation context carried no token, and the metadata service ${detail})`,
      options,
    );
    this.name = 'NoTokenError';
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
