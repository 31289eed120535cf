import type { MethodDefinition } from '@grpc/grpc-js';
import { PrivateConnection } from '@yandex-cloud/nodejs-sdk/cic-v1/private_connection';
import { PrivateConnectionServiceService } from '@yandex-cloud/nodejs-sdk/cic-v1/private_connection_service';
import { TrunkConnection } from '@yandex-cloud/nodejs-sdk/cic-v1/trunk_connection';
import { TrunkConnectionServiceService } from '@yandex-cloud/nodejs-sdk/cic-v1/trunk_connection_service';
import { RoutingInstance } from '@yandex-cloud/nodejs-sdk/cloudrouter-v1/routing_instance';
import { RoutingInstanceServiceService } from '@yandex-cloud/nodejs-sdk/cloudrouter-v1/routing_instance_service';
import { Disk } from '@yandex-cloud/nodejs-sdk/compute-v1/disk';
import { DiskServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/disk_service';
import { Image } from '@yandex-cloud/nodejs-sdk/compute-v1/image';
import { ImageServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/image_service';
import { Instance } from '@yandex-cloud/nodejs-sdk/compute-v1/instance';
import { InstanceServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import { InstanceGroup } from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group';
import { InstanceGroupServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group_service';
import { ReservedInstancePool } from '@yandex-cloud/nodejs-sdk/compute-v1/reserved_instance_pool';
import { ReservedInstancePoolServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/reserved_instance_pool_service';
import { Snapshot } from '@yandex-cloud/nodejs-sdk/compute-v1/snapshot';
import { SnapshotServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/snapshot_service';
import { Cluster as K8sCluster } from '@yandex-cloud/nodejs-sdk/k8s-v1/cluster';
import { ClusterServiceService as K8sClusterService } from '@yandex-cloud/nodejs-sdk/k8s-v1/cluster_service';
import { NodeGroup } from '@yandex-cloud/nodejs-sdk/k8s-v1/node_group';
import { NodeGroupServiceService } from '@yandex-cloud/nodejs-sdk/k8s-v1/node_group_service';
import { Cluster as ClickhouseCluster } from '@yandex-cloud/nodejs-sdk/mdb-clickhouse-v1/cluster';
import { ClusterServiceService as ClickhouseService } from '@yandex-cloud/nodejs-sdk/mdb-clickhouse-v1/cluster_service';
import { Cluster as KafkaCluster } from '@yandex-cloud/nodejs-sdk/mdb-kafka-v1/cluster';
import { ClusterServiceService as KafkaService } from '@yandex-cloud/nodejs-sdk/mdb-kafka-v1/cluster_service';
import { Cluster as MongodbCluster } from '@yandex-cloud/nodejs-sdk/mdb-mongodb-v1/cluster';
import { ClusterServiceService as MongodbService } from '@yandex-cloud/nodejs-sdk/mdb-mongodb-v1/cluster_service';
import { Cluster as MysqlCluster } from '@yandex-cloud/nodejs-sdk/mdb-mysql-v1/cluster';
import { ClusterServiceService as MysqlService } from '@yandex-cloud/nodejs-sdk/mdb-mysql-v1/cluster_service';
import { Cluster as PostgresqlCluster } from '@yandex-cloud/nodejs-sdk/mdb-postgresql-v1/cluster';
import { ClusterServiceService as PostgresqlService } from '@yandex-cloud/nodejs-sdk/mdb-postgresql-v1/cluster_service';
import { Cluster as RedisCluster } from '@yandex-cloud/nodejs-sdk/mdb-redis-v1/cluster';
import { ClusterServiceService as RedisService } from '@yandex-cloud/nodejs-sdk/mdb-redis-v1/cluster_service';
import { Network } from '@yandex-cloud/nodejs-sdk/vpc-v1/network';
import { NetworkServiceService } from '@yandex-cloud/nodejs-sdk/vpc-v1/network_service';
import { RouteTable } from '@yandex-cloud/nodejs-sdk/vpc-v1/route_table';
import { RouteTableServiceService } from '@yandex-cloud/nodejs-sdk/vpc-v1/route_table_service';
import { SecurityGroup } from '@yandex-cloud/nodejs-sdk/vpc-v1/security_group';
import { SecurityGroupServiceService } from '@yandex-cloud/nodejs-sdk/vpc-v1/security_group_service';
import { Subnet } from '@yandex-cloud/nodejs-sdk/vpc-v1/subnet';
import { SubnetServiceService } from '@yandex-cloud/nodejs-sdk/vpc-v1/subnet_service';

type RequestOf<M> = M extends { requestDeserialize(bytes: Buffer): infer Request }
  ? Request
  : never;
type ResponseOf<M> = M extends { responseDeserialize(bytes: Buffer): infer Response }
  ? Response
  : never;
type Fields<M> = Exclude<keyof M, 'pageSize' | 'pageToken' | 'nextPageToken'>;

interface ListingServiceDefinition {
  // biome-ignore lint/suspicious/noExplicitAny: each generated service has its own message types
  [method: string]: MethodDefinition<any, any>;
}

export interface ListedResource {
  id: string;
  folderId: string;
  name: string;
  labels: Record<string, string>;
}

/** Which generated service lists a kind of resource, and the kind's field names in it. */
export interface ResourceService<S extends ListingServiceDefinition = ListingServiceDefinition> {
  service: S;
  /** The field of ListXOperationsRequest that names the resource. */
  idField: Fields<RequestOf<S['listOperations']>> & string;
  /** The field of ListXsResponse that holds the resources. */
  itemsField: Fields<ResponseOf<S['list']>> & string;
  /** The resource as List returns it; every kind's message has a labels map, so all carry it. */
  toMessage(resource: ListedResource): unknown;
}

// Keeps each entry's field names checked against its own generated messages.
const entry = <S extends ListingServiceDefinition>(spec: ResourceService<S>): ResourceService =>
  spec as unknown as ResourceService;

export type ResourceKind =
  | 'compute.instance'
  | 'compute.disk'
  | 'compute.image'
  | 'vpc.network'
  | 'vpc.subnet'
  | 'vpc.routeTable'
  | 'vpc.securityGroup'
  | 'k8s.cluster'
  | 'k8s.nodeGroup'
  | 'compute.instanceGroup'
  | 'mdb.postgresql'
  | 'mdb.mysql'
  | 'mdb.clickhouse'
  | 'mdb.redis'
  | 'mdb.mongodb'
  | 'mdb.kafka'
  | 'compute.reservedInstancePool'
  | 'cic.privateConnection'
  | 'cic.trunkConnection'
  | 'cloudrouter.routingInstance'
  | 'compute.snapshot';

export const RESOURCE_SERVICES: Record<ResourceKind, ResourceService> = {
  'compute.instance': entry({
    service: InstanceServiceService,
    idField: 'instanceId',
    itemsField: 'instances',
    toMessage: (resource) => Instance.fromPartial(resource),
  }),
  'compute.disk': entry({
    service: DiskServiceService,
    idField: 'diskId',
    itemsField: 'disks',
    toMessage: (resource) => Disk.fromPartial(resource),
  }),
  'compute.image': entry({
    service: ImageServiceService,
    idField: 'imageId',
    itemsField: 'images',
    toMessage: (resource) => Image.fromPartial(resource),
  }),
  'vpc.network': entry({
    service: NetworkServiceService,
    idField: 'networkId',
    itemsField: 'networks',
    toMessage: (resource) => Network.fromPartial(resource),
  }),
  'vpc.subnet': entry({
    service: SubnetServiceService,
    idField: 'subnetId',
    itemsField: 'subnets',
    toMessage: (resource) => Subnet.fromPartial(resource),
  }),
  'vpc.routeTable': entry({
    service: RouteTableServiceService,
    idField: 'routeTableId',
    itemsField: 'routeTables',
    toMessage: (resource) => RouteTable.fromPartial(resource),
  }),
  'vpc.securityGroup': entry({
    service: SecurityGroupServiceService,
    idField: 'securityGroupId',
    itemsField: 'securityGroups',
    toMessage: (resource) => SecurityGroup.fromPartial(resource),
  }),
  'k8s.cluster': entry({
    service: K8sClusterService,
    idField: 'clusterId',
    itemsField: 'clusters',
    toMessage: (resource) => K8sCluster.fromPartial(resource),
  }),
  // A node group has no folder_id of its own (it is its cluster's); List still finds it by folder.
  'k8s.nodeGroup': entry({
    service: NodeGroupServiceService,
    idField: 'nodeGroupId',
    itemsField: 'nodeGroups',
    toMessage: ({ id, name, labels }) => NodeGroup.fromPartial({ id, name, labels }),
  }),
  'compute.instanceGroup': entry({
    service: InstanceGroupServiceService,
    idField: 'instanceGroupId',
    itemsField: 'instanceGroups',
    toMessage: (resource) => InstanceGroup.fromPartial(resource),
  }),
  'mdb.postgresql': entry({
    service: PostgresqlService,
    idField: 'clusterId',
    itemsField: 'clusters',
    toMessage: (resource) => PostgresqlCluster.fromPartial(resource),
  }),
  'mdb.mysql': entry({
    service: MysqlService,
    idField: 'clusterId',
    itemsField: 'clusters',
    toMessage: (resource) => MysqlCluster.fromPartial(resource),
  }),
  'mdb.clickhouse': entry({
    service: ClickhouseService,
    idField: 'clusterId',
    itemsField: 'clusters',
    toMessage: (resource) => ClickhouseCluster.fromPartial(resource),
  }),
  'mdb.redis': entry({
    service: RedisService,
    idField: 'clusterId',
    itemsField: 'clusters',
    toMessage: (resource) => RedisCluster.fromPartial(resource),
  }),
  'mdb.mongodb': entry({
    service: MongodbService,
    idField: 'clusterId',
    itemsField: 'clusters',
    toMessage: (resource) => MongodbCluster.fromPartial(resource),
  }),
  'mdb.kafka': entry({
    service: KafkaService,
    idField: 'clusterId',
    itemsField: 'clusters',
    toMessage: (resource) => KafkaCluster.fromPartial(resource),
  }),
  // yandex/cloud/compute/v1/reserved_instance_pool_service.proto. page_size is capped at 1000 as
  // elsewhere; the revisions that have ListOperations state it in a comment, not as `(value)`.
  'compute.reservedInstancePool': entry({
    service: ReservedInstancePoolServiceService,
    idField: 'reservedInstancePoolId',
    itemsField: 'reservedInstancePools',
    toMessage: (resource) => ReservedInstancePool.fromPartial(resource),
  }),
  // yandex/cloud/cic/v1/private_connection_service.proto
  'cic.privateConnection': entry({
    service: PrivateConnectionServiceService,
    idField: 'privateConnectionId',
    itemsField: 'privateConnections',
    toMessage: (resource) => PrivateConnection.fromPartial(resource),
  }),
  // yandex/cloud/cic/v1/trunk_connection_service.proto
  'cic.trunkConnection': entry({
    service: TrunkConnectionServiceService,
    idField: 'trunkConnectionId',
    itemsField: 'trunkConnections',
    toMessage: (resource) => TrunkConnection.fromPartial(resource),
  }),
  // yandex/cloud/compute/v1/snapshot_service.proto
  'compute.snapshot': entry({
    service: SnapshotServiceService,
    idField: 'snapshotId',
    itemsField: 'snapshots',
    toMessage: (resource) => Snapshot.fromPartial(resource),
  }),
  // yandex/cloud/cloudrouter/v1/routing_instance_service.proto
  'cloudrouter.routingInstance': entry({
    service: RoutingInstanceServiceService,
    idField: 'routingInstanceId',
    itemsField: 'routingInstances',
    toMessage: (resource) => RoutingInstance.fromPartial(resource),
  }),
};
