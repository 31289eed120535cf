import type { CANCELLABLE_KINDS, ResourceKind } from './model';

/**
 * The least role that lets the function's service account list each kind and its operations, from
 * the role reference (yandex-cloud/docs `en/_roles/<service>/<role>.md`): an auditor role where
 * one covers listing and operations without the resources' data (`compute.auditor` has no serial
 * output or metadata, `mdb.auditor` no database data); Managed Kubernetes has none, so its viewer.
 */
export const LISTING_ROLE: Readonly<Record<ResourceKind, string>> = {
  'compute.instance': 'compute.auditor',
  'compute.disk': 'compute.auditor',
  'compute.image': 'compute.auditor',
  'compute.reservedInstancePool': 'compute.auditor',
  'compute.instanceGroup': 'compute.auditor',
  'compute.snapshot': 'compute.auditor',
  'vpc.network': 'vpc.auditor',
  'vpc.subnet': 'vpc.auditor',
  'vpc.routeTable': 'vpc.auditor',
  'vpc.securityGroup': 'vpc.auditor',
  'cic.privateConnection': 'cic.auditor',
  'cic.trunkConnection': 'cic.auditor',
  'cloudrouter.routingInstance': 'cloud-router.auditor',
  'k8s.cluster': 'k8s.viewer',
  'k8s.nodeGroup': 'k8s.viewer',
  'mdb.postgresql': 'mdb.auditor',
  'mdb.mysql': 'mdb.auditor',
  'mdb.clickhouse': 'mdb.auditor',
  'mdb.redis': 'mdb.auditor',
  'mdb.mongodb': 'mdb.auditor',
  'mdb.kafka': 'mdb.auditor',
};

/** What lists a cloud's folders, for a `cloudId` sweep (`en/_roles/resource-manager/auditor.md`). */
export const FOLDERS_ROLE = 'resource-manager.auditor';

/**
 * The role that manages each kind the API can cancel, which its Cancel needs: Yandex Cloud
 * documents no role for OperationService.Cancel, which takes rights comparable to those that
 * started the operation. Each is the narrowest role the role reference gives for managing the
 * kind (`vpc.privateAdmin` manages networks, subnets and route tables without public access).
 */
export const CANCEL_ROLE: Readonly<Record<(typeof CANCELLABLE_KINDS)[number], string>> = {
  'compute.instance': 'compute.editor',
  'compute.disk': 'compute.editor',
  'compute.image': 'compute.editor',
  'compute.reservedInstancePool': 'compute.editor',
  'vpc.network': 'vpc.privateAdmin',
  'vpc.subnet': 'vpc.privateAdmin',
  'vpc.routeTable': 'vpc.privateAdmin',
  'vpc.securityGroup': 'vpc.securityGroups.admin',
  'cic.privateConnection': 'cic.editor',
  'cic.trunkConnection': 'cic.editor',
  'cloudrouter.routingInstance': 'cloud-router.editor',
};
