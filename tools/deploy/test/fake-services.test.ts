import { createHash } from 'node:crypto';
import { credentials } from '@grpc/grpc-js';
import { Session, waitForOperation } from '@yandex-cloud/nodejs-sdk';
import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import {
  GetOperationRequest,
  OperationServiceClient,
} from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import {
  type AccessBinding,
  ListAccessBindingsRequest,
  SetAccessBindingsMetadata,
  SetAccessBindingsRequest,
} from '@yandex-cloud/nodejs-sdk/proto/access/access';
import {
  Function_Status,
  Function as FunctionMessage,
  LogOptions,
  Version,
  Version_Status,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function';
import {
  CreateFunctionMetadata,
  CreateFunctionRequest,
  CreateFunctionVersionMetadata,
  CreateFunctionVersionRequest,
  DeleteFunctionRequest,
  FunctionServiceClient,
  GetFunctionRequest,
  GetFunctionVersionByTagRequest,
  ListFunctionsRequest,
  ListFunctionsVersionsRequest,
  UpdateFunctionMetadata,
  UpdateFunctionRequest,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import { Trigger } from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger';
import {
  CreateTriggerMetadata,
  CreateTriggerRequest,
  DeleteTriggerMetadata,
  DeleteTriggerRequest,
  GetTriggerRequest,
  ListTriggersRequest,
  PauseTriggerRequest,
  TriggerServiceClient,
  UpdateTriggerRequest,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger_service';
import { Status } from 'nice-grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { allPages, bearer, testPki, unary, zip } from '../../../test/support/index';
import { type DeployApiServer, startDeployApiServer } from '../fake/server';

/** Code that deflates well, so that its zip is far smaller than what it unpacks to. */
const SOURCE = `exports.handler = () => '${'x'.repeat(10_000)}';`;
const CODE = zip({ 'index.js': SOURCE, README: 'code' });
const UNPACKED_BYTES = SOURCE.length + 'code'.length;

describe('serverless functions and triggers services on the operation server', () => {
  const FOLDER = 'b1gfolder00000000001';
  const TYPES = 'type.googleapis.com/yandex.cloud.serverless';
  const ID = /^d4e[0-9a-z]{17}$/;
  let server: DeployApiServer;
  let functions: FunctionServiceClient;
  let triggers: TriggerServiceClient;
  let operations: OperationServiceClient;

  const start = async (options: { maxPageSize?: number } = {}) => {
    server = await startDeployApiServer({ pki: testPki(), ...options });
    // No explicit roots: the test CA is trusted via GRPC_DEFAULT_SSL_ROOTS_FILE_PATH.
    functions = new FunctionServiceClient(server.address, credentials.createSsl());
    triggers = new TriggerServiceClient(server.address, credentials.createSsl());
    operations = new OperationServiceClient(server.address, credentials.createSsl());
  };

  afterEach(async () => {
    for (const client of [functions, triggers, operations]) client?.close();
    await server?.close();
  });

  /** The message an operation's response or metadata packs, checked to be of `typeUrl`. */
  const unpack = <T>(
    packed: Any | undefined,
    typeUrl: string,
    codec: { decode(bytes: Uint8Array): T },
  ): T => {
    expect(packed?.typeUrl).toBe(typeUrl);
    return codec.decode(packed?.value ?? Buffer.alloc(0));
  };

  const fn = {
    get: (functionId: string) =>
      unary(
        functions.get.bind(functions),
        GetFunctionRequest.fromPartial({ functionId }),
        bearer(),
      ),
    list: (request: Omit<Partial<ListFunctionsRequest>, 'folderId'> = {}) =>
      unary(
        functions.list.bind(functions),
        ListFunctionsRequest.fromPartial({ folderId: FOLDER, ...request }),
        bearer(),
      ),
    create: (name: string, extra: Partial<CreateFunctionRequest> = {}) =>
      unary(
        functions.create.bind(functions),
        CreateFunctionRequest.fromPartial({ folderId: FOLDER, name, ...extra }),
        bearer(),
      ),
    update: (request: Partial<UpdateFunctionRequest>) =>
      unary(functions.update.bind(functions), UpdateFunctionRequest.fromPartial(request), bearer()),
    createVersion: (request: Partial<CreateFunctionVersionRequest>) =>
      unary(
        functions.createVersion.bind(functions),
        CreateFunctionVersionRequest.fromPartial(request),
        bearer(),
      ),
    latest: (functionId: string) =>
      unary(
        functions.getVersionByTag.bind(functions),
        GetFunctionVersionByTagRequest.fromPartial({ functionId, tag: '$latest' }),
        bearer(),
      ),
    listVersions: (functionId: string) =>
      unary(
        functions.listVersions.bind(functions),
        ListFunctionsVersionsRequest.fromPartial({ functionId }),
        bearer(),
      ),
    listBindings: (resourceId: string) =>
      unary(
        functions.listAccessBindings.bind(functions),
        ListAccessBindingsRequest.fromPartial({ resourceId }),
        bearer(),
      ),
    setBindings: (resourceId: string, accessBindings: AccessBinding[]) =>
      unary(
        functions.setAccessBindings.bind(functions),
        SetAccessBindingsRequest.fromPartial({ resourceId, accessBindings }),
        bearer(),
      ),
  };

  const trigger = {
    list: (page: { pageSize?: number; pageToken?: string } = {}) =>
      unary(
        triggers.list.bind(triggers),
        ListTriggersRequest.fromPartial({ folderId: FOLDER, ...page }),
        bearer(),
      ),
    create: (request: Partial<CreateTriggerRequest>) =>
      unary(triggers.create.bind(triggers), CreateTriggerRequest.fromPartial(request), bearer()),
    update: (request: Partial<UpdateTriggerRequest>) =>
      unary(triggers.update.bind(triggers), UpdateTriggerRequest.fromPartial(request), bearer()),
    delete: (triggerId: string) =>
      unary(
        triggers.delete.bind(triggers),
        DeleteTriggerRequest.fromPartial({ triggerId }),
        bearer(),
      ),
    get: (triggerId: string) =>
      unary(triggers.get.bind(triggers), GetTriggerRequest.fromPartial({ triggerId }), bearer()),
  };

  const createdFunction = async (name: string) =>
    unpack((await fn.create(name)).response, `${TYPES}.functions.v1.Function`, FunctionMessage);

  const VERSION: Partial<CreateFunctionVersionRequest> = {
    runtime: 'nodejs22',
    entrypoint: 'index.handler',
    resources: { memory: 128 * 1024 * 1024 },
    executionTimeout: { seconds: 30, nanos: 0 },
    content: CODE,
  };
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

  it('creates a function through an operation that packs it, and lists it by name', async () => {
    await start();
    server.seedServerless({
      functions: [
        { id: 'd4e00000000000000001', folderId: FOLDER, name: 'other' },
        { id: 'd4eelsewhere00000001', folderId: 'b1gfolder00000000002', name: 'deployer' },
      ],
    });
    const op = await fn.create('deployer', { description: 'd', labels: { team: 'ops' } });
    expect(op).toMatchObject({ done: true, description: 'Create function' });
    expect(op.error).toBeUndefined();
    expect(op.id).toMatch(ID);
    const created = unpack(op.response, `${TYPES}.functions.v1.Function`, FunctionMessage);
    // The seeded function holds the first counter value, so the new id has to skip it.
    expect(created.id).toMatch(ID);
    expect(created.id).not.toBe('d4e00000000000000001');
    expect(created).toMatchObject({
      folderId: FOLDER,
      name: 'deployer',
      description: 'd',
      labels: { team: 'ops' },
      status: Function_Status.ACTIVE,
      httpInvokeUrl: `https://functions.yandexcloud.net/${created.id}`,
    });
    const metadata = unpack(
      op.metadata,
      `${TYPES}.functions.v1.CreateFunctionMetadata`,
      CreateFunctionMetadata,
    );
    expect(metadata.functionId).toBe(created.id);

    const byName = await fn.list({ filter: 'name="deployer"' });
    expect(byName.functions).toEqual([created]);
    expect(byName.nextPageToken).toBe('');
    expect((await fn.list()).functions.map((f) => f.name)).toEqual(['other', 'deployer']);
    expect((await fn.list({ filter: 'name="nobody"' })).functions).toEqual([]);
    expect(await fn.get(created.id)).toEqual(created);
    expect(server.functions().map((f) => f.id)).toEqual([
      'd4e00000000000000001',
      'd4eelsewhere00000001',
      created.id,
    ]);

    await expect(fn.create('deployer')).rejects.toMatchObject({ code: Status.ALREADY_EXISTS });
    await expect(fn.create('Bad_Name')).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    for (const filter of ['name = "deployer"', "name='deployer'", 'labels.team="ops"']) {
      await expect(fn.list({ filter })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    }
    await expect(fn.get('nope')).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect(server.functions()).toHaveLength(3);
  });

  it('records each call with its decoded request and authorization', async () => {
    await start();
    const created = await createdFunction('deployer');
    await fn.list({ filter: 'name="deployer"' });
    await fn.get(created.id);
    expect(server.calls).toEqual([
      expect.objectContaining({
        method: 'FunctionService/Create',
        subject: FOLDER,
        authorization: 'Bearer x',
        request: expect.objectContaining({ folderId: FOLDER, name: 'deployer' }),
      }),
      expect.objectContaining({
        method: 'FunctionService/List',
        subject: FOLDER,
        request: expect.objectContaining({ filter: 'name="deployer"' }),
      }),
      expect.objectContaining({
        method: 'FunctionService/Get',
        subject: created.id,
        requestId: expect.stringMatching(/^req-/),
      }),
    ]);
    expect(server.requestsOf('FunctionService/Create').map((r) => r.name)).toEqual(['deployer']);
    // Calls are filed under the function, trigger or folder they are about.
    expect(server.callsFor(created.id).map((call) => call.method)).toEqual(['FunctionService/Get']);
  });

  it('pages through functions and triggers in the order they were created', async () => {
    await start({ maxPageSize: 2 });
    const rule = { timer: { cronExpression: '* * * * ? *', payload: '' } };
    server.seedServerless({
      functions: ['a', 'b', 'c'].map((n) => ({ id: `fn-${n}`, folderId: FOLDER, name: `fn-${n}` })),
      triggers: ['a', 'b', 'c'].map((n) => ({ id: `tr-${n}`, folderId: FOLDER, rule })),
    });
    const functionPages = await allPages(async (pageToken) => {
      const page = await fn.list({ pageToken });
      return { items: page.functions, nextPageToken: page.nextPageToken };
    });
    expect(functionPages.map((page) => page.items.map((f) => f.id))).toEqual([
      ['fn-a', 'fn-b'],
      ['fn-c'],
    ]);
    const triggerPages = await allPages(async (pageToken) => {
      const page = await trigger.list({ pageSize: 1, pageToken });
      return { items: page.triggers, nextPageToken: page.nextPageToken };
    });
    expect(triggerPages.map((page) => page.items.map((t) => t.id))).toEqual([
      ['tr-a'],
      ['tr-b'],
      ['tr-c'],
    ]);
  });

  it('tags a new version $latest, takes the tag from the previous one, and keeps its sha', async () => {
    await start();
    server.seedServerless({
      functions: [{ id: 'fn1', folderId: FOLDER, name: 'deployer' }],
      versions: [{ id: 'v0', functionId: 'fn1', runtime: 'nodejs18' }],
    });
    expect((await fn.latest('fn1')).id).toBe('v0');

    const op = await fn.createVersion({
      ...VERSION,
      functionId: 'fn1',
      serviceAccountId: 'ajesa',
      environment: { MAX_OPERATIONS: '10' },
      secrets: [{ id: 'e6q', versionId: 'e6v', key: 'k', environmentVariable: 'API_KEY' }],
      logOptions: LogOptions.fromPartial({ logGroupId: 'e23log' }),
      concurrency: 2,
      tag: ['stable'],
    });
    const version = unpack(op.response, `${TYPES}.functions.v1.Version`, Version);
    expect(version.id).toMatch(ID);
    expect(
      unpack(
        op.metadata,
        `${TYPES}.functions.v1.CreateFunctionVersionMetadata`,
        CreateFunctionVersionMetadata,
      ).functionVersionId,
    ).toBe(version.id);

    const latest = await fn.latest('fn1');
    expect(latest).toEqual(version);
    expect(latest).toMatchObject({
      functionId: 'fn1',
      runtime: 'nodejs22',
      entrypoint: 'index.handler',
      resources: { memory: 128 * 1024 * 1024 },
      executionTimeout: { seconds: 30 },
      serviceAccountId: 'ajesa',
      environment: { MAX_OPERATIONS: '10' },
      secrets: [{ id: 'e6q', versionId: 'e6v', key: 'k', environmentVariable: 'API_KEY' }],
      logOptions: { logGroupId: 'e23log' },
      concurrency: 2,
      tags: ['$latest', 'stable'],
      // function.proto: "final size of the deployment package after unpacking", not the zip's.
      imageSize: UNPACKED_BYTES,
      status: Version_Status.ACTIVE,
    });
    const stored = server.versions('fn1');
    expect(stored.map((v) => [v.id, v.tags, v.contentSha256])).toEqual([
      ['v0', [], undefined],
      [latest.id, ['$latest', 'stable'], sha256(CODE)],
    ]);
    expect((await fn.listVersions('fn1')).versions.map((v) => v.id)).toEqual(['v0', latest.id]);

    // A later version takes $latest and any tag it names; the others stay where they were.
    const v2 = zip({ 'index.js': 'v2' });
    await fn.createVersion({ ...VERSION, functionId: 'fn1', content: v2 });
    expect(server.versions('fn1').map((v) => [v.tags, v.contentSha256, v.imageSize])).toEqual([
      [[], undefined, 0],
      [['stable'], sha256(CODE), UNPACKED_BYTES],
      [['$latest'], sha256(v2), 2],
    ]);
  });

  it('refuses a version it cannot build, and one of an unknown function', async () => {
    await start();
    server.seedServerless({ functions: [{ id: 'fn1', folderId: FOLDER }] });
    const { runtime: _, ...withoutRuntime } = VERSION;
    for (const request of [
      { ...withoutRuntime, functionId: 'fn1' },
      { ...VERSION, functionId: 'fn1', content: undefined },
      { ...VERSION, functionId: 'fn1', content: Buffer.from('not a zip') },
      { ...VERSION, functionId: 'fn1', resources: { memory: 0 } },
    ]) {
      await expect(fn.createVersion(request)).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
      });
    }
    await expect(fn.createVersion({ ...VERSION, functionId: 'nope' })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
    });
    await expect(fn.latest('fn1')).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect(server.versions('fn1')).toEqual([]);
  });

  it('updates only the fields the update mask names', async () => {
    await start();
    const created = await createdFunction('deployer');
    await fn.create('taken-name');
    const changes = { name: 'renamed', description: 'new', labels: { b: '2' } };

    const op = await fn.update({
      functionId: created.id,
      updateMask: { paths: ['labels'] },
      ...changes,
    });
    expect(
      unpack(op.metadata, `${TYPES}.functions.v1.UpdateFunctionMetadata`, UpdateFunctionMetadata),
    ).toEqual({ functionId: created.id });
    expect(unpack(op.response, `${TYPES}.functions.v1.Function`, FunctionMessage)).toMatchObject({
      name: 'deployer',
      description: '',
      labels: { b: '2' },
    });

    await fn.update({
      functionId: created.id,
      updateMask: { paths: ['name', 'description'] },
      ...changes,
    });
    expect(await fn.get(created.id)).toMatchObject(changes);

    for (const paths of [[], ['runtime'], ['name', 'folder_id']]) {
      await expect(
        fn.update({ functionId: created.id, updateMask: { paths }, ...changes }),
      ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    }
    await expect(
      fn.update({ functionId: created.id, updateMask: { paths: ['name'] }, name: 'taken-name' }),
    ).rejects.toMatchObject({ code: Status.ALREADY_EXISTS });
    expect(server.functions().find((f) => f.id === created.id)).toMatchObject(changes);
  });

  it('creates, lists, updates and deletes triggers', async () => {
    await start();
    const rule = {
      timer: {
        cronExpression: '*/5 * ? * * *',
        payload: '',
        invokeFunctionWithRetry: {
          functionId: 'fn1',
          functionTag: '$latest',
          serviceAccountId: 'sa',
        },
      },
    };
    server.seedServerless({ triggers: [{ id: 'tr-old', folderId: FOLDER, name: 'old', rule }] });

    const op = await trigger.create({ folderId: FOLDER, name: 'sweep', labels: { a: '1' }, rule });
    const created = unpack(op.response, `${TYPES}.triggers.v1.Trigger`, Trigger);
    expect(created).toMatchObject({ name: 'sweep', labels: { a: '1' }, rule, status: 1 });
    expect(created.id).toMatch(ID);
    expect(
      unpack(op.metadata, `${TYPES}.triggers.v1.CreateTriggerMetadata`, CreateTriggerMetadata),
    ).toEqual({ triggerId: created.id });
    expect((await trigger.list()).triggers.map((t) => t.id)).toEqual(['tr-old', created.id]);
    await expect(trigger.create({ folderId: FOLDER, name: 'sweep', rule })).rejects.toMatchObject({
      code: Status.ALREADY_EXISTS,
    });
    await expect(trigger.create({ folderId: FOLDER, name: 'no-rule' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });

    const updated = await trigger.update({
      triggerId: created.id,
      updateMask: { paths: ['description', 'labels'] },
      name: 'ignored',
      description: 'every 5 minutes',
      labels: { b: '2' },
    });
    expect(unpack(updated.response, `${TYPES}.triggers.v1.Trigger`, Trigger)).toMatchObject({
      name: 'sweep',
      description: 'every 5 minutes',
      labels: { b: '2' },
      rule,
    });
    // A rule of another kind is refused (serverless-fidelity.test.ts covers rule updates).
    const queueRule = {
      messageQueue: {
        queueId: 'yrn:yc:ymq:ru-central1:b1g:q',
        serviceAccountId: 'sa',
        batchSettings: { size: 1, cutoff: { seconds: 1, nanos: 0 } },
        invokeFunction: { functionId: 'fn1', functionTag: '$latest', serviceAccountId: 'sa' },
      },
    };
    await expect(
      trigger.update({ triggerId: created.id, updateMask: { paths: ['rule'] }, rule: queueRule }),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });

    const deleted = await trigger.delete(created.id);
    expect(deleted.response?.typeUrl).toBe('type.googleapis.com/google.protobuf.Empty');
    expect(
      unpack(deleted.metadata, `${TYPES}.triggers.v1.DeleteTriggerMetadata`, DeleteTriggerMetadata),
    ).toEqual({ triggerId: created.id });
    await expect(trigger.get(created.id)).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(trigger.delete(created.id)).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect(server.triggers().map((t) => t.id)).toEqual(['tr-old']);
    expect(await trigger.get('tr-old')).toMatchObject({ name: 'old', rule });
  });

  it("lists and replaces a function's access bindings", async () => {
    await start();
    const invoker = {
      roleId: 'functions.functionInvoker',
      subject: { id: 'ajesa', type: 'serviceAccount' },
    };
    const viewer = { roleId: 'viewer', subject: { id: 'allUsers', type: 'system' } };
    server.seedServerless({
      functions: [
        { id: 'fn1', folderId: FOLDER },
        { id: 'fn2', folderId: FOLDER },
      ],
      accessBindings: { fn1: [viewer] },
    });
    expect((await fn.listBindings('fn1')).accessBindings).toEqual([viewer]);
    expect((await fn.listBindings('fn2')).accessBindings).toEqual([]);

    const op = await fn.setBindings('fn1', [invoker]);
    expect(op.response?.typeUrl).toBe('type.googleapis.com/google.protobuf.Empty');
    expect(
      unpack(
        op.metadata,
        'type.googleapis.com/yandex.cloud.access.SetAccessBindingsMetadata',
        SetAccessBindingsMetadata,
      ),
    ).toEqual({ resourceId: 'fn1' });
    expect((await fn.listBindings('fn1')).accessBindings).toEqual([invoker]);
    expect(server.accessBindings('fn1')).toEqual([invoker]);
    expect(server.accessBindings('fn2')).toEqual([]);

    await expect(fn.setBindings('nope', [invoker])).rejects.toMatchObject({
      code: Status.NOT_FOUND,
    });
    await expect(
      fn.setBindings('fn1', [{ roleId: 'viewer', subject: undefined }]),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect(server.accessBindings('fn1')).toEqual([invoker]);
  });

  it('fails the next calls of a method with an RPC error and changes nothing', async () => {
    await start();
    server.seedServerless({ functions: [{ id: 'fn1', folderId: FOLDER }] });
    server.failNext('FunctionService/CreateVersion', {
      code: Status.UNAVAILABLE,
      message: 'try later',
      times: 2,
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(fn.createVersion({ ...VERSION, functionId: 'fn1' })).rejects.toMatchObject({
        code: Status.UNAVAILABLE,
        details: 'try later',
      });
    }
    expect(server.versions('fn1')).toEqual([]);
    // Other methods are not affected, and the fault is spent after `times`.
    await fn.get('fn1');
    await fn.createVersion({ ...VERSION, functionId: 'fn1' });
    expect(server.versions('fn1')).toHaveLength(1);

    // Without `times`, only the next call fails.
    server.failNext('TriggerService/List', { code: Status.INTERNAL });
    await expect(trigger.list()).rejects.toMatchObject({
      code: Status.INTERNAL,
      details: `injected INTERNAL on TriggerService/List ${FOLDER}`,
    });
    expect((await trigger.list()).triggers).toEqual([]);
    expect(server.calls.map((call) => call.method)).toEqual([
      'FunctionService/CreateVersion',
      'FunctionService/CreateVersion',
      'FunctionService/Get',
      'FunctionService/CreateVersion',
      'TriggerService/List',
      'TriggerService/List',
    ]);
  });

  it('ends the next call of a method in a failed operation and changes nothing', async () => {
    await start();
    const error = { code: Status.RESOURCE_EXHAUSTED, message: 'quota exceeded' };
    server.failOperation('FunctionService/Create', error);

    const failed = await fn.create('deployer');
    expect(failed).toMatchObject({ done: true, error: { ...error, details: [] } });
    expect(failed.response).toBeUndefined();
    expect(server.functions()).toEqual([]);
    const got = await unary(
      operations.get.bind(operations),
      GetOperationRequest.fromPartial({ operationId: failed.id }),
      bearer(),
    );
    expect(got).toEqual(failed);

    // A request refused by validation does not spend the fault.
    server.failOperation('TriggerService/Create', error);
    await expect(trigger.create({ folderId: FOLDER, name: 'no-rule' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });
    const rule = { timer: { cronExpression: '* * * * ? *', payload: '' } };
    expect((await trigger.create({ folderId: FOLDER, rule })).error).toMatchObject(error);

    const created = await createdFunction('deployer');
    expect(server.functions()).toEqual([created]);
  });

  it('shows each mutation as a finished operation through OperationService.Get', async () => {
    await start();
    const op = await fn.create('deployer');
    const got = await unary(
      operations.get.bind(operations),
      GetOperationRequest.fromPartial({ operationId: op.id }),
      bearer(),
    );
    expect(got).toEqual(op);
    expect(got).toMatchObject({ done: true, createdAt: expect.any(Date) });
    expect(unpack(got.response, `${TYPES}.functions.v1.Function`, FunctionMessage).name).toBe(
      'deployer',
    );
    expect(server.calls.map((call) => call.method)).toEqual(['FunctionService/Create', 'Get']);
  });

  it("lets an SDK Session's clients create a function and wait on the operation", async () => {
    await start();
    const session = new Session({ iamToken: 't1.session', pollInterval: 10 });
    const client = session.client(FunctionServiceClient, server.address);
    const op = await client.create(
      CreateFunctionRequest.fromPartial({ folderId: FOLDER, name: 'canceller' }),
    );
    const done = await waitForOperation(op, session, 5_000, server.address);
    const created = unpack(done.response, `${TYPES}.functions.v1.Function`, FunctionMessage);
    expect(created.name).toBe('canceller');

    server.failOperation('FunctionService/Create', { code: Status.INTERNAL, message: 'boom' });
    const failed = await client.create(CreateFunctionRequest.fromPartial({ folderId: FOLDER }));
    // The SDK rejects with the operation itself when it ends in an error.
    await expect(waitForOperation(failed, session, 5_000, server.address)).rejects.toMatchObject({
      id: failed.id,
      error: { code: Status.INTERNAL, message: 'boom' },
    });
    expect(new Set(server.calls.map((call) => call.authorization))).toEqual(
      new Set(['Bearer t1.session']),
    );
  });

  it('answers UNIMPLEMENTED for methods it does not emulate', async () => {
    await start();
    server.seedServerless({
      functions: [{ id: 'fn1', folderId: FOLDER }],
      triggers: [{ id: 'tr1', folderId: FOLDER }],
    });
    await expect(
      unary(
        functions.delete.bind(functions),
        DeleteFunctionRequest.fromPartial({ functionId: 'fn1' }),
        bearer(),
      ),
    ).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
    await expect(
      unary(
        triggers.pause.bind(triggers),
        PauseTriggerRequest.fromPartial({ triggerId: 'tr1' }),
        bearer(),
      ),
    ).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
    expect(server.functions()).toHaveLength(1);
    expect(server.triggers()).toHaveLength(1);
  });
});
