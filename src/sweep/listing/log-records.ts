import { callAt, type ServiceCalls } from '../../cloud/calls';
import { inTimestampRange } from '../../cloud/described';
import { serverText } from '../../printable';
import { allPages } from './pages';
import { LIST_LOG_RECORDS, type LogRecord } from './wire';

/** The group's log as far as a sweep reads it: enough pages for any group's recent history. */
const MAX_LOG_PAGES = 5;
const MAX_MESSAGE = 500;

/** A record's time to compare by: one with no time, or none a Timestamp holds, counts as oldest. */
const at = ({ timestamp }: LogRecord) =>
  timestamp !== undefined && inTimestampRange(timestamp) ? timestamp.getTime() : -Infinity;

/** The record with the latest time, `latest` (of earlier pages) among them; of equals, the last. */
export function latestOf(records: readonly LogRecord[], latest?: LogRecord): LogRecord | undefined {
  let found = latest;
  for (const record of records) if (found === undefined || at(record) >= at(found)) found = record;
  return found;
}

export interface LatestLogRecord {
  readonly timestamp?: string;
  readonly message: string;
}

/**
 * The latest entry of an instance group's log (`InstanceGroupService.ListLogRecords`), which is
 * where the group says what it is waiting for. The proto does not say in which order records
 * come, so the latest is the one with the latest timestamp among the pages read. Undefined when
 * the log is empty or cannot be read: the stuck report stands without it.
 */
export async function latestLogRecord(
  instanceGroupId: string,
  deps: ServiceCalls,
): Promise<LatestLogRecord | undefined> {
  const site = {
    endpoint: deps.endpoint,
    rpc: LIST_LOG_RECORDS,
    subject: `compute.instanceGroup ${instanceGroupId}`,
  };
  let latest: LogRecord | undefined;
  let pages = 0;
  try {
    // The shared pager, for its loop guard; the pages give no items, only the latest kept here.
    await allPages(
      async (pageToken) => {
        const { value } = await callAt(deps, site, { of: instanceGroupId, pageToken });
        latest = latestOf(value.items, latest);
        return { items: [], nextPageToken: value.nextPageToken };
      },
      () => pages++ < MAX_LOG_PAGES,
    );
  } catch {
    // What was read so far still says something; nothing read says nothing.
  }
  if (latest === undefined) return undefined;
  const { timestamp } = latest;
  return {
    ...(timestamp !== undefined &&
      inTimestampRange(timestamp) && { timestamp: timestamp.toISOString() }),
    message: serverText(latest.message, MAX_MESSAGE),
  };
}
