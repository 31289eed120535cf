import {
  type Metadata,
  type Server,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import type { ListInstanceGroupLogRecordsRequest } from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group_service';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import {
  type Answer,
  budgetFor,
  type Fault,
  type FaultBudget,
  injected,
  type Refusal,
  refusal,
  send,
} from './fault';
import { MAX_PAGE_SIZE, paginate } from './paging';
import { RESOURCE_SERVICES, type ResourceKind } from './resource-services';

export type { ResourceKind };

export interface FakeResource {
  kind: ResourceKind;
  id: string;
  folderId: string;
  name?: string;
  /**
   * Returned by List with the resource, as the real List does (`Instance.labels`, "Resource
   * labels as `key:value` pairs", yandex-cloud/docs en/compute/api-ref/grpc/Instance/list.md),
   * so a sweep can select on them and read a `canceller-older-than` override from them.
   */
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

type ResourceRequest = Partial<PageRequest> & Record<string, unknown>;

interface ResourceState {
  resource: FakeResource;
  listOperationsFault: FaultBudget;
  listLogRecordsFault: FaultBudget;
}

type Handler<Request> = (
  call: ServerUnaryCall<Request, object>,
  callback: sendUnaryData<object>,
) => void;

interface ListingOptions {
  resources?: FakeResource[] | undefined;
  maxPageSize?: number | undefined;
  /** Records the call and returns the headers to answer it with. */
  record(request: ListingRequest, metadata: Metadata): Metadata;
  /** The operations of a resource as Get would show them now, in the order they were first set. */
  operationsOf(resourceId: string): Operation[];
}

/** What the handlers share: resources by kind, in the order first set, and faults and denials. */
class ListingState {
  readonly resources = new Map<ResourceKind, Map<string, ResourceState>>();
  // Fault budgets are spent per setResources() of a resource or failList() of a kind.
  readonly listFaults = new Map<ResourceKind, FaultBudget>();
  denied: ReadonlySet<ResourceKind> = new Set();

  constructor(readonly opts: ListingOptions & { maxPageSize: number }) {}

  ofKind(kind: ResourceKind): Map<string, ResourceState> {
    const byId = this.resources.get(kind) ?? new Map<string, ResourceState>();
    this.resources.set(kind, byId);
    return byId;
  }

