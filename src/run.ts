import { type Budget, createBudget, type TimeContext } from './act/budget';
import { cancelOperation, type PipelineDeps } from './act/cancel-operation';
import { type Deferred, handOn } from './act/hand-on';
import { cancelPermits } from './act/permits';
import { outsidePolicy as outsidePolicyOf } from './act/placement';
import type { Operation } from './cloud/operation-api';
import { beforeSignal, outOfTimeFor } from './cloud/out-of-time';
import { invocationToken, type TokenContext } from './cloud/token';
import type { Instance } from './instance';
import { errorFields, type Logger, LogLevel } from './log';
import { mapLimited } from './map-limited';
import {
  type CancelPermits,
  type Job,
  type OperationResult,
  type QuotaHit,
  Reason,
  type Report,
  Source,
  type SweepSummary,
  type Target,
} from './model';
import { logResult, logSummary } from './report/log-lines';
import { withNextStep } from './report/next-step';
import { loadObserve } from './report/observe-load';
import { quotaHits } from './report/quota';
import { summarize } from './report/summary';
import { isScoped } from './request/scope';
import { type Accepted, select } from './select/invocation';
import type { Scope } from './sweep/context';
import { withOutcomes } from './tallies';

export interface InvocationContext extends TokenContext, TimeContext {
  readonly requestId?: string;
  /** The function's id, on the platform: where a wide sweep hands its folders on. */
  readonly functionName?: string;
}

export interface RunOptions {
  readonly started?: number;
  readonly source?: Source;
  /** A cap the event carries (a hand-off's share of a fan-out's); the lower one holds. */
  readonly maxCancels?: number;
}

/** What run() has of the invocation for the work it does once there are requests. */
interface Invoked {
  readonly instance: Instance;
  readonly context: InvocationContext;
  readonly log: Logger;
  readonly budget: Budget;
  readonly permits: CancelPermits;
}

/** What the requests came to: each operation's result, the sweeps' summary, what was refused. */
interface Worked {
  readonly results: OperationResult[];
  readonly swept?: SweepSummary;
  /** Where a call met the active-operations quota. */
  readonly activeOperationsQuota?: readonly QuotaHit[];
  readonly rejections: readonly string[];
}

/** One invocation in the order of the work: accept, select, act, report. */
export async function run(
  instance: Instance,
  jobs: readonly Job[],
  context: InvocationContext,
  log: Logger,
  { started = Date.now(), source = Source.Raw, maxCancels }: RunOptions = {},
): Promise<Report> {
  const { config } = instance;
  const requests = accept(jobs, log);
  const rejections = jobs.flatMap((job) => ('error' in job ? [job.error.message] : []));
  const deferred = jobs.filter((job): job is Deferred => 'deferred' in job);
  const budget = createBudget(context, config.timeMarginMs);
  const permits = cancelPermits(Math.min(config.maxCancelsPerInvocation, maxCancels ?? Infinity));
  try {
    const invoked = { instance, context, log, budget, permits };
    const worked = requests.length > 0 ? await work(invoked, requests, deferred) : undefined;
    const done = report(
      { results: [], ...worked, rejections: [...rejections, ...(worked?.rejections ?? [])] },
      Date.now() - started,
      log,
    );
    await observed(done, invoked, source);
    return done;
  } finally {
    budget.dispose();
  }
}

/**
 * What the layers under run() work with, built once: the settings, the calls' context (the
 * invocation's token, the retry settings, the budget and the instance's slots), the log, the
 * invocation's ids, and its Cancels left.
 */
async function scopeOf({ instance, context, log, budget, permits }: Invoked): Promise<Scope> {
  const { config } = instance;
  const token = await beforeSignal(
    invocationToken(instance.tokens, context, budget),
    budget.signal,
    outOfTimeFor('getting an IAM token'),
  );
  const { callTimeoutMs, retryAttempts, retryBaseDelayMs } = config;
  const calls = {
    token,
    retry: { callTimeoutMs, retryAttempts, retryBaseDelayMs },
    limits: {
      signal: budget.signal,
      remainingMs: () => budget.remainingMs(),
      slots: instance.slots,
    },
  };
  const invocation = {
    ...(typeof context.requestId === 'string' && { requestId: context.requestId }),
    ...(typeof context.functionName === 'string' && { functionId: context.functionName }),
  };
  return { config, calls, log, invocation, permits };
}

