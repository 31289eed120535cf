import { LISTED_OPERATION, type Operation } from '../../cloud/operation-api';
import type { RpcMethod } from '../../cloud/unary';
import { type Descriptor, decode, encode } from '../../cloud/wire';

// Every listing takes up to 1000 a page (`page_size` `(value) = "<=1000"` in each proto).
const PAGE_SIZE = 1000;

/**
 * What every request of a sweep asks: List<X>sRequest, List<X>OperationsRequest,
 * ListFoldersRequest and ListInstanceGroupLogRecordsRequest all name what they list (a folder, a
 * resource, a cloud, a group) in field 1, then page_size (2) and page_token (3).
 */
export interface PageRequest {
  readonly of: string;
  readonly pageToken: string;
}

/** Every List answer: the items in field 1, next_page_token in field 2. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string;
}

/** A listed resource or folder: what a sweep looks for operations on, and filters by. */
export interface Listed {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** An instance group's log entry (instance_group.proto `LogRecord`). */
export interface LogRecord {
  readonly timestamp?: Date;
  readonly message: string;
}

const page = (item: Descriptor): Descriptor => ({
  1: { name: 'items', type: item, repeated: true },
  2: { name: 'nextPageToken', type: 'string' },
});

/** A resource's id (1) and labels, whose number is the kind's own. */
const listed = (labelsField: number): Descriptor =>
  page({ 1: { name: 'id', type: 'string' }, [labelsField]: { name: 'labels', type: 'labels' } });

const LISTED_OPERATIONS = page(LISTED_OPERATION);

const LOG_RECORDS = page({
  1: { name: 'timestamp', type: 'timestamp' },
  2: { name: 'message', type: 'string' },
});

function pageMethod<T>(
  service: string,
  method: string,
  descriptor: Descriptor,
): RpcMethod<PageRequest, Page<T>> {
  return {
    service,
    method,
    encode: ({ of, pageToken }) =>
      encode([
        [1, of],
        [2, PAGE_SIZE],
        [3, pageToken],
      ]),
    decode: (bytes) => decode<Page<T>>(bytes, descriptor),
  };
}

/** `List` of a kind's service: its resources in a folder. */
export const listMethod = (service: string, labelsField: number) =>
  pageMethod<Listed>(service, 'List', listed(labelsField));

/** `ListOperations` of a kind's service: the operations of one resource. */
export const listOperationsMethod = (service: string) =>
  pageMethod<Operation>(service, 'ListOperations', LISTED_OPERATIONS);

/** resourcemanager `FolderService.List`: a cloud's folders (folder.proto: labels are field 6). */
export const LIST_FOLDERS = pageMethod<Listed>(
  'yandex.cloud.resourcemanager.v1.FolderService',
  'List',
  listed(6),
);

export const LIST_LOG_RECORDS = pageMethod<LogRecord>(
  'yandex.cloud.compute.v1.instancegroup.InstanceGroupService',
  'ListLogRecords',
  LOG_RECORDS,
);
