import { status } from '@grpc/grpc-js';
import { UpdateRoutingInstanceMetadata } from '@yandex-cloud/nodejs-sdk/cloudrouter-v1/routing_instance_service';
import { CreateDiskMetadata } from '@yandex-cloud/nodejs-sdk/compute-v1/disk_service';
import {
  CreateInstanceMetadata,
  RestartInstanceMetadata,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import { UpdateClusterMetadata } from '@yandex-cloud/nodejs-sdk/k8s-v1/cluster_service';
import { UpdateBucketMetadata } from '@yandex-cloud/nodejs-sdk/storage-v1/bucket_service';
import { UpdateNetworkMetadata } from '@yandex-cloud/nodejs-sdk/vpc-v1/network_service';
import type { FakeOperation, FakeResource } from './cloud-api-server';

/** The emulator's one folder and its cloud: what examples/sweep.json sweeps. */
// function.yaml's example folder, which its timer sweeps and its ALLOWED_FOLDERS names: the
// manifest as it stands runs against the emulator.
export const SEEDED_FOLDER = 'b1gexamplefolder0001';
export const SEEDED_CLOUD = 'b1gemulatorcloud0001';

const [VM, NET, DISK, K8S, ROUTER] = [
  'fhmemulatorvm0000001',
  'enpemulatornet000001',
  'fhmemulatordisk00001',
  'catemulatork8s000001',
  'cr1emulatorrouter001',
] as const;

/** The resources the seeded operations run on, so a sweep finds them as it would in a folder. */
export const SEEDED_RESOURCES: readonly FakeResource[] = [
  // Labelled, so that examples/sweep-policy.json's `exclude` has something to protect.
  { kind: 'compute.instance', id: VM, folderId: SEEDED_FOLDER, labels: { env: 'prod' } },
  { kind: 'vpc.network', id: NET, folderId: SEEDED_FOLDER },
  { kind: 'compute.disk', id: DISK, folderId: SEEDED_FOLDER },
  { kind: 'k8s.cluster', id: K8S, folderId: SEEDED_FOLDER },
  { kind: 'cloudrouter.routingInstance', id: ROUTER, folderId: SEEDED_FOLDER },
];

export interface SeededOperation {
  readonly operation: FakeOperation;
  /** What a person reads in the banner: the state, and what the function will make of it. */
  readonly story: string;
}

interface MetadataMessage<T> {
  fromPartial(fields: Partial<T>): T;
  encode(message: T): { finish(): Uint8Array };
}

/**
 * A running operation, with ids shaped like real ones: its age, who started it, and its
 * metadata as the API answers it, the method's message (`type`, its full name) naming its
 * resource.
 */
function seeded<T>(
  [id, description, minutes, createdBy]: [string, string, number, string],
  [type, message, fields]: [string, MetadataMessage<T>, Partial<T>],
  rest: Partial<FakeOperation> = {},
): FakeOperation {
  return {
    id,
    description,
    createdAt: new Date(Date.now() - minutes * 60_000),
    createdBy: `ajeoperator00000000${createdBy}`,
    metadata: {
      typeUrl: `type.googleapis.com/yandex.cloud.${type}`,
      value: Buffer.from(message.encode(message.fromPartial(fields)).finish()),
    },
    ...rest,
  };
}

const NOT_CANCELLABLE = {
  cancel: { code: status.UNIMPLEMENTED, message: 'Operation cancellation is not supported' },
};
/** A few operations in the states a real folder shows. */
export function seededOperations(): SeededOperation[] {
  return [
    {
      operation: seeded(
        ['fd8stuckinstance0001', 'Create instance', 95, '1'],
        ['compute.v1.CreateInstanceMetadata', CreateInstanceMetadata, { instanceId: VM }],
        { cancel: 'cancels', resourceId: VM },
      ),
      story: 'running, cancellable → cancelled',
    },
    {
      operation: seeded(
        ['enpstucknetwork00002', 'Update network', 60, '1'],
        ['vpc.v1.UpdateNetworkMetadata', UpdateNetworkMetadata, { networkId: NET }],
        { cancel: 'slowly', cancelTakesMs: 10_000, resourceId: NET },
      ),
      story: 'running, takes 10 s to cancel → cancelling (a later run: already_done)',
    },
    {
      operation: seeded(
        ['fhmstuckbucket000003', 'Update bucket', 45, '2'],
        ['storage.v1.UpdateBucketMetadata', UpdateBucketMetadata, { name: 'emulator-bucket' }],
        NOT_CANCELLABLE,
      ),
      // A bucket is no kind the function can place in a folder, so function.yaml's scope
      // (ALLOWED_FOLDERS) leaves it alone before any Cancel; with no scope, the Cancel says.
      story:
        'running, of a service no scope can place → outside_policy (with no scope: not_cancellable)',
    },
    {
      operation: seeded(
        ['fd8finisheddisk00004', 'Create disk', 30, '2'],
        ['compute.v1.CreateDiskMetadata', CreateDiskMetadata, { diskId: DISK }],
        { done: true, resourceId: DISK },
      ),
      story: 'done → already_done',
    },
    {
      operation: seeded(
        ['fhmyounginstance0005', 'Restart instance', 5, '1'],
        ['compute.v1.RestartInstanceMetadata', RestartInstanceMetadata, { instanceId: VM }],
        { resourceId: VM },
      ),
      story: 'running for 5 min → a sweep of olderThan 30m leaves it alone',
    },
    {
      operation: seeded(
        ['catstuckk8supdate006', 'Update Kubernetes cluster', 120, '2'],
        ['k8s.v1.UpdateClusterMetadata', UpdateClusterMetadata, { clusterId: K8S }],
        { resourceId: K8S, ...NOT_CANCELLABLE },
      ),
      story: 'running 2 h on a Kubernetes cluster, not cancellable → a sweep reports it stuck',
    },
    {
      operation: seeded(
        ['cr1stuckrouting00007', 'Upsert prefixes', 50, '2'],
        [
          'cloudrouter.v1.UpdateRoutingInstanceMetadata',
          UpdateRoutingInstanceMetadata,
          { routingInstanceId: ROUTER },
        ],
        { cancel: 'cancels', resourceId: ROUTER },
      ),
      story: 'running 50 min on a Cloud Router routing instance, cancellable → cancelled',
    },
  ];
}
