import { MissingBundleError, RequestError } from '../errors';
import { errorFields, type Logger, LogLevel } from '../log';
import {
  type CancelRequest,
  type CancelSplit,
  FOLDERS_NAMED,
  type FolderActivity,
  type KindTallies,
  type LearntDuration,
  OnExcess,
  type OperationResult,
  type Origin,
  Outcome,
  Reason,
  type RefusedCandidate,
  type ResourceKind,
  type SweepSpec,
  type SweepSummary,
  type Target,
} from '../model';
import type { Scope, SweepContext } from '../sweep/context';
import type { SweepAnswer } from '../sweep/select';
import { mergeLearnt, mergeTallies, withOutcomes } from '../tallies';
import { loadSweep } from './load-sweep';
import { type Selection, selectTargets, tightened } from './targets';

export interface Accepted {
  readonly origin: Origin;
  readonly request: CancelRequest;
}

/** A result with no call behind it, and every request whose line reports it. */
export interface Reported {
  readonly origin: Origin;
  readonly alsoFor?: readonly Origin[];
  readonly result: OperationResult;
}

export interface Selected {
  readonly targets: readonly Target[];
  /** Results already: stuck operations of report-only kinds, and candidates over the limit. */
  readonly reported: readonly Reported[];
  /** Why each request refused here was: a sweep the sweep could not run. */
  readonly rejections: readonly string[];
  readonly sweep?: SweepSummary;
  /** By folder swept here: what ran there, for a quota met by a listing or a Cancel. */
  readonly folders: readonly FolderActivity[];
}

type SweepRequest = Accepted & { readonly request: { readonly kind: 'sweep'; sweep: SweepSpec } };

/** What the sweeps of an invocation found, together. */
interface Sweeps {
  readonly targets: Target[];
  /** By id, each once however many sweeps find it. */
  readonly reported: Map<string, Reported>;
  readonly modes: OnExcess[];
  readonly tallies: KindTallies[];
  readonly learnt: Array<readonly LearntDuration[] | undefined>;
  readonly folders: FolderActivity[];
  readonly rejections: string[];
  failedListings: number;
  refusedListings: number;
  missingRoles: Set<string>;
  handedOn: number;
  notHandedOn: { count: number; folderIds: string[] };
  /** The caps of the sweeps that ran (`maxCancelsTotal`, or a fan-out's share of it kept). */
  readonly caps: number[];
  readonly cancelSplits: CancelSplit[];
  /** A sweep that could not load a bundle of the zip: what the invocation fails with, alone. */
  missingBundle?: MissingBundleError;
}

/** The sweep's answer, or the error of a zip that lacks sweep.js itself. */
async function answerOf(
  spec: SweepSpec,
  context: SweepContext,
): Promise<SweepAnswer | MissingBundleError> {
  try {
    const { sweep } = await loadSweep();
    return await sweep(spec, context);
  } catch (error) {
    if (error instanceof MissingBundleError) return error;
    throw error;
  }
}

/**
 * Each sweep request, each identical one (same spec, same guards) once. One whose filters do
 * not compile is a rejected request, as one that does not parse; one that cannot load
 * dist/sweep.js (or dist/re2.js) is a failed listing, so that the named operations beside it
 * still go through.
 */
