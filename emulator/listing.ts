import {
  type Metadata,
  type Server,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { budgetFor, type Fault, type FaultBudget, replyWithFault, spend } from './fault';
import { MAX_PAGE_SIZE, paginate } from './paging';
import { RESOURCE_SERVICES, type ResourceKind } from './resource-services';

export type { ResourceKind };

export interface FakeResource {
  kind: ResourceKind;
  id: string;
  folderId: string;
  name?: string;
  /** Fault injected on this resource's ListOperations. */
  list?: Fault;
}

export type ListingMethod = `${ResourceKind}/${'List' | 'ListOperations'}`;

export interface ListingRequest {
  method: ListingMethod;
  /** The folder (List) or resource (ListOperations) asked about. */
  subject: string;
  page: { size: number; token: string };
}

export interface Listing {
  setResources(...resources: FakeResource[]): void;
  failList(kind: ResourceKind, fault: Fault | undefined): void;
  /** Adds a service per kind; of each, only List and ListOperations answer, the rest UNIMPLEMENTED. */
  addTo(server: Server): void;
}

interface PageRequest {
  pageSize: number;
  pageToken: string;
}

interface ListRequest extends PageRequest {
  folderId: string;
  filter?: string;
  orderBy?: string;
}

type OperationsRequest = PageRequest & Record<string, unknown>;

interface ResourceState {
  resource: FakeResource;
  listOperationsFault: FaultBudget;
}

type Handler<Request> = (
  call: ServerUnaryCall<Request, object>,
  callback: sendUnaryData<object>,
) => void;

export function createListing(opts: {
  resources?: FakeResource[] | undefined;
  maxPageSize?: number | undefined;
  /** Records the call and returns the headers to answer it with. */
  record(request: ListingRequest, metadata: Metadata): Metadata;
  /** The operations of a resource as Get would show them now, in the order they were first set. */
  operationsOf(resourceId: string): Operation[];
}): Listing {
  const maxPageSize = opts.maxPageSize ?? MAX_PAGE_SIZE;
  // Maps keep the order resources were first set in, which is the order List returns them in.
  // Fault budgets are spent per setResources() of a resource or failList() of a kind.
  const resources = new Map<ResourceKind, Map<string, ResourceState>>();
  const listFaults = new Map<ResourceKind, FaultBudget>();
  const ofKind = (kind: ResourceKind) => {
    const byId = resources.get(kind) ?? new Map<string, ResourceState>();
    resources.set(kind, byId);
    return byId;
  };

  const setResources = (...added: FakeResource[]) => {
    for (const resource of added) {
      ofKind(resource.kind).set(resource.id, {
        resource: { ...resource },
        listOperationsFault: budgetFor(resource.list),
      });
    }
  };
  setResources(...(opts.resources ?? []));

  const reject = <Request>(
    call: ServerUnaryCall<Request, object>,
    callback: sendUnaryData<object>,
    headers: Metadata,
    code: status,
    details: string,
  ) => replyWithFault(call, callback, { code, message: details }, headers, details);

  const list =
    (kind: ResourceKind): Handler<ListRequest> =>
    (call, callback) => {
      const { folderId, pageSize, pageToken, filter, orderBy } = call.request;
      const method: ListingMethod = `${kind}/List`;
      const page = { size: pageSize, token: pageToken };
      const headers = opts.record({ method, subject: folderId, page }, call.metadata);
      const fault = spend(listFaults.get(kind));
      if (fault !== undefined) {
        const details = `injected ${status[fault.code]} on ${method} ${folderId}`;
        return replyWithFault(call, callback, fault, headers, details);
      }
      if (folderId === '') {
        return reject(call, callback, headers, status.INVALID_ARGUMENT, 'folder_id is required');
      }
      // Ignoring them would hand a sweep that relies on them more than it asked for, unnoticed.
      if (filter || orderBy) {
        const details = 'the emulator supports neither filter nor order_by';
        return reject(call, callback, headers, status.INVALID_ARGUMENT, details);
      }
      const inFolder = [...ofKind(kind).values()]
        .map((state) => state.resource)
        .filter((resource) => resource.folderId === folderId);
      const result = paginate(inFolder, call.request, maxPageSize);
      if ('invalid' in result) {
        return reject(call, callback, headers, status.INVALID_ARGUMENT, result.invalid);
      }
      const { itemsField, toMessage } = RESOURCE_SERVICES[kind];
      const items = result.items.map(({ id, name }) =>
        toMessage({ id, folderId, name: name ?? '' }),
      );
      call.sendMetadata(headers);
      callback(null, { [itemsField]: items, nextPageToken: result.nextPageToken });
    };

  const listOperations =
    (kind: ResourceKind): Handler<OperationsRequest> =>
    (call, callback) => {
      const resourceId = String(call.request[RESOURCE_SERVICES[kind].idField] ?? '');
      const method: ListingMethod = `${kind}/ListOperations`;
      const page = { size: call.request.pageSize, token: call.request.pageToken };
      const headers = opts.record({ method, subject: resourceId, page }, call.metadata);
      const state = ofKind(kind).get(resourceId);
      if (state === undefined) {
        const details = `${kind} ${resourceId} not found`;
        return reject(call, callback, headers, status.NOT_FOUND, details);
      }
      const fault = spend(state.listOperationsFault);
      if (fault !== undefined) {
        const details = `injected ${status[fault.code]} on ${method} ${resourceId}`;
        return replyWithFault(call, callback, fault, headers, details);
      }
      const result = paginate(opts.operationsOf(resourceId), call.request, maxPageSize);
      if ('invalid' in result) {
        return reject(call, callback, headers, status.INVALID_ARGUMENT, result.invalid);
      }
      call.sendMetadata(headers);
      callback(null, { operations: result.items, nextPageToken: result.nextPageToken });
    };

  return {
    setResources,
    failList: (kind, fault) => {
      listFaults.set(kind, budgetFor(fault));
    },
    addTo: (server) => {
      for (const [kind, { service }] of Object.entries(RESOURCE_SERVICES)) {
        const resourceKind = kind as ResourceKind;
        // Methods left out get grpc-js's default handler, which answers UNIMPLEMENTED.
        server.addService(service, {
          list: list(resourceKind),
          listOperations: listOperations(resourceKind),
        });
      }
    },
  };
}