/** The requests' work: the batch's rest handed on, then the operations selected and acted on. */
async function work(
  invoked: Invoked,
  requests: readonly Accepted[],
  deferred: readonly Deferred[],
): Promise<Worked> {
  const scope = await scopeOf(invoked);
  const { config, calls, log } = scope;
  const notHandedOn = await handOn(deferred, {
    ...calls,
    invokeUrl: config.functionsInvokeUrl,
    ...scope.invocation,
    log,
  });
  const selection = await select(requests, scope);
  const outsidePolicy = isScoped(config.policy)
    ? (operation: Operation) =>
        outsidePolicyOf(operation, { ...calls, policy: config.policy, endpoints: config.endpoints })
    : undefined;
  const results = await act(selection.targets, invoked.instance, {
    token: calls.token,
    budget: invoked.budget,
    log,
    permits: scope.permits,
    ...(outsidePolicy && { outsidePolicy }),
  });
  const { sweep } = selection;
  const swept = sweep?.kinds
    ? { ...sweep, kinds: withOutcomes(sweep.kinds, selection.targets, results) }
    : sweep;
  for (const { origin, alsoFor = [], result: found } of selection.reported) {
    const result = withNextStep(found, origin);
    for (const each of [origin, ...alsoFor]) logResult(log, each, result);
    results.push(result);
  }
  // `results` begins with one result a target, in order: each with where a sweep found it.
  const placed = results
    .slice(0, selection.targets.length)
    .map((result, i) => ({ result, folderId: selection.targets[i]?.folderId }));
  const hits = quotaHits(selection.folders, placed);
  return {
    results,
    ...(swept && { swept }),
    ...(hits.length > 0 && { activeOperationsQuota: hits }),
    rejections: [...notHandedOn, ...selection.rejections],
  };
}

/** Longest the metrics and the message may hold the reply up. */
const OBSERVE_DEADLINE_MS = 2000;

/** Writes the metrics and sends the message, when set; nothing of it loads otherwise. */
async function observed(
  done: Report,
  { instance, context, budget, log }: Invoked,
  source: Source,
): Promise<void> {
  const { config } = instance;
  if (config.metricsFolderId === undefined && config.notifyWebhookUrl === undefined) return;
  const deadlineMs = Math.min(OBSERVE_DEADLINE_MS, budget.remainingMs());
  if (deadlineMs <= 0) return;
  try {
    const token =
      config.metricsFolderId === undefined
        ? undefined
        : await beforeSignal(
            invocationToken(instance.tokens, context, budget),
            budget.signal,
            outOfTimeFor('metrics'),
          )
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
    if ('deferred' in job) return false;
    log.log(LogLevel.Error, 'request rejected', { ...job.origin, error: errorFields(job.error) });
    return false;
  });
}

/** Every target through the pipeline, a bounded number at once, a log line for each request. */
function act(
  targets: readonly Target[],
  instance: Instance,
  invocation: Pick<PipelineDeps, 'token' | 'budget' | 'permits' | 'outsidePolicy'> & {
    readonly log: Logger;
  },
): Promise<OperationResult[]> {
  const { config, api } = instance;
  const { log } = invocation;
  const deps = { ...invocation, api, waitSeconds: config.waitSeconds };
  return mapLimited(targets, config.concurrency, async (target) => {
    const result = withNextStep(await cancelOperation(target, deps), target.origin);
    // Every request that named it has its line: a message of a batch is never left unanswered.
    for (const origin of [target.origin, ...(target.alsoFor ?? [])]) logResult(log, origin, result);
    return result;
  });
}

function report(worked: Worked, durationMs: number, log: Logger): Report {
  const { results, rejections, swept, activeOperationsQuota } = worked;
  const summary = {
    ...summarize(results, rejections.length, durationMs),
    ...(swept && { sweep: swept }),
    ...(activeOperationsQuota && { activeOperationsQuota }),
  };
  logSummary(log, summary);
  return { results, summary, ...(rejections.length > 0 && { rejections }) };
}
