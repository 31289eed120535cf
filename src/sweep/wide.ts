import { randomUUID } from 'node:crypto';
import { LogLevel } from '../log';
import {
  type CancelSplit,
  FOLDERS_NAMED,
  type FolderActivity,
  type FoldersNotHandedOn,
  type KindTallies,
  type LearntDuration,
  type Origin,
  type SweepSpec,
} from '../model';
import { mergeLearnt, mergeTallies } from '../tallies';
import type { SweepContext } from './context';
import { logListingFailure, rolesMissing } from './failure-lines';
import { handOff, shares, splitCancels } from './fan-out';
import { failureOf } from './listing';
import { ListingEnd } from './listing/ending';
import { logMalformed, MalformedIds } from './malformed';
import { withRetryLines } from './retry-lines';
import { folderSweep, foldersOf, withinScope } from './scope';

/** What one folder's sweep found, as the one-folder sweep gives it. */
export interface FolderFindings<T, R> {
  readonly targets: readonly T[];
  readonly reported: readonly R[];
  readonly failedListings: number;
  readonly refusedListings: number;
  readonly missingRoles?: readonly string[];
  readonly handedOn?: number;
  /** Folders whose hand-off failed for good. */
  readonly notHandedOn?: FoldersNotHandedOn;
  readonly tallies?: KindTallies;
  readonly learnt?: readonly LearntDuration[];
  /** How a sweep that handed its folders on split its `maxCancelsTotal` among them. */
  readonly cancelSplit?: CancelSplit;
  readonly folders?: readonly FolderActivity[];
}

export interface WideSweep<T, R> extends SweepContext {
  readonly spec: SweepSpec;
  /** The sweep of one folder (or of named resources), with its origin. */
  sweepOne(spec: SweepSpec, origin: Origin): Promise<FolderFindings<T, R>>;
}

/** What a wide sweep's parts work with: the sweep, its id, and the origin of its lines. */
type Wide<T, R> = WideSweep<T, R> & { readonly sweepId: string; readonly origin: Origin };

type WideFindings<T, R> = FolderFindings<T, R> & { readonly sweepId: string };

/**
 * A sweep of a cloud or of several folders: its folders listed, then each swept here or, past
 * SWEEP_FANOUT_FOLDERS, each handed on as an invocation of its own, all under one sweep id.
 */
export async function sweepWide<T, R>(sweep: WideSweep<T, R>): Promise<WideFindings<T, R>> {
  const { request, config, invocation } = sweep;
  const sweepId = request.origin.sweepId ?? invocation.requestId ?? randomUUID();
  const wide = { ...sweep, sweepId, origin: { ...request.origin, sweepId } };
  const scoped = await scopedFolders(wide);
  if ('failed' in scoped) return scoped.failed;
  const { folders } = scoped;
  if (folders.length > config.sweepFanoutFolders && invocation.functionId !== undefined) {
    return handedOn(wide, folders, invocation.functionId);
  }
  if (folders.length > config.sweepFanoutFolders) {
    sweep.log.log(LogLevel.Warn, 'sweep not handed on', {
      ...wide.origin,
      folders: folders.length,
      reason:
        'no function id in the invocation context (not on the platform), so every folder is swept here',
    });
  }
  const { spec } = sweep;
  const parts = [
    ...folders.map((folderId) => folderSweep(spec, folderId)),
    ...(spec.resources.length > 0 ? [namedOnly(spec)] : []),
  ];
  const found: FolderFindings<T, R>[] = [];
  // One at a time: each folder's listings are already run side by side.
  for (const part of parts) found.push(await sweep.sweepOne(part, wide.origin));
  return {
    targets: found.flatMap((f) => f.targets),
    reported: found.flatMap((f) => f.reported),
    failedListings: found.reduce((sum, f) => sum + f.failedListings, 0),
    refusedListings: found.reduce((sum, f) => sum + f.refusedListings, 0),
    missingRoles: [...new Set(found.flatMap((f) => f.missingRoles ?? []))],
    tallies: mergeTallies(...found.map((f) => f.tallies ?? {})),
    ...(found.some((f) => f.learnt?.length) && {
      learnt: mergeLearnt(...found.map((f) => f.learnt)),
    }),
    folders: found.flatMap((f) => f.folders ?? []),
    sweepId,
  };
}

/**
 * The sweep's folders the policy lets it list, each told of; or, when its cloud's folders could
 * not be listed, what the sweep found: that failure alone.
 */
