import type { ResourceKind } from './model';

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
