/** What happened to one named operation. Users' log queries and dashboards key on these strings. */
export const Outcome = {
  Cancelled: 'cancelled',
  Cancelling: 'cancelling',
  AlreadyDone: 'already_done',
  NotFound: 'not_found',
  NotCancellable: 'not_cancellable',
  Denied: 'denied',
  Invalid: 'invalid',
  Skipped: 'skipped',
  Failed: 'failed',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** How the function was invoked. */
export const Source = {
  Http: 'http',
  Timer: 'timer',
  Queue: 'queue',
  Raw: 'raw',
} as const;
export type Source = (typeof Source)[keyof typeof Source];

/** Cloud Logging's level names; it parses them in upper case. */
export const LogLevel = {
  Trace: 'TRACE',
  Debug: 'DEBUG',
  Info: 'INFO',
  Warn: 'WARN',
  Error: 'ERROR',
  Fatal: 'FATAL',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Why an operation was not cancelled although it may be running. */
export const Reason = {
  DryRun: 'dry_run',
  TooYoung: 'too_young',
  Deadline: 'deadline',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** The API documents ids only as Latin letters and digits; observed ones are 20 lowercase characters. */
export const OPERATION_ID_PATTERN = /^[a-z0-9]{1,50}$/;

/** The platform refuses request and response JSON over 3.5 MB. */
export const MAX_BODY_BYTES = 3.5 * 1024 * 1024;