async function scopedFolders<T, R>(
  wide: Wide<T, R>,
): Promise<{ readonly folders: readonly string[] } | { readonly failed: WideFindings<T, R> }> {
  const { spec, config, log, origin, sweepId } = wide;
  const malformed = new MalformedIds();
  const scopeDeps = {
    ...wide.calls,
    endpoint: config.endpoints.resourceManager,
    limits: withRetryLines(wide.calls.limits, log, origin),
  };
  let folders: readonly string[];
  try {
    folders = await foldersOf(spec, scopeDeps, malformed);
  } catch (error) {
    const failure = { listing: `folders of cloud ${spec.cloudId}`, ...failureOf(error) };
    logListingFailure(log, origin, failure);
    const failed = {
      ...none<T, R>(),
      failedListings: failure.end === ListingEnd.Transient ? 1 : 0,
      refusedListings: failure.end === ListingEnd.Refused ? 1 : 0,
      missingRoles: rolesMissing([failure]),
      sweepId,
    };
    return { failed };
  }
  logMalformed(log, origin, 'folder', malformed);
  const scoped = await withinScope(folders, spec.cloudId, config.policy, scopeDeps);
  if (scoped.outside.length > 0) {
    log.log(LogLevel.Warn, 'sweep folders outside the policy', {
      ...origin,
      folders: scoped.outside.length,
      outside: scoped.outside.slice(0, FOLDERS_NAMED),
      consequence: 'not listed: ALLOWED_FOLDERS and ALLOWED_CLOUDS do not reach them',
    });
  }
  const where =
    spec.cloudId === undefined ? { folderIds: spec.folderIds } : { cloudId: spec.cloudId };
  log.log(LogLevel.Info, 'sweep scope', { ...origin, ...where, folders: scoped.kept.length });
  return { folders: scoped.kept };
}

/**
 * Each folder handed on, with its shares of the sweep's cap and of the invocation's Cancels; the
 * resources the sweep names, here.
 */
async function handedOn<T, R>(
  wide: Wide<T, R>,
  folders: readonly string[],
  functionId: string,
): Promise<WideFindings<T, R>> {
  const { spec, config, log, origin, sweepId, permits } = wide;
  const named = spec.resources.length > 0;
  // The sweep's one cap, split: each folder's invocation holds its share as the sweep's own.
  const cap = splitCancels(spec.maxCancelsTotal ?? config.maxCancelsPerRun, folders, named);
  const specs = folders.map((folderId, i) => ({
    ...folderSweep(spec, folderId),
    maxCancelsTotal: cap.perFolder[i] ?? 0,
  }));
  const { origin: _origin, ...guards } = wide.request;
  // The folders take their shares of the invocation's Cancels with them; what stays is the
  // share of the resources the sweep names, swept here.
  const split = shares(permits.left(), specs.length + (named ? 1 : 0));
  const maxCancels = split.slice(0, specs.length);
  permits.give(maxCancels.reduce((sum, n) => sum + n, 0));
  const handed = await handOff(specs, guards, sweepId, {
    maxCancels,
    invokeUrl: config.functionsInvokeUrl,
    functionId,
    ...wide.calls,
  });
  for (const { folderId, reason } of handed.failed) {
    log.log(LogLevel.Error, 'sweep hand-off failed', {
      ...origin,
      folderId,
      reason,
      consequence: 'the folder is not swept by this run; the next run of the sweep takes it',
    });
  }
  log.log(LogLevel.Info, 'sweep handed on', {
    ...origin,
    folders: handed.handedOn.length,
    cancelSplit: cap.split,
  });
  const found = named ? await wide.sweepOne(namedOnly(spec), origin) : none<T, R>();
  // A folder not handed on is reported, not retried: delivering the invocation again would
  // hand every folder on again, those already taken too.
  const failed = handed.failed.map((f) => f.folderId);
  return {
    ...found,
    handedOn: handed.handedOn.length,
    cancelSplit: cap.split,
    ...(failed.length > 0 && {
      notHandedOn: { count: failed.length, folderIds: failed.slice(0, FOLDERS_NAMED) },
    }),
    sweepId,
  };
}

const none = <T, R>(): FolderFindings<T, R> => ({
  targets: [],
  reported: [],
  failedListings: 0,
  refusedListings: 0,
});

/** The resources a wide sweep names, swept once, by the invocation that lists its folders. */
function namedOnly(spec: SweepSpec): SweepSpec {
  const { cloudId: _cloud, folderIds: _folders, exclude: _exclude, ...rest } = spec;
  return { ...rest, kinds: [] };
}
