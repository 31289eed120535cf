import { CancellerError } from './errors';
import { adapterFor } from './event';
import type { Instance } from './instance';
import { errorFields, type Logger, LogLevel } from './log';
import type { Report } from './model';
import { scopeText } from './request/scope';
import { type InvocationContext, run } from './run';

export type { InvocationContext };

/**
 * The boundary every channel shares: event → channel adapter → run → the channel's reply, or its
 * refusal. The instance is built on first use, so a bad setting is reported by the invocation
 * rather than crashing the module load.
 */
export function createHandler(instance: () => Instance, rootLog: Logger) {
  return async function handler(event: unknown, context: InvocationContext = {}): Promise<unknown> {
    const started = Date.now();
    const adapter = adapterFor(event);
    // Cloud Logging ties a line to its invocation by `request_id`; with concurrency above 1 that
    // is the only way to tell the lines of concurrent invocations apart.
    const log = rootLog.child({
      source: adapter.source,
      ...(typeof context.requestId === 'string' && { request_id: context.requestId }),
    });
    let report: Report;
    try {
      const current = instance();
      // Said first, every time: what this invocation may reach, whoever sent it.
      log.log(LogLevel.Info, 'invocation started', { scope: scopeText(current.config.policy) });
      const jobs = adapter.jobs(event, current.config);
      report = await run(current, jobs, context, log, {
        started,
        source: adapter.source,
        maxCancels: adapter.maxCancels?.(event),
      });
    } catch (caught) {
      const error =
        caught instanceof CancellerError
          ? caught
          : new CancellerError('unexpected failure', { cause: caught });
      log.log(LogLevel.Error, 'invocation refused', { error: errorFields(error) });
      return adapter.refuse(error);
    }
    // Outside the try: a trigger's reply throws on purpose, to be delivered again.
    return adapter.reply(report);
  };
}
