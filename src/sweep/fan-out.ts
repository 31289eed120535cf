import { invokeSelf, type SelfInvokeDeps } from '../cloud/invoke-async';
import { mapLimited } from '../map-limited';
import { type CancelSplit, FOLDERS_NAMED, type Guards, type SweepSpec } from '../model';
import { filtersRequest } from '../request/sweep/filters';
import { learnRequest, olderThanRequest } from '../request/sweep/thresholds';

/** Hand-offs in flight at once: each is one quick HTTP call. */
const HAND_OFF_CONCURRENCY = 8;

export interface HandOffs {
  readonly handedOn: readonly string[];
  readonly failed: ReadonlyArray<{ readonly folderId: string; readonly reason: string }>;
}

/**
 * A cap split into `parts` shares that add up to it, as evenly as whole numbers allow: a fan-out
 * shares its invocation's MAX_CANCELS_PER_INVOCATION, and its sweep's maxCancelsTotal, however
 * many folders it hands on.
 */
export function shares(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const more = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < more ? 1 : 0));
}

/** A fan-out's `maxCancelsTotal` as each folder's cap, in hand-on order, and as its line states it. */
export interface CancelShares {
  readonly perFolder: readonly number[];
  readonly split: CancelSplit;
}

/**
 * Splits a sweep's `maxCancelsTotal` over the folders it hands on, in that order, and the
 * resources it names (swept where it is split, with the last share). The first folders take the
 * remainder; a folder whose share is 0 is still swept, so what it finds is reported, not cancelled.
 */
export function splitCancels(
  total: number,
  folderIds: readonly string[],
  named: boolean,
): CancelShares {
  const all = shares(total, folderIds.length + (named ? 1 : 0));
  const perFolder = all.slice(0, folderIds.length);
  const each = all.length === 0 ? 0 : Math.floor(total / all.length);
  const oneMore = perFolder.filter((n) => n > each).length;
  const split: CancelSplit = {
    maxCancelsTotal: total,
    folders: folderIds.length,
    each,
    oneMore,
    ...(oneMore > 0 && { oneMoreFolderIds: folderIds.slice(0, Math.min(oneMore, FOLDERS_NAMED)) }),
    ...(named && { kept: all[folderIds.length] }),
  };
  return { perFolder, split };
}

/**
 * A folder sweep as this function's hand-off event (src/event/hand-off.ts): the request, in the
 * form any channel takes, and the id of the sweep it belongs to.
 */
export function handOffEvent(
  spec: SweepSpec,
  guards: Guards,
  sweepId: string,
  maxCancels: number,
): object {
  const filters = filtersRequest(spec.filters);
  const request = {
    sweep: {
      folderId: spec.folderId,
      kinds: spec.kinds,
      olderThan: olderThanRequest(spec.olderThanSeconds, spec.kinds),
      ...(spec.notModifiedForSeconds !== undefined && {
        notModifiedFor: `${spec.notModifiedForSeconds}s`,
      }),
      // Each folder learns from its own done operations, as a folder swept here does.
      ...(spec.learn !== undefined && { learn: learnRequest(spec.learn) }),
      ...(filters !== undefined && { filters }),
      onExcess: spec.onExcess,
      // Its share of the sweep's cap, which its invocation takes as any request's: it can only
      // lower that invocation's MAX_CANCELS_PER_RUN.
      ...(spec.maxCancelsTotal !== undefined && { maxCancelsTotal: spec.maxCancelsTotal }),
    },
    // Guards travel with it: a handed-on sweep is never less careful than the one that made it.
    ...(guards.dryRun && { dryRun: true }),
    ...(guards.minAgeSeconds > 0 && { minAgeSeconds: guards.minAgeSeconds }),
  };
  return { sweepHandOff: { sweepId, request, maxCancels } };
}

/**
 * Hands each folder on as an asynchronous invocation of this function, which the platform
 * retries (`retries_count`) and sends to the failure target when they run out.
 */
export async function handOff(
  specs: readonly SweepSpec[],
  guards: Guards,
  sweepId: string,
  deps: SelfInvokeDeps & { readonly maxCancels: readonly number[] },
): Promise<HandOffs> {
  const events = specs.map((spec, i) =>
    JSON.stringify(handOffEvent(spec, guards, sweepId, deps.maxCancels[i] ?? 0)),
  );
  const reasons = await mapLimited(events, HAND_OFF_CONCURRENCY, (body) => invokeSelf(body, deps));
  const handedOn: string[] = [];
  const failed: Array<{ folderId: string; reason: string }> = [];
  specs.forEach((spec, i) => {
    const reason = reasons[i];
    if (reason === undefined) handedOn.push(spec.folderId ?? '');
    else failed.push({ folderId: spec.folderId ?? '', reason });
  });
  return { handedOn, failed };
}
