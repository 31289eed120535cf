import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { connect } from 'node:net';
import { credentials } from '@grpc/grpc-js';
import { Session, waitForOperation } from '@yandex-cloud/nodejs-sdk';
import {
  GetInstanceRequest,
  InstanceServiceClient,
  ListInstancesRequest,
  StartInstanceRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import { ApiError } from '@yandex-cloud/nodejs-sdk/dist/errors';
import { clientFactory } from '@yandex-cloud/nodejs-sdk/dist/utils/client-factory';
import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import {
  GetOperationRequest,
  OperationServiceClient,
  OperationServiceService,
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
import {
  type CallOptions,
  type Channel,
  ChannelCredentials,
  ClientError,
  createChannel,
  createClientFactory,
  Metadata,
  Status,
} from 'nice-grpc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudApiServer,
  type FakeOperation,
  type FakeResource,
  type ResourceKind,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import type { TestPkiFiles } from '../../emulator/pki';
import { RESOURCE_KINDS } from '../../src/model';
import {
  allPages,
  bearer,
  type ListingClient,
  openListingClient,
  unary,
} from '../support/listing-clients';
import { type MetadataServer, startMetadataServer } from '../support/metadata-server';
import { testPki } from '../support/test-pki';
import { zip } from '../support/zip';

const auth = { metadata: Metadata({ authorization: 'Bearer x' }) };
/** Code that deflates well, so that its zip is far smaller than what it unpacks to. */
const SOURCE = `exports.handler = () => '${'x'.repeat(10_000)}';`;
const CODE = zip({ 'index.js': SOURCE, README: 'code' });
const UNPACKED_BYTES = SOURCE.length + 'code'.length;

describe('test PKI from global setup', () => {
  it('is shared with workers through the environment', () => {
    const pki = testPki();
    expect(process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH).toBe(pki.caFile);
    expect(fs.readFileSync(pki.caFile, 'utf8')).toBe(pki.caCertPem);
    expect(pki.serverKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
  });
});

describe('operation server', () => {
  let pki: TestPkiFiles;
  let server: CloudApiServer;
  let channel: Channel;

  const niceClient = () => createClientFactory().create(OperationServiceService, channel);
  const sdkClient = () => clientFactory.create(OperationServiceService, channel);

  beforeAll(() => {
    pki = testPki();
  });

  const start = async (...operations: Parameters<CloudApiServer['set']>) => {
    server = await startCloudApiServer({ pki, operations });
    // No explicit roots: the test CA must be trusted via GRPC_DEFAULT_SSL_ROOTS_FILE_PATH.
    channel = createChannel(server.address, ChannelCredentials.createSsl());
  };

  afterEach(async () => {
    channel?.close();
    await server?.close();
  });

  it('serves a running operation over TLS and records the call', async () => {
    await start({ id: 'op1', description: 'resize disk', createdBy: 'sa1' });
    let answered: { requestId?: string; traceId?: string } = {};
    const op = await niceClient().get(
      { operationId: 'op1' },
      {
        metadata: Metadata({ authorization: 'Bearer x', 'x-client-trace-id': 'ct-1' }),
        onHeader: (header) => {
          answered = {
            requestId: header.get('x-request-id'),
            traceId: header.get('x-server-trace-id'),
          };
        },
      },
    );
    expect(op).toMatchObject({ id: 'op1', description: 'resize disk', done: false });
    expect(server.calls).toEqual([
      {
        method: 'Get',
        operationId: 'op1',
        authorization: 'Bearer x',
        requestId: expect.stringMatching(/^req-/),
        serverTraceId: expect.stringMatching(/^trace-/),
        clientRequestId: undefined,
        clientTraceId: 'ct-1',
        at: expect.any(Number),
      },
    ]);
    expect(answered).toEqual({
      requestId: server.calls[0]?.requestId,
      traceId: server.calls[0]?.serverTraceId,
    });
  });

  it('cancels an operation so later Gets see it cancelled', async () => {
    await start({ id: 'op1' });
    const client = niceClient();
    const cancelled = await client.cancel({ operationId: 'op1' }, auth);
    expect(cancelled).toMatchObject({ done: true, error: { code: Status.CANCELLED } });
    expect(await client.get({ operationId: 'op1' }, auth)).toMatchObject({
      done: true,
      error: { code: Status.CANCELLED, message: 'operation cancelled' },
    });
    expect(server.callsFor('op1').map((call) => call.method)).toEqual(['Cancel', 'Get']);
  });

  it("supports 'accepts' and 'finishes' cancel outcomes", async () => {
    await start({ id: 'slow', cancel: 'accepts' }, { id: 'late', cancel: 'finishes' });
    const client = niceClient();
    expect(await client.cancel({ operationId: 'slow' }, auth)).toMatchObject({ done: false });
    expect(await client.get({ operationId: 'slow' }, auth)).toMatchObject({ done: false });
    const late = await client.cancel({ operationId: 'late' }, auth);
    expect(late.done).toBe(true);
    expect(late.error).toBeUndefined();
    expect(late.response).toBeDefined();
  });

  it("with 'slowly' accepts a Cancel and ends the operation cancelled some time later", async () => {
    // Long enough that the Get right after the Cancel comes first, on a busy machine too.
    await start({ id: 'slowly', cancel: 'slowly', cancelTakesMs: 1000 });
    const client = niceClient();
    expect(await client.cancel({ operationId: 'slowly' }, auth)).toMatchObject({ done: false });
    expect(await client.get({ operationId: 'slowly' }, auth)).toMatchObject({ done: false });
    await expect
      .poll(() => client.get({ operationId: 'slowly' }, auth), { timeout: 5000, interval: 100 })
      .toMatchObject({ done: true, error: { code: Status.CANCELLED } });
  });

  it('answers NOT_FOUND with x-request-id in the trailers for unknown ids', async () => {
    await start();
    let trailerRequestId: string | undefined;
    const call = niceClient().get(
      { operationId: 'nope' },
      { ...auth, onTrailer: (trailer) => (trailerRequestId = trailer.get('x-request-id')) },
    );
    await expect(call).rejects.toSatisfy(
      (error) =>
        error instanceof ClientError &&
        error.code === Status.NOT_FOUND &&
        error.details === 'operation nope not found',
    );
    expect(trailerRequestId).toBe(server.calls[0]?.requestId);
  });

  it('fails only the first `times` calls', async () => {
    await start({ id: 'op1', get: { code: Status.UNAVAILABLE, times: 1 } });
    const client = niceClient();
    await expect(client.get({ operationId: 'op1' }, auth)).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
    });
    expect(await client.get({ operationId: 'op1' }, auth)).toMatchObject({ done: false });
    expect(server.callsFor('op1')).toHaveLength(2);
  });

  it('surfaces headersFirst faults as ApiError and plain faults as ClientError via the SDK', async () => {
    await start(
      { id: 'hf', get: { code: Status.UNAVAILABLE, headersFirst: true } },
      { id: 'plain', get: { code: Status.UNAVAILABLE, message: 'try later' } },
    );
    const client = sdkClient();
    const headersFirst = await client.get({ operationId: 'hf' }, auth).catch((e: unknown) => e);
    expect(headersFirst).toBeInstanceOf(ApiError);
    expect((headersFirst as ApiError).message).toContain('UNAVAILABLE');
    expect((headersFirst as ApiError).requestId).toBe(server.callsFor('hf')[0]?.requestId);

    const plain = await client.get({ operationId: 'plain' }, auth).catch((e: unknown) => e);
    expect(plain).not.toBeInstanceOf(ApiError);
    expect(plain).toBeInstanceOf(ClientError);
    expect(plain).toMatchObject({ code: Status.UNAVAILABLE, details: 'try later' });
  });

  it('delays answers and stops waiting when the client gives up', async () => {
    await start({ id: 'op1', delayMs: 10_000 });
    const startedAt = Date.now();
    const call = niceClient().get(
      { operationId: 'op1' },
      { ...auth, signal: AbortSignal.timeout(200) as CallOptions['signal'] },
    );
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(server.callsFor('op1')).toHaveLength(1);
  });

  it('closes at once with a call in flight and a connection still in its TLS handshake', async () => {
    await start({ id: 'held1', delayMs: 60_000 });
    const held = niceClient().get({ operationId: 'held1' }, auth);
    const settled = held.then(
      () => 'answered',
      () => 'ended',
    );
    await expect.poll(() => server.callsFor('held1').length).toBe(1);
    const [host, port] = server.address.split(':') as [string, string];
    // A client that connected and never sent its ClientHello: grpc-js does not know of it yet.
    const silent = connect(Number(port), host);
    await new Promise((resolve) => silent.once('connect', resolve));
    const closed = new Promise((resolve) => silent.once('close', resolve));

    const startedAt = Date.now();
    await server.close();

    // Generous: what matters is that close() does not wait for the 60 s call or the handshake.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    await closed;
    expect(await settled).toBe('ended');
  });

  it('can be restarted on the same port and forgets calls on reset', async () => {
    await start({ id: 'op1' });
    await niceClient().get({ operationId: 'op1' }, auth);
    server.reset();
    expect(server.calls).toEqual([]);
    const { address } = server;
    const port = Number(address.split(':')[1]);
    channel.close();
    await server.close();

    server = await startCloudApiServer({ pki, operations: [{ id: 'op2' }], port });
    channel = createChannel(server.address, ChannelCredentials.createSsl());
    expect(server.address).toBe(address);
    expect(await niceClient().get({ operationId: 'op2' }, auth)).toMatchObject({ id: 'op2' });
  });
});

describe('listing services on the operation server', () => {
  let server: CloudApiServer;
  let channel: Channel | undefined;
  const clients: { close(): void }[] = [];

  const start = async (options: {
    resources?: FakeResource[];
    operations?: FakeOperation[];
    maxPageSize?: number;
  }) => {
    server = await startCloudApiServer({ pki: testPki(), ...options });
  };
  const open = (kind: ResourceKind): ListingClient => {
    const client = openListingClient(kind, server.address);
    clients.push(client);
    return client;
  };
  const ids = (items: { id: string }[]) => items.map((item) => item.id);
  const instances = (folderId: string, count: number, from = 1): FakeResource[] =>
    Array.from({ length: count }, (_, i) => ({
      kind: 'compute.instance',
      id: `${folderId}-i${from + i}`,
      folderId,
      name: `vm-${from + i}`,
    }));

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    channel?.close();
    channel = undefined;
    await server?.close();
  });

  it('serves List (with labels) and ListOperations of every kind on the operation port', async () => {
    const labels = { owner: 'team-a' };
    await start({
      resources: RESOURCE_KINDS.map((kind) => ({
        kind,
        id: `${kind}-1`,
        folderId: 'f1',
        name: kind,
        labels,
      })),
      operations: RESOURCE_KINDS.map((kind) => ({ id: `op-${kind}`, resourceId: `${kind}-1` })),
    });
    for (const kind of RESOURCE_KINDS) {
      const client = open(kind);
      const listed = await client.list('f1');
      // A node group's message has no folder_id: it is its cluster's.
      const folder = kind === 'k8s.nodeGroup' ? {} : { folderId: 'f1' };
      expect(listed.items).toEqual([
        expect.objectContaining({ id: `${kind}-1`, name: kind, labels, ...folder }),
      ]);
      expect(listed.nextPageToken).toBe('');
      expect(ids((await client.listOperations(`${kind}-1`)).items)).toEqual([`op-${kind}`]);
    }
  });

  it('lists one kind in one folder page by page, in the order resources were set', async () => {
    await start({
      maxPageSize: 2,
      resources: [
        ...instances('f1', 3),
        ...instances('f2', 1),
        { kind: 'compute.disk', id: 'f1-disk', folderId: 'f1' },
        ...instances('f1', 2, 4),
      ],
    });
    const client = open('compute.instance');
    // page_size 0 and page_size above the cap both get maxPageSize; a smaller one is honoured.
    for (const pageSize of [0, 50]) {
      const pages = await allPages((pageToken) => client.list('f1', { pageSize, pageToken }));
      expect(pages.map((page) => ids(page.items))).toEqual([
        ['f1-i1', 'f1-i2'],
        ['f1-i3', 'f1-i4'],
        ['f1-i5'],
      ]);
    }
    const ones = await allPages((pageToken) => client.list('f1', { pageSize: 1, pageToken }));
    expect(ones.map((page) => ids(page.items))).toEqual([1, 2, 3, 4, 5].map((n) => [`f1-i${n}`]));
    expect((await client.list('f1')).items[0]).toMatchObject({ folderId: 'f1', name: 'vm-1' });
    expect(ids((await client.list('nobody')).items)).toEqual([]);
  });

  it('makes page_size 0 a page of 100', async () => {
    await start({ resources: instances('f1', 101) });
    const pages = await allPages((pageToken) => open('compute.instance').list('f1', { pageToken }));
    expect(pages.map((page) => page.items.length)).toEqual([100, 1]);
  });

  it("lists a resource's operations page by page, as Get shows them", async () => {
    const createdAt = new Date('2024-05-01T10:00:00Z');
    const modifiedAt = new Date('2024-05-01T10:05:00Z');
    await start({
      maxPageSize: 2,
      resources: [
        { kind: 'vpc.network', id: 'n1', folderId: 'f1' },
        { kind: 'vpc.network', id: 'n2', folderId: 'f1' },
      ],
      operations: [
        { id: 'o1', resourceId: 'n1', description: 'Create network', createdAt, modifiedAt },
        { id: 'o2', resourceId: 'n2' },
        { id: 'o3', resourceId: 'n1', done: true },
        { id: 'o4' },
        { id: 'o5', resourceId: 'n1' },
      ],
    });
    const client = open('vpc.network');
    const pages = await allPages((pageToken) => client.listOperations('n1', { pageToken }));
    expect(pages.map((page) => ids(page.items))).toEqual([['o1', 'o3'], ['o5']]);
    expect(pages[0]?.items).toEqual([
      expect.objectContaining({
        description: 'Create network',
        createdAt,
        modifiedAt,
        done: false,
      }),
      expect.objectContaining({ done: true }),
    ]);
    expect(ids((await client.listOperations('n2')).items)).toEqual(['o2']);
  });

  it('answers NOT_FOUND for a resource it does not know, even one of another kind', async () => {
    await start({ resources: [{ kind: 'compute.disk', id: 'd1', folderId: 'f1' }] });
    for (const [kind, id] of [
      ['compute.disk', 'nope'],
      ['compute.instance', 'd1'],
    ] as const) {
      await expect(open(kind).listOperations(id)).rejects.toMatchObject({
        code: Status.NOT_FOUND,
        details: `${kind} ${id} not found`,
      });
    }
  });

  it('fails List of a kind, and ListOperations of a resource, for the first `times` calls', async () => {
    await start({
      resources: [
        { kind: 'compute.image', id: 'img1', folderId: 'f1' },
        {
          kind: 'compute.image',
          id: 'img2',
          folderId: 'f1',
          list: { code: Status.INTERNAL, message: 'boom', times: 1 },
        },
      ],
    });
    const client = open('compute.image');
    server.failList('compute.image', { code: Status.UNAVAILABLE, times: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(client.list('f1')).rejects.toMatchObject({
        code: Status.UNAVAILABLE,
        details: 'injected UNAVAILABLE on compute.image/List f1',
      });
    }
    expect(ids((await client.list('f1')).items)).toEqual(['img1', 'img2']);
    // Other kinds are not affected, and clearing the fault takes effect at once.
    expect((await open('compute.disk').list('f1')).items).toEqual([]);
    server.failList('compute.image', { code: Status.RESOURCE_EXHAUSTED });
    await expect(client.list('f1')).rejects.toMatchObject({ code: Status.RESOURCE_EXHAUSTED });
    server.failList('compute.image', undefined);
    expect(ids((await client.list('f1')).items)).toEqual(['img1', 'img2']);

    await expect(client.listOperations('img2')).rejects.toMatchObject({
      code: Status.INTERNAL,
      details: 'boom',
    });
    expect((await client.listOperations('img2')).items).toEqual([]);
    expect((await client.listOperations('img1')).items).toEqual([]);
  });

  it('answers Get with the resource and its folder, and UNIMPLEMENTED for methods it does not serve', async () => {
    await start({ resources: [{ kind: 'compute.instance', id: 'i1', folderId: 'f1' }] });
    const client = new InstanceServiceClient(server.address, credentials.createSsl());
    clients.push(client);
    const get = client.get.bind(client);
    await expect(
      unary(get, GetInstanceRequest.fromPartial({ instanceId: 'i1' }), bearer()),
    ).resolves.toMatchObject({ id: 'i1', folderId: 'f1' });
    await expect(
      unary(get, GetInstanceRequest.fromPartial({ instanceId: 'gone' }), bearer()),
    ).rejects.toMatchObject({ code: Status.NOT_FOUND });
    const startVm = client.start.bind(client);
    await expect(
      unary(startVm, StartInstanceRequest.fromPartial({ instanceId: 'i1' }), bearer()),
    ).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
  });

  it('shows an operation cancelled through OperationService as done in later listings', async () => {
    await start({
      resources: [{ kind: 'vpc.subnet', id: 's1', folderId: 'f1' }],
      operations: [{ id: 'op1', resourceId: 's1' }],
    });
    const client = open('vpc.subnet');
    expect((await client.listOperations('s1')).items[0]).toMatchObject({ done: false });
    channel = createChannel(server.address, ChannelCredentials.createSsl());
    await createClientFactory()
      .create(OperationServiceService, channel)
      .cancel({ operationId: 'op1' }, auth);
    expect((await client.listOperations('s1')).items[0]).toMatchObject({
      id: 'op1',
      done: true,
      error: { code: Status.CANCELLED },
    });
  });

  it('records listings with what they asked about, their page and their authorization', async () => {
    await start({ maxPageSize: 1, resources: instances('f1', 2) });
    const client = open('compute.instance');
    const first = await client.list('f1', { pageSize: 5 });
    expect(first.nextPageToken).not.toBe('');
    await client.list('f1', { pageSize: 5, pageToken: first.nextPageToken });
    const other = openListingClient('compute.instance', server.address, () => bearer('t2'));
    clients.push(other);
    await other.listOperations('f1-i1');
    const recorded = (method: string, operationId: string, token: string, size = 5) => ({
      method,
      operationId,
      page: { size, token },
      authorization: 'Bearer x',
      requestId: expect.stringMatching(/^req-/),
      serverTraceId: expect.stringMatching(/^trace-/),
      clientRequestId: undefined,
      clientTraceId: undefined,
      at: expect.any(Number),
    });
    expect(server.calls).toEqual([
      recorded('compute.instance/List', 'f1', ''),
      recorded('compute.instance/List', 'f1', first.nextPageToken),
      {
        ...recorded('compute.instance/ListOperations', 'f1-i1', '', 0),
        authorization: 'Bearer t2',
      },
    ]);
    expect(server.callsFor('f1-i1')).toHaveLength(1);
  });

  it('rejects page tokens it did not issue, filters and a missing folder', async () => {
    await start({ resources: instances('f1', 1) });
    const client = open('compute.instance');
    const raw = new InstanceServiceClient(server.address, credentials.createSsl());
    clients.push(raw);
    const filtered = ListInstancesRequest.fromPartial({ folderId: 'f1', filter: 'name="vm-1"' });
    for (const listing of [
      unary(raw.list.bind(raw), filtered, bearer()),
      client.list('f1', { pageToken: 'abc' }),
      client.list('f1', { pageSize: -1 }),
      client.list(''),
      client.listOperations('f1-i1', { pageToken: 'abc' }),
    ]) {
      await expect(listing).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    }
  });
});

