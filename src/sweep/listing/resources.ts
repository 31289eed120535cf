import type { Operation } from '../../cloud/operation-api';
import type { RpcMethod } from '../../cloud/unary';
import type { ResourceKind } from '../../model';
import { type Listed, listMethod, listOperationsMethod, type Page, type PageRequest } from './wire';

export type Api = 'compute' | 'vpc' | 'k8s' | 'mdb' | 'cic' | 'cloudrouter';

/**
 * What a sweep needs of one kind of resource: the service that lists the kind in a folder
 * (`List`) and the operations of one of them (`ListOperations`), and the number of the
 * resource's `labels` field. Every kind's List and ListOperations messages share one layout
 * (listing/wire.ts); test/wire/ holds each row to the SDK's generated service and messages.
 */
export interface KindSpec {
  readonly api: Api;
  readonly list: RpcMethod<PageRequest, Page<Listed>>;
  readonly listOperations: RpcMethod<PageRequest, Page<Operation>>;
}

/** A kind by the API that serves it, its service's name in the protos, and its labels' number. */
function kind(api: Api, name: string, labelsField = 6): KindSpec {
  const service = `yandex.cloud.${name}`;
  return {
    api,
    list: listMethod(service, labelsField),
    listOperations: listOperationsMethod(service),
  };
}

export const KINDS: Record<ResourceKind, KindSpec> = {
  'compute.instance': kind('compute', 'compute.v1.InstanceService'),
  'compute.disk': kind('compute', 'compute.v1.DiskService'),
  'compute.image': kind('compute', 'compute.v1.ImageService'),
  'compute.reservedInstancePool': kind('compute', 'compute.v1.ReservedInstancePoolService', 7),
  'vpc.network': kind('vpc', 'vpc.v1.NetworkService'),
  'vpc.subnet': kind('vpc', 'vpc.v1.SubnetService'),
  'vpc.routeTable': kind('vpc', 'vpc.v1.RouteTableService'),
  'vpc.securityGroup': kind('vpc', 'vpc.v1.SecurityGroupService'),
  'cic.privateConnection': kind('cic', 'cic.v1.PrivateConnectionService', 24),
  'cic.trunkConnection': kind('cic', 'cic.v1.TrunkConnectionService', 23),
  'cloudrouter.routingInstance': kind('cloudrouter', 'cloudrouter.v1.RoutingInstanceService', 24),
  'k8s.cluster': kind('k8s', 'k8s.v1.ClusterService'),
  'k8s.nodeGroup': kind('k8s', 'k8s.v1.NodeGroupService'),
  // Instance groups are served by the Compute API's host (the SDK's endpoint map).
  'compute.instanceGroup': kind('compute', 'compute.v1.instancegroup.InstanceGroupService'),
  'mdb.postgresql': kind('mdb', 'mdb.postgresql.v1.ClusterService'),
  'mdb.mysql': kind('mdb', 'mdb.mysql.v1.ClusterService'),
  'mdb.clickhouse': kind('mdb', 'mdb.clickhouse.v1.ClusterService'),
  'mdb.redis': kind('mdb', 'mdb.redis.v1.ClusterService'),
  'mdb.mongodb': kind('mdb', 'mdb.mongodb.v1.ClusterService'),
  'mdb.kafka': kind('mdb', 'mdb.kafka.v1.ClusterService'),
  'compute.snapshot': kind('compute', 'compute.v1.SnapshotService'),
};
