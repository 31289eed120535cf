import { Server } from '@grpc/grpc-js';
import type { Fault } from './cloud-api/fault';
import { createFolders, type FolderMethod, type Folders } from './cloud-api/folders';
import { createHolds } from './cloud-api/latency';
import {
  createListing,
  type FakeResource,
  type Listing,
  type ListingMethod,
  type ResourceKind,
} from './cloud-api/listings';
import { createOperations, type FakeOperation, type OperationMethod } from './cloud-api/operations';
import { MAX_PAGE_SIZE } from './cloud-api/paging';
import { createRecorder, type RecordedCall as Recorded, type Recorder } from './cloud-api/recorder';
import { listenTls } from './cloud-api/tls';
import type { TestPki } from './pki';

export type { FakeOperation, FakeResource, Fault, FolderMethod, ListingMethod, ResourceKind };

export type CloudMethod = OperationMethod | ListingMethod | FolderMethod;
export type RecordedCall<Method extends string = CloudMethod> = Recorded<Method>;

export interface CloudApiServer
  extends Omit<Recorder<RecordedCall>, 'record'>,
    Pick<Listing, 'setResources' | 'failList' | 'deny'>,
    Pick<Folders, 'placeFolder' | 'failNext'> {
  address: string;
  set(...ops: FakeOperation[]): void;
  close(): Promise<void>;
}

/**
 * One TLS gRPC server speaking, from the SDK's generated service definitions, every Yandex Cloud
 * API the function calls: OperationService, the listings a sweep uses (compute, VPC, Kubernetes,
 * managed databases, Cloud Interconnect, Cloud Router) and the resource manager's folders.
 */
export async function startCloudApiServer(opts: {
  pki: TestPki;
  operations?: FakeOperation[];
  port?: number;
  /**
   * Served by each listed kind's service's List and ListOperations on the same port, and an
   * instance group's log records by its ListLogRecords.
   */
  resources?: FakeResource[];
  /** The most a listing page holds whatever page_size asks, so tests can force several pages. */
  maxPageSize?: number;
  /**
   * How long every listing answer is held, as a remote API's round trip: each kind's List and
   * ListOperations, an instance group's ListLogRecords and the resource manager's
   * FolderService.List. The call is recorded and answered from the state it arrived at, its
   * headers at once; the answer goes out this much later, or never if the client gives up first.
   * 0, the default, answers at once.
   */
  listingLatencyMs?: number;
}): Promise<CloudApiServer> {
  const recorder = createRecorder<RecordedCall>();
  const holds = createHolds();
  const operations = createOperations({ recorder, holds });
  operations.set(opts.operations ?? []);
  const maxPageSize = opts.maxPageSize ?? MAX_PAGE_SIZE;
  const listing = createListing({
    resources: opts.resources,
    maxPageSize,
    record: recorder.record,
    operationsOf: operations.operationsOf,
  });
  const folders = createFolders({ recorder, maxPageSize });

  const server = new Server();
  const latency = opts.listingLatencyMs ?? 0;
  operations.addTo(server);
  listing.addTo(holds.slowed(server, latency, () => ['list', 'listOperations', 'listLogRecords']));
  folders.addTo(holds.slowed(server, latency, () => ['list']));
  const tls = await listenTls(server, opts.pki, opts.port);

  const { record: _, ...calls } = recorder;
  return {
    ...calls,
    address: `127.0.0.1:${tls.port}`,
    set: (...ops) => operations.set(ops),
    setResources: listing.setResources,
    failList: listing.failList,
    deny: listing.deny,
    placeFolder: folders.placeFolder,
    failNext: folders.failNext,
    close: () => {
      holds.release();
      return tls.close();
    },
  };
}
