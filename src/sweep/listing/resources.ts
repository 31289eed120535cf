import { type ChannelCredentials, type Client, credentials } from '@grpc/grpc-js';
import {
  ListPrivateConnectionOperationsRequest,
  ListPrivateConnectionsRequest,
  PrivateConnectionServiceClient,
} from '@yandex-cloud/nodejs-sdk/cic-v1/private_connection_service';
import {
  ListTrunkConnectionOperationsRequest,
  ListTrunkConnectionsRequest,
  TrunkConnectionServiceClient,
} from '@yandex-cloud/nodejs-sdk/cic-v1/trunk_connection_service';
import {
  ListRoutingInstanceOperationsRequest,
  ListRoutingInstancesRequest,
  RoutingInstanceServiceClient,
} from '@yandex-cloud/nodejs-sdk/cloudrouter-v1/routing_instance_service';
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
  ListReservedInstancePoolOperationsRequest,
  ListReservedInstancePoolsRequest,
  ReservedInstancePoolServiceClient,
} from '@yandex-cloud/nodejs-sdk/compute-v1/reserved_instance_pool_service';
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

export type Api = 'compute' | 'vpc' | 'k8s' | 'mdb' | 'cic' | 'cloudrouter';

/** A listed resource: what a sweep looks for operations on, and filters by. */
export interface Listed {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** What a sweep needs of one kind of resource: list them in a folder, list their operations. */
export interface KindSpec {
  readonly api: Api;
  readonly client: new (address: string, creds: ChannelCredentials, options: object) => Client;
  listRequest(folderId: string, pageToken: string): object;
  listed(response: Record<string, unknown>): Listed[];
  operationsRequest(resourceId: string, pageToken: string): object;
}

// Every listing here takes up to 1000 a page (`page_size` `(value) = "<=1000"` in each proto).
const PAGE_SIZE = 1000;

interface Paged {
  pageToken: string;
  pageSize: number;
}

/**
 * Every kind lists its resources by folder and its operations by resource, with the same paging;
 * only the message types and two field names differ.
 */
function kindSpec<Id extends string>(spec: {
  api: Api;
  client: KindSpec['client'];
  list: { fromPartial(request: Paged & { folderId: string }): object };
  /** The repeated field of the List response. */
  items: string;
  operations: { fromPartial(request: Paged & { [k in Id]: string }): object };
  /** The field of the ListOperations request that names the resource. */
  idField: Id;
}): KindSpec {
  return {
    api: spec.api,
    client: spec.client,
    listRequest: (folderId, pageToken) =>
      spec.list.fromPartial({ folderId, pageToken, pageSize: PAGE_SIZE }),
    listed: (response) =>
      ((response[spec.items] as Array<Partial<Listed>> | undefined) ?? []).map((r) => ({
        id: r.id ?? '',
        labels: r.labels ?? {},
      })),
    operationsRequest: (resourceId, pageToken) =>
      spec.operations.fromPartial({
        [spec.idField]: resourceId,
        pageToken,
        pageSize: PAGE_SIZE,
      } as Paged & { [k in Id]: string }),
  };
}

/** What every managed database's generated cluster_service module has, under the same names. */
interface MdbClusterService {
  ClusterServiceClient: KindSpec['client'];
  ListClustersRequest: { fromPartial(request: Paged & { folderId: string }): object };
  ListClusterOperationsRequest: { fromPartial(request: Paged & { clusterId: string }): object };
}

/** The managed databases list their clusters by folder and operations by cluster alike. */
const mdbCluster = (service: MdbClusterService): KindSpec =>
  kindSpec({
    api: 'mdb',
    client: service.ClusterServiceClient,
    list: service.ListClustersRequest,
    items: 'clusters',
    operations: service.ListClusterOperationsRequest,
    idField: 'clusterId',
  });

export const KINDS: Record<ResourceKind, KindSpec> = {
  'compute.instance': kindSpec({
    api: 'compute',
    client: InstanceServiceClient,
    list: ListInstancesRequest,
    items: 'instances',
    operations: ListInstanceOperationsRequest,
    idField: 'instanceId',
  }),
  'compute.disk': kindSpec({
    api: 'compute',
    client: DiskServiceClient,
    list: ListDisksRequest,
    items: 'disks',
    operations: ListDiskOperationsRequest,
    idField: 'diskId',
  }),
  'compute.image': kindSpec({
    api: 'compute',
    client: ImageServiceClient,
    list: ListImagesRequest,
    items: 'images',
    operations: ListImageOperationsRequest,
    idField: 'imageId',
  }),
  'compute.reservedInstancePool': kindSpec({
    api: 'compute',
    client: ReservedInstancePoolServiceClient,
    list: ListReservedInstancePoolsRequest,
    items: 'reservedInstancePools',
    operations: ListReservedInstancePoolOperationsRequest,
    idField: 'reservedInstancePoolId',
  }),
  'vpc.network': kindSpec({
    api: 'vpc',
    client: NetworkServiceClient,
    list: ListNetworksRequest,
    items: 'networks',
    operations: ListNetworkOperationsRequest,
    idField: 'networkId',
  }),
  'vpc.subnet': kindSpec({
    api: 'vpc',
    client: SubnetServiceClient,
    list: ListSubnetsRequest,
    items: 'subnets',
    operations: ListSubnetOperationsRequest,
    idField: 'subnetId',
  }),
  'vpc.routeTable': kindSpec({
    api: 'vpc',
    client: RouteTableServiceClient,
    list: ListRouteTablesRequest,
    items: 'routeTables',
    operations: ListRouteTableOperationsRequest,
    idField: 'routeTableId',
  }),
  'vpc.securityGroup': kindSpec({
    api: 'vpc',
    client: SecurityGroupServiceClient,
    list: ListSecurityGroupsRequest,
    items: 'securityGroups',
    operations: ListSecurityGroupOperationsRequest,
    idField: 'securityGroupId',
  }),
  'cic.privateConnection': kindSpec({
    api: 'cic',
    client: PrivateConnectionServiceClient,
    list: ListPrivateConnectionsRequest,
    items: 'privateConnections',
    operations: ListPrivateConnectionOperationsRequest,
    idField: 'privateConnectionId',
  }),
  'cic.trunkConnection': kindSpec({
    api: 'cic',
    client: TrunkConnectionServiceClient,
    list: ListTrunkConnectionsRequest,
    items: 'trunkConnections',
    operations: ListTrunkConnectionOperationsRequest,
    idField: 'trunkConnectionId',
  }),
  'cloudrouter.routingInstance': kindSpec({
    api: 'cloudrouter',
    client: RoutingInstanceServiceClient,
    list: ListRoutingInstancesRequest,
    items: 'routingInstances',
    operations: ListRoutingInstanceOperationsRequest,
    idField: 'routingInstanceId',
  }),
  'k8s.cluster': kindSpec({
    api: 'k8s',
    client: K8sClusterServiceClient,
    list: ListK8sClustersRequest,
    items: 'clusters',
    operations: ListK8sClusterOperationsRequest,
    idField: 'clusterId',
  }),
  'k8s.nodeGroup': kindSpec({
    api: 'k8s',
    client: NodeGroupServiceClient,
    list: ListNodeGroupsRequest,
    items: 'nodeGroups',
    operations: ListNodeGroupOperationsRequest,
    idField: 'nodeGroupId',
  }),
  // Instance groups are served by the Compute API's host (the SDK's endpoint map).
  'compute.instanceGroup': kindSpec({
    api: 'compute',
    client: InstanceGroupServiceClient,
    list: ListInstanceGroupsRequest,
    items: 'instanceGroups',
    operations: ListInstanceGroupOperationsRequest,
    idField: 'instanceGroupId',
  }),
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

/** The kind's generated client for the endpoint, made once and kept while the instance is warm. */
export function cachedClient(kind: ResourceKind, endpoint: string): Client {
  const key = `${kind} ${endpoint}`;
  let client = clients.get(key);
  if (!client) {
    client = new KINDS[kind].client(endpoint, credentials.createSsl(), CHANNEL_OPTIONS);
    clients.set(key, client);
  }
  return client;
}

/** A unary method of a generated client, bound to it. */
export function methodOf<Res>(client: Client, key: string): UnaryMethod<object, Res> {
  const method = (client as unknown as Record<string, UnaryMethod<object, Res>>)[key];
  return (method as UnaryMethod<object, Res>).bind(client);
}

export function clientFor(kind: ResourceKind, endpoint: string): KindClient {
  const client = cachedClient(kind, endpoint);
  return { list: methodOf(client, 'list'), listOperations: methodOf(client, 'listOperations') };
}
