import type { MethodDefinition } from '@grpc/grpc-js';
import { LogRecord } from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group';
import { InstanceGroupServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group_service';
import { Cluster as PostgresqlCluster } from '@yandex-cloud/nodejs-sdk/mdb-postgresql-v1/cluster';
import { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { Folder } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder';
import { FolderServiceService } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import { describe, expect, it } from 'vitest';
import { RESOURCE_SERVICES } from '../../emulator/cloud-api/resource-services';
import { GET_FOLDER } from '../../src/cloud/folders';
import type { RpcMethod } from '../../src/cloud/unary';
import { RESOURCE_KINDS } from '../../src/model';
import { KINDS } from '../../src/sweep/listing/resources';
import { LIST_FOLDERS, LIST_LOG_RECORDS, type PageRequest } from '../../src/sweep/listing/wire';

/**
 * The sweep's listings decode only the fields they read (src/sweep/listing/wire.ts). Each one is
 * held here to the SDK's generated service and messages: the same path, a request the generated
 * code reads back as what was meant, and answers encoded by the generated code and read by ours,
 * with fields around the ones read (an operation's every field; a cluster's nested settings). A
 * change in the protos that moves a field the sweep reads fails here.
 */
// biome-ignore lint/suspicious/noExplicitAny: each generated method has its own message types
type Generated = MethodDefinition<any, any>;

/** An operation with every field set, payloads and result included, as the API may list one. */
const FULL_OPERATION = Operation.fromPartial({
  id: 'fd8operation01',
  description: 'Create instance',
  createdAt: new Date('2026-11-27T10:00:00.123Z'),
  createdBy: 'ajeuser01',
  modifiedAt: new Date('2026-11-27T10:05:00.000Z'),
  done: false,
  metadata: {
    typeUrl: 'type.googleapis.com/yandex.cloud.compute.v1.CreateInstanceMetadata',
    value: Buffer.from('metadata bytes'),
  },
  error: { code: 13, message: 'internal', details: [{ typeUrl: 'x', value: Buffer.from('d') }] },
});
const LISTED = {
  id: 'fd8operation01',
  description: 'Create instance',
  createdAt: new Date('2026-11-27T10:00:00.123Z'),
  createdBy: 'ajeuser01',
  modifiedAt: new Date('2026-11-27T10:05:00.000Z'),
  done: false,
  // Of the metadata, its type alone: it names the method that started the operation.
  metadata: { typeUrl: 'type.googleapis.com/yandex.cloud.compute.v1.CreateInstanceMetadata' },
  // Of the error, its code alone: whether it failed, which learning leaves out.
  error: { code: 13 },
};
const LABELS = { env: 'prod', owner: 'team-a' };

const pathOf = (rpc: RpcMethod<never, unknown>) => `/${rpc.service}/${rpc.method}`;
const asked = { of: 'b1gfolder', pageToken: 'token-2' };

function expectRequest(rpc: RpcMethod<PageRequest, unknown>, generated: Generated, field: string) {
  expect(pathOf(rpc)).toBe(generated.path);
  expect(generated.requestDeserialize(rpc.encode(asked))).toMatchObject({
    [field]: 'b1gfolder',
    pageSize: 1000,
    pageToken: 'token-2',
  });
}

describe.each(RESOURCE_KINDS.map((kind) => [kind]))('%s', (kind) => {
  const { service, idField, itemsField, toMessage } = RESOURCE_SERVICES[kind];
  const generated = service as Record<'list' | 'listOperations', Generated>;

  it('asks List and ListOperations as the generated service does', () => {
    expectRequest(KINDS[kind].list, generated.list, 'folderId');
    expectRequest(KINDS[kind].listOperations, generated.listOperations, idField);
  });

  it("reads a resource's id and labels from a List answer the generated code encodes", () => {
    const resource = toMessage({
      id: 'res1',
      folderId: 'b1gfolder',
      name: 'named',
      labels: LABELS,
    });
    const bytes = generated.list.responseSerialize({
      [itemsField]: [resource, toMessage({ id: 'res2', folderId: 'f', name: '', labels: {} })],
      nextPageToken: 'next',
    });
    const page = KINDS[kind].list.decode(bytes);
    expect(page.nextPageToken).toBe('next');
    expect(page.items).toEqual([
      { id: 'res1', labels: LABELS },
      { id: 'res2', labels: {} },
    ]);
  });

  it('reads the operations a ListOperations answer holds, and only what the sweep needs of them', () => {
    const bytes = generated.listOperations.responseSerialize({
      operations: [FULL_OPERATION, Operation.fromPartial({ id: 'fd8done', done: true })],
      nextPageToken: '',
    });
    const page = KINDS[kind].listOperations.decode(bytes);
    expect(page).toEqual({
      items: [LISTED, { id: 'fd8done', description: '', createdBy: '', done: true }],
      nextPageToken: '',
    });
  });
});

describe('a managed database cluster with its settings', () => {
  it('is read for its id and labels alone, whatever else it holds', () => {
    const generated = RESOURCE_SERVICES['mdb.postgresql'].service as Record<'list', Generated>;
    const cluster = PostgresqlCluster.fromPartial({
      id: 'c9qcluster01',
      folderId: 'b1gfolder',
      createdAt: new Date('2026-11-27T10:00:00Z'),
      name: 'db',
      description: 'orders',
      labels: LABELS,
      environment: 1,
      monitoring: [{ name: 'console', description: 'charts', link: 'https://example.test/m' }],
      config: {
        version: '16',
        postgresqlConfig16: { effectiveConfig: { maxConnections: 400 } },
        resources: { resourcePresetId: 's2.micro', diskSize: 10_737_418_240, diskTypeId: 'ssd' },
      },
      networkId: 'enpnetwork01',
      health: 1,
      status: 2,
    });
    const bytes = generated.list.responseSerialize({ clusters: [cluster], nextPageToken: '' });
    expect(KINDS['mdb.postgresql'].list.decode(bytes)).toEqual({
      items: [{ id: 'c9qcluster01', labels: LABELS }],
      nextPageToken: '',
    });
  });
});

describe('FolderService.List', () => {
  it('is asked and read as the generated service does', () => {
    const generated = FolderServiceService.list as Generated;
    expectRequest(LIST_FOLDERS, generated, 'cloudId');
    const folder = Folder.fromPartial({ id: 'b1gf1', cloudId: 'b1gc', name: 'n', labels: LABELS });
    const page = LIST_FOLDERS.decode(
      generated.responseSerialize({ folders: [folder], nextPageToken: 'more' }),
    );
    expect(page).toEqual({ items: [{ id: 'b1gf1', labels: LABELS }], nextPageToken: 'more' });
  });
});

describe('FolderService.Get', () => {
  it('is asked and read as the generated service does: the cloud a folder is in', () => {
    const generated = FolderServiceService.get as Generated;
    expect(pathOf(GET_FOLDER)).toBe(generated.path);
    expect(generated.requestDeserialize(GET_FOLDER.encode({ folderId: 'b1gf1' }))).toEqual({
      folderId: 'b1gf1',
    });
    const folder = Folder.fromPartial({
      id: 'b1gf1',
      cloudId: 'b1gcloud7',
      name: 'n',
      description: 'd',
      labels: LABELS,
      createdAt: new Date('2026-11-27T10:00:00.000Z'),
    });
    expect(GET_FOLDER.decode(generated.responseSerialize(folder))).toEqual({
      cloudId: 'b1gcloud7',
    });
  });
});

describe('InstanceGroupService.ListLogRecords', () => {
  it('is asked and read as the generated service does', () => {
    const generated = InstanceGroupServiceService.listLogRecords as Generated;
    expectRequest(LIST_LOG_RECORDS, generated, 'instanceGroupId');
    const timestamp = new Date('2026-11-27T10:00:00.5Z');
    const records = [
      LogRecord.fromPartial({ timestamp, message: 'waiting' }),
      LogRecord.fromPartial({}),
    ];
    const page = LIST_LOG_RECORDS.decode(
      generated.responseSerialize({ logRecords: records, nextPageToken: '' }),
    );
    expect(page).toEqual({
      items: [{ timestamp, message: 'waiting' }, { message: '' }],
      nextPageToken: '',
    });
  });
});
