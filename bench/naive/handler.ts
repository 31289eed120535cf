// The naive sweep the project's is measured against: the SDK's generated clients called
// directly, with the same page size as the project (1000), and strictly one call at a time:
// the cloud's folders, then each folder's instances, then each instance's operations. It only
// lists and reports what it finds (the project runs with dryRun), so both do the same job.
// Kept naive on purpose; do not optimise it.
import { type CallOptions, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  InstanceServiceClient,
  ListInstanceOperationsRequest,
  type ListInstanceOperationsResponse,
  ListInstancesRequest,
  type ListInstancesResponse,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import {
  FolderServiceClient,
  ListFoldersRequest,
  type ListFoldersResponse,
} from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';

interface Event {
  sweep: { cloudId: string; olderThan: string; kinds: string[] };
}

interface Context {
  token: { access_token: string };
}

const PAGE_SIZE = 1000;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

type Callback<T> = (error: ServiceError | null, response: T) => void;

/** A generated client's unary method, by its last overload; no deadline, as a script has none. */
function call<Req, Res>(
  method: (
    request: Req,
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: Callback<Res>,
  ) => unknown,
  request: Req,
  metadata: Metadata,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, metadata, {}, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

async function pages<T>(fetch: (token: string) => Promise<{ items: T[]; next: string }>) {
  const items: T[] = [];
  let token = '';
  do {
    const page = await fetch(token);
    items.push(...page.items);
    token = page.next;
  } while (token !== '');
  return items;
}

export const handler = async (event: Event, context: Context) => {
  const { cloudId, olderThan, kinds } = event.sweep;
  if (kinds.length !== 1 || kinds[0] !== 'compute.instance') {
    throw new Error('the naive sweep lists compute.instance only');
  }
  const match = /^(\d+)([smhd])$/.exec(olderThan);
  if (match === null) throw new Error(`olderThan ${olderThan}`);
  const cutoff = Date.now() - Number(match[1]) * (UNITS[match[2] as string] as number) * 1000;

  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${context.token.access_token}`);
  const folderClient = new FolderServiceClient(
    process.env.YC_RESOURCE_MANAGER_ENDPOINT as string,
    credentials.createSsl(),
  );
  const instanceClient = new InstanceServiceClient(
    process.env.YC_COMPUTE_ENDPOINT as string,
    credentials.createSsl(),
  );
  try {
    let calls = 0;
    const folders = await pages(async (pageToken) => {
      calls++;
      const page = await call<ListFoldersRequest, ListFoldersResponse>(
        folderClient.list.bind(folderClient),
        ListFoldersRequest.fromPartial({ cloudId, pageSize: PAGE_SIZE, pageToken }),
        metadata,
      );
      return { items: page.folders.map((f) => f.id), next: page.nextPageToken };
    });
    let resources = 0;
    let operations = 0;
    const stuck: string[] = [];
    for (const folderId of folders) {
      const instances = await pages(async (pageToken) => {
        calls++;
        const page = await call<ListInstancesRequest, ListInstancesResponse>(
          instanceClient.list.bind(instanceClient),
          ListInstancesRequest.fromPartial({ folderId, pageSize: PAGE_SIZE, pageToken }),
          metadata,
        );
        return { items: page.instances.map((i) => i.id), next: page.nextPageToken };
      });
      resources += instances.length;
      for (const instanceId of instances) {
        const ops = await pages(async (pageToken) => {
          calls++;
          const page = await call<ListInstanceOperationsRequest, ListInstanceOperationsResponse>(
            instanceClient.listOperations.bind(instanceClient),
            ListInstanceOperationsRequest.fromPartial({
              instanceId,
              pageSize: PAGE_SIZE,
              pageToken,
            }),
            metadata,
          );
          return { items: page.operations, next: page.nextPageToken };
        });
        operations += ops.length;
        for (const op of ops) {
          const created = op.createdAt?.getTime();
          if (!op.done && created !== undefined && created < cutoff) stuck.push(op.id);
        }
      }
    }
    return { folders: folders.length, resources, operations, calls, stuck };
  } finally {
    // A Session-less client per invocation, as a script would write it; closed when done.
    folderClient.close();
    instanceClient.close();
  }
};
