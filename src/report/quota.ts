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

/**
 * Where the invocation met the active-operations quota: each folder whose listing was answered so;
 * and, when a Get or a Cancel was, each folder swept here (its operation's folder is not known,
 * and with one folder swept it is that one), or a hit of no folder when none was swept. The first
 * FOLDERS_NAMED are named.
 */
export function quotaHits(
  folders: readonly FolderActivity[],
  results: readonly OperationResult[],
): QuotaHit[] {
  const listed = folders.filter((f) => f.quotaHit);
  const called = results.some((r) => r.reason === Reason.ActiveOperationsQuota);
  if (!called) return listed.slice(0, FOLDERS_NAMED).map(hitOf);
  if (folders.length === 0) return [{ oldestRunning: [] }];
  // Those whose listings met it first: there it is known to be spent.
  const named = new Map<string, FolderActivity>();
  for (const f of [...listed, ...folders]) {
    if (named.size === FOLDERS_NAMED) break;
    if (!named.has(f.folderId)) named.set(f.folderId, f);
  }
  return [...named.values()].map(hitOf);
}
