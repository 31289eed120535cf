import type { BearerToken, CallLimits } from '../cloud/unary';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { CancelPermits, Guards, Origin } from '../model';

/** What the invocation knows of itself: its id names the fan-out, its function is the target. */
export interface Invocation {
  readonly requestId?: string;
  /** `context.functionName`, the function's id; absent off the platform, so nothing is handed on. */
  readonly functionId?: string;
}

/** What the host gives a sweep: the request's guards and origin, and the invocation's means. */
export interface SweepContext {
  readonly request: Guards & { readonly origin: Origin };
  readonly config: Config;
  /** The invocation's token, renewed once for all its calls if the API refuses it. */
  readonly token: BearerToken;
  /** The invocation's budget and the instance's slots, which every listing keeps to. */
  readonly limits: CallLimits;
  readonly log: Logger;
  readonly invocation: Invocation;
  /** The invocation's Cancels left, of which a fan-out hands each folder its share. */
  readonly permits: CancelPermits;
}
