import type { Metadata, Server } from '@grpc/grpc-js';
import { AccessBinding } from '@yandex-cloud/nodejs-sdk/proto/access/access';
import {
  Function as FunctionMessage,
  Version,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function';
import { Trigger } from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger';
import { addFunctionService } from './function-service';
import { createResourceManager, type ResourceManagerControls } from './resource-manager';
import type { ServerlessMethod } from './serverless-methods';
import { createRpcKit, type RpcFaults } from './serverless-rpc';
import { createServerlessStore, type FakeVersion, type ServerlessSeed } from './serverless-store';
import { addTriggerService } from './trigger-service';

/** What a test sets up and inspects of the serverless functions and triggers services. */
export interface ServerlessControls extends RpcFaults, ResourceManagerControls {
  seedServerless(seed: ServerlessSeed): void;
  /** Copies, in creation order, so a test cannot change the emulator's state by accident. */
  functions(): FunctionMessage[];
  versions(functionId: string): FakeVersion[];
  triggers(): Trigger[];
  accessBindings(functionId: string): AccessBinding[];
}

export interface Serverless extends ServerlessControls {
  addTo(server: Server): void;
}

export function createServerless(opts: {
  maxPageSize: number;
  record(
    call: { method: ServerlessMethod; subject: string; request: object },
    metadata: Metadata,
  ): Metadata;
  publish: Parameters<typeof createRpcKit>[0]['publish'];
  current: Parameters<typeof createRpcKit>[0]['current'];
  /** Whether an operation already has this id. */
  operationExists(id: string): boolean;
}): Serverless {
  const store = createServerlessStore({ taken: opts.operationExists });
  const kit = createRpcKit({
    record: opts.record,
    publish: opts.publish,
    current: opts.current,
    newId: store.newId,
  });
  const resourceManager = createResourceManager(opts.maxPageSize);
  return {
    failNext: kit.failNext,
    failOperation: kit.failOperation,
    setResourceBindings: resourceManager.setResourceBindings,
    placeFolder: resourceManager.placeFolder,
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
    addTo: (server) => {
      addFunctionService(server, store, kit, opts.maxPageSize);
      addTriggerService(server, store, kit, opts.maxPageSize);
      resourceManager.addTo(server, kit);
    },
  };
}
