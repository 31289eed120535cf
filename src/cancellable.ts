import type { CANCELLABLE_KINDS } from './model';

type CancellableKind = (typeof CANCELLABLE_KINDS)[number];

/**
 * What a kind's service does with operations: its package, the methods whose operation the proto
 * marks "can be cancelled while it is in progress" with the metadata type each returns (its
 * `option (api.operation).metadata`), and the metadata types of its other methods.
 * test/sweep/cancellable.test.ts holds each row to the installed SDK's generated service: the
 * marked methods, and the metadata messages it exports.
 */
interface MethodTable {
  readonly package: string;
  /**
   * The service of the kind's resources, whose `Get` (its request's id is field 1) answers the
   * resource with its folder_id at `folderField`: where a scoped deployment places an operation
   * by the resource its metadata names (its field 1).
   */
  readonly service: string;
  readonly folderField: number;
  readonly cancellable: Readonly<Record<string, string>>;
  readonly other: readonly string[];
}

export const METHODS: Readonly<Record<CancellableKind, MethodTable>> = {
  'compute.instance': {
    package: 'yandex.cloud.compute.v1',
    service: 'InstanceService',
    folderField: 2,
    cancellable: { Create: 'CreateInstanceMetadata' },
    other: [
      'UpdateInstanceMetadata',
      'DeleteInstanceMetadata',
      'UpdateInstanceMetadataMetadata',
      'StopInstanceMetadata',
      'StartInstanceMetadata',
      'RestartInstanceMetadata',
      'AttachInstanceDiskMetadata',
      'DetachInstanceDiskMetadata',
      'AttachInstanceFilesystemMetadata',
      'DetachInstanceFilesystemMetadata',
      'AttachInstanceNetworkInterfaceMetadata',
      'DetachInstanceNetworkInterfaceMetadata',
      'AddInstanceOneToOneNatMetadata',
      'RemoveInstanceOneToOneNatMetadata',
      'UpdateInstanceNetworkInterfaceMetadata',
      'SimulateInstanceMaintenanceEventMetadata',
      'MoveInstanceMetadata',
      'RelocateInstanceMetadata',
      'GuestStopInstanceMetadata',
      'PreemptInstanceMetadata',
      'CrashInstanceMetadata',
    ],
  },
  'compute.disk': {
    package: 'yandex.cloud.compute.v1',
    service: 'DiskService',
    folderField: 2,
    cancellable: { Create: 'CreateDiskMetadata' },
    other: ['UpdateDiskMetadata', 'DeleteDiskMetadata', 'MoveDiskMetadata', 'RelocateDiskMetadata'],
  },
  'compute.image': {
    package: 'yandex.cloud.compute.v1',
    service: 'ImageService',
    folderField: 2,
    cancellable: { Create: 'CreateImageMetadata' },
    other: ['UpdateImageMetadata', 'DeleteImageMetadata'],
  },
  'compute.reservedInstancePool': {
    package: 'yandex.cloud.compute.v1',
    service: 'ReservedInstancePoolService',
    folderField: 4,
    cancellable: { Create: 'CreateReservedInstancePoolMetadata' },
    other: ['UpdateReservedInstancePoolMetadata', 'DeleteReservedInstancePoolMetadata'],
  },
  'vpc.network': {
    package: 'yandex.cloud.vpc.v1',
    service: 'NetworkService',
    folderField: 2,
    cancellable: { Create: 'CreateNetworkMetadata', Update: 'UpdateNetworkMetadata' },
    other: ['DeleteNetworkMetadata', 'MoveNetworkMetadata'],
  },
  'vpc.subnet': {
    package: 'yandex.cloud.vpc.v1',
    service: 'SubnetService',
    folderField: 2,
    cancellable: {
      Create: 'CreateSubnetMetadata',
      Update: 'UpdateSubnetMetadata',
      AddCidrBlocks: 'AddSubnetCidrBlocksMetadata',
      RemoveCidrBlocks: 'RemoveSubnetCidrBlocksMetadata',
    },
    other: ['DeleteSubnetMetadata', 'MoveSubnetMetadata', 'RelocateSubnetMetadata'],
  },
  'vpc.routeTable': {
    package: 'yandex.cloud.vpc.v1',
    service: 'RouteTableService',
    folderField: 2,
    cancellable: { Create: 'CreateRouteTableMetadata', Update: 'UpdateRouteTableMetadata' },
    other: ['DeleteRouteTableMetadata', 'MoveRouteTableMetadata'],
  },
  'vpc.securityGroup': {
    package: 'yandex.cloud.vpc.v1',
    service: 'SecurityGroupService',
    folderField: 2,
    cancellable: { Update: 'UpdateSecurityGroupMetadata' },
    other: [
      'CreateSecurityGroupMetadata',
      'UpdateSecurityGroupRuleMetadata',
      'DeleteSecurityGroupMetadata',
      'MoveSecurityGroupMetadata',
    ],
  },
  'cic.privateConnection': {
    package: 'yandex.cloud.cic.v1',
    service: 'PrivateConnectionService',
    folderField: 5,
    cancellable: {
      Create: 'CreatePrivateConnectionMetadata',
      Update: 'UpdatePrivateConnectionMetadata',
      Delete: 'DeletePrivateConnectionMetadata',
      UpsertStaticRoute: 'UpsertStaticRouteMetadata',
      RemoveStaticRoute: 'RemoveStaticRouteMetadata',
    },
    other: ['MovePrivateConnectionMetadata'],
  },
  'cic.trunkConnection': {
    package: 'yandex.cloud.cic.v1',
    service: 'TrunkConnectionService',
    folderField: 5,
    cancellable: {
      Create: 'CreateTrunkConnectionMetadata',
      Update: 'UpdateTrunkConnectionMetadata',
      Delete: 'DeleteTrunkConnectionMetadata',
    },
    other: ['MoveTrunkConnectionMetadata'],
  },
  // Every method that changes a routing instance but Move is marked, and all but Create, Delete
  // and Move return UpdateRoutingInstanceMetadata (routing_instance_service.proto).
  'cloudrouter.routingInstance': {
    package: 'yandex.cloud.cloudrouter.v1',
    service: 'RoutingInstanceService',
    folderField: 5,
    cancellable: {
      Create: 'CreateRoutingInstanceMetadata',
      Update: 'UpdateRoutingInstanceMetadata',
      UpsertPrefixes: 'UpdateRoutingInstanceMetadata',
      RemovePrefixes: 'UpdateRoutingInstanceMetadata',
      UpdateNetworks: 'UpdateRoutingInstanceMetadata',
      MovePrefix: 'UpdateRoutingInstanceMetadata',
      UpdatePrefixMask: 'UpdateRoutingInstanceMetadata',
      AddPrivateConnection: 'UpdateRoutingInstanceMetadata',
      RemovePrivateConnection: 'UpdateRoutingInstanceMetadata',
      Delete: 'DeleteRoutingInstanceMetadata',
    },
    other: ['MoveRoutingInstanceMetadata'],
  },
};

