import { credentials, type Metadata, Server } from '@grpc/grpc-js';
import {
  InstanceGroupServiceClient,
  ListInstanceGroupLogRecordsRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group_service';
import {
  FolderServiceClient,
  ListFoldersRequest,
  type ListFoldersResponse,
} from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import { describe, expect, it } from 'vitest';
import { createHolds } from '../../emulator/cloud-api/latency';
import { type CloudApiServer, startCloudApiServer } from '../../emulator/cloud-api-server';
import { closedAfterEach } from '../support/cleanup';
import { bearer, type ListingClient, openListingClient, unary } from '../support/listing-clients';
import { testPki } from '../support/test-pki';

const LATENCY_MS = 150;

describe('listingLatencyMs', () => {
  let server: CloudApiServer;
  const track = closedAfterEach();

  const start = async (listingLatencyMs?: number) => {
    server = await startCloudApiServer({
      pki: testPki(),
      resources: [
        { kind: 'compute.instance', id: 'vm1', folderId: 'f1' },
        { kind: 'compute.instanceGroup', id: 'ig1', folderId: 'f1' },
      ],
      operations: [{ id: 'op1', resourceId: 'vm1', createdAt: new Date(), done: true }],
      listingLatencyMs,
    });
    track(server);
    server.placeFolder('f1', 'c1');
  };
  const instances = (): ListingClient => {
    return track(openListingClient('compute.instance', server.address));
  };
  const folders = () => {
    const client = track(new FolderServiceClient(server.address, credentials.createSsl()));
    return (metadata: Metadata) =>
      unary<ListFoldersRequest, ListFoldersResponse>(
        client.list.bind(client),
        ListFoldersRequest.fromPartial({ cloudId: 'c1' }),
        metadata,
      );
  };
  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now();
    const value = await work();
    return { value, ms: performance.now() - started };
  };

  it('holds every List, ListOperations and FolderService.List answer that long', async () => {
    await start(LATENCY_MS);
    const client = instances();
    const listFolders = folders();
    // The first call also opens the connection; time the ones after it.
    await client.list('f1');

    const list = await timed(() => client.list('f1'));
    const ops = await timed(() => client.listOperations('vm1'));
    const cloud = await timed(() => listFolders(bearer()));

    expect(list.value.items.map((r) => r.id)).toEqual(['vm1']);
    expect(ops.value.items.map((o) => o.id)).toEqual(['op1']);
    expect(cloud.value.folders.map((f) => f.id)).toEqual(['f1']);
    for (const { ms } of [list, ops, cloud]) expect(ms).toBeGreaterThanOrEqual(LATENCY_MS - 5);
    expect(server.calls.map((c) => c.method)).toEqual([
      'compute.instance/List',
      'compute.instance/List',
      'compute.instance/ListOperations',
      'FolderService/List',
    ]);
  });

  it("holds an instance group's ListLogRecords answer as long", async () => {
    await start(LATENCY_MS);
    const client = track(new InstanceGroupServiceClient(server.address, credentials.createSsl()));
    const request = ListInstanceGroupLogRecordsRequest.fromPartial({ instanceGroupId: 'ig1' });
    const logs = () => unary(client.listLogRecords.bind(client), request, bearer());
    // The first call also opens the connection; time the one after it.
    await logs();
    const { value, ms } = await timed(logs);
    expect(value.logRecords).toEqual([]);
    expect(ms).toBeGreaterThanOrEqual(LATENCY_MS - 5);
  });

  it('wraps no server when there is no latency, so nothing can be held', () => {
    const server = new Server();
    expect(createHolds().slowed(server, 0, () => ['list'])).toBe(server);
    expect(createHolds().slowed(server, 1, () => ['list'])).not.toBe(server);
  });

  it('holds no answer by default', async () => {
    await start();
    const client = instances();
    await client.list('f1');
    const list = await timed(() => client.list('f1'));
    // A loopback call takes milliseconds; the bound gives a busy machine a second of them.
    expect(list.ms).toBeLessThan(1_000);
  });

  it('stops holding an answer when the client gives up', async () => {
    await start(10_000);
    const client = track(new FolderServiceClient(server.address, credentials.createSsl()));
    const started = performance.now();
    const call = new Promise((resolve, reject) => {
      client.list(
        ListFoldersRequest.fromPartial({ cloudId: 'c1' }),
        bearer(),
        { deadline: Date.now() + 300 },
        (error, response) => (error ? reject(error) : resolve(response)),
      );
    });
    await expect(call).rejects.toMatchObject({ details: expect.stringMatching(/deadline/i) });
    expect(performance.now() - started).toBeLessThan(5_000);
    // Recorded when it came, though never answered.
    expect(server.calls.map((c) => c.method)).toEqual(['FolderService/List']);
  });
});
