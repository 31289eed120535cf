import { randomUUID } from 'node:crypto';
import { credentials, type Metadata } from '@grpc/grpc-js';
import {
  GetOperationRequest,
  OperationServiceClient,
} from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import {
  type AccessBinding,
  AccessBindingAction,
  type AccessBindingDelta,
  ListAccessBindingsRequest,
  UpdateAccessBindingsMetadata,
  UpdateAccessBindingsRequest,
} from '@yandex-cloud/nodejs-sdk/proto/access/access';
import { CloudServiceClient } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service';
import { FolderServiceClient } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import {
  CreateFunctionRequest,
  CreateFunctionVersionRequest,
  FunctionServiceClient,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import {
  Trigger,
  type Trigger_Rule,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger';
import {
  CreateTriggerRequest,
  TriggerServiceClient,
  UpdateTriggerRequest,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger_service';
import { Status } from 'nice-grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, testPki, unary, zip } from '../../../test/support/index';
import {
  type DeployApiServer,
  IDEMPOTENCY_KEY,
  PERMISSION_DENIED,
  startDeployApiServer,
} from '../fake/server';

const FOLDER = 'b1gfolder00000000001';
const CLOUD = 'b1gcloud000000000001';
const INVOKE = { functionId: 'fn1', functionTag: '$latest', serviceAccountId: 'sa' } as const;
const TIMER: Trigger_Rule = {
  timer: { cronExpression: '0/15 * ? * * *', payload: '', invokeFunctionWithRetry: INVOKE },
};
const queueRule = (batch: object | undefined, extra: object = {}): Trigger_Rule =>
  ({
    messageQueue: {
      queueId: 'yrn:yc:ymq:ru-central1:b1g:stuck',
      serviceAccountId: 'ajereader',
      batchSettings: batch,
      invokeFunction: INVOKE,
      ...extra,
    },
  }) as Trigger_Rule;
const BATCH = { size: 10, cutoff: { seconds: 10, nanos: 0 } } as const;
const VERSION = {
  functionId: 'fn1',
  runtime: 'nodejs22',
  entrypoint: 'index.handler',
  resources: { memory: 128 * 1024 * 1024 },
  executionTimeout: { seconds: 60, nanos: 0 },
  content: zip({ 'index.js': 'exports.handler = () => 1;' }),
} as const;
const SECRET = { id: 'e6q', versionId: 'e6v', key: 'k', environmentVariable: 'API_KEY' } as const;
const invoker = {
  roleId: 'functions.functionInvoker',
  subject: { id: 'ajesa', type: 'serviceAccount' },
};
const viewer = { roleId: 'viewer', subject: { id: 'allUsers', type: 'system' } };

const withKey = (key: string): Metadata => {
  const metadata = bearer();
  metadata.set(IDEMPOTENCY_KEY, key);
  return metadata;
};

describe('serverless services as the cloudapi protos and docs describe them', () => {
  let server: DeployApiServer;
  let functions: FunctionServiceClient;
  let triggers: TriggerServiceClient;
  let operations: OperationServiceClient;
  let folders: FolderServiceClient;
  let clouds: CloudServiceClient;

  const start = async () => {
    server = await startDeployApiServer({ pki: testPki() });
    const tls = credentials.createSsl();
    functions = new FunctionServiceClient(server.address, tls);
    triggers = new TriggerServiceClient(server.address, tls);
    operations = new OperationServiceClient(server.address, tls);
    folders = new FolderServiceClient(server.address, tls);
    clouds = new CloudServiceClient(server.address, tls);
    server.seedServerless({ functions: [{ id: 'fn1', folderId: FOLDER, name: 'deployer' }] });
  };

  afterEach(async () => {
    for (const client of [functions, triggers, operations, folders, clouds]) client?.close();
    await server?.close();
  });

  const createTrigger = (request: Partial<CreateTriggerRequest>, metadata = bearer()) =>
    unary(
      triggers.create.bind(triggers),
      CreateTriggerRequest.fromPartial({ folderId: FOLDER, ...request }),
      metadata,
    );
  const updateTrigger = (request: Partial<UpdateTriggerRequest>) =>
    unary(triggers.update.bind(triggers), UpdateTriggerRequest.fromPartial(request), bearer());
  const createdTrigger = async (name: string, rule: Trigger_Rule) => {
    const op = await createTrigger({ name, rule });
    return Trigger.decode(op.response?.value ?? Buffer.alloc(0));
  };
  const createVersion = (request: Partial<CreateFunctionVersionRequest>) =>
    unary(
      functions.createVersion.bind(functions),
      CreateFunctionVersionRequest.fromPartial({ ...VERSION, ...request }),
      bearer(),
    );
  const createFunction = (name: string, metadata: Metadata) =>
    unary(
      functions.create.bind(functions),
      CreateFunctionRequest.fromPartial({ folderId: FOLDER, name }),
      metadata,
    );
  const getOperation = (operationId: string) =>
    unary(
      operations.get.bind(operations),
      GetOperationRequest.fromPartial({ operationId }),
      bearer(),
    );
  const updateBindings = (resourceId: string, accessBindingDeltas: AccessBindingDelta[]) =>
    unary(
      functions.updateAccessBindings.bind(functions),
      UpdateAccessBindingsRequest.fromPartial({ resourceId, accessBindingDeltas }),
      bearer(),
    );
  const listBindings = (client: FolderServiceClient | CloudServiceClient, resourceId: string) =>
    unary(
      client.listAccessBindings.bind(client),
      ListAccessBindingsRequest.fromPartial({ resourceId }),
      bearer(),
    );
  const invalid = { code: Status.INVALID_ARGUMENT };

  describe('TriggerService.Update', () => {
    // Source: TriggerService.Update gRPC reference, UpdateTriggerRequest.rule "New parameters for
    // trigger", updatable through update_mask like name, description and labels.
    it('replaces the rule the update mask names', async () => {
      await start();
      const created = await createdTrigger('tick', TIMER);
      const every5 = { timer: { ...TIMER.timer, cronExpression: '0/5 * ? * * *' } } as Trigger_Rule;

      const op = await updateTrigger({
        triggerId: created.id,
        updateMask: { paths: ['rule', 'description'] },
        rule: every5,
        description: 'every 5 minutes',
      });

      expect(Trigger.decode(op.response?.value ?? Buffer.alloc(0)).rule).toEqual(every5);
      expect(server.triggers()[0]).toMatchObject({ rule: every5, description: 'every 5 minutes' });
    });

    // Whether the API lets an update change a trigger's kind is not public: the emulator refuses,
    // the reading a deployer must tolerate by deleting the trigger and creating it anew.
    it('refuses a rule of another kind, and a rule the mask names but the request lacks', async () => {
      await start();
      const created = await createdTrigger('tick', TIMER);

      for (const rule of [queueRule(BATCH), undefined]) {
        await expect(
          updateTrigger({ triggerId: created.id, updateMask: { paths: ['rule'] }, rule }),
        ).rejects.toMatchObject(invalid);
      }
      expect(server.triggers()[0]?.rule).toEqual(TIMER);
    });
  });

  describe('required fields and bounds', () => {
    // Source: trigger.proto Trigger.MessageQueue.batch_settings (required) = true, BatchSettings
    // size (value) = "0-1000" and cutoff (required) = true, visibility_timeout (value) = "<=12h";
    // Trigger.Timer.cron_expression (required) = true.
    it('refuses trigger rules the proto marks invalid, on Create and on Update', async () => {
      await start();
      const queue = await createdTrigger('queue', queueRule(BATCH));
      const refused = [
        queueRule(undefined),
        queueRule({ size: 1001, cutoff: BATCH.cutoff }),
        queueRule({ size: 10 }),
        queueRule(BATCH, { visibilityTimeout: { seconds: 12 * 3600 + 1, nanos: 0 } }),
        queueRule(BATCH, { queueId: '' }),
      ];
      for (const rule of refused) {
        await expect(createTrigger({ name: 'other', rule })).rejects.toMatchObject(invalid);
        await expect(
          updateTrigger({ triggerId: queue.id, updateMask: { paths: ['rule'] }, rule }),
        ).rejects.toMatchObject(invalid);
      }
      const noCron = { timer: { ...TIMER.timer, cronExpression: '' } } as Trigger_Rule;
      await expect(createTrigger({ name: 'tick', rule: noCron })).rejects.toMatchObject(invalid);
      expect(server.triggers().map((t) => t.name)).toEqual(['queue']);

      // The bounds themselves are allowed.
      const edge = queueRule(
        { size: 0, cutoff: BATCH.cutoff },
        {
          visibilityTimeout: { seconds: 12 * 3600, nanos: 0 },
        },
      );
      await updateTrigger({ triggerId: queue.id, updateMask: { paths: ['rule'] }, rule: edge });
      expect(server.triggers()[0]?.rule).toEqual(edge);
    });

    // Sources: the "Transmitting Lockbox secrets to a function" guide (id, version_id, key and
    // environment_variable are each "a required setting"); function_service.proto
    // CreateFunctionVersionRequest.environment (map_key).pattern "[a-zA-Z][a-zA-Z0-9_]*"; the
    // Cloud Functions limits page (environment variables, names included, take at most 4 KB;
    // the execution timeout is at most an hour); the gRPC reference's concurrency "0 to 16".
    it('refuses versions with incomplete secrets, a bad environment or settings out of bounds', async () => {
      await start();
      const { versionId: _v, ...withoutVersion } = SECRET;
      const { key: _k, ...withoutKey } = SECRET;
      const { environmentVariable: _e, ...withoutVariable } = SECRET;
      const refused: Partial<CreateFunctionVersionRequest>[] = [
        { secrets: [{ ...withoutVersion, versionId: '' }] },
        { secrets: [{ ...withoutKey, key: '' }] },
        { secrets: [withoutVariable as typeof SECRET] },
        { environment: { _LEADING_UNDERSCORE: '1' } },
        { environment: { '1ST': '1' } },
        { environment: { 'WITH-DASH': '1' } },
        { environment: { A: 'x'.repeat(2048), B: 'y'.repeat(2048) } },
        { concurrency: 17 },
        { executionTimeout: { seconds: 3601, nanos: 0 } },
      ];
      for (const request of refused) {
        await expect(createVersion(request)).rejects.toMatchObject(invalid);
      }
      expect(server.versions('fn1')).toEqual([]);

      await createVersion({
        secrets: [SECRET],
        environment: { A: 'x'.repeat(2047), b_2: 'y' },
        concurrency: 16,
        executionTimeout: { seconds: 3600, nanos: 0 },
      });
      expect(server.versions('fn1')).toHaveLength(1);
    });
  });

  // Source: go-sdk pkg/operation PollUntilDone ignores up to maxNotFoundRetry = 3 NOT_FOUNDs,
  // "the returned operation is not on all replicas yet".
  it('hides new operations from their first Gets when asked, and only then', async () => {
    await start();
    const shown = await createTrigger({ name: 'shown', rule: TIMER });
    expect(await getOperation(shown.id)).toEqual(shown);

    server.notFoundAfterCreate(2);
    const hidden = await createTrigger({ name: 'hidden', rule: TIMER });
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(getOperation(hidden.id)).rejects.toMatchObject({ code: Status.NOT_FOUND });
    }
    expect(await getOperation(hidden.id)).toEqual(hidden);
    // Operations published before the control, and those a test sets, are not hidden.
    expect(await getOperation(shown.id)).toEqual(shown);
    server.set({ id: 'op-set', done: true });
    expect((await getOperation('op-set')).id).toBe('op-set');

    server.notFoundAfterCreate(0);
    const after = await createTrigger({ name: 'after', rule: TIMER });
    expect(await getOperation(after.id)).toEqual(after);
  });

  // Source: API design guide "Idempotency": a request with an Idempotency-Key header holding a
  // UUID, repeated, returns the Operation the first created instead of acting again.
  describe('idempotency-key', () => {
    it('answers a repeat with the first operation, changes nothing, and records the key', async () => {
      await start();
      const key = randomUUID();
      const first = await createFunction('canceller', withKey(key));
      const repeat = await createFunction('canceller', withKey(key));

      expect(repeat).toEqual(first);
      expect(server.functions().map((f) => f.name)).toEqual(['deployer', 'canceller']);
      const recorded = server.calls.filter((call) => call.method === 'FunctionService/Create');
      expect(recorded.map((call) => call.idempotencyKey)).toEqual([key, key]);

      // Without the key, or with another, the same request is a new one (and here a clash).
      await expect(createFunction('canceller', bearer())).rejects.toMatchObject({
        code: Status.ALREADY_EXISTS,
      });
      expect(server.calls.at(-1)?.idempotencyKey).toBeUndefined();
      await expect(createFunction('canceller', withKey(randomUUID()))).rejects.toMatchObject({
        code: Status.ALREADY_EXISTS,
      });
    });

    it('shows a repeat the first operation as it ended, even a failed one', async () => {
      await start();
      const error = { code: Status.RESOURCE_EXHAUSTED, message: 'quota exceeded' };
      server.failOperation('TriggerService/Create', error);
      const key = randomUUID();
      const failed = await createTrigger({ name: 'tick', rule: TIMER }, withKey(key));
      const repeat = await createTrigger({ name: 'tick', rule: TIMER }, withKey(key));

      expect(repeat).toEqual(failed);
      expect(repeat.error).toMatchObject(error);
      expect(server.triggers()).toEqual([]);
    });

    // The docs say the header "must contain the UUID"; what the API answers otherwise is not
    // public, so the emulator refuses, and a key is kept per method (also not public).
    it('refuses a key that is no UUID, and keeps keys of different methods apart', async () => {
      await start();
      await expect(createFunction('other', withKey('retry-1'))).rejects.toMatchObject(invalid);
      const key = randomUUID();
      const fn = await createFunction('other', withKey(key));
      const trigger = await createTrigger({ name: 'tick', rule: TIMER }, withKey(key));
      expect(trigger.id).not.toBe(fn.id);
      expect(server.triggers()).toHaveLength(1);
    });
  });

  describe('access bindings', () => {
    // Source: access.proto UpdateAccessBindingsRequest.access_binding_deltas (size) = "1-1000",
    // AccessBindingDelta.action and access_binding (required) = true; function_service.proto
    // UpdateAccessBindings answers access.UpdateAccessBindingsMetadata and Empty.
    it('adds and removes function bindings by delta', async () => {
      await start();
      server.seedServerless({ accessBindings: { fn1: [viewer] } });
      const add = (binding: AccessBinding) => ({
        action: AccessBindingAction.ADD,
        accessBinding: binding,
      });
      const remove = (binding: AccessBinding) => ({
        action: AccessBindingAction.REMOVE,
        accessBinding: binding,
      });

      const op = await updateBindings('fn1', [add(invoker), remove(viewer), add(invoker)]);

      expect(op.response?.typeUrl).toBe('type.googleapis.com/google.protobuf.Empty');
      expect(op.metadata?.typeUrl).toBe(
        'type.googleapis.com/yandex.cloud.access.UpdateAccessBindingsMetadata',
      );
      expect(UpdateAccessBindingsMetadata.decode(op.metadata?.value ?? Buffer.alloc(0))).toEqual({
        resourceId: 'fn1',
      });
      expect(server.accessBindings('fn1')).toEqual([invoker]);
      expect(server.requestsOf('FunctionService/UpdateAccessBindings')).toHaveLength(1);

      const unspecified = {
        action: AccessBindingAction.ACCESS_BINDING_ACTION_UNSPECIFIED,
        accessBinding: viewer,
      };
      for (const deltas of [[], [unspecified], [{ action: AccessBindingAction.ADD }]]) {
        await expect(updateBindings('fn1', deltas)).rejects.toMatchObject(invalid);
      }
      await expect(updateBindings('nope', [add(viewer)])).rejects.toMatchObject({
        code: Status.NOT_FOUND,
      });
      expect(server.accessBindings('fn1')).toEqual([invoker]);
    });

    // Source: resourcemanager/v1 folder_service.proto and cloud_service.proto ListAccessBindings.
    // A caller may lack the right to read them: then PERMISSION_DENIED, as a test marks it.
    it("serves a folder's and a cloud's bindings, or a denial, as a test sets them", async () => {
      await start();
      server.setResourceBindings('folder', FOLDER, [invoker]);
      server.setResourceBindings('cloud', CLOUD, [viewer]);

      expect((await listBindings(folders, FOLDER)).accessBindings).toEqual([invoker]);
      expect((await listBindings(clouds, CLOUD)).accessBindings).toEqual([viewer]);
      // Each service sees only its own kind; one never set is NOT_FOUND.
      await expect(listBindings(clouds, FOLDER)).rejects.toMatchObject({ code: Status.NOT_FOUND });

      server.setResourceBindings('folder', FOLDER, PERMISSION_DENIED);
      await expect(listBindings(folders, FOLDER)).rejects.toMatchObject({
        code: Status.PERMISSION_DENIED,
      });
      expect(server.calls.map((call) => [call.method, call.subject])).toEqual([
        ['FolderService/ListAccessBindings', FOLDER],
        ['CloudService/ListAccessBindings', CLOUD],
        ['CloudService/ListAccessBindings', FOLDER],
        ['FolderService/ListAccessBindings', FOLDER],
      ]);
    });
  });
});
