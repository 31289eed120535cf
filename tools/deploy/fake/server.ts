import { type Metadata, Server } from '@grpc/grpc-js';
import { AccessBinding } from '@yandex-cloud/nodejs-sdk/proto/access/access';
import { CloudServiceService } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service';
import {
  Function as FunctionMessage,
  Version,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function';
import { Trigger } from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger';
import {
  type CallFacts,
  createFolders,
  createHolds,
  createOperations,
  createRecorder,
  type FakeOperation,
  type Fault,
  type FolderMethod,
  listenTls,
  MAX_PAGE_SIZE,
  type OperationMethod,
  type RecordedCall as Recorded,
  type Recorder,
  type TestPki,
} from '../../../emulator/index';
import { createDashboards, type DashboardControls } from './dashboard-service';
import { addFunctionService } from './function-service';
import { createIamTokens, type TrustedKey } from './iam-token-service';
import { createResourceBindings, type ResourceBindingsControls } from './resource-bindings';
import type { ServerlessMethod, ServerlessRequests } from './serverless-methods';
import { createRpcKit, idempotencyKeyOf, type RpcFaults } from './serverless-rpc';
import { createServerlessStore, type FakeVersion, type ServerlessSeed } from './serverless-store';
import { addTriggerService } from './trigger-service';

export { type DashboardSeed, STALE_ETAG } from './dashboard-service';
export { PERMISSION_DENIED } from './resource-bindings';
export { IDEMPOTENCY_KEY } from './serverless-rpc';

export type DeployMethod = OperationMethod | FolderMethod | ServerlessMethod;

export type RecordedCall = Recorded<DeployMethod> & {
  /** Only on serverless calls: the request as the server decoded it. */
  request?: object;
  /** The `idempotency-key` metadata the client sent, if any. */
  idempotencyKey?: string;
};

/** What a test sets up and inspects of the APIs `npm run deploy` calls. */
export interface DeployApiServer
  extends Omit<Recorder<RecordedCall>, 'record'>,
    ResourceBindingsControls,
    DashboardControls,
    Omit<RpcFaults, 'failNext'> {
  address: string;
  set(...ops: FakeOperation[]): void;
  placeFolder(folderId: string, cloudId: string, labels?: Record<string, string>): void;
  /** Fails the next `fault.times` (default 1) calls of `method` with an RPC error. */
  failNext(method: ServerlessMethod | FolderMethod, fault: Fault | undefined): void;
  seedServerless(seed: ServerlessSeed): void;
  /** Copies, in creation order, so a test cannot change the fake's state by accident. */
  functions(): FunctionMessage[];
  versions(functionId: string): FakeVersion[];
  triggers(): Trigger[];
  accessBindings(functionId: string): AccessBinding[];
  /** The requests recorded for a serverless method, in the order they came. */
  requestsOf<M extends ServerlessMethod>(method: M): ServerlessRequests[M][];
  /** IamTokenService.Create accepts JWTs signed by this key, for its service account. */
  trustServiceAccountKey(key: TrustedKey): void;
  /** The IAM token the fake issues for a service account's JWT. */
  iamTokenFor(serviceAccountId: string): string;
  /**
   * Hides each operation of the mutations from now on from its first `times` OperationService.Get
   * calls, which answer NOT_FOUND, as a real API does while the operation has not reached every
   * replica yet: the go-sdk's PollUntilDone (pkg/operation) ignores up to maxNotFoundRetry = 3 of
   * them for that reason. 0, the default, shows operations at once.
   */
  notFoundAfterCreate(times: number): void;
  close(): Promise<void>;
}

const isFolderMethod = (method: ServerlessMethod | FolderMethod): method is FolderMethod =>
  method === 'FolderService/Get' || method === 'FolderService/List';

/**
 * One TLS gRPC server, the emulator's OperationService and folders, with the serverless functions
 * and triggers services, the access bindings of folders and clouds, IAM's token exchange, and
 * Monitoring's dashboards.
 */
export async function startDeployApiServer(opts: {
  pki: TestPki;
  port?: number;
  /** The most a page holds whatever page_size asks, so tests can force several pages. */
  maxPageSize?: number;
}): Promise<DeployApiServer> {
  const maxPageSize = opts.maxPageSize ?? MAX_PAGE_SIZE;
  const recorder = createRecorder<RecordedCall>();
  const record = (call: CallFacts<RecordedCall>, metadata: Metadata) => {
    const idempotencyKey = idempotencyKeyOf(metadata);
    return recorder.record(
      { ...call, ...(idempotencyKey !== undefined && { idempotencyKey }) },
      metadata,
    );
  };
  const holds = createHolds();
  const operations = createOperations({ recorder: { record }, holds });
  const folders = createFolders({ recorder: { record }, maxPageSize });
  const store = createServerlessStore({ taken: operations.has });
  let unseenGetsAfterCreate = 0;
  const kit = createRpcKit({
    record,
    newId: store.newId,
    // Mutations finish at once; clients wait on them through Get like on any operation.
    publish: (op) => {
      operations.set([op]);
      operations.hideFromGets(op.id, unseenGetsAfterCreate);
      return operations.shown(op.id);
    },
    current: operations.shown,
  });
  const bindings = createResourceBindings(maxPageSize);
  const iamTokens = createIamTokens();
  const dashboards = createDashboards({ kit, maxPageSize });

  const server = new Server();
  operations.addTo(server);
  folders.addTo(server, {
    listAccessBindings: kit.query(
      'FolderService/ListAccessBindings',
      (r) => r.resourceId,
      bindings.list('folder'),
    ),
  });
  server.addService(CloudServiceService, {
    listAccessBindings: kit.query(
      'CloudService/ListAccessBindings',
      (r) => r.resourceId,
      bindings.list('cloud'),
    ),
  });
  addFunctionService(server, store, kit, maxPageSize);
  addTriggerService(server, store, kit, maxPageSize);
  iamTokens.addTo(server);
  dashboards.addTo(server);
  const tls = await listenTls(server, opts.pki, opts.port);

  const { record: _, ...calls } = recorder;
  return {
    ...calls,
    address: `127.0.0.1:${tls.port}`,
    set: (...ops) => operations.set(ops),
    placeFolder: folders.placeFolder,
    setResourceBindings: bindings.setResourceBindings,
    failNext: (method, fault) =>
      isFolderMethod(method) ? folders.failNext(method, fault) : kit.failNext(method, fault),
    failOperation: kit.failOperation,
    seedServerless: store.seed,
    functions: () => [...store.functions.values()].map((fn) => FunctionMessage.fromPartial(fn)),
    versions: (functionId) =>
      store.versionsOf(functionId).map(({ contentSha256, ...version }) => ({
        ...Version.fromPartial(version),
        contentSha256,
      })),
    triggers: () => [...store.triggers.values()].map((trigger) => Trigger.fromPartial(trigger)),
    accessBindings: (functionId) =>
      (store.bindings.get(functionId) ?? []).map((binding) => AccessBinding.fromPartial(binding)),
    requestsOf: <M extends ServerlessMethod>(method: M) =>
      calls.calls.flatMap((call) =>
        call.method === method ? [call.request as ServerlessRequests[M]] : [],
      ),
    trustServiceAccountKey: iamTokens.trust,
    iamTokenFor: iamTokens.tokenFor,
    dashboards: dashboards.dashboards,
    seedDashboards: dashboards.seedDashboards,
    denyDashboards: dashboards.denyDashboards,
    notFoundAfterCreate: (times) => {
      unseenGetsAfterCreate = times;
    },
    close: () => {
      holds.release();
      return tls.close();
    },
  };
}
