import { createBudget, type TimeContext } from './cancel/budget';
import { mapLimited } from './cancel/limit';
import { cancelOperation, type Target } from './cancel/pipeline';
import type { OperationResult } from './cancel/result';
import type { OperationApi } from './cloud/operation-api';
import { invocationToken, type TokenContext, type TokenProvider } from './cloud/token';
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

export interface InvocationContext extends TokenContext, TimeContext {
  readonly requestId?: string;
}

type Accepted = Extract<Job, { request: unknown }>;

/** The request's own guards can only tighten the instance's: dry run on, a higher minimum age. */
function targetsOf(jobs: readonly Accepted[], config: Config): Array<Target & { origin: Origin }> {
  return jobs.flatMap(({ origin, request }) => {
    const dryRun = config.dryRun || request.dryRun;
    const minAgeSeconds = Math.max(config.minAgeSeconds, request.minAgeSeconds);
    return request.operations.map((named) => ({ origin, named, dryRun, minAgeSeconds }));
  });
}

async function cancelTargets(
  instance: Instance,
  targets: ReadonlyArray<Target & { origin: Origin }>,
  context: InvocationContext,
  log: Logger,
): Promise<OperationResult[]> {
  const budget = createBudget(context, instance.config.timeMarginMs);
  try {
    const deps = {
      api: instance.api,
      token: await invocationToken(instance.tokens, context),
      budget,
      waitSeconds: instance.config.waitSeconds,
    };
    return await mapLimited(targets, instance.config.concurrency, async (target) => {
      const result = await cancelOperation(target, deps);
      logResult(log, target.origin, result);
      return result;
    });
  } finally {
    budget.dispose();
  }
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

  const { config } = instance;
  const targets = targetsOf(accepted, config);
  const results = targets.length === 0 ? [] : await cancelTargets(instance, targets, context, log);
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
