import { type ChannelCredentials, type Client, credentials } from '@grpc/grpc-js';
import {
  DiskServiceClient,
  ListDiskOperationsRequest,
  ListDisksRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/disk_service';
import {
  ImageServiceClient,
  ListImageOperationsRequest,
  ListImagesRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/image_service';
import {
  InstanceServiceClient,
  ListInstanceOperationsRequest,
  ListInstancesRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import {
  InstanceGroupServiceClient,
  ListInstanceGroupOperationsRequest,
  ListInstanceGroupsRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group_service';
import {
  ClusterServiceClient as K8sClusterServiceClient,
  ListClusterOperationsRequest as ListK8sClusterOperationsRequest,
  ListClustersRequest as ListK8sClustersRequest,
} from '@yandex-cloud/nodejs-sdk/k8s-v1/cluster_service';
import {
  ListNodeGroupOperationsRequest,
  ListNodeGroupsRequest,
  NodeGroupServiceClient,
} from '@yandex-cloud/nodejs-sdk/k8s-v1/node_group_service';
import * as clickhouse from '@yandex-cloud/nodejs-sdk/mdb-clickhouse-v1/cluster_service';
import * as kafka from '@yandex-cloud/nodejs-sdk/mdb-kafka-v1/cluster_service';
import * as mongodb from '@yandex-cloud/nodejs-sdk/mdb-mongodb-v1/cluster_service';
import * as mysql from '@yandex-cloud/nodejs-sdk/mdb-mysql-v1/cluster_service';
import * as postgresql from '@yandex-cloud/nodejs-sdk/mdb-postgresql-v1/cluster_service';
import * as redis from '@yandex-cloud/nodejs-sdk/mdb-redis-v1/cluster_service';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import {
  ListNetworkOperationsRequest,
  ListNetworksRequest,
  NetworkServiceClient,
} from '@yandex-cloud/nodejs-sdk/vpc-v1/network_service';
import {
  ListRouteTableOperationsRequest,
  ListRouteTablesRequest,
  RouteTableServiceClient,
} from '@yandex-cloud/nodejs-sdk/vpc-v1/route_table_service';
import {
  ListSecurityGroupOperationsRequest,
  ListSecurityGroupsRequest,
  SecurityGroupServiceClient,
} from '@yandex-cloud/nodejs-sdk/vpc-v1/security_group_service';
import {
  ListSubnetOperationsRequest,
  ListSubnetsRequest,
  SubnetServiceClient,
} from '@yandex-cloud/nodejs-sdk/vpc-v1/subnet_service';
import { CHANNEL_OPTIONS, type UnaryMethod } from '../../cloud/unary';
import type { ResourceKind } from '../../model';

export type Api = 'compute' | 'vpc' | 'k8s' | 'mdb';

/** What a sweep needs of one kind of resource: list them in a folder, list their operations. */
export interface KindSpec {
  readonly api: Api;
  readonly client: new (address: string, creds: ChannelCredentials, options: object) => Client;
  listRequest(folderId: string, pageToken: string): object;
  listedIds(response: Record<string, unknown>): string[];
  operationsRequest(resourceId: string, pageToken: string): object;
}

const PAGE_SIZE = 1000;

const ids = (field: string) => (response: Record<string, unknown>) =>
  ((response[field] as Array<{ id: string }> | undefined) ?? []).map((r) => r.id);

interface Paged {
  pageToken: string;
  pageSize: number;
}

/** What every managed database's generated cluster_service module has, under the same names. */
interface MdbClusterService {
  ClusterServiceClient: KindSpec['client'];
  ListClustersRequest: { fromPartial(request: Paged & { folderId: string }): object };
  ListClusterOperationsRequest: { fromPartial(request: Paged & { clusterId: string }): object };
}

/** The managed databases list their clusters by folder and operations by cluster alike. */
const mdbCluster = (service: MdbClusterService): KindSpec => ({
  api: 'mdb',
  client: service.ClusterServiceClient,
  listRequest: (folderId, pageToken) =>
    service.ListClustersRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
  listedIds: ids('clusters'),
  operationsRequest: (clusterId, pageToken) =>
    service.ListClusterOperationsRequest.fromPartial({ clusterId, pageToken, pageSize: PAGE_SIZE }),
});

export const KINDS: Record<ResourceKind, KindSpec> = {
  'compute.instance': {
    api: 'compute',
    client: InstanceServiceClient,
    listRequest: (folderId, pageToken) =>
      ListInstancesRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('instances'),
    operationsRequest: (instanceId, pageToken) =>
      ListInstanceOperationsRequest.fromPartial({ instanceId, pageToken, pageSize: PAGE_SIZE }),
  },
  'compute.disk': {
    api: 'compute',
    client: DiskServiceClient,
    listRequest: (folderId, pageToken) =>
      ListDisksRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('disks'),
    operationsRequest: (diskId, pageToken) =>
      ListDiskOperationsRequest.fromPartial({ diskId, pageToken, pageSize: PAGE_SIZE }),
  },
  'compute.image': {
    api: 'compute',
    client: ImageServiceClient,
    listRequest: (folderId, pageToken) =>
      ListImagesRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('images'),
    operationsRequest: (imageId, pageToken) =>
      ListImageOperationsRequest.fromPartial({ imageId, pageToken, pageSize: PAGE_SIZE }),
  },
  'vpc.network': {
    api: 'vpc',
    client: NetworkServiceClient,
    listRequest: (folderId, pageToken) =>
      ListNetworksRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('networks'),
    operationsRequest: (networkId, pageToken) =>
      ListNetworkOperationsRequest.fromPartial({ networkId, pageToken, pageSize: PAGE_SIZE }),
  },
  'vpc.subnet': {
    api: 'vpc',
    client: SubnetServiceClient,
    listRequest: (folderId, pageToken) =>
      ListSubnetsRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('subnets'),
    operationsRequest: (subnetId, pageToken) =>
      ListSubnetOperationsRequest.fromPartial({ subnetId, pageToken, pageSize: PAGE_SIZE }),
  },
  'vpc.routeTable': {
    api: 'vpc',
    client: RouteTableServiceClient,
    listRequest: (folderId, pageToken) =>
      ListRouteTablesRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('routeTables'),
    operationsRequest: (routeTableId, pageToken) =>
      ListRouteTableOperationsRequest.fromPartial({ routeTableId, pageToken, pageSize: PAGE_SIZE }),
  },
  'vpc.securityGroup': {
    api: 'vpc',
    client: SecurityGroupServiceClient,
    listRequest: (folderId, pageToken) =>
      ListSecurityGroupsRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('securityGroups'),
    operationsRequest: (securityGroupId, pageToken) =>
      ListSecurityGroupOperationsRequest.fromPartial({
        securityGroupId,
        pageToken,
        pageSize: PAGE_SIZE,
      }),
  },
  'k8s.cluster': {
    api: 'k8s',
    client: K8sClusterServiceClient,
    listRequest: (folderId, pageToken) =>
      ListK8sClustersRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('clusters'),
    operationsRequest: (clusterId, pageToken) =>
      ListK8sClusterOperationsRequest.fromPartial({ clusterId, pageToken, pageSize: PAGE_SIZE }),
  },
  'k8s.nodeGroup': {
    api: 'k8s',
    client: NodeGroupServiceClient,
    listRequest: (folderId, pageToken) =>
      ListNodeGroupsRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('nodeGroups'),
    operationsRequest: (nodeGroupId, pageToken) =>
      ListNodeGroupOperationsRequest.fromPartial({ nodeGroupId, pageToken, pageSize: PAGE_SIZE }),
  },
  // Instance groups are served by the Compute API's host (the SDK's endpoint map).
  'compute.instanceGroup': {
    api: 'compute',
    client: InstanceGroupServiceClient,
    listRequest: (folderId, pageToken) =>
      ListInstanceGroupsRequest.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listedIds: ids('instanceGroups'),
    operationsRequest: (instanceGroupId, pageToken) =>
      ListInstanceGroupOperationsRequest.fromPartial({
        instanceGroupId,
        pageToken,
        pageSize: PAGE_SIZE,
      }),
  },
  'mdb.postgresql': mdbCluster(postgresql),
  'mdb.mysql': mdbCluster(mysql),
  'mdb.clickhouse': mdbCluster(clickhouse),
  'mdb.redis': mdbCluster(redis),
  'mdb.mongodb': mdbCluster(mongodb),
  'mdb.kafka': mdbCluster(kafka),
};

/** One client per kind and endpoint, kept while the instance is warm, as the cancel client is. */
const clients = new Map<string, Client>();

export interface KindClient {
  list: UnaryMethod<object, Record<string, unknown> & { nextPageToken: string }>;
  listOperations: UnaryMethod<object, { operations: Operation[]; nextPageToken: string }>;
}

export function clientFor(kind: ResourceKind, endpoint: string): KindClient {
  const key = `${kind} ${endpoint}`;
  let client = clients.get(key);
  if (!client) {
    client = new KINDS[kind].client(endpoint, credentials.createSsl(), CHANNEL_OPTIONS);
    clients.set(key, client);
  }
  const methods = client as unknown as Record<keyof KindClient, KindClient[keyof KindClient]>;
  return {
    list: methods.list.bind(client) as KindClient['list'],
    listOperations: methods.listOperations.bind(client) as KindClient['listOperations'],
  };
}