  set(resource: FakeResource): void {
    this.ofKind(resource.kind).set(resource.id, {
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

  /** The API's words for a caller without the permission (its errors-handling guide). */
  denial(kind: ResourceKind, method: string, subject: string): Refusal | undefined {
    if (!this.denied.has(kind)) return undefined;
    const message = `Permission denied: ${method} of ${subject} needs a role that lists ${kind}`;
    return refusal(status.PERMISSION_DENIED, message);
  }

  found(kind: ResourceKind, id: string): Answer<ResourceState> {
    return this.ofKind(kind).get(id) ?? refusal(status.NOT_FOUND, `${kind} ${id} not found`);
  }

  page<T>(items: readonly T[], request: PageRequest, itemsField: string): Answer<object> {
    const result = paginate(items, request, this.opts.maxPageSize);
    if ('invalid' in result) return refusal(status.INVALID_ARGUMENT, result.invalid);
    return { [itemsField]: result.items, nextPageToken: result.nextPageToken };
  }
}

const message = (kind: ResourceKind, resource: FakeResource) => {
  const { id, folderId, name, labels } = resource;
  return RESOURCE_SERVICES[kind].toMessage({
    id,
    folderId,
    name: name ?? '',
    labels: labels ?? {},
  });
};

/** A call about one resource, named in the field its kind's ListOperations and Get share. */
function aboutResource(
  state: ListingState,
  kind: ResourceKind,
  verb: 'Get' | 'ListOperations',
  answer: (resourceId: string, found: ResourceState, request: ResourceRequest) => Answer<object>,
): Handler<ResourceRequest> {
  const method: ListingMethod = `${kind}/${verb}`;
  return (call, callback) => {
    const resourceId = String(call.request[RESOURCE_SERVICES[kind].idField] ?? '');
    const page = { size: call.request.pageSize ?? 0, token: call.request.pageToken ?? '' };
    const headers = state.opts.record({ method, subject: resourceId, page }, call.metadata);
    const found = state.denial(kind, method, resourceId) ?? state.found(kind, resourceId);
    const outcome = 'refused' in found ? found : answer(resourceId, found, call.request);
    send(call, callback, headers, outcome);
  };
}

function list(state: ListingState, kind: ResourceKind): Handler<ListRequest> {
  const method: ListingMethod = `${kind}/List`;
  const listed = ({ folderId, filter, orderBy, ...page }: ListRequest): Answer<object> => {
    if (folderId === '') return refusal(status.INVALID_ARGUMENT, 'folder_id is required');
    // Ignoring them would hand a sweep that relies on them more than it asked for, unnoticed.
    if (filter || orderBy) {
      return refusal(status.INVALID_ARGUMENT, 'the emulator supports neither filter nor order_by');
    }
    const inFolder = [...state.ofKind(kind).values()]
      .filter(({ resource }) => resource.folderId === folderId)
      .map(({ resource }) => message(kind, resource));
    return state.page(inFolder, page, RESOURCE_SERVICES[kind].itemsField);
  };
  return (call, callback) => {
    const { folderId, pageSize, pageToken } = call.request;
    const page = { size: pageSize, token: pageToken };
    const headers = state.opts.record({ method, subject: folderId, page }, call.metadata);
    const outcome =
      state.denial(kind, method, folderId) ??
      injected(state.listFaults.get(kind), method, folderId) ??
      listed(call.request);
    send(call, callback, headers, outcome);
  };
}

/**
 * A resource's operations, done ones among them, each with `created_at`, `modified_at` and
 * `done`, as the real ListOperations answers (yandex-cloud/docs
 * en/compute/api-ref/grpc/Instance/listOperations.md, the `operations` of
 * ListInstanceOperationsResponse): a done one's `modified_at − created_at` is how long it ran,
 * which a sweep under `learn` learns from. Operations come in the order they were set.
 */
const listOperations = (state: ListingState, kind: ResourceKind) =>
  aboutResource(state, kind, 'ListOperations', (resourceId, found, request) => {
    const method = `${kind}/ListOperations`;
    const operations = state.opts.operationsOf(resourceId);
    return (
      injected(found.listOperationsFault, method, resourceId) ??
      state.page(operations, request as PageRequest, 'operations')
    );
  });

/**
 * A resource by its id, with its folder, which a scoped deployment checks before a Cancel.
 * Denied with the kind's listings, as the viewer role that lists a kind also reads it.
 */
const get = (state: ListingState, kind: ResourceKind) =>
  aboutResource(state, kind, 'Get', (_, found) => message(kind, found.resource));

function listLogRecords(state: ListingState): Handler<ListInstanceGroupLogRecordsRequest> {
  const method: ListingMethod = `${LOGGED_KIND}/ListLogRecords`;
  const records = (request: ListInstanceGroupLogRecordsRequest): Answer<object> => {
    const { instanceGroupId, filter } = request;
    const found = state.found(LOGGED_KIND, instanceGroupId);
    if ('refused' in found) return found;
    const fault = injected(found.listLogRecordsFault, method, instanceGroupId);
    if (fault !== undefined) return fault;
    // As List does: ignoring it would hand a caller that relies on it more than it asked for.
    if (filter) return refusal(status.INVALID_ARGUMENT, 'the emulator does not support filter');
    // The proto does not say in which order records come; these come in the order they were set.
    return state.page(found.resource.logRecords ?? [], request, 'logRecords');
  };
  return (call, callback) => {
    const { instanceGroupId, pageSize, pageToken } = call.request;
    const page = { size: pageSize, token: pageToken };
    const headers = state.opts.record({ method, subject: instanceGroupId, page }, call.metadata);
    send(call, callback, headers, records(call.request));
  };
}

export function createListing(opts: ListingOptions): Listing {
  const state = new ListingState({ ...opts, maxPageSize: opts.maxPageSize ?? MAX_PAGE_SIZE });
  for (const resource of opts.resources ?? []) state.set(resource);
  return {
    setResources: (...added) => {
      for (const resource of added) state.set(resource);
    },
    failList: (kind, fault) => {
      state.listFaults.set(kind, budgetFor(fault));
    },
    deny: (kinds) => {
      state.denied = new Set(kinds);
    },
    addTo: (server) => {
      for (const kind of Object.keys(RESOURCE_SERVICES) as ResourceKind[]) {
        // Methods left out get grpc-js's default handler, which answers UNIMPLEMENTED.
        server.addService(RESOURCE_SERVICES[kind].service, {
          get: get(state, kind),
          list: list(state, kind),
          listOperations: listOperations(state, kind),
          ...(kind === LOGGED_KIND && { listLogRecords: listLogRecords(state) }),
        });
      }
    },
  };
}
