import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, credentials } from '@grpc/grpc-js';
import { DashboardServiceClient } from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard_service';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { OperationServiceClient } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { CloudServiceClient } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service';
import { FolderServiceClient } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import { FunctionServiceClient } from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import { TriggerServiceClient } from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger_service';
import {
  type CallName,
  callWithRetries,
  methodName,
  Status,
  statusOf,
  type UnaryMethod,
} from '../../../deploy-api';
import { DeployError, OperationFailed } from './deploy-error';

export interface Endpoints {
  readonly functions: string;
  readonly triggers: string;
  readonly operations: string;
  readonly resourceManager: string;
  readonly monitoring: string;
}

export const DEFAULT_ENDPOINTS: Endpoints = {
  functions: 'serverless-functions.api.cloud.yandex.net:443',
  triggers: 'serverless-triggers.api.cloud.yandex.net:443',
  operations: 'operation.api.cloud.yandex.net:443',
  resourceManager: 'resource-manager.api.cloud.yandex.net:443',
  monitoring: 'monitoring.api.cloud.yandex.net:443',
};

const RETRY = { callTimeoutMs: 30_000, retryAttempts: 3, retryBaseDelayMs: 500 };
const WAIT_LIMIT_MS = 10 * 60_000;
/** The go-sdk's poller ignores this many: "the returned operation is not on all replicas yet". */
const MAX_NOT_FOUND_POLLS = 3;

/** Request fields that name what a call is about, and what they name. */
const SUBJECT_FIELDS = [
  ['operationId', 'operation'],
  ['functionId', 'function'],
  ['triggerId', 'trigger'],
  ['dashboardId', 'dashboard'],
  ['resourceId', 'resource'],
  ['folderId', 'folder'],
  ['cloudId', 'cloud'],
] as const;

/**
 * What a request is about, for its errors: "folder b1g…", or the bare id when the method's service
 * already says what it is ("OperationService.Get of fd8…", "FolderService.Get of b1g…").
 */
function subjectOf(method: string, request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const fields = request as Record<string, unknown>;
  for (const [field, kind] of SUBJECT_FIELDS) {
    const id = fields[field];
    if (typeof id !== 'string' || id === '') continue;
    const obvious = kind === 'resource' || method.toLowerCase().startsWith(kind);
    return obvious ? id : `${kind} ${id}`;
  }
  return undefined;
}

/** The gRPC status an error of a call carries, if any. */
export const statusOfCall = (error: unknown) =>
  statusOf(error instanceof Error ? error.cause : error);

/** The SDK's generated clients of the APIs deploy calls. */
export interface Clients {
  readonly functions: FunctionServiceClient;
  readonly triggers: TriggerServiceClient;
  readonly operations: OperationServiceClient;
  readonly folders: FolderServiceClient;
  readonly clouds: CloudServiceClient;
  readonly dashboards: DashboardServiceClient;
}

/** Deploy's calls: each with the function's retry policy, a change waited for to its end. */
export interface CloudCalls {
  readonly clients: Clients;
  call<Req, Res>(
    client: Client,
    name: string,
    request: Req,
    metadata?: Record<string, string>,
  ): Promise<Res>;
  /**
   * A change, waited for. One idempotency key for the request and all its retries, so a retry
   * after a lost answer cannot make a second version or trigger (api-design-guide idempotency.md;
   * the go-sdk sends it on every call).
   */
  mutate(client: Client, name: string, request: unknown, what: string): Promise<Operation>;
  close(): void;
}

export function openCloudCalls(endpoints: Endpoints, token: string): CloudCalls {
  const creds = credentials.createSsl();
  const clients: Clients = {
    functions: new FunctionServiceClient(endpoints.functions, creds),
    triggers: new TriggerServiceClient(endpoints.triggers, creds),
    operations: new OperationServiceClient(endpoints.operations, creds),
    folders: new FolderServiceClient(endpoints.resourceManager, creds),
    clouds: new CloudServiceClient(endpoints.resourceManager, creds),
    dashboards: new DashboardServiceClient(endpoints.monitoring, creds),
  };
  const endpointOf = new Map<Client, string>([
    [clients.functions, endpoints.functions],
    [clients.triggers, endpoints.triggers],
    [clients.operations, endpoints.operations],
    [clients.folders, endpoints.resourceManager],
    [clients.clouds, endpoints.resourceManager],
    [clients.dashboards, endpoints.monitoring],
  ]);
  const call: CloudCalls['call'] = <Req, Res>(
    client: Client,
    name: string,
    request: Req,
    metadata?: Record<string, string>,
  ): Promise<Res> => {
    const method = (client as unknown as Record<string, UnaryMethod<Req, Res>>)[name];
    if (!method) throw new Error(`no method ${name}`);
    const rpc = methodName(client, name);
    const subject = subjectOf(rpc, request);
    const endpoint = endpointOf.get(client);
    const named: CallName = {
      method: rpc,
      ...(subject !== undefined && { subject }),
      ...(endpoint !== undefined && { endpoint }),
    };
    return callWithRetries(named, method.bind(client), request, token, { ...RETRY, metadata }).then(
      (a) => a.value,
    );
  };
  const getOperation = (operationId: string) =>
    call<{ operationId: string }, Operation>(clients.operations, 'get', { operationId });
  return {
    clients,
    call,
    mutate: async (client, name, request, what) => {
      const key = { 'idempotency-key': randomUUID() };
      return settle(await call<unknown, Operation>(client, name, request, key), what, getOperation);
    },
    close: () => {
      for (const client of Object.values(clients)) client.close();
    },
  };
}

/** Waits for an operation to end, and fails with its error if it ended in one. */
async function settle(
  started: Operation,
  what: string,
  get: (operationId: string) => Promise<Operation>,
): Promise<Operation> {
  let operation = started;
  let notFound = 0;
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (let delay = 250; !operation.done; delay = Math.min(delay * 2, 5000)) {
    if (Date.now() > deadline)
      throw new DeployError(`${what}: operation ${operation.id} still running after 10 minutes`);
    await sleep(delay);
    try {
      operation = await get(operation.id);
    } catch (error) {
      if (statusOfCall(error) !== Status.NOT_FOUND || ++notFound > MAX_NOT_FOUND_POLLS) throw error;
    }
  }
  if (operation.error) {
    throw new OperationFailed(
      `${what} failed: ${operation.error.message} (code ${operation.error.code}, operation ${operation.id})`,
      operation.error.code,
    );
  }
  return operation;
}

/** Every item of a listing, page after page: `items` picks them out of a page. */
export async function allPages<Page extends { nextPageToken: string }, Item>(
  list: (pageToken: string) => Promise<Page>,
  items: (page: Page) => readonly Item[],
): Promise<Item[]> {
  const found: Item[] = [];
  let pageToken = '';
  do {
    const page = await list(pageToken);
    found.push(...items(page));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return found;
}
