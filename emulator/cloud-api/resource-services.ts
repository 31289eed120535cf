import type { MethodDefinition } from '@grpc/grpc-js';
import { PrivateConnectionServiceService } from '@yandex-cloud/nodejs-sdk/cic-v1/private_connection_service';
import { TrunkConnectionServiceService } from '@yandex-cloud/nodejs-sdk/cic-v1/trunk_connection_service';
import { RoutingInstanceServiceService } from '@yandex-cloud/nodejs-sdk/cloudrouter-v1/routing_instance_service';
import { DiskServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/disk_service';
import { ImageServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/image_service';
import { InstanceServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import { InstanceGroupServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/instancegroup/instance_group_service';
import { ReservedInstancePoolServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/reserved_instance_pool_service';
import { SnapshotServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/snapshot_service';
import { ClusterServiceService as K8sClusterService } from '@yandex-cloud/nodejs-sdk/k8s-v1/cluster_service';
import { NodeGroupServiceService } from '@yandex-cloud/nodejs-sdk/k8s-v1/node_group_service';
import { ClusterServiceService as ClickhouseService } from '@yandex-cloud/nodejs-sdk/mdb-clickhouse-v1/cluster_service';
import { ClusterServiceService as KafkaService } from '@yandex-cloud/nodejs-sdk/mdb-kafka-v1/cluster_service';
import { ClusterServiceService as MongodbService } from '@yandex-cloud/nodejs-sdk/mdb-mongodb-v1/cluster_service';
import { ClusterServiceService as MysqlService } from '@yandex-cloud/nodejs-sdk/mdb-mysql-v1/cluster_service';
import { ClusterServiceService as PostgresqlService } from '@yandex-cloud/nodejs-sdk/mdb-postgresql-v1/cluster_service';
import { ClusterServiceService as RedisService } from '@yandex-cloud/nodejs-sdk/mdb-redis-v1/cluster_service';
import { NetworkServiceService } from '@yandex-cloud/nodejs-sdk/vpc-v1/network_service';
import { RouteTableServiceService } from '@yandex-cloud/nodejs-sdk/vpc-v1/route_table_service';
import { SecurityGroupServiceService } from '@yandex-cloud/nodejs-sdk/vpc-v1/security_group_service';
import { SubnetServiceService } from '@yandex-cloud/nodejs-sdk/vpc-v1/subnet_service';
import type { ResourceKind } from '../../src/model';

export type { ResourceKind };

type ListingServiceDefinition = {
  // biome-ignore lint/suspicious/noExplicitAny: each generated service has its own message types
  [method in 'get' | 'list' | 'listOperations']: MethodDefinition<any, any>;
};

export interface ListedResource {
  id: string;
  folderId: string;
  name: string;
  labels: Record<string, string>;
}

/** Which generated service lists a kind of resource, and the kind's field names in it. */
export interface ResourceService {
  service: ListingServiceDefinition;
  /** The field of ListXOperationsRequest (and GetXRequest) that names the resource. */
  idField: string;
  /** The field of ListXsResponse that holds the resources. */
  itemsField: string;
  /** The resource as List and Get return it, with the fields its message has of these. */
  toMessage(resource: ListedResource): object;
}

const EMPTY = Buffer.alloc(0);

/**
 * The field names are read off the generated code itself: each message decoded from no bytes is
 * its defaults, with its fields in proto order. ListXOperationsRequest names the resource in its
 * first field, ListXsResponse holds the one repeated field, and the resource message says which
 * of id, folder_id, name and labels it has (a node group has no folder_id: it is its cluster's).
 */
function described(service: ListingServiceDefinition): ResourceService {
  const request = service.listOperations.requestDeserialize(EMPTY) as object;
  const response = service.list.responseDeserialize(EMPTY) as Record<string, unknown>;
  const idField = Object.keys(request)[0] as string;
  const itemsField = Object.keys(response).find((k) => Array.isArray(response[k])) as string;
  const toMessage = (resource: ListedResource) => {
    const message = service.get.responseDeserialize(EMPTY) as Record<string, unknown>;
    const known = Object.entries(resource).filter(([field]) => field in message);
    return { ...message, ...Object.fromEntries(known) };
  };
  return { service, idField, itemsField, toMessage };
}

const SERVICES: Record<ResourceKind, ListingServiceDefinition> = {
  'compute.instance': InstanceServiceService,
  'compute.disk': DiskServiceService,
  'compute.image': ImageServiceService,
  'compute.snapshot': SnapshotServiceService,
  'compute.instanceGroup': InstanceGroupServiceService,
  'compute.reservedInstancePool': ReservedInstancePoolServiceService,
  'vpc.network': NetworkServiceService,
  'vpc.subnet': SubnetServiceService,
  'vpc.routeTable': RouteTableServiceService,
  'vpc.securityGroup': SecurityGroupServiceService,
  'k8s.cluster': K8sClusterService,
  'k8s.nodeGroup': NodeGroupServiceService,
  'mdb.postgresql': PostgresqlService,
  'mdb.mysql': MysqlService,
  'mdb.clickhouse': ClickhouseService,
  'mdb.redis': RedisService,
  'mdb.mongodb': MongodbService,
  'mdb.kafka': KafkaService,
  'cic.privateConnection': PrivateConnectionServiceService,
  'cic.trunkConnection': TrunkConnectionServiceService,
  'cloudrouter.routingInstance': RoutingInstanceServiceService,
};

export const RESOURCE_SERVICES = Object.fromEntries(
  Object.entries(SERVICES).map(([kind, service]) => [kind, described(service)]),
) as Record<ResourceKind, ResourceService>;
