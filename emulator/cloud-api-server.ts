import { createServer, type Socket } from 'node:net';
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import {
  type CancelOperationRequest,
  type GetOperationRequest,
  OperationServiceService,
} from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { FolderServiceService } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import { Cancellability, cancellabilityOf, typeName } from '../src/cancellable';
import { budgetFor, type Fault, type FaultBudget, replyWithFault, spend } from './fault';
import { createIamTokens, type TrustedKey } from './iam-token-service';
import { listen } from './listen';
import { createListing, type FakeResource, type ListingMethod, type ResourceKind } from './listing';
import { MAX_PAGE_SIZE } from './paging';
import type { TestPki } from './pki';
import {
  PERMISSION_DENIED,
  type ResourceBindings,
  type ResourceManagerKind,
} from './resource-manager';
import { createServerless, type ServerlessControls } from './serverless';
import type { MutatingMethod, ServerlessMethod, ServerlessRequests } from './serverless-methods';
import { IDEMPOTENCY_KEY, idempotencyKeyOf } from './serverless-rpc';
import type { FakeVersion, ServerlessSeed } from './serverless-store';

export type {
  FakeResource,
  FakeVersion,
  Fault,
  ListingMethod,
  MutatingMethod,
  ResourceBindings,
  ResourceKind,
  ResourceManagerKind,
  ServerlessMethod,
  ServerlessSeed,
};
export { IDEMPOTENCY_KEY, PERMISSION_DENIED };

export interface FakeOperation {
  id: string;
  description?: string;
  createdAt?: Date;
  createdBy?: string;
  done?: boolean;
  error?: { code: number; message: string };
  get?: Fault;
  /**
   * How Cancel goes: it cancels at once (the default), accepts and never ends, lets the operation
   * finish, cancels it after `cancelTakesMs`, or (`ends-first`) finds it ended a moment before
   * and refuses with FAILED_PRECONDITION. What a real service answers a Cancel of an ended
   * operation is not documented (audit 6.5); `ends-first` is the reading the function must
   * tolerate, and an ended operation Cancel is otherwise asked about is returned as it is.
   */
  cancel?: Fault | 'cancels' | 'accepts' | 'finishes' | 'slowly' | 'ends-first';
  /** With cancel 'slowly': how long after Cancel the operation ends cancelled (default 5000). */
  cancelTakesMs?: number;
  delayMs?: number;
  /** The resource whose ListOperations returns this operation; Get and Cancel see the same one. */
  resourceId?: string;
  /** Until a Cancel changes it; defaults to createdAt. */
  modifiedAt?: Date;
  metadata?: Any;
  /** The result once done without error; unset, a Cancel that lets it finish leaves Empty. */
  response?: Any;
  /**
   * A hostile-server fault, not platform behaviour: fields Cancel's answer carries instead of the
   * operation's own, such as another operation's `id`, or a `description` past a client's 4 MB
   * receive limit. The operation itself, and what Get answers, are as they would be.
   */
  cancelAnswer?: Partial<Pick<Operation, 'id' | 'description'>>;
  /**
   * A hostile-server fault, not platform behaviour: Get and Cancel answer with `createdAt` written
   * as this many seconds, which no Date holds (2n ** 62n); listings leave createdAt out instead.
   */
  createdAtSeconds?: bigint;
  /**
   * A hostile-server fault, not platform behaviour: Get and Cancel answers cut short by their
   * last byte, which no protobuf parser reads.
   */
  cutShort?: boolean;
}

export interface RecordedCall {
  method: OperationMethod | ListingMethod | ServerlessMethod;
  /**
   * For a listing: the folder (List) or resource (ListOperations, ListLogRecords) asked about.
   * For a serverless call: the function, trigger or (for List and Create) folder it is about.
   */
  operationId: string;
  authorization: string | undefined;
  /** The `x-request-id` the server answered with. */
  requestId: string;
  /** The `x-server-trace-id` the server answered with. */
  serverTraceId: string;
  /** What the client sent as `x-request-id` and `x-client-trace-id`, if anything. */
  clientRequestId: string | undefined;
  clientTraceId: string | undefined;
  at: number;
  /** Only on listings: the page_size and page_token asked for. */
  page?: { size: number; token: string };
  /** Only on serverless calls: the request as the server decoded it. */
  request?: object;
  /** The `idempotency-key` metadata the client sent, if any. */
  idempotencyKey?: string;
}

