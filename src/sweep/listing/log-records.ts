import type { LogRecord } from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group';
import {
  InstanceGroupServiceClient,
  ListInstanceGroupLogRecordsRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group_service';
import { type CallLimits, callWithRetries, methodName, type RetryOptions } from '../../cloud/unary';
import { printable } from '../../printable';
import { cachedClient, methodOf } from './resources';

/** The group's log as far as a sweep reads it: enough pages for any group's recent history. */
const MAX_LOG_PAGES = 5;
const PAGE_SIZE = 1000;
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
  const client = cachedClient('compute.instanceGroup', deps.endpoint);
  const listLogRecords = methodOf<{ logRecords: LogRecord[]; nextPageToken: string }>(
    client,
    'listLogRecords',
  );
  const name = {
    method: methodName(InstanceGroupServiceClient, 'listLogRecords'),
    subject: `compute.instanceGroup ${instanceGroupId}`,
    endpoint: deps.endpoint,
  };
  let latest: LogRecord | undefined;
  let pageToken = '';
  try {
    for (let page = 0; page < MAX_LOG_PAGES; page++) {
      const request = ListInstanceGroupLogRecordsRequest.fromPartial({
        instanceGroupId,
        pageSize: PAGE_SIZE,
        pageToken,
      });
      const { value } = await callWithRetries(
        name,
        listLogRecords,
        request,
        deps.token,
        deps.retry,
        deps.limits,
      );
      for (const record of value.logRecords) {
        if (
          latest === undefined ||
          (record.timestamp?.getTime() ?? 0) >= (latest.timestamp?.getTime() ?? 0)
        ) {
          latest = record;
        }
      }
      if (!value.nextPageToken || value.nextPageToken === pageToken) break;
      pageToken = value.nextPageToken;
    }
  } catch {
    // What was read so far still says something; nothing read says nothing.
  }
  if (latest === undefined) return undefined;
  const at = latest.timestamp;
  return {
    ...(at !== undefined && !Number.isNaN(at.getTime()) && { timestamp: at.toISOString() }),
    message: printable(latest.message, MAX_MESSAGE),
  };
}