async function runSweeps(requests: readonly SweepRequest[], scope: Scope): Promise<Sweeps> {
  const { config, log } = scope;
  const sweeps: Sweeps = {
    targets: [],
    reported: new Map(),
    modes: [],
    tallies: [],
    learnt: [],
    folders: [],
    rejections: [],
    failedListings: 0,
    refusedListings: 0,
    missingRoles: new Set(),
    handedOn: 0,
    notHandedOn: { count: 0, folderIds: [] },
    caps: [],
    cancelSplits: [],
  };
  const run = new Map<string, Origin>();
  for (const { origin, request } of requests) {
    const guards = tightened(config, request);
    // The same sweep with the same guards, twice in a batch, would list everything twice.
    const key = JSON.stringify([request.sweep, guards]);
    const same = run.get(key);
    if (same !== undefined) {
      log.log(LogLevel.Info, 'sweep merged', {
        ...origin,
        reason: 'an identical sweep of this invocation runs once, for both',
        ...(same.messageId !== undefined && { sameAs: same.messageId }),
      });
      continue;
    }
    const found = await answerOf(request.sweep, { request: { origin, ...guards }, ...scope });
    if (found instanceof MissingBundleError || found.kind === 'missingBundle') {
      const missing =
        found instanceof MissingBundleError ? found : new MissingBundleError(found.file);
      log.log(LogLevel.Error, 'sweep failed', { ...origin, error: errorFields(missing) });
      sweeps.missingBundle = missing;
      sweeps.failedListings += 1;
      continue;
    }
    if (found.kind === 'rejected') {
      const error = new RequestError(found.message);
      log.log(LogLevel.Error, 'request rejected', { ...origin, error: errorFields(error) });
      sweeps.rejections.push(found.message);
      continue;
    }
    // Only a sweep that ran stands for its twins; a rejected one leaves each to be judged alone.
    run.set(key, origin);
    sweeps.modes.push(request.sweep.onExcess);
    sweeps.tallies.push(found.tallies ?? {});
    sweeps.learnt.push(found.learnt);
    sweeps.folders.push(...(found.folders ?? []));
    sweeps.failedListings += found.failedListings;
    sweeps.refusedListings += found.refusedListings;
    for (const role of found.missingRoles ?? []) sweeps.missingRoles.add(role);
    sweeps.handedOn += found.handedOn ?? 0;
    // A sweep that split its cap keeps only the share of what it sweeps here, if anything.
    const cap = found.cancelSplit ? found.cancelSplit.kept : request.sweep.maxCancelsTotal;
    if (cap !== undefined) sweeps.caps.push(cap);
    if (found.cancelSplit) sweeps.cancelSplits.push(found.cancelSplit);
    if (found.notHandedOn !== undefined) {
      sweeps.notHandedOn.count += found.notHandedOn.count;
      sweeps.notHandedOn.folderIds.push(...found.notHandedOn.folderIds);
    }
    sweeps.targets.push(...found.targets);
    const sweptOrigin = found.sweepId ? { ...origin, sweepId: found.sweepId } : origin;
    for (const result of found.reported) {
      if (!sweeps.reported.has(result.operationId)) {
        sweeps.reported.set(result.operationId, { origin: sweptOrigin, result });
      }
    }
  }
  return sweeps;
}

/**
 * The named operations and what the sweeps find, under one blast-radius check for them all; the
 * operations found that cannot be cancelled are only reported, so the check does not count them.
 */
