import { type Budget, beforeBudgetEnds, createBudget, type TimeContext } from './act/budget';
import { cancelOperation } from './act/cancel-operation';
import { type InvocationToken, invocationToken, type TokenContext } from './cloud/token';
import type { Config } from './config';
import type { Instance } from './instance';
import { errorFields, type Logger, LogLevel } from './log';
import { mapLimited } from './map-limited';
import {
  type CancelRequest,
  type Job,
  type OperationResult,
  type Origin,
  Reason,
  type Report,
  Source,
  type SweepSummary,
  type Target,
} from './model';
import { logResult, logSummary } from './report/log-lines';
import { loadObserve } from './report/observe-load';
import { summarize } from './report/summary';
import { selectTargets, tightened } from './select/targets';
import { loadSweep } from './sweep/load';
import type { Invocation } from './sweep/wide';

export interface InvocationContext extends TokenContext, TimeContext {
  readonly requestId?: string;
  /** The function's id, on the platform: where a wide sweep hands its folders on. */
  readonly functionName?: string;
}

interface Accepted {
  readonly origin: Origin;
  readonly request: CancelRequest;
}

/** One invocation in the order of the work: accept, select, act, report. */
export async function run(
  instance: Instance,
  jobs: readonly Job[],
  context: InvocationContext,
  log: Logger,
  started = Date.now(),
  source: Source = Source.Raw,
): Promise<Report> {
  const { config } = instance;
  const requests = accept(jobs, log);
  const budget = createBudget(context, config.timeMarginMs);
  try {
    let results: OperationResult[] = [];
    let swept: SweepSummary | undefined;
    if (requests.length > 0) {
      const token = await beforeBudgetEnds(
        invocationToken(instance.tokens, context),
        budget,
        'getting an IAM token',
      );
      const invocation = {
        ...(typeof context.requestId === 'string' && { requestId: context.requestId }),
        ...(typeof context.functionName === 'string' && { functionId: context.functionName }),
      };
      const selection = await select(requests, config, token.current(), budget, log, invocation);
      results = await act(selection.targets, instance, token, budget, log);
      for (const { origin, result } of selection.reported) {
        logResult(log, origin, result);
        results.push(result);
      }
      swept = selection.sweep;
    }
    const done = report(results, jobs.length - requests.length, swept, Date.now() - started, log);
    await observed(done, { instance, context, budget, log, source });
    return done;
  } finally {
    budget.dispose();
  }
}

/** Longest the metrics and the message may hold the reply up. */
const OBSERVE_DEADLINE_MS = 2000;

/** Writes the metrics and sends the message, when set; nothing of it loads otherwise. */
async function observed(
  done: Report,
  {
    instance,
    context,
    budget,
    log,
    source,
  }: {
    instance: Instance;
    context: InvocationContext;
    budget: Budget;
    log: Logger;
    source: Source;
  },
): Promise<void> {
  const { config } = instance;
  if (config.metricsFolderId === undefined && config.notifyWebhookUrl === undefined) return;
  const deadlineMs = Math.min(OBSERVE_DEADLINE_MS, budget.remainingMs());
  if (deadlineMs <= 0) return;
  try {
    const token =
      config.metricsFolderId === undefined
        ? undefined
        : await beforeBudgetEnds(invocationToken(instance.tokens, context), budget, 'metrics')
            .then((t) => t.current())
            .catch(() => undefined);
    const { observe } = await loadObserve();
    const dryRun = config.dryRun || done.results.some((r) => r.reason === Reason.DryRun);
    await observe(done, { source, config, token, dryRun, deadlineMs, log });
  } catch (error) {
    // A bug here must not cost the invocation its reply.
    const fields = error instanceof Error ? errorFields(error) : { message: String(error) };
    log.log(LogLevel.Warn, 'metrics and messages failed', { error: fields });
  }
}

/** The parsed requests; each refused one is logged and dropped, as delivering it again cannot mend it. */
function accept(jobs: readonly Job[], log: Logger): Accepted[] {
  if (jobs.length === 0) log.log(LogLevel.Info, 'the event names no operations; nothing to do');
  return jobs.filter((job): job is Accepted => {
    if ('request' in job) return true;
    log.log(LogLevel.Error, 'request rejected', { ...job.origin, error: errorFields(job.error) });
    return false;
  });
}

/**
 * The named operations and what the sweeps find, under one blast-radius check for them all; the
 * operations found that cannot be cancelled are only reported, so the check does not count them.
 */
async function select(
  requests: readonly Accepted[],
  config: Config,
  token: string,
  budget: Budget,
  log: Logger,
  invocation: Invocation,
): Promise<{
  targets: readonly Target[];
  reported: ReadonlyArray<{ origin: Origin; result: OperationResult }>;
  sweep?: SweepSummary;
}> {
  const limits = { signal: budget.signal, remainingMs: () => budget.remainingMs() };
  const named: Target[] = [];
  const swept: Target[] = [];
  // By id, each once however many sweeps find it.
  const reported = new Map<string, { origin: Origin; result: OperationResult }>();
  let sweeps = 0;
  let failedListings = 0;
  let handedOn = 0;
  for (const { origin, request } of requests) {
    const guards = tightened(config, request);
    if (request.kind === 'ids') {
      named.push(...request.operations.map((name) => ({ named: name, origin, ...guards })));
      continue;
    }
    const { sweep } = await loadSweep();
    const found = await sweep(
      request.sweep,
      { origin, ...guards },
      config,
      token,
      limits,
      log,
      invocation,
    );
    sweeps += 1;
    failedListings += found.failedListings;
    handedOn += found.handedOn ?? 0;
    const sweptOrigin = found.sweepId ? { ...origin, sweepId: found.sweepId } : origin;
    swept.push(...found.targets);
    for (const result of found.reported) {
      if (!reported.has(result.operationId)) {
        reported.set(result.operationId, { origin: sweptOrigin, result });
      }
    }
  }
  // An operation a request names goes through Get and Cancel, and its result says the rest.
  for (const target of named) if (target.named.valid) reported.delete(target.named.id);
  const { targets, candidates, refused } = selectTargets(named, swept, config.maxCancelsPerRun);
  if (refused) {
    log.log(LogLevel.Error, 'sweep refused', {
      candidates,
      reason: `${candidates} candidates is more than MAX_CANCELS_PER_RUN (${config.maxCancelsPerRun}) allows in one invocation; none is cancelled`,
    });
  }
  return {
    targets,
    reported: [...reported.values()],
    ...(sweeps > 0 && {
      sweep: { candidates, refused, failedListings, ...(handedOn > 0 && { handedOn }) },
    }),
  };
}

/** Every target through the pipeline, a bounded number at once, one log line each. */
function act(
  targets: readonly Target[],
  instance: Instance,
  token: InvocationToken,
  budget: Budget,
  log: Logger,
): Promise<OperationResult[]> {
  const { config, api } = instance;
  const deps = { api, token, budget, waitSeconds: config.waitSeconds, log };
  return mapLimited(targets, config.concurrency, async (target) => {
    const result = await cancelOperation(target, deps);
    logResult(log, target.origin, result);
    return result;
  });
}

function report(
  results: readonly OperationResult[],
  rejectedRequests: number,
  sweep: SweepSummary | undefined,
  durationMs: number,
  log: Logger,
): Report {
  const summary = { ...summarize(results, rejectedRequests, durationMs), ...(sweep && { sweep }) };
  logSummary(log, summary);
  return { results, summary };
}
