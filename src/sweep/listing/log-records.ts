import { type CallLimits, callWithRetries, type RetryOptions, rpcName } from '../../cloud/unary';
import { printable } from '../../printable';
import { allPages } from './pages';
import { LIST_LOG_RECORDS, type LogRecord, methodAt } from './wire';

/** The group's log as far as a sweep reads it: enough pages for any group's recent history. */
const MAX_LOG_PAGES = 5;
const MAX_MESSAGE = 500;

export interface LatestLogRecord {
  readonly timestamp?: string;
  readonly message: string;
}

export interface LogRecordDeps {
  readonly token: string;
  readonly endpoint: string;
  readonly retry: RetryOptions;
  readonly limits: CallLimits;
}

/**
 * The latest entry of an instance group's log (`InstanceGroupService.ListLogRecords`), which is
 * where the group says what it is waiting for. The proto does not say in which order records
 * come, so the latest is the one with the latest timestamp among the pages read. Undefined when
 * the log is empty or cannot be read: the stuck report stands without it.
 */
export async function latestLogRecord(
  instanceGroupId: string,
  deps: LogRecordDeps,
): Promise<LatestLogRecord | undefined> {
  const listLogRecords = methodAt(deps.endpoint, LIST_LOG_RECORDS);
  const name = {
    method: rpcName(LIST_LOG_RECORDS),
    subject: `compute.instanceGroup ${instanceGroupId}`,
    endpoint: deps.endpoint,
  };
  let latest: LogRecord | undefined;
  const at = (record: LogRecord) => record.timestamp?.getTime() ?? 0;
  let pages = 0;
  try {
    // The shared pager, for its loop guard; the pages give no items, only the latest kept here.
    await allPages(
      async (pageToken) => {
        const { value } = await callWithRetries(
          name,
          listLogRecords,
          { of: instanceGroupId, pageToken },
          deps.token,
          deps.retry,
          deps.limits,
        );
        for (const record of value.items) {
          if (latest === undefined || at(record) >= at(latest)) latest = record;
        }
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
      !Number.isNaN(timestamp.getTime()) && { timestamp: timestamp.toISOString() }),
    message: printable(latest.message, MAX_MESSAGE),
  };
}
