import { beforeBudgetEnds, createBudget, type TimeContext } from './cancel/budget';
import { mapLimited } from './cancel/limit';
import { cancelOperation, type Target } from './cancel/pipeline';
import type { OperationResult } from './cancel/result';
import { sweepTargets } from './cancel/sweep-targets';
import type { OperationApi } from './cloud/operation-api';
import { invocationToken, type TokenContext, type TokenProvider } from './cloud/token';
import type { Config } from './config';
import { LogLevel } from './constants';
import { CancellerError } from './errors';
import { adapterFor } from './events';
import type { CancelRequest } from './events/request';
import type { SweepSpec } from './events/sweep-request';
import type { Job, Origin, Report, SweepSummary } from './events/types';
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
function guardsOf(request: CancelRequest, config: Config) {
  return {
    dryRun: config.dryRun || request.dryRun,
    minAgeSeconds: Math.max(config.minAgeSeconds, request.minAgeSeconds),
  };
}

function targetsOf(jobs: readonly Accepted[], config: Config): Array<Target & { origin: Origin }> {
  return jobs.flatMap(({ origin, request }) =>
    request.operations.map((named) => ({ origin, named, ...guardsOf(request, config) })),
  );
}

/** An operation named twice in one invocation (two messages, two sweeps) is handled once. */
function onceEach<T extends Target>(targets: readonly T[]): T[] {
  const seen = new Set<string>();
  return targets.filter(({ named }) => {
    if (!named.valid) return true;
    if (seen.has(named.id)) return false;
    seen.add(named.id);
    return true;
  });
}

/** Sweeps first (they find more targets), then every target through the pipeline. */
async function cancelTargets(
  instance: Instance,
  named: ReadonlyArray<Target & { origin: Origin }>,
  sweeps: readonly Accepted[],
  context: InvocationContext,
  log: Logger,
): Promise<{ results: OperationResult[]; sweep?: SweepSummary }> {
  const { config } = instance;
  const budget = createBudget(context, config.timeMarginMs);
  try {
    const token = await beforeBudgetEnds(
      invocationToken(instance.tokens, context),
      budget,
      'getting an IAM token',
    );
    const limits = { signal: budget.signal, remainingMs: () => budget.remainingMs() };
    const targets = [...named];
    let sweep: SweepSummary | undefined;
    let swept = 0;
    for (const { origin, request } of sweeps) {
      const found = await sweepTargets(
        request.sweep as SweepSpec,
        { origin, ...guardsOf(request, config) },
        // The blast-radius guard is per invocation: a batch of sweeps shares one allowance.
        { config, allowance: config.maxCancelsPerRun - swept },
        token.current(),
        limits,
        log,
      );
      swept += found.targets.length;
      targets.push(...found.targets);
      sweep = {
        candidates: (sweep?.candidates ?? 0) + found.candidates,
        refused: (sweep?.refused ?? false) || found.refused,
        failedListings: (sweep?.failedListings ?? 0) + found.failedListings,
      };
    }
    const deps = { api: instance.api, token, budget, waitSeconds: config.waitSeconds };
    const results = await mapLimited(onceEach(targets), config.concurrency, async (target) => {
      const result = await cancelOperation(target, deps);
      logResult(log, target.origin, result);
      return result;
    });
    return { results, ...(sweep && { sweep }) };
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

  const targets = targetsOf(accepted, instance.config);
  const sweeps = accepted.filter((job) => job.request.sweep !== undefined);
  const { results, sweep } =
    targets.length === 0 && sweeps.length === 0
      ? { results: [] }
      : await cancelTargets(instance, targets, sweeps, context, log);
  const summary = {
    ...summarize(results, jobs.length - accepted.length, Date.now() - started),
    ...(sweep && { sweep }),
  };
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
