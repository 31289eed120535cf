import { type Budget, beforeBudgetEnds, createBudget, type TimeContext } from './act/budget';
import { cancelOperation } from './act/cancel-operation';
import { type InvocationToken, invocationToken, type TokenContext } from './cloud/token';
import { RequestError } from './errors';
import type { Instance } from './instance';
import { MissingBundleError } from './lazy-bundle';
import { errorFields, type Logger, LogLevel } from './log';
import { mapLimited } from './map-limited';
import {
  type CancelRequest,
  type Job,
  type KindTallies,
  OnExcess,
  type OperationResult,
  type Origin,
  Outcome,
  Reason,
  type RefusedCandidate,
  type Report,
  type ResourceKind,
  Source,
  type SweepSummary,
  type Target,
} from './model';
import { logResult, logSummary } from './report/log-lines';
import { loadObserve } from './report/observe-load';
import { summarize } from './report/summary';
import { type Selection, selectTargets, tightened } from './select/targets';
import { loadSweep } from './sweep/load';
import type { Swept } from './sweep/select';
import { mergeTallies, withOutcomes } from './sweep/tally';
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
  let rejected = jobs.length - requests.length;
  const budget = createBudget(context, config.timeMarginMs);
  try {
    let results: OperationResult[] = [];
    let swept: SweepSummary | undefined;
    if (requests.length > 0) {
      const token = await beforeBudgetEnds(
        invocationToken(instance.tokens, context, budget),
        budget,
        'getting an IAM token',
      );
      const invocation = {
        ...(typeof context.requestId === 'string' && { requestId: context.requestId }),
        ...(typeof context.functionName === 'string' && { functionId: context.functionName }),
      };
      const selection = await select(requests, instance, token.current(), budget, log, invocation);
      results = await act(selection.targets, instance, token, budget, log);
      const { sweep } = selection;
      swept = sweep?.kinds
        ? { ...sweep, kinds: withOutcomes(sweep.kinds, selection.targets, results) }
        : sweep;
      for (const { origin, alsoFor = [], result } of selection.reported) {
        for (const each of [origin, ...alsoFor]) logResult(log, each, result);
        results.push(result);
      }
      rejected += selection.rejected;
    }
    const done = report(results, rejected, swept, Date.now() - started, log);
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
        : await beforeBudgetEnds(
            invocationToken(instance.tokens, context, budget),
            budget,
            'metrics',
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
    log.log(LogLevel.Error, 'request rejected', { ...job.origin, error: errorFields(job.error) });
    return false;
  });
}

/**
 * The named operations and what the sweeps find, under one blast-radius check for them all; the
 * operations found that cannot be cancelled are only reported, so the check does not count them.
 * A sweep whose filters do not compile is a rejected request, as a request that does not parse.
 */
