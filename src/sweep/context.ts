import type { CallContext } from '../cloud/calls';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { CancelPermits, Guards, Origin } from '../model';

/** What the invocation knows of itself: its id names the fan-out, its function is the target. */
export interface Invocation {
  readonly requestId?: string;
  /** `context.functionName`, the function's id; absent off the platform, so nothing is handed on. */
  readonly functionId?: string;
}

/**
 * What run.ts builds once for the layers under it: the settings, the calls' context (the
 * invocation's token, the retry settings, the budget and the instance's slots), the log, the
 * invocation, and its Cancels left, of which a fan-out hands each folder its share.
 */
export interface Scope {
  readonly config: Config;
  readonly calls: CallContext;
  readonly log: Logger;
  readonly invocation: Invocation;
  readonly permits: CancelPermits;
}

/** What the host gives a sweep: the request's guards and origin, and the invocation's scope. */
export interface SweepContext extends Scope {
  readonly request: Guards & { readonly origin: Origin };
}
