import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, credentials } from '@grpc/grpc-js';
import {
  type AccessBinding,
  ListAccessBindingsRequest,
  type ListAccessBindingsResponse,
  SetAccessBindingsRequest,
} from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/access/access';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { OperationServiceClient } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
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
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger_service';
import { Status, statusOf } from '../src/cloud/grpc-status';
import { callWithRetries, type UnaryMethod } from '../src/cloud/unary';
import type { Manifest } from './manifest';
import type { CurrentState, Plan, Step } from './plan';
import { triggerFromCloud, triggerRule, versionFromCloud, versionRequest } from './translate';

export interface Endpoints {
  readonly functions: string;
  readonly triggers: string;
  readonly operations: string;
}

export const DEFAULT_ENDPOINTS: Endpoints = {
  functions: 'serverless-functions.api.cloud.yandex.net:443',
  triggers: 'serverless-triggers.api.cloud.yandex.net:443',
  operations: 'operation.api.cloud.yandex.net:443',
};

/** Anyone may invoke a public function: this binding is what makes it so. */
const PUBLIC_BINDING: AccessBinding = {
  roleId: 'functions.functionInvoker',
  subject: { id: 'allUsers', type: 'system' },
};
/** Any Yandex account at all is as good as anyone: both system groups count as public. */
const PUBLIC_SUBJECTS = new Set(['allUsers', 'allAuthenticatedUsers']);
const isPublicBinding = (b: AccessBinding) =>
  b.roleId === PUBLIC_BINDING.roleId && PUBLIC_SUBJECTS.has(b.subject?.id ?? '');

const RETRY = { callTimeoutMs: 30_000, retryAttempts: 3, retryBaseDelayMs: 500 };
const WAIT_LIMIT_MS = 10 * 60_000;

export class DeployError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeployError';
  }
}

/** The SDK's generated serverless clients, with the function's retry policy on every call. */
export function connect(endpoints: Endpoints, token: string) {
  const creds = credentials.createSsl();
  const functions = new FunctionServiceClient(endpoints.functions, creds);
  const triggers = new TriggerServiceClient(endpoints.triggers, creds);
  const operations = new OperationServiceClient(endpoints.operations, creds);
  const call = <Req, Res>(client: Client, name: string, request: Req): Promise<Res> => {
    const method = (client as unknown as Record<string, UnaryMethod<Req, Res>>)[name];
    if (!method) throw new Error(`no method ${name}`);
    return callWithRetries(name, method.bind(client), request, token, RETRY).then((a) => a.value);
  };

  /** Waits for an operation to end, and fails with its error if it ended in one. */
  const settle = async (started: Operation, what: string): Promise<Operation> => {
    let operation = started;
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (let delay = 250; !operation.done; delay = Math.min(delay * 2, 5000)) {
      if (Date.now() > deadline)
        throw new DeployError(`${what}: operation ${operation.id} still running after 10 minutes`);
      await sleep(delay);
      operation = await call(operations, 'get', { operationId: operation.id });
    }
    if (operation.error) {
      throw new DeployError(
        `${what} failed: ${operation.error.message} (code ${operation.error.code}, operation ${operation.id})`,
      );
    }
    return operation;
  };
  const mutate = async (client: Client, name: string, request: unknown, what: string) =>
    settle(await call<unknown, Operation>(client, name, request), what);

  /** Every binding, page after page: SetAccessBindings replaces them all, so none may be missed. */
  const allBindings = async (functionId: string): Promise<AccessBinding[]> => {
    const bindings: AccessBinding[] = [];
    let pageToken = '';
    do {
      const page = await call<ListAccessBindingsRequest, ListAccessBindingsResponse>(
        functions,
        'listAccessBindings',
        ListAccessBindingsRequest.fromPartial({
          resourceId: functionId,
          pageSize: 1000,
          pageToken,
        }),
      );
      bindings.push(...page.accessBindings);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return bindings;
  };

  return {
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
      const accessBindings = await allBindings(fn.id);
      const listed: ListTriggersResponse = await call(
        triggers,
        'list',
        ListTriggersRequest.fromPartial({ folderId: manifest.folderId, pageSize: 1000 }),
      );
      return {
        functionId: fn.id,
        description: fn.description,
        latest: latest && versionFromCloud(latest),
        public: accessBindings.some(isPublicBinding),
        triggers: listed.triggers.flatMap((t) => {
          const spec = triggerFromCloud(t, fn.id);
          return spec ? [{ id: t.id, spec }] : [];
        }),
      };
    },

    /** Carries out the plan in order, waiting for each operation; returns a line per step done. */
    async apply(
      manifest: Manifest,
      plan: Plan,
      code: Buffer,
      sha256: string,
      current?: CurrentState,
    ) {
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
            return `updated function ${manifest.name}: ${s.fields.join(', ')}`;
          case 'create-version':
            await mutate(
              functions,
              'createVersion',
              CreateFunctionVersionRequest.fromPartial({
                ...versionRequest(manifest, functionId, sha256),
                content: code,
              }),
              'uploading a version',
            );
            return `uploaded a new version (${s.reasons.join(', ')})`;
          case 'make-public':
          case 'make-private': {
            const kept = (await allBindings(functionId)).filter((b) => !isPublicBinding(b));
            await mutate(
              functions,
              'setAccessBindings',
              SetAccessBindingsRequest.fromPartial({
                resourceId: functionId,
                accessBindings: s.kind === 'make-public' ? [...kept, PUBLIC_BINDING] : kept,
              }),
              'setting access',
            );
            return s.kind === 'make-public'
              ? 'made the function public'
              : 'made the function private';
          }
          case 'replace-trigger':
          case 'create-trigger': {
            // A trigger's rule cannot be updated in place: a replaced trigger is deleted and made again.
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
      for (const client of [functions, triggers, operations]) client.close();
    },
  };
}