async function select(
  requests: readonly Accepted[],
  { config, slots }: Instance,
  token: string,
  budget: Budget,
  log: Logger,
  invocation: Invocation,
): Promise<{
  targets: readonly Target[];
  /** Results already: stuck operations of report-only kinds, and candidates over the limit. */
  reported: ReadonlyArray<{
    origin: Origin;
    alsoFor?: readonly Origin[];
    result: OperationResult;
  }>;
  rejected: number;
  sweep?: SweepSummary;
}> {
  const limits = { signal: budget.signal, remainingMs: () => budget.remainingMs(), slots };
  const named: Target[] = [];
  const swept: Target[] = [];
  // By id, each once however many sweeps find it.
  const reported = new Map<string, { origin: Origin; result: OperationResult }>();
  const modes: OnExcess[] = [];
  const sweepsRun = new Map<string, Origin>();
  let missingBundle: MissingBundleError | undefined;
  const tallies: KindTallies[] = [];
  let rejected = 0;
  let failedListings = 0;
  let handedOn = 0;
  for (const { origin, request } of requests) {
    const guards = tightened(config, request);
    if (request.kind === 'ids') {
      named.push(...request.operations.map((name) => ({ named: name, origin, ...guards })));
      continue;
    }
    // The same sweep with the same guards, twice in a batch, would list everything twice.
    const key = JSON.stringify([request.sweep, guards]);
    const same = sweepsRun.get(key);
    if (same !== undefined) {
      log.log(LogLevel.Info, 'sweep merged', {
        ...origin,
        reason: 'an identical sweep of this invocation runs once, for both',
        ...(same.messageId !== undefined && { sameAs: same.messageId }),
      });
      continue;
    }
    let found: Swept;
    try {
      const { sweep } = await loadSweep();
      found = await sweep(
        request.sweep,
        { origin, ...guards },
        config,
        token,
        limits,
        log,
        invocation,
      );
    } catch (error) {
      if (error instanceof MissingBundleError) {
        // Packaging, not this request: the named operations beside it still go through, and
        // the sweep counts as a failed listing, so the invocation asks to be delivered again.
        log.log(LogLevel.Error, 'sweep failed', { ...origin, error: errorFields(error) });
        missingBundle = error;
        failedListings += 1;
        continue;
      }
      if (!(error instanceof RequestError)) throw error;
      log.log(LogLevel.Error, 'request rejected', { ...origin, error: errorFields(error) });
      rejected += 1;
      continue;
    }
    // Only a sweep that ran stands for its twins; a rejected one leaves each to be judged alone.
    sweepsRun.set(key, origin);
    modes.push(request.sweep.onExcess);
    tallies.push(found.tallies ?? {});
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
  // With nothing else to do, the invocation fails as what it is.
  if (missingBundle !== undefined && named.length === 0) throw missingBundle;
  // An operation a request names goes through Get and Cancel, and its result says the rest.
  for (const target of named) if (target.named.valid) reported.delete(target.named.id);
  // One guard for the invocation: it takes the oldest only when every sweep in it asked so.
  const onExcess =
    modes.length > 0 && modes.every((mode) => mode === OnExcess.Oldest)
      ? OnExcess.Oldest
      : OnExcess.Refuse;
  const max = config.maxCancelsPerRun;
  const selection = selectTargets(named, swept, max, onExcess);
  const refusedCandidates = logGuard(selection, max, log);
  const skipped = selection.overLimit.map((target) => ({
    origin: target.origin,
    ...(target.alsoFor && { alsoFor: target.alsoFor }),
    result: overLimitResult(target),
  }));
  const kinds = withOutcomes(
    mergeTallies(...tallies),
    selection.overLimit,
    skipped.map((s) => s.result),
  );
  return {
    targets: selection.targets,
    reported: [...skipped, ...reported.values()],
    rejected,
    ...((modes.length > 0 || missingBundle !== undefined) && {
      sweep: {
        candidates: selection.candidates,
        refused: selection.refused.length > 0,
        ...(refusedCandidates && { refusedCandidates }),
        failedListings,
        ...(handedOn > 0 && { handedOn }),
        ...(Object.keys(kinds).length > 0 && { kinds }),
      },
    }),
  };
}

/** Refused candidates named in the line and the reply, oldest first: enough to see the pattern. */
const REFUSED_SHOWN = 50;

/**
 * The blast-radius guard's line, when it acted; a refusal names its oldest candidates (id, age,
 * resource), so that a dry run shows what the sweep found although it cancels none of them.
 */
function logGuard(selection: Selection, max: number, log: Logger): RefusedCandidate[] | undefined {
  const { candidates, refused, overLimit } = selection;
  const excess = `${candidates} candidates is more than MAX_CANCELS_PER_RUN (${max}) allows in one invocation`;
  if (overLimit.length > 0) {
    log.log(LogLevel.Warn, 'sweep over limit', {
      candidates,
      overLimit: overLimit.length,
      reason: `${excess}; the oldest ${max} go on, the rest are skipped`,
    });
  }
  if (refused.length === 0) return undefined;
  const now = Date.now();
  const shown = refused.slice(0, REFUSED_SHOWN).map(
    ({ named, origin, createdAtMs }): RefusedCandidate => ({
      operationId: named.valid ? named.id : named.text,
      ...(createdAtMs !== undefined && { ageSeconds: Math.floor((now - createdAtMs) / 1000) }),
      ...(origin.resourceKind !== undefined && {
        resourceKind: origin.resourceKind as ResourceKind,
      }),
      ...(origin.resourceId !== undefined && { resourceId: origin.resourceId }),
    }),
  );
  log.log(LogLevel.Error, 'sweep refused', {
    candidates,
    reason: `${excess}; none is cancelled`,
    refusedCandidates: shown,
  });
  return shown;
}

/** A candidate past the limit: nothing was asked of it, and a later run may take it. */
function overLimitResult(target: Target): OperationResult {
  const { named, origin } = target;
  return {
    operationId: named.valid ? named.id : named.text,
    outcome: Outcome.Skipped,
    reason: Reason.OverLimit,
    ...(origin.resourceKind !== undefined && { resourceKind: origin.resourceKind as ResourceKind }),
    ...(origin.resourceId !== undefined && { resourceId: origin.resourceId }),
    attempts: 0,
    durationMs: 0,
  };
}

/** Every target through the pipeline, a bounded number at once, a log line for each request. */
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
    // Every request that named it has its line: a message of a batch is never left unanswered.
    for (const origin of [target.origin, ...(target.alsoFor ?? [])]) logResult(log, origin, result);
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
