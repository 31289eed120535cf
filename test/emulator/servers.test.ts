import fs from 'node:fs';
import { connect } from 'node:net';
import { credentials } from '@grpc/grpc-js';
import {
  GetInstanceRequest,
  InstanceServiceClient,
  ListInstancesRequest,
  StartInstanceRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import { ApiError } from '@yandex-cloud/nodejs-sdk/dist/errors';
import { clientFactory } from '@yandex-cloud/nodejs-sdk/dist/utils/client-factory';
import { OperationServiceService } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudApiServer,
  type FakeOperation,
  type FakeResource,
  type ResourceKind,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import type { TestPkiFiles } from '../../emulator/pki';
import { RESOURCE_KINDS } from '../../src/model';
import { closedAfterEach } from '../support/cleanup';
import {
  allPages,
  bearer,
  type ListingClient,
  openListingClient,
  unary,
} from '../support/listing-clients';
import { type MetadataServer, startMetadataServer } from '../support/metadata-server';
import { testPki } from '../support/test-pki';

const auth = { metadata: Metadata({ authorization: 'Bearer x' }) };
const track = closedAfterEach();

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
    server = track(await startCloudApiServer({ pki, operations }));
    // No explicit roots: the test CA must be trusted via GRPC_DEFAULT_SSL_ROOTS_FILE_PATH.
    channel = track(createChannel(server.address, ChannelCredentials.createSsl()));
  };

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
        subject: 'op1',
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

    server = track(await startCloudApiServer({ pki, operations: [{ id: 'op2' }], port }));
    channel = track(createChannel(server.address, ChannelCredentials.createSsl()));
    expect(server.address).toBe(address);
    expect(await niceClient().get({ operationId: 'op2' }, auth)).toMatchObject({ id: 'op2' });
  });
});

describe('listing services on the operation server', () => {
  let server: CloudApiServer;

  const start = async (options: {
    resources?: FakeResource[];
    operations?: FakeOperation[];
    maxPageSize?: number;
  }) => {
    server = track(await startCloudApiServer({ pki: testPki(), ...options }));
  };
  const open = (kind: ResourceKind): ListingClient =>
    track(openListingClient(kind, server.address));
  const ids = (items: { id: string }[]) => items.map((item) => item.id);
  const instances = (folderId: string, count: number, from = 1): FakeResource[] =>
    Array.from({ length: count }, (_, i) => ({
      kind: 'compute.instance',
      id: `${folderId}-i${from + i}`,
      folderId,
      name: `vm-${from + i}`,
    }));

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
    const client = track(new InstanceServiceClient(server.address, credentials.createSsl()));
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
    const channel = track(createChannel(server.address, ChannelCredentials.createSsl()));
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
    const other = track(openListingClient('compute.instance', server.address, () => bearer('t2')));
    await other.listOperations('f1-i1');
    const recorded = (method: string, subject: string, token: string, size = 5) => ({
      method,
      subject,
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
    const raw = track(new InstanceServiceClient(server.address, credentials.createSsl()));
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
