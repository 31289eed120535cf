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

/** The resources the seeded operations run on, so a sweep finds them as it would in a folder. */
export const SEEDED_RESOURCES: readonly FakeResource[] = [
  // Labelled, so that examples/sweep-policy.json's `exclude` has something to protect.
  {
    kind: 'compute.instance',
    id: 'fhmemulatorvm0000001',
    folderId: SEEDED_FOLDER,
    labels: { env: 'prod' },
  },
  { kind: 'vpc.network', id: 'enpemulatornet000001', folderId: SEEDED_FOLDER },
  { kind: 'compute.disk', id: 'fhmemulatordisk00001', folderId: SEEDED_FOLDER },
  { kind: 'k8s.cluster', id: 'catemulatork8s000001', folderId: SEEDED_FOLDER },
  { kind: 'cloudrouter.routingInstance', id: 'cr1emulatorrouter001', folderId: SEEDED_FOLDER },
];

export interface SeededOperation {
  readonly operation: FakeOperation;
  /** What a person reads in the banner: the state, and what the function will make of it. */
  readonly story: string;
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

interface MetadataMessage<T> {
  fromPartial(fields: Partial<T>): T;
  encode(message: T): { finish(): Uint8Array };
}

/**
 * An operation's metadata as the API answers it: the method's message (`type`, its full name),
 * naming its resource.
 */
function metadata<T>(type: string, message: MetadataMessage<T>, fields: Partial<T>) {
  return {
    typeUrl: `type.googleapis.com/yandex.cloud.${type}`,
    value: Buffer.from(message.encode(message.fromPartial(fields)).finish()),
  };
}

/** A few operations in the states a real folder shows, with ids shaped like real ones. */
export function seededOperations(): SeededOperation[] {
  return [
    {
      operation: {
        id: 'fd8stuckinstance0001',
        description: 'Create instance',
        createdAt: minutesAgo(95),
        createdBy: 'ajeoperator000000001',
        cancel: 'cancels',
        resourceId: 'fhmemulatorvm0000001',
        metadata: metadata('compute.v1.CreateInstanceMetadata', CreateInstanceMetadata, {
          instanceId: 'fhmemulatorvm0000001',
        }),
      },
      story: 'running, cancellable → cancelled',
    },
    {
      operation: {
        id: 'enpstucknetwork00002',
        description: 'Update network',
        createdAt: minutesAgo(60),
        createdBy: 'ajeoperator000000001',
        cancel: 'slowly',
        cancelTakesMs: 10_000,
        resourceId: 'enpemulatornet000001',
        metadata: metadata('vpc.v1.UpdateNetworkMetadata', UpdateNetworkMetadata, {
          networkId: 'enpemulatornet000001',
        }),
      },
      story: 'running, takes 10 s to cancel → cancelling (a later run: already_done)',
    },
    {
      operation: {
        id: 'fhmstuckbucket000003',
        description: 'Update bucket',
        createdAt: minutesAgo(45),
        createdBy: 'ajeoperator000000002',
        cancel: { code: status.UNIMPLEMENTED, message: 'Operation cancellation is not supported' },
        metadata: metadata('storage.v1.UpdateBucketMetadata', UpdateBucketMetadata, {
          name: 'emulator-bucket',
        }),
      },
      // A bucket is no kind the function can place in a folder, so function.yaml's scope
      // (ALLOWED_FOLDERS) leaves it alone before any Cancel; with no scope, the Cancel says.
      story:
        'running, of a service no scope can place → outside_policy (with no scope: not_cancellable)',
    },
    {
      operation: {
        id: 'fd8finisheddisk00004',
        description: 'Create disk',
        createdAt: minutesAgo(30),
        createdBy: 'ajeoperator000000002',
        done: true,
        resourceId: 'fhmemulatordisk00001',
        metadata: metadata('compute.v1.CreateDiskMetadata', CreateDiskMetadata, {
          diskId: 'fhmemulatordisk00001',
        }),
      },
      story: 'done → already_done',
    },
    {
      operation: {
        id: 'fhmyounginstance0005',
        description: 'Restart instance',
        createdAt: minutesAgo(5),
        createdBy: 'ajeoperator000000001',
        resourceId: 'fhmemulatorvm0000001',
        metadata: metadata('compute.v1.RestartInstanceMetadata', RestartInstanceMetadata, {
          instanceId: 'fhmemulatorvm0000001',
        }),
      },
      story: 'running for 5 min → a sweep of olderThan 30m leaves it alone',
    },
    {
      operation: {
        id: 'catstuckk8supdate006',
        description: 'Update Kubernetes cluster',
        createdAt: minutesAgo(120),
        createdBy: 'ajeoperator000000002',
        resourceId: 'catemulatork8s000001',
        metadata: metadata('k8s.v1.UpdateClusterMetadata', UpdateClusterMetadata, {
          clusterId: 'catemulatork8s000001',
        }),
        cancel: { code: status.UNIMPLEMENTED, message: 'Operation cancellation is not supported' },
      },
      story: 'running 2 h on a Kubernetes cluster, not cancellable → a sweep reports it stuck',
    },
    {
      operation: {
        id: 'cr1stuckrouting00007',
        description: 'Upsert prefixes',
        createdAt: minutesAgo(50),
        createdBy: 'ajeoperator000000002',
        cancel: 'cancels',
        resourceId: 'cr1emulatorrouter001',
        metadata: metadata(
          'cloudrouter.v1.UpdateRoutingInstanceMetadata',
          UpdateRoutingInstanceMetadata,
          {
            routingInstanceId: 'cr1emulatorrouter001',
          },
        ),
      },
      story: 'running 50 min on a Cloud Router routing instance, cancellable → cancelled',
    },
  ];
}
