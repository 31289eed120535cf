import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, credentials } from '@grpc/grpc-js';
import {
  type AccessBinding,
  AccessBindingAction,
  ListAccessBindingsRequest,
  type ListAccessBindingsResponse,
  UpdateAccessBindingsRequest,
} from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/access/access';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { OperationServiceClient } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { CloudServiceClient } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service';
import type { Folder } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder';
import {
  FolderServiceClient,
  GetFolderRequest,
} from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import type { Version } from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function';
import {
  CreateFunctionMetadata,
  CreateFunctionRequest,
  CreateFunctionVersionRequest,
  FunctionServiceClient,
  GetFunctionVersionByTagRequest,
  ListFunctionsRequest,
  type ListFunctionsResponse,
  UpdateFunctionRequest,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import {
  CreateTriggerRequest,
  DeleteTriggerRequest,
  ListTriggersRequest,
  type ListTriggersResponse,
  TriggerServiceClient,
  UpdateTriggerRequest,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger_service';
import { Status, statusOf } from '../src/cloud/grpc-status';
import { type CallName, callWithRetries, methodName, type UnaryMethod } from '../src/cloud/unary';
import type { Manifest } from './manifest';
import type { CurrentState, InheritedAccess, Plan, Step } from './plan';
import { isChanged } from './settings';
import { triggerFromCloud, triggerRule, versionFromCloud, versionRequest } from './translate';

export interface Endpoints {
  readonly functions: string;
  readonly triggers: string;
  readonly operations: string;
  readonly resourceManager: string;
}

export const DEFAULT_ENDPOINTS: Endpoints = {
  functions: 'serverless-functions.api.cloud.yandex.net:443',
  triggers: 'serverless-triggers.api.cloud.yandex.net:443',
  operations: 'operation.api.cloud.yandex.net:443',
  resourceManager: 'resource-manager.api.cloud.yandex.net:443',
};

/** Anyone may invoke a public function: this binding is what makes it so. */
const PUBLIC_BINDING: AccessBinding = {
  roleId: 'functions.functionInvoker',
  subject: { id: 'allUsers', type: 'system' },
};
/** Any Yandex account at all is as good as anyone: both system groups count as public. */
const PUBLIC_SUBJECTS = new Set(['allUsers', 'allAuthenticatedUsers']);
/**
 * Roles that let their holder invoke a function: today's, the legacy one still found in Terraform
 * and older examples, and those that include it (functions/security/index.md).
 */
const INVOKING_ROLES = new Set([
  'functions.functionInvoker',
  'serverless.functions.invoker',
  'functions.editor',
  'functions.admin',
  'editor',
  'admin',
]);
const isPublicBinding = (b: AccessBinding) =>
  INVOKING_ROLES.has(b.roleId) && PUBLIC_SUBJECTS.has(b.subject?.id ?? '');
/** A binding as the role checks read it: its role, and whom it gives it to. */
const bindingOf = (b: AccessBinding) => ({
  roleId: b.roleId,
  subject: { id: b.subject?.id ?? '', type: b.subject?.type ?? '' },
});

const describeBinding = (b: AccessBinding) =>
  `the binding of ${b.roleId} to ${b.subject?.type ?? 'system'}:${b.subject?.id ?? ''}`;

const RETRY = { callTimeoutMs: 30_000, retryAttempts: 3, retryBaseDelayMs: 500 };
const WAIT_LIMIT_MS = 10 * 60_000;
/** The go-sdk's poller ignores this many: "the returned operation is not on all replicas yet". */
const MAX_NOT_FOUND_POLLS = 3;

export class DeployError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeployError';
  }
}

