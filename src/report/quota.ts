import {
  FOLDERS_NAMED,
  type FolderActivity,
  type OperationResult,
  type QuotaHit,
  Reason,
} from '../model';

const hitOf = ({ folderId, running, oldestRunning }: FolderActivity): QuotaHit => ({
  folderId,
  running,
  oldestRunning,
});

/** A result, with the folder a sweep found its operation in; none for an id a request named. */
export interface Placed {
  readonly result: OperationResult;
  readonly folderId?: string | undefined;
}

/**
 * Where the invocation met the active-operations quota: each folder whose listing was answered so,
 * then each whose Get or Cancel was, for an operation a sweep found there. A Get or Cancel of an id
 * a request named met it in a folder not known: then every folder swept here is named (with one
 * swept, it is that one), or a hit of no folder when none was. The first FOLDERS_NAMED are named.
 */
export function quotaHits(
  folders: readonly FolderActivity[],
  placed: readonly Placed[],
): QuotaHit[] {
  const listed = folders.filter((f) => f.quotaHit);
  const met = placed.filter(({ result }) => result.reason === Reason.ActiveOperationsQuota);
  if (met.length === 0) return listed.slice(0, FOLDERS_NAMED).map(hitOf);
  const unplaced = met.some((m) => m.folderId === undefined);
  if (unplaced && folders.length === 0) return [{ oldestRunning: [] }];
  const calledIn = new Set(met.flatMap((m) => m.folderId ?? []));
  // Those whose listings met it first: there it is known to be spent.
  const named = new Map<string, QuotaHit>();
  for (const f of [...listed, ...folders]) {
    if (named.size === FOLDERS_NAMED) break;
    const there = f.quotaHit || unplaced || calledIn.has(f.folderId);
    if (there && !named.has(f.folderId)) named.set(f.folderId, hitOf(f));
  }
  for (const folderId of calledIn) {
    if (named.size === FOLDERS_NAMED) break;
    if (!named.has(folderId)) named.set(folderId, { folderId, oldestRunning: [] });
  }
  return [...named.values()];
}
