import {
  type Metadata,
  type Server,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import type { ListInstanceGroupLogRecordsRequest } from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group_service';
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
  /** Returned by List with the resource, so a sweep can select on them. */
  labels?: Record<string, string>;
  /** Fault injected on this resource's ListOperations. */
  list?: Fault;
  /** An instance group's activity log, as its ListLogRecords pages through it. */
  logRecords?: Array<{ timestamp: Date; message: string }>;
  /** Fault injected on this instance group's ListLogRecords. */
  listLogRecords?: Fault;
}

/** The one kind whose service also answers ListLogRecords. */
const LOGGED_KIND = 'compute.instanceGroup' as const satisfies ResourceKind;

export type ListingMethod =
  | `${ResourceKind}/${'List' | 'ListOperations' | 'Get'}`
  | `${typeof LOGGED_KIND}/ListLogRecords`;

export interface ListingRequest {
  method: ListingMethod;
  /** The folder (List) or resource (ListOperations, ListLogRecords) asked about. */
  subject: string;
  page: { size: number; token: string };
}

export interface Listing {
  setResources(...resources: FakeResource[]): void;
  failList(kind: ResourceKind, fault: Fault | undefined): void;
  /**
   * Answers every List and ListOperations of these kinds PERMISSION_DENIED, as the API answers a
   * service account without a role that lists them; an empty list grants them all again.
   */
  deny(kinds: readonly ResourceKind[]): void;
  /**
   * Adds a service per kind; of each, only Get, List and ListOperations answer (and the instance
   * group's ListLogRecords), the rest UNIMPLEMENTED.
   */
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
  listLogRecordsFault: FaultBudget;
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
  let denied: ReadonlySet<ResourceKind> = new Set();
  // The API's words for a caller without the permission (its errors-handling guide).
  const denial = (kind: ResourceKind, method: string, subject: string) =>
    `Permission denied: ${method} of ${subject} needs a role that lists ${kind}`;
  const ofKind = (kind: ResourceKind) => {
    const byId = resources.get(kind) ?? new Map<string, ResourceState>();
    resources.set(kind, byId);
    return byId;
  };

  const setResources = (...added: FakeResource[]) => {
    for (const resource of added) {
      ofKind(resource.kind).set(resource.id, {
        // Copied, so a test changing its own objects later does not change what is served.
        resource: {
          ...resource,
          labels: resource.labels && { ...resource.labels },
          logRecords: resource.logRecords?.map((record) => ({ ...record })),
        },
        listOperationsFault: budgetFor(resource.list),
        listLogRecordsFault: budgetFor(resource.listLogRecords),
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
      if (denied.has(kind)) {
        const details = denial(kind, method, folderId);
        return reject(call, callback, headers, status.PERMISSION_DENIED, details);
      }
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
      const items = result.items.map(({ id, name, labels }) =>
        toMessage({ id, folderId, name: name ?? '', labels: labels ?? {} }),
      );
      call.sendMetadata(headers);
      callback(null, { [itemsField]: items, nextPageToken: result.nextPageToken });
    };

  /**
   * A call about one resource, named in the field its kind's ListOperations and Get share:
   * recorded, then refused as the API refuses it (a role the kind's listings are denied, a
   * resource there is none of), or its state with the headers to answer with.
   */
  const resourceAsked = (
    kind: ResourceKind,
    method: ListingMethod,
    call: Parameters<Handler<OperationsRequest>>[0],
    callback: Parameters<Handler<OperationsRequest>>[1],
  ) => {
    const resourceId = String(call.request[RESOURCE_SERVICES[kind].idField] ?? '');
    const page = { size: call.request.pageSize ?? 0, token: call.request.pageToken ?? '' };
    const headers = opts.record({ method, subject: resourceId, page }, call.metadata);
    if (denied.has(kind)) {
      reject(call, callback, headers, status.PERMISSION_DENIED, denial(kind, method, resourceId));
      return undefined;
    }
    const state = ofKind(kind).get(resourceId);
    if (state === undefined) {
      reject(call, callback, headers, status.NOT_FOUND, `${kind} ${resourceId} not found`);
      return undefined;
    }
    return { resourceId, headers, state };
  };

  const listOperations =
    (kind: ResourceKind): Handler<OperationsRequest> =>
    (call, callback) => {
      const method: ListingMethod = `${kind}/ListOperations`;
      const asked = resourceAsked(kind, method, call, callback);
      if (asked === undefined) return;
      const { resourceId, headers, state } = asked;
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

  /**
   * A resource by its id, as each service's Get answers it (the request names it in the field
   * ListOperations does): with its folder, which a scoped deployment checks before a Cancel.
   * Denied with the kind's listings, as the viewer role that lists a kind also reads it.
   */
  const get =
    (kind: ResourceKind): Handler<OperationsRequest> =>
    (call, callback) => {
      const asked = resourceAsked(kind, `${kind}/Get`, call, callback);
      if (asked === undefined) return;
      const { headers, state } = asked;
      const { id, folderId, name, labels } = state.resource;
      call.sendMetadata(headers);
      callback(
        null,
        RESOURCE_SERVICES[kind].toMessage({
          id,
          folderId,
          name: name ?? '',
          labels: labels ?? {},
        }) as object,
      );
    };

  const listLogRecords: Handler<ListInstanceGroupLogRecordsRequest> = (call, callback) => {
    const { instanceGroupId, pageSize, pageToken, filter } = call.request;
    const method: ListingMethod = `${LOGGED_KIND}/ListLogRecords`;
    const page = { size: pageSize, token: pageToken };
    const headers = opts.record({ method, subject: instanceGroupId, page }, call.metadata);
    const state = ofKind(LOGGED_KIND).get(instanceGroupId);
    if (state === undefined) {
      const details = `${LOGGED_KIND} ${instanceGroupId} not found`;
      return reject(call, callback, headers, status.NOT_FOUND, details);
    }
    const fault = spend(state.listLogRecordsFault);
    if (fault !== undefined) {
      const details = `injected ${status[fault.code]} on ${method} ${instanceGroupId}`;
      return replyWithFault(call, callback, fault, headers, details);
    }
    // As List does: ignoring it would hand a caller that relies on it more than it asked for.
    if (filter) {
      const details = 'the emulator does not support filter';
      return reject(call, callback, headers, status.INVALID_ARGUMENT, details);
    }
    // The proto does not say in which order records come; these come in the order they were set.
    const result = paginate(state.resource.logRecords ?? [], call.request, maxPageSize);
    if ('invalid' in result) {
      return reject(call, callback, headers, status.INVALID_ARGUMENT, result.invalid);
    }
    call.sendMetadata(headers);
    callback(null, { logRecords: result.items, nextPageToken: result.nextPageToken });
  };

  return {
    setResources,
    failList: (kind, fault) => {
      listFaults.set(kind, budgetFor(fault));
    },
    deny: (kinds) => {
      denied = new Set(kinds);
    },
    addTo: (server) => {
      for (const [kind, { service }] of Object.entries(RESOURCE_SERVICES)) {
        const resourceKind = kind as ResourceKind;
        // Methods left out get grpc-js's default handler, which answers UNIMPLEMENTED.
        server.addService(service, {
          get: get(resourceKind),
          list: list(resourceKind),
          listOperations: listOperations(resourceKind),
          ...(resourceKind === LOGGED_KIND && { listLogRecords }),
        });
      }
    },
  };
}