export interface CloudApiServer extends ServerlessControls {
  address: string;
  calls: RecordedCall[];
  callsFor(id: string): RecordedCall[];
  set(...ops: FakeOperation[]): void;
  /** Adds resources, or replaces those with the same kind and id, keeping their place in List. */
  setResources(...resources: FakeResource[]): void;
  /** Fails that kind's List with `fault` (for its first `times` calls from now); undefined clears. */
  failList(kind: ResourceKind, fault: Fault | undefined): void;
  /** Refuses every listing of these kinds as a missing role would (PERMISSION_DENIED). */
  deny(kinds: readonly ResourceKind[]): void;
  /** The requests recorded for a serverless method, in the order they came. */
  requestsOf<M extends ServerlessMethod>(method: M): ServerlessRequests[M][];
  /** IamTokenService.Create accepts JWTs signed by this key, for its service account. */
  trustServiceAccountKey(key: TrustedKey): void;
  /** The IAM token the emulator issues for a service account's JWT. */
  iamTokenFor(serviceAccountId: string): string;
  /**
   * Hides each operation of the mutations from now on from its first `times` OperationService.Get
   * calls, which answer NOT_FOUND, as a real API does while the operation has not reached every
   * replica yet: the go-sdk's PollUntilDone (pkg/operation) ignores up to maxNotFoundRetry = 3 of
   * them for that reason. 0, the default, shows operations at once.
   */
  notFoundAfterCreate(times: number): void;
  /** Forgets recorded calls; operations, resources, serverless state and pending faults stay. */
  reset(): void;
  close(): Promise<void>;
}

type OperationMethod = 'Get' | 'Cancel';
type Call = ServerUnaryCall<GetOperationRequest | CancelOperationRequest, Operation>;

// What a finished operation's `response` holds does not matter to a canceller, so it is Empty.
const EMPTY_RESPONSE = {
  typeUrl: 'type.googleapis.com/google.protobuf.Empty',
  value: Buffer.alloc(0),
};

interface OperationState {
  op: FakeOperation;
  done: boolean;
  error?: { code: number; message: string };
  finished: boolean;
  modifiedAt?: Date;
  /** When a slow cancellation completes; checked on each call, so no timer outlives the server. */
  cancelledAt?: number;
  /** How many more Gets answer NOT_FOUND, as for an operation not on every replica yet. */
  unseenGets: number;
  // Fault budgets are spent per set() of an operation, so reset() (forgetting calls) keeps them.
  faults: Record<OperationMethod, FaultBudget>;
}

/** Get and Cancel answers written by hand: `createdAtSeconds` and `cutShort`. */
const hostile = new WeakMap<Operation, Pick<FakeOperation, 'createdAtSeconds' | 'cutShort'>>();

/**
 * Operation.encode, then a createdAt (field 3) whose Timestamp seconds (field 1) are raw, or the
 * whole cut short by a byte.
 */
function encodeOperation(operation: Operation): Buffer {
  const writer = Operation.encode(operation);
  const { createdAtSeconds: seconds, cutShort } = hostile.get(operation) ?? {};
  if (seconds !== undefined) writer.uint32(26).fork().uint32(8).int64(String(seconds)).ldelim();
  const bytes = Buffer.from(writer.finish());
  return cutShort ? bytes.subarray(0, bytes.length - 1) : bytes;
}

const OPERATION_SERVICE = {
  get: { ...OperationServiceService.get, responseSerialize: encodeOperation },
  cancel: { ...OperationServiceService.cancel, responseSerialize: encodeOperation },
} as const;

