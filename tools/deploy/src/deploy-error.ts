/** Why deploy stopped, in words for whoever runs it. */
export class DeployError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeployError';
  }
}

/** An operation that ended in an error: its code tells what a caller may make of it. */
export class OperationFailed extends DeployError {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'OperationFailed';
  }
}
