import { type Budget, beforeBudgetEnds, createBudget, type TimeContext } from './act/budget';
import { cancelOperation } from './act/cancel-operation';
import { type InvocationToken, invocationToken, type TokenContext } from './cloud/token';
import type { Config } from './config';
import type { Instance } from './instance';
import { errorFields, type Logger, LogLevel } from './log';
import { mapLimited } from './map-limited';
import type {
  CancelRequest,
  Job,
  OperationResult,
  Origin,
  Report,
  SweepSummary,
  Target,
} from './model';
import { logResult, logSummary } from './report/log-lines';
import { summarize } from './report/summary';
import { selectTargets, tightened } from './select/targets';
import { loadSweep } from './sweep/load';

export interface InvocationContext extends TokenContext, TimeContext {
  readonly requestId?: string;
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
      const selection = await select(requests, config, token.current(), budget, log);
      results = await act(selection.targets, instance, token, budget, log);
      swept = selection.sweep;
    }
    return report(results, jobs.length - requests.length, swept, Date.now() - started, log);
  } finally {
    budget.dispose();
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

/** The named operations and what the sweeps find, under one blast-radius check for them all. */
async function select(
  requests: readonly Accepted[],
  config: Config,
  token: string,
  budget: Budget,
  log: Logger,
): Promise<{ targets: readonly Target[]; sweep?: SweepSummary }> {
  const limits = { signal: budget.signal, remainingMs: () => budget.remainingMs() };
  const named: Target[] = [];
  const swept: Target[] = [];
  let sweeps = 0;
  let failedListings = 0;
  for (const { origin, request } of requests) {
    const guards = tightened(config, request);
    if (request.kind === 'ids') {
      named.push(...request.operations.map((name) => ({ named: name, origin, ...guards })));
      continue;
    }
    const { sweep } = await loadSweep();
    const found = await sweep(request.sweep, { origin, ...guards }, config, token, limits, log);
    sweeps += 1;
    failedListings += found.failedListings;
    swept.push(...found.targets);
  }
  const { targets, candidates, refused } = selectTargets(named, swept, config.maxCancelsPerRun);
  if (refused) {
    log.log(LogLevel.Error, 'sweep refused', {
      candidates,
      reason: `${candidates} candidates is more than MAX_CANCELS_PER_RUN (${config.maxCancelsPerRun}) allows in one invocation; none is cancelled`,
    });
  }
  return { targets, ...(sweeps > 0 && { sweep: { candidates, refused, failedListings } }) };
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
  const deps = { api, token, budget, waitSeconds: config.waitSeconds };
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
