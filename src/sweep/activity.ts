import { type Logger, LogLevel } from '../log';
import {
  ACTIVE_OPERATIONS_QUOTA,
  type FolderActivity,
  type Origin,
  type SweepSpec,
} from '../model';
import type { SweepFindings } from './listing';

/**
 * What a folder's sweep saw running, for the summary and the metric; and, when one of its listings
 * was answered RESOURCE_EXHAUSTED for the active-operations quota, one WARN line that names the
 * quota and the folder's oldest running operations, which hold it. A sweep of named resources
 * alone is of no one folder, so it has none.
 */
export function folderActivity(
  spec: SweepSpec,
  findings: Pick<SweepFindings, 'running' | 'failures'>,
  log: Logger,
  origin: Origin,
): FolderActivity | undefined {
  const { folderId } = spec;
  if (folderId === undefined) return undefined;
  const { count, oldest } = findings.running;
  const hits = findings.failures.filter((f) => f.quota !== undefined);
  if (hits.length > 0) {
    log.log(LogLevel.Warn, 'active operations quota', {
      ...origin,
      folderId,
      quota: ACTIVE_OPERATIONS_QUOTA.name,
      documentedLimit: ACTIVE_OPERATIONS_QUOTA.documented,
      docs: ACTIVE_OPERATIONS_QUOTA.docs,
      listings: hits.length,
      running: count,
      oldestRunning: oldest,
      reason: `${ACTIVE_OPERATIONS_QUOTA.said}; the oldest running operations listed hold it`,
    });
  }
  return { folderId, running: count, oldestRunning: oldest, quotaHit: hits.length > 0 };
}