export async function select(requests: readonly Accepted[], scope: Scope): Promise<Selected> {
  const { config, log } = scope;
  const named: Target[] = requests.flatMap(({ origin, request }) => {
    if (request.kind !== 'ids') return [];
    const guards = tightened(config, request);
    return request.operations.map((name) => ({ named: name, origin, ...guards }));
  });
  const sweepRequests = requests.filter((r): r is SweepRequest => r.request.kind === 'sweep');
  const sweeps = await runSweeps(sweepRequests, scope);
  // With nothing else to do, the invocation fails as what it is.
  if (sweeps.missingBundle !== undefined && named.length === 0) throw sweeps.missingBundle;
  // An operation a request names goes through Get and Cancel, and its result says the rest.
  for (const target of named) if (target.named.valid) sweeps.reported.delete(target.named.id);
  // One guard for the invocation: it takes the oldest only when every sweep in it asked so.
  const onExcess =
    sweeps.modes.length > 0 && sweeps.modes.every((mode) => mode === OnExcess.Oldest)
      ? OnExcess.Oldest
      : OnExcess.Refuse;
  // A sweep's own cap only ever lowers MAX_CANCELS_PER_RUN, and the lowest holds for them all.
  const max = Math.min(config.maxCancelsPerRun, ...sweeps.caps);
  const selection = selectTargets(named, sweeps.targets, max, onExcess);
  const refusedCandidates = logGuard(selection, capText(max, config.maxCancelsPerRun), log);
  const skipped = selection.overLimit.map(
    (target): Reported => ({
      origin: target.origin,
      ...(target.alsoFor && { alsoFor: target.alsoFor }),
      result: overLimitResult(target),
    }),
  );
  const kinds = withOutcomes(
    mergeTallies(...sweeps.tallies),
    selection.overLimit,
    skipped.map((s) => s.result),
  );
  const swept = sweeps.modes.length > 0 || sweeps.missingBundle !== undefined;
  const learnt = mergeLearnt(...sweeps.learnt);
  return {
    targets: selection.targets,
    reported: [...skipped, ...sweeps.reported.values()],
    rejections: sweeps.rejections,
    ...(swept && {
      sweep: {
        candidates: selection.candidates,
        refused: selection.refused.length > 0,
        ...(refusedCandidates && { refusedCandidates }),
        failedListings: sweeps.failedListings,
        ...(sweeps.refusedListings > 0 && { refusedListings: sweeps.refusedListings }),
        ...(sweeps.missingRoles.size > 0 && { missingRoles: [...sweeps.missingRoles] }),
        ...(sweeps.handedOn > 0 && { handedOn: sweeps.handedOn }),
        ...(sweeps.notHandedOn.count > 0 && {
          notHandedOn: {
            count: sweeps.notHandedOn.count,
            folderIds: sweeps.notHandedOn.folderIds.slice(0, FOLDERS_NAMED),
          },
        }),
        ...(sweeps.cancelSplits.length > 0 && { cancelSplits: sweeps.cancelSplits }),
        ...(Object.keys(kinds).length > 0 && { kinds }),
        ...(learnt.length > 0 && { learnt }),
        ...(sweeps.folders.length > 0 && { running: runningByFolder(sweeps.folders) }),
      },
    }),
    folders: sweeps.folders,
  };
}

/**
 * The running operations of each folder swept, the most any sweep of the invocation saw there:
 * the FOLDERS_NAMED busiest, since an invocation may sweep as many folders as
 * SWEEP_FANOUT_FOLDERS allows, and the reply, its line and the metric write stay bounded.
 */
export function runningByFolder(folders: readonly FolderActivity[]): Record<string, number> {
  const running = new Map<string, number>();
  for (const { folderId, running: count } of folders) {
    running.set(folderId, Math.max(running.get(folderId) ?? 0, count));
  }
  return Object.fromEntries([...running].sort((a, b) => b[1] - a[1]).slice(0, FOLDERS_NAMED));
}

/** Refused candidates named in the line and the reply, oldest first: enough to see the pattern. */
const REFUSED_SHOWN = 50;

/** The guard's limit and where it comes from, as its lines name it. */
interface Cap {
  readonly max: number;
  readonly text: string;
}

const capText = (max: number, perRun: number): Cap => ({
  max,
  text:
    max < perRun
      ? `the sweep's maxCancelsTotal (${max}, or its share of a fan-out's; MAX_CANCELS_PER_RUN is ${perRun})`
      : `MAX_CANCELS_PER_RUN (${max})`,
});

/**
 * The blast-radius guard's line, when it acted; a refusal names its oldest candidates (id, age,
 * resource), so that a dry run shows what the sweep found although it cancels none of them.
 */
function logGuard(selection: Selection, cap: Cap, log: Logger): RefusedCandidate[] | undefined {
  const { candidates, refused, overLimit } = selection;
  const excess = `${candidates} candidates is more than ${cap.text} allows in one invocation`;
  if (overLimit.length > 0) {
    const goOn = cap.max === 0 ? 'none goes on' : `the oldest ${cap.max} go on`;
    log.log(LogLevel.Warn, 'sweep over limit', {
      candidates,
      overLimit: overLimit.length,
      reason: `${excess}; ${goOn}, the rest are skipped`,
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