/** Whether the API can cancel an operation, as its metadata's type tells. */
export const Cancellability = {
  Cancellable: 'cancellable',
  /** Its method is one the proto does not mark: a Cancel would be refused. */
  NotCancellable: 'not_cancellable',
  /** Its type is none of the table's, or it has none: a Cancel is tried, and does no harm. */
  Unknown: 'unknown',
} as const;
export type Cancellability = (typeof Cancellability)[keyof typeof Cancellability];

/** Each metadata type of the table by its full name, and whether its method is cancellable. */
const BY_TYPE: ReadonlyMap<string, boolean> = new Map(
  Object.values(METHODS).flatMap(({ package: pkg, cancellable, other }) => [
    ...Object.values(cancellable).map((name) => [`${pkg}.${name}`, true] as const),
    ...other.map((name) => [`${pkg}.${name}`, false] as const),
  ]),
);

/** The message name an Any's type URL names: `type.googleapis.com/yandex.cloud.…Metadata`. */
export const typeName = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('/') + 1);

/** Whether the API can cancel an operation whose metadata has this type URL. */
export function cancellabilityOf(typeUrl: string | undefined): Cancellability {
  const known = typeUrl ? BY_TYPE.get(typeName(typeUrl)) : undefined;
  if (known === undefined) return Cancellability.Unknown;
  return known ? Cancellability.Cancellable : Cancellability.NotCancellable;
}