function toOperation(state: OperationState): Operation {
  const { op } = state;
  // An operation holds a result only once done, and then either an error or a response.
  const succeeded = state.done && state.error === undefined;
  return {
    id: op.id,
    description: op.description ?? '',
    createdAt: op.createdAtSeconds === undefined ? op.createdAt : undefined,
    createdBy: op.createdBy ?? '',
    modifiedAt: state.modifiedAt ?? op.modifiedAt ?? op.createdAt,
    done: state.done,
    metadata: op.metadata,
    error: state.error && { ...state.error, details: [] },
    response: succeeded
      ? (op.response ?? (state.finished ? EMPTY_RESPONSE : undefined))
      : undefined,
  };
}

/**
 * One TLS gRPC server speaking, from the SDK's generated service definitions, every Yandex Cloud
 * API the function and `npm run deploy` call: OperationService, the listings a sweep uses
 * (compute, VPC, Kubernetes, managed databases, Cloud Interconnect, Cloud Router), the serverless
 * functions and triggers services, and IAM's token exchange.
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
  const states = new Map<string, OperationState>();
  const calls: RecordedCall[] = [];
  const pendingDelays = new Set<() => void>();
  let requestCounter = 0;
  let unseenGetsAfterCreate = 0;

  // Operation ids by the resource that lists them, so a listing does not scan every operation.
  const byResource = new Map<string, Set<string>>();
  // A list, not arguments: a spread of 160,000 operations (the bench's) overflows the stack.
  const setAll = (ops: readonly FakeOperation[]) => {
    for (const op of ops) {
      const previous = states.get(op.id)?.op.resourceId;
      if (previous !== undefined && previous !== op.resourceId)
        byResource.get(previous)?.delete(op.id);
      if (op.resourceId !== undefined) {
        const ids = byResource.get(op.resourceId) ?? new Set<string>();
        ids.add(op.id);
        byResource.set(op.resourceId, ids);
      }
      states.set(op.id, {
        op: { ...op },
        done: op.done ?? false,
        error: op.error && { ...op.error },
        finished: false,
        unseenGets: 0,
        faults: {
          Get: budgetFor(op.get),
          // A string cancel is how Cancel succeeds, not a fault.
          Cancel: budgetFor(typeof op.cancel === 'object' ? op.cancel : undefined),
        },
      });
    }
  };
  setAll(opts.operations ?? []);

  // Resolves false when the client cancels the call (or the server closes) before the delay ends,
  // so a client deadline is observed as the client would see it from a slow API.
  const delay = (
    ms: number,
    call: Pick<ServerUnaryCall<unknown, unknown>, 'cancelled' | 'once' | 'off'>,
  ) =>
    new Promise<boolean>((resolve) => {
      if (call.cancelled) return resolve(false);
      const finish = (completed: boolean) => {
        clearTimeout(timer);
        call.off('cancelled', onCancelled);
        pendingDelays.delete(onCancelled);
        resolve(completed);
      };
      const onCancelled = () => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      call.once('cancelled', onCancelled);
      pendingDelays.add(onCancelled);
    });

  const markCancelled = (state: OperationState) => {
    state.done = true;
    state.modifiedAt = new Date();
    state.error = { code: status.CANCELLED, message: 'operation cancelled' };
  };

  const settleSlowCancel = (state: OperationState) => {
    if (!state.done && state.cancelledAt !== undefined && Date.now() >= state.cancelledAt) {
      markCancelled(state);
    }
  };

  const finish = (state: OperationState) => {
    state.done = true;
    state.modifiedAt = new Date();
    state.finished = true;
  };

  /** Cancels as the operation's mode says; false when Cancel refuses instead. */
  const cancel = (state: OperationState): boolean => {
    // An operation that already ended is returned as it is; there is nothing left to cancel.
    if (state.done) return true;
    const mode = typeof state.op.cancel === 'string' ? state.op.cancel : 'cancels';
    if (mode === 'ends-first') {
      finish(state);
      return false;
    }
    if (mode === 'accepts') return true;
    if (mode === 'slowly') {
      state.cancelledAt ??= Date.now() + (state.op.cancelTakesMs ?? 5000);
    } else if (mode === 'finishes') {
      finish(state);
    } else {
      markCancelled(state);
    }
    return true;
  };

  /**
   * Records a call and returns the headers that answer it: the server's `x-request-id` and
   * `x-server-trace-id`, the names the nodejs-sdk reads for a support ticket (`ApiError`). Whether
   * the real API echoes a client's `x-request-id` is not public, so this one never does: the
   * function must keep its own ids apart from the server's.
   */
  const record = (
    call: Pick<RecordedCall, 'method' | 'operationId' | 'page' | 'request'>,
    metadata: Metadata,
  ): Metadata => {
    const n = ++requestCounter;
    const requestId = `req-${n}`;
    const serverTraceId = `trace-${n}`;
    const sent = (name: string) => {
      const [value] = metadata.get(name);
      return typeof value === 'string' ? value : undefined;
    };
    const idempotencyKey = idempotencyKeyOf(metadata);
    calls.push({
      ...call,
      ...(idempotencyKey !== undefined && { idempotencyKey }),
      authorization: sent('authorization'),
      requestId,
      serverTraceId,
      clientRequestId: sent('x-request-id'),
      clientTraceId: sent('x-client-trace-id'),
      at: Date.now(),
    });
    const headers = new Metadata();
    headers.set('x-request-id', requestId);
    headers.set('x-server-trace-id', serverTraceId);
    return headers;
  };

  const handle =
    (method: OperationMethod) =>
    async (call: Call, callback: sendUnaryData<Operation>): Promise<void> => {
      const operationId = call.request.operationId;
      const headers = record({ method, operationId }, call.metadata);

      const state = states.get(operationId);
      if (state?.op.delayMs !== undefined && !(await delay(state.op.delayMs, call))) return;

      const unseen = method === 'Get' && state !== undefined && state.unseenGets > 0;
      if (unseen) state.unseenGets -= 1;
      if (state === undefined || unseen) {
        callback({
          code: status.NOT_FOUND,
          details: `operation ${operationId} not found`,
          metadata: headers,
        });
        return;
      }

      const fault = spend(state.faults[method]);
      if (fault !== undefined) {
        const details = `injected ${status[fault.code]} on ${method} ${operationId}`;
        replyWithFault(call, callback, fault, headers, details);
        return;
      }

      settleSlowCancel(state);
      // The protos mark only some methods' operations cancellable (src/cancellable.ts). Which
      // status the API refuses the others with is not documented; the emulator takes
      // FAILED_PRECONDITION, which the function reads with a Get, as it does UNIMPLEMENTED.
      const metadataType = state.op.metadata?.typeUrl;
      if (
        method === 'Cancel' &&
        !state.done &&
        cancellabilityOf(metadataType) === Cancellability.NotCancellable
      ) {
        callback({
          code: status.FAILED_PRECONDITION,
          details: `an operation of ${typeName(metadataType ?? '')} cannot be cancelled`,
          metadata: headers,
        });
        return;
      }
      if (method === 'Cancel' && !cancel(state)) {
        callback({
          code: status.FAILED_PRECONDITION,
          details: `operation ${operationId} is already done`,
          metadata: headers,
        });
        return;
      }
      call.sendMetadata(headers);
      const answer = { ...toOperation(state), ...(method === 'Cancel' && state.op.cancelAnswer) };
      const { createdAtSeconds, cutShort } = state.op;
      if (createdAtSeconds !== undefined || cutShort) {
        hostile.set(answer, { createdAtSeconds, cutShort });
      }
      callback(null, answer);
    };

  const operationAsGetShows = (id: string): Operation => {
    const state = states.get(id);
    if (state === undefined) throw new Error(`operation ${id} was never set`);
    return toOperation(state);
  };

  const listing = createListing({
    resources: opts.resources,
    maxPageSize: opts.maxPageSize,
    record: ({ method, subject, page }, metadata) =>
      record({ method, operationId: subject, page }, metadata),
    // Set order is the order operations were first set in, so listings keep that order.
    operationsOf: (resourceId) =>
      [...(byResource.get(resourceId) ?? [])].flatMap((id) => {
        const state = states.get(id);
        if (state === undefined) return [];
        settleSlowCancel(state);
        return [toOperation(state)];
      }),
  });

  const serverless = createServerless({
    maxPageSize: opts.maxPageSize ?? MAX_PAGE_SIZE,
    record: ({ method, subject, request }, metadata) =>
      record({ method, operationId: subject, request }, metadata),
    // Mutations finish at once; clients wait on them through Get like on any operation.
    publish: (op) => {
      setAll([op]);
      const state = states.get(op.id);
      if (state !== undefined) state.unseenGets = unseenGetsAfterCreate;
      return operationAsGetShows(op.id);
    },
    current: operationAsGetShows,
    operationExists: (id) => states.has(id),
  });

  // Holds the answers of the named methods of each service added through it for the latency.
  const slowed = (
    target: Server,
    methodsOf: (service: ServiceDefinition) => readonly string[],
  ): Server => {
    const latency = opts.listingLatencyMs ?? 0;
    if (latency <= 0) return target;
    const hold =
      (handler: (call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => void) =>
      (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
        handler(call, (...answer) => {
          void delay(latency, call).then((completed) => completed && callback(...answer));
        });
    return new Proxy(target, {
      get: (server, property, receiver) =>
        property !== 'addService'
          ? Reflect.get(server, property, receiver)
          : (service: ServiceDefinition, implementation: Record<string, unknown>) => {
              const held = { ...implementation };
              for (const name of methodsOf(service)) {
                const handler = held[name];
                if (typeof handler === 'function') held[name] = hold(handler as never);
              }
              server.addService(service, held as never);
            },
    });
  };

  const iamTokens = createIamTokens();
  const server = new Server();
  server.addService(OPERATION_SERVICE, { get: handle('Get'), cancel: handle('Cancel') });
  listing.addTo(slowed(server, () => ['list', 'listOperations', 'listLogRecords']));
  serverless.addTo(slowed(server, (service) => (service === FolderServiceService ? ['list'] : [])));
  iamTokens.addTo(server);
  const credentials = ServerCredentials.createSsl(
    null,
    [
      {
        cert_chain: Buffer.from(opts.pki.serverCertPem),
        private_key: Buffer.from(opts.pki.serverKeyPem),
      },
    ],
    false,
  );
  // The listening socket is ours and grpc-js only sees the connections we hand it, so close() can
  // destroy every socket, including one still in its TLS handshake that grpc-js does not track yet.
  // grpc-js's own shutdown can wait forever on such a socket, or on a peer that never half-closes.
  const injector = server.createConnectionInjector(credentials);
  const sockets = new Set<Socket>();
  const listener = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    injector.injectConnection(socket);
  });
  const port = await listen(listener, opts.port);

  return {
    address: `127.0.0.1:${port}`,
    calls,
    callsFor: (id) => calls.filter((call) => call.operationId === id),
    set: (...ops) => setAll(ops),
    setResources: listing.setResources,
    failList: listing.failList,
    deny: listing.deny,
    requestsOf: <M extends ServerlessMethod>(method: M) =>
      calls.flatMap((call) =>
        call.method === method ? [call.request as ServerlessRequests[M]] : [],
      ),
    trustServiceAccountKey: iamTokens.trust,
    iamTokenFor: iamTokens.tokenFor,
    seedServerless: serverless.seedServerless,
    failNext: serverless.failNext,
    failOperation: serverless.failOperation,
    functions: serverless.functions,
    versions: serverless.versions,
    triggers: serverless.triggers,
    accessBindings: serverless.accessBindings,
    setResourceBindings: serverless.setResourceBindings,
    placeFolder: serverless.placeFolder,
    notFoundAfterCreate: (times) => {
      unseenGetsAfterCreate = times;
    },
    reset: () => {
      calls.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const cancelDelay of [...pendingDelays]) cancelDelay();
        listener.close(() => resolve());
        server.forceShutdown();
        injector.destroy();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