describe('metadata server', () => {
  let metadata: MetadataServer;

  beforeAll(async () => {
    metadata = await startMetadataServer();
  });

  afterAll(async () => {
    await metadata.close();
  });

  it('issues a token only to requests with Metadata-Flavor: Google', async () => {
    const ok = await fetch(metadata.url, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      access_token: 't1.metadata-test-token',
      expires_in: 3600,
      token_type: 'Bearer',
    });
    expect((await fetch(metadata.url)).status).toBe(403);
    expect((await fetch(new URL('/other', metadata.url))).status).toBe(404);
    expect(metadata.requests.map((r) => r.headers['metadata-flavor'])).toEqual([
      'Google',
      undefined,
      undefined,
    ]);
  });

  it('changes its reply on respond()', async () => {
    metadata.respond({ status: 500, body: 'boom' });
    const failed = await fetch(metadata.url, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('boom');

    metadata.respond({ token: 't2', expiresIn: 60 });
    const ok = await fetch(metadata.url, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(await ok.json()).toMatchObject({ access_token: 't2', expires_in: 60 });
  });
});

describe('serverless functions and triggers services on the operation server', () => {
  const FOLDER = 'b1gfolder00000000001';
  const TYPES = 'type.googleapis.com/yandex.cloud.serverless';
  const ID = /^d4e[0-9a-z]{17}$/;
  let server: CloudApiServer;
  let functions: FunctionServiceClient;
  let triggers: TriggerServiceClient;
  let operations: OperationServiceClient;

  const start = async (options: { maxPageSize?: number } = {}) => {
    server = await startCloudApiServer({ pki: testPki(), ...options });
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
        operationId: FOLDER,
        authorization: 'Bearer x',
        request: expect.objectContaining({ folderId: FOLDER, name: 'deployer' }),
      }),
      expect.objectContaining({
        method: 'FunctionService/List',
        operationId: FOLDER,
        request: expect.objectContaining({ filter: 'name="deployer"' }),
      }),
      expect.objectContaining({
        method: 'FunctionService/Get',
        operationId: created.id,
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
