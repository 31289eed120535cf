import { mapLimited } from './cancel/limit';
import { cancelOperation, type Target } from './cancel/pipeline';
import type { OperationApi } from './cloud/operation-api';
import type { TokenContext, TokenProvider } from './cloud/token';
import type { Config } from './config';
import { LogLevel } from './constants';
import { CancellerError } from './errors';
import { adapterFor } from './events';
import type { Job, Origin, Report } from './events/types';
import { errorFields, type Logger } from './log';
import { logResult, logSummary } from './reply/log-lines';
import { summarize } from './reply/summary';

/** What a warm instance keeps between invocations. */
export interface Instance {
  readonly config: Config;
  readonly api: OperationApi;
  readonly tokens: TokenProvider;
}

export interface InvocationContext extends TokenContext {
  readonly requestId?: string;
}

type Accepted = Extract<Job, { request: unknown }>;

function targetsOf(jobs: readonly Accepted[], dryRun: boolean): Array<Target & { origin: Origin }> {
  return jobs.flatMap(({ origin, request }) =>
    request.operations.map((named) => ({ origin, named, dryRun: dryRun || request.dryRun })),
  );
}

async function run(
  instance: Instance,
  jobs: readonly Job[],
  context: InvocationContext,
  log: Logger,
  started: number,
): Promise<Report> {
  const accepted = jobs.filter((job): job is Accepted => 'request' in job);
  for (const job of jobs) {
    if ('error' in job) {
      // Delivering it again cannot mend a malformed request, so it is dropped here, loudly.
      log.log(LogLevel.Error, 'request rejected', { ...job.origin, error: errorFields(job.error) });
    }
  }
  if (jobs.length === 0) log.log(LogLevel.Info, 'the event names no operations; nothing to do');

  const targets = targetsOf(accepted, instance.config.dryRun);
  const token = targets.length > 0 ? await instance.tokens.token(context) : '';
  const deps = { api: instance.api, token };
  const results = await mapLimited(targets, instance.config.concurrency, async (target) => {
    const result = await cancelOperation(target, deps);
    logResult(log, target.origin, result);
    return result;
  });
  const summary = summarize(results, jobs.length - accepted.length, Date.now() - started);
  logSummary(log, summary);
  return { results, summary };
}

/**
 * The one entry point for every channel: event → adapter → requests → cancel pipeline →
 * outcomes → reply and logs. The instance is built on first use, so a bad setting is reported
 * by the invocation rather than crashing the module load.
 */
export function createHandler(instance: () => Instance, rootLog: Logger) {
  return async function handler(event: unknown, context: InvocationContext = {}): Promise<unknown> {
    const started = Date.now();
    const adapter = adapterFor(event);
    const log = rootLog.child({
      source: adapter.source,
      ...(typeof context.requestId === 'string' && { requestId: context.requestId }),
    });
    let report: Report;
    try {
      const current = instance();
      report = await run(current, adapter.jobs(event, current.config), context, log, started);
    } catch (caught) {
      const error =
        caught instanceof CancellerError
          ? caught
          : new CancellerError('unexpected failure', { cause: caught });
      log.log(LogLevel.Error, 'invocation refused', { error: errorFields(error) });
      return adapter.refuse(error);
    }
    return adapter.reply(report);
  };
}