/** Request fields that name what a call is about, and what they name. */
const SUBJECT_FIELDS = [
  ['operationId', 'operation'],
  ['functionId', 'function'],
  ['triggerId', 'trigger'],
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

/** The SDK's generated serverless clients, with the function's retry policy on every call. */
export function connect(endpoints: Endpoints, token: string) {
  const creds = credentials.createSsl();
  const functions = new FunctionServiceClient(endpoints.functions, creds);
  const triggers = new TriggerServiceClient(endpoints.triggers, creds);
  const operations = new OperationServiceClient(endpoints.operations, creds);
  const folders = new FolderServiceClient(endpoints.resourceManager, creds);
  const clouds = new CloudServiceClient(endpoints.resourceManager, creds);
  const endpointOf = new Map<Client, string>([
    [functions, endpoints.functions],
    [triggers, endpoints.triggers],
    [operations, endpoints.operations],
    [folders, endpoints.resourceManager],
    [clouds, endpoints.resourceManager],
  ]);
  const call = <Req, Res>(
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

  /** Waits for an operation to end, and fails with its error if it ended in one. */
  const settle = async (started: Operation, what: string): Promise<Operation> => {
    let operation = started;
    let notFound = 0;
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (let delay = 250; !operation.done; delay = Math.min(delay * 2, 5000)) {
      if (Date.now() > deadline)
        throw new DeployError(`${what}: operation ${operation.id} still running after 10 minutes`);
      await sleep(delay);
      try {
        operation = await call(operations, 'get', { operationId: operation.id });
      } catch (error) {
        const status = statusOf(error instanceof Error ? error.cause : error);
        if (status !== Status.NOT_FOUND || ++notFound > MAX_NOT_FOUND_POLLS) throw error;
      }
    }
    if (operation.error) {
      throw new DeployError(
        `${what} failed: ${operation.error.message} (code ${operation.error.code}, operation ${operation.id})`,
      );
    }
    return operation;
  };
  /**
   * A change, waited for. One idempotency key for the request and all its retries, so a retry
   * after a lost answer cannot make a second version or trigger (api-design-guide idempotency.md;
   * the go-sdk sends it on every call).
   */
  const mutate = async (client: Client, name: string, request: unknown, what: string) =>
    settle(
      await call<unknown, Operation>(client, name, request, { 'idempotency-key': randomUUID() }),
      what,
    );

  /** Every binding on a resource, page after page. */
  const allBindings = async (client: Client, resourceId: string): Promise<AccessBinding[]> => {
    const bindings: AccessBinding[] = [];
    let pageToken = '';
    do {
      const page = await call<ListAccessBindingsRequest, ListAccessBindingsResponse>(
        client,
        'listAccessBindings',
        ListAccessBindingsRequest.fromPartial({ resourceId, pageSize: 1000, pageToken }),
      );
      bindings.push(...page.accessBindings);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return bindings;
  };

  /**
   * The folder's and its cloud's bindings that make every function in them public; one the
   * deployer may not read is a warning, not a failure.
   */
  const publicFromAbove = async (folderId: string) => {
    const found: string[] = [];
    const unread: string[] = [];
    const check = async (client: Client, where: string, resourceId: string) => {
      try {
        const bindings = await allBindings(client, resourceId);
        for (const binding of bindings) {
          if (isPublicBinding(binding)) found.push(`${where}: ${describeBinding(binding)}`);
        }
        return { id: resourceId, bindings: bindings.map(bindingOf) };
      } catch (error) {
        if (statusOf(error instanceof Error ? error.cause : error) !== Status.PERMISSION_DENIED)
          throw error;
        unread.push(where);
        return undefined;
      }
    };
    const folderBindings = await check(folders, `folder ${folderId}`, folderId);
    const folder = await call<GetFolderRequest, Folder>(
      folders,
      'get',
      GetFolderRequest.fromPartial({ folderId }),
    ).catch(() => undefined);
    if (folder === undefined) unread.push(`the cloud of folder ${folderId}`);
    const cloudBindings =
      folder === undefined
        ? undefined
        : await check(clouds, `cloud ${folder.cloudId}`, folder.cloudId);
    return { found, unread, folder: folderBindings, cloud: cloudBindings };
  };

  /** Adds or removes bindings as deltas, leaving the rest as whoever set them wants them. */
  const updateBindings = (
    functionId: string,
    action: AccessBindingAction,
    bindings: AccessBinding[],
  ) =>
    mutate(
      functions,
      'updateAccessBindings',
      UpdateAccessBindingsRequest.fromPartial({
        resourceId: functionId,
        accessBindingDeltas: bindings.map((accessBinding) => ({ action, accessBinding })),
      }),
      'setting access',
    );

  return {
    /** The access the folder and its cloud grant every function in them. */
    async readInheritedAccess(manifest: Manifest): Promise<InheritedAccess> {
      const { found, unread, folder, cloud } = await publicFromAbove(manifest.folderId);
      return {
        publicFromAbove: found,
        unreadBindings: unread,
        ...(folder && { folder }),
        ...(cloud && { cloud }),
      };
    },

    /** The deployment as the cloud has it, or undefined when there is no such function yet. */
    async readState(manifest: Manifest): Promise<CurrentState | undefined> {
      const { functions: found } = await call<ListFunctionsRequest, ListFunctionsResponse>(
        functions,
        'list',
        ListFunctionsRequest.fromPartial({
          folderId: manifest.folderId,
          filter: `name="${manifest.name}"`,
        }),
      );
      const fn = found.find((f) => f.name === manifest.name);
      if (!fn) return undefined;
      const latest = await call<GetFunctionVersionByTagRequest, Version>(
        functions,
        'getVersionByTag',
        GetFunctionVersionByTagRequest.fromPartial({ functionId: fn.id, tag: '$latest' }),
      ).catch((error: unknown) => {
        if (statusOf(error instanceof Error ? error.cause : error) === Status.NOT_FOUND)
          return undefined;
        throw error;
      });
      const accessBindings = await allBindings(functions, fn.id);
      const listed: ListTriggersResponse = await call(
        triggers,
        'list',
        ListTriggersRequest.fromPartial({ folderId: manifest.folderId, pageSize: 1000 }),
      );
      return {
        functionId: fn.id,
        latestVersionId: latest?.id,
        description: fn.description,
        latest: latest && versionFromCloud(latest),
        public: accessBindings.some(isPublicBinding),
        accessBindings: accessBindings.map(bindingOf),
        triggers: listed.triggers.flatMap((t) => {
          const spec = triggerFromCloud(t, fn.id);
          return spec ? [{ id: t.id, spec }] : [];
        }),
      };
    },

    /** Carries out the plan in order, waiting for each operation; returns a line per step done. */
    async apply(manifest: Manifest, plan: Plan, code: Buffer, current?: CurrentState) {
      let functionId = current?.functionId ?? '';
      const done: string[] = [];
      const step = async (s: Step) => {
        switch (s.kind) {
          case 'create-function': {
            const op = await mutate(
              functions,
              'create',
              CreateFunctionRequest.fromPartial({
                folderId: manifest.folderId,
                name: manifest.name,
                description: manifest.description ?? '',
              }),
              `creating function ${manifest.name}`,
            );
            functionId = CreateFunctionMetadata.decode(
              op.metadata?.value ?? Buffer.alloc(0),
            ).functionId;
            return `created function ${manifest.name} (${functionId})`;
          }
          case 'update-function':
            await mutate(
              functions,
              'update',
              UpdateFunctionRequest.fromPartial({
                functionId,
                description: manifest.description ?? '',
                updateMask: { paths: ['description'] },
              }),
              `updating function ${manifest.name}`,
            );
            return `updated function ${manifest.name}: description`;
          case 'create-version':
            await mutate(
              functions,
              'createVersion',
              CreateFunctionVersionRequest.fromPartial({
                ...versionRequest(manifest, functionId),
                content: code,
              }),
              'uploading a version',
            );
            return `uploaded a new version (${s.changes
              .filter(isChanged)
              .map((c) => c.name)
              .join(', ')})`;
          case 'make-public':
            await updateBindings(functionId, AccessBindingAction.ADD, [PUBLIC_BINDING]);
            return 'made the function public';
          case 'make-private':
            await updateBindings(
              functionId,
              AccessBindingAction.REMOVE,
              (await allBindings(functions, functionId)).filter(isPublicBinding),
            );
            return 'made the function private';
          case 'update-trigger':
            await mutate(
              triggers,
              'update',
              UpdateTriggerRequest.fromPartial({
                triggerId: s.id,
                updateMask: { paths: ['rule'] },
                rule: triggerRule(s.trigger, functionId),
              }),
              `updating trigger ${s.trigger.name}`,
            );
            return `updated ${s.trigger.type} trigger ${s.trigger.name} in place`;
          case 'replace-trigger':
          case 'create-trigger': {
            // Only a change of type replaces a trigger: an update cannot change its kind.
            if (s.kind === 'replace-trigger') {
              await mutate(
                triggers,
                'delete',
                DeleteTriggerRequest.fromPartial({ triggerId: s.id }),
                `deleting trigger ${s.trigger.name}`,
              );
            }
            await mutate(
              triggers,
              'create',
              CreateTriggerRequest.fromPartial({
                folderId: manifest.folderId,
                name: s.trigger.name,
                rule: triggerRule(s.trigger, functionId),
              }),
              `creating trigger ${s.trigger.name}`,
            );
            return `${s.kind === 'create-trigger' ? 'created' : 'replaced'} ${s.trigger.type} trigger ${s.trigger.name}`;
          }
        }
      };
      for (const s of plan.steps) done.push(await step(s));
      return done;
    },

    close() {
      for (const client of [functions, triggers, operations, folders, clouds]) client.close();
    },
  };
}
