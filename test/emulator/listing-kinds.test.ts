import { type ChannelCredentials, type Client, credentials, status } from '@grpc/grpc-js';
import * as privateConnections from '@yandex-cloud/nodejs-sdk/cic-v1/private_connection_service';
import * as trunkConnections from '@yandex-cloud/nodejs-sdk/cic-v1/trunk_connection_service';
import * as routingInstances from '@yandex-cloud/nodejs-sdk/cloudrouter-v1/routing_instance_service';
import {
  InstanceGroupServiceClient,
  ListInstanceGroupLogRecordsRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group_service';
import * as reservedPools from '@yandex-cloud/nodejs-sdk/compute-v1/reserved_instance_pool_service';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { describe, expect, it } from 'vitest';
import {
  type CloudApiServer,
  type FakeOperation,
  type FakeResource,
  type ResourceKind,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import { closedAfterEach } from '../support/cleanup';
import { allPages, bearer, type PageAsk, unary } from '../support/listing-clients';
import { testPki } from '../support/test-pki';

type Unary<Response> = Parameters<typeof unary<object, Response>>[0];
type Page = { pageSize: number; pageToken: string };

/**
 * A kind the sweep's own clients (src/sweep/listing/resources.ts) may not cover yet, reached
 * through its generated client and requests, so the field names are checked on this side too.
 */
interface KindClient {
  kind: ResourceKind;
  client: new (address: string, creds: ChannelCredentials) => Client;
  items: string;
  listRequest(folderId: string, page: Page): object;
  operationsRequest(resourceId: string, page: Page): object;
}

const NEW_KINDS: readonly KindClient[] = [
  {
    kind: 'compute.reservedInstancePool',
    client: reservedPools.ReservedInstancePoolServiceClient,
    items: 'reservedInstancePools',
    listRequest: (folderId, page) =>
      reservedPools.ListReservedInstancePoolsRequest.fromPartial({ folderId, ...page }),
    operationsRequest: (reservedInstancePoolId, page) =>
      reservedPools.ListReservedInstancePoolOperationsRequest.fromPartial({
        reservedInstancePoolId,
        ...page,
      }),
  },
  {
    kind: 'cic.privateConnection',
    client: privateConnections.PrivateConnectionServiceClient,
    items: 'privateConnections',
    listRequest: (folderId, page) =>
      privateConnections.ListPrivateConnectionsRequest.fromPartial({ folderId, ...page }),
    operationsRequest: (privateConnectionId, page) =>
      privateConnections.ListPrivateConnectionOperationsRequest.fromPartial({
        privateConnectionId,
        ...page,
      }),
  },
  {
    kind: 'cic.trunkConnection',
    client: trunkConnections.TrunkConnectionServiceClient,
    items: 'trunkConnections',
    listRequest: (folderId, page) =>
      trunkConnections.ListTrunkConnectionsRequest.fromPartial({ folderId, ...page }),
    operationsRequest: (trunkConnectionId, page) =>
      trunkConnections.ListTrunkConnectionOperationsRequest.fromPartial({
        trunkConnectionId,
        ...page,
      }),
  },
  {
    kind: 'cloudrouter.routingInstance',
    client: routingInstances.RoutingInstanceServiceClient,
    items: 'routingInstances',
    listRequest: (folderId, page) =>
      routingInstances.ListRoutingInstancesRequest.fromPartial({ folderId, ...page }),
    operationsRequest: (routingInstanceId, page) =>
      routingInstances.ListRoutingInstanceOperationsRequest.fromPartial({
        routingInstanceId,
        ...page,
      }),
  },
];

const page = (ask: PageAsk = {}): Page => ({
  pageSize: ask.pageSize ?? 0,
  pageToken: ask.pageToken ?? '',
});
const ids = (items: { id: string }[]) => items.map((item) => item.id);

describe('listing services of the newer kinds', () => {
  let server: CloudApiServer;
  const track = closedAfterEach();

  const start = async (resources: FakeResource[], operations: FakeOperation[] = []) => {
    server = track(
      await startCloudApiServer({ pki: testPki(), maxPageSize: 2, resources, operations }),
    );
  };

  // No explicit roots: the test CA is trusted via GRPC_DEFAULT_SSL_ROOTS_FILE_PATH.
  const open = (spec: KindClient) => {
    const client = track(new spec.client(server.address, credentials.createSsl()));
    const methods = client as unknown as {
      list: Unary<Record<string, unknown> & { nextPageToken: string }>;
      listOperations: Unary<{ operations: Operation[]; nextPageToken: string }>;
    };
    return {
      list: async (folderId: string, ask?: PageAsk) => {
        const request = spec.listRequest(folderId, page(ask));
        const response = await unary(methods.list.bind(client), request, bearer());
        return { items: response[spec.items], nextPageToken: response.nextPageToken };
      },
      listOperations: (resourceId: string, ask?: PageAsk) =>
        unary(
          methods.listOperations.bind(client),
          spec.operationsRequest(resourceId, page(ask)),
          bearer(),
        ).then((response) => ({ ...response, items: response.operations })),
    };
  };

  it.each(NEW_KINDS.map((spec) => [spec.kind, spec] as const))(
    'serves %s: List by folder with labels, ListOperations by page',
    async (kind, spec) => {
      const labels = { env: 'prod', team: 'net' };
      const given: FakeResource = { kind, id: 'r1', folderId: 'f1', name: 'one', labels };
      await start(
        [given, { kind, id: 'r2', folderId: 'f2' }],
        ['o1', 'o2', 'o3'].map((id) => ({ id, resourceId: 'r1' })),
      );
      // What is served was copied when set: changing the test's own object later changes nothing.
      labels.env = 'changed';
      const client = open(spec);

      expect(await client.list('f1')).toEqual({
        items: [
          expect.objectContaining({
            id: 'r1',
            folderId: 'f1',
            name: 'one',
            labels: { env: 'prod', team: 'net' },
          }),
        ],
        nextPageToken: '',
      });
      expect((await client.list('f2')).items).toEqual([
        expect.objectContaining({ id: 'r2', name: '', labels: {} }),
      ]);
      const pages = await allPages((pageToken) => client.listOperations('r1', { pageToken }));
      expect(pages.map((p) => ids(p.items))).toEqual([['o1', 'o2'], ['o3']]);
      await expect(client.listOperations('nope')).rejects.toMatchObject({
        code: status.NOT_FOUND,
        details: `${kind} nope not found`,
      });
      expect(server.calls.map((call) => [call.method, call.subject])).toEqual([
        [`${kind}/List`, 'f1'],
        [`${kind}/List`, 'f2'],
        [`${kind}/ListOperations`, 'r1'],
        [`${kind}/ListOperations`, 'r1'],
        [`${kind}/ListOperations`, 'nope'],
      ]);
    },
  );
});

describe('InstanceGroupService.ListLogRecords', () => {
  const GROUP = 'cl1group';
  const METHOD = 'compute.instanceGroup/ListLogRecords';
  // Out of time order on purpose: records come back in the order they were set.
  const RECORDS = [
    { timestamp: new Date('2026-03-01T10:05:00Z'), message: 'Scaling up to 2 instances' },
    { timestamp: new Date('2026-03-01T10:00:00Z'), message: 'Instance group created' },
    { timestamp: new Date('2026-03-01T10:07:00Z'), message: 'Instance cl1-a running' },
    { timestamp: new Date('2026-03-01T10:09:00Z'), message: 'Instance cl1-b running' },
    { timestamp: new Date('2026-03-01T10:10:00Z'), message: 'Group is active' },
  ];

  let server: CloudApiServer;
  let client: InstanceGroupServiceClient;
  const track = closedAfterEach();

  const start = async (group: Partial<FakeResource> = {}) => {
    server = track(
      await startCloudApiServer({
        pki: testPki(),
        maxPageSize: 2,
        resources: [
          {
            kind: 'compute.instanceGroup',
            id: GROUP,
            folderId: 'f1',
            logRecords: RECORDS,
            ...group,
          },
          { kind: 'compute.instanceGroup', id: 'quiet', folderId: 'f1' },
          { kind: 'compute.instance', id: 'vm1', folderId: 'f1' },
        ],
      }),
    );
    client = track(new InstanceGroupServiceClient(server.address, credentials.createSsl()));
  };
  const logs = (
    instanceGroupId: string,
    request: Partial<ListInstanceGroupLogRecordsRequest> = {},
  ) => {
    const full = ListInstanceGroupLogRecordsRequest.fromPartial({ instanceGroupId, ...request });
    return unary(client.listLogRecords.bind(client), full, bearer());
  };

  it('pages through the records in the order they were set, and records each call', async () => {
    await start();
    const pages = await allPages(async (pageToken) => {
      const response = await logs(GROUP, { pageToken });
      return { items: response.logRecords, nextPageToken: response.nextPageToken };
    });
    expect(pages.map((p) => p.items)).toEqual([
      RECORDS.slice(0, 2),
      RECORDS.slice(2, 4),
      [RECORDS[4]],
    ]);
    expect((await logs(GROUP, { pageSize: 1 })).logRecords).toEqual([RECORDS[0]]);
    expect(await logs('quiet')).toEqual({ logRecords: [], nextPageToken: '' });
    expect(server.calls.map(({ method, subject, page }) => ({ method, subject, page }))).toEqual([
      { method: METHOD, subject: GROUP, page: { size: 0, token: '' } },
      { method: METHOD, subject: GROUP, page: { size: 0, token: '2' } },
      { method: METHOD, subject: GROUP, page: { size: 0, token: '4' } },
      { method: METHOD, subject: GROUP, page: { size: 1, token: '' } },
      { method: METHOD, subject: 'quiet', page: { size: 0, token: '' } },
    ]);
  });

  it('refuses a filter, a page token it did not issue and a negative page_size', async () => {
    await start();
    await expect(logs(GROUP, { filter: 'name="cl1"' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'the emulator does not support filter',
    });
    for (const request of [{ pageToken: 'abc' }, { pageSize: -1 }]) {
      await expect(logs(GROUP, request)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    }
  });

  it('answers NOT_FOUND for a group it does not know, even an id of another kind', async () => {
    await start();
    for (const id of ['nope', 'vm1']) {
      await expect(logs(id)).rejects.toMatchObject({
        code: status.NOT_FOUND,
        details: `compute.instanceGroup ${id} not found`,
      });
    }
    expect(server.calls.map((call) => call.method)).toEqual([METHOD, METHOD]);
  });

  it('fails the first `times` calls of a group with a fault set on it', async () => {
    await start({ listLogRecords: { code: status.UNAVAILABLE, times: 1 } });
    await expect(logs(GROUP)).rejects.toMatchObject({
      code: status.UNAVAILABLE,
      details: `injected UNAVAILABLE on ${METHOD} ${GROUP}`,
    });
    expect((await logs(GROUP)).logRecords).toEqual(RECORDS.slice(0, 2));
    expect((await logs('quiet')).logRecords).toEqual([]);
  });
});
