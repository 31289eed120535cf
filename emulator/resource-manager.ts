import { type Server, status } from '@grpc/grpc-js';
import { AccessBinding } from '@yandex-cloud/nodejs-sdk/proto/access/access';
import {
  type CloudServiceServer,
  CloudServiceService,
} from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service';
import { Folder, Folder_Status } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder';
import {
  type FolderServiceServer,
  FolderServiceService,
} from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import { pageOf } from './serverless-fields';
import { isRejection, type Outcome, type RpcKit, reject } from './serverless-rpc';

/** What ListAccessBindings of a folder or cloud answers with, instead of bindings. */
export const PERMISSION_DENIED = 'permission-denied' as const;

export type ResourceManagerKind = 'folder' | 'cloud';
export type ResourceBindings = AccessBinding[] | typeof PERMISSION_DENIED;

export interface ResourceManagerControls {
  /**
   * What the resource manager's ListAccessBindings answers for a folder or cloud: these bindings,
   * or PERMISSION_DENIED, as it answers a caller without the right to read them (a deployer
   * holding only functions roles, say). A resource never set answers NOT_FOUND.
   */
  setResourceBindings(
    kind: ResourceManagerKind,
    resourceId: string,
    bindings: ResourceBindings,
  ): void;
  /**
   * Puts a folder in a cloud, for FolderService.Get and the cloud's FolderService.List (in the
   * order placed); an unplaced one is NOT_FOUND.
   */
  placeFolder(folderId: string, cloudId: string, labels?: Record<string, string>): void;
}

export interface ResourceManager extends ResourceManagerControls {
  addTo(server: Server, kit: RpcKit): void;
}

type Listed = { accessBindings: AccessBinding[]; nextPageToken: string };

export function createResourceManager(maxPageSize: number): ResourceManager {
  const bindings = new Map<string, ResourceBindings>();
  const placed = new Map<string, Folder>();
  const keyOf = (kind: ResourceManagerKind, resourceId: string) => `${kind} ${resourceId}`;

  const list =
    (kind: ResourceManagerKind) =>
    (request: { resourceId: string; pageSize: number; pageToken: string }): Outcome<Listed> => {
      const { resourceId, ...page } = request;
      const held = bindings.get(keyOf(kind, resourceId));
      // Which of NOT_FOUND and PERMISSION_DENIED the API answers for a resource that does not
      // exist is not public; NOT_FOUND keeps a test that forgot to set it apart from a denial.
      if (held === undefined) return reject(status.NOT_FOUND, `${kind} ${resourceId} not found`);
      if (held === PERMISSION_DENIED) {
        const details = `permission denied to list access bindings of ${kind} ${resourceId}`;
        return reject(status.PERMISSION_DENIED, details);
      }
      const listed = pageOf(held, page, maxPageSize);
      if (isRejection(listed)) return listed;
      return { accessBindings: listed.items, nextPageToken: listed.nextPageToken };
    };

  return {
    setResourceBindings: (kind, resourceId, given) => {
      const copy =
        given === PERMISSION_DENIED ? given : given.map((b) => AccessBinding.fromPartial(b));
      bindings.set(keyOf(kind, resourceId), copy);
    },
    placeFolder: (folderId, cloudId, labels = {}) => {
      placed.set(
        folderId,
        Folder.fromPartial({
          id: folderId,
          cloudId,
          name: folderId,
          labels,
          status: Folder_Status.ACTIVE,
        }),
      );
    },
    addTo: (server, kit) => {
      // Only what a deployer reads; grpc-js answers UNIMPLEMENTED for the rest of each service.
      const folders: Pick<FolderServiceServer, 'get' | 'list' | 'listAccessBindings'> = {
        get: kit.query(
          'FolderService/Get',
          (r) => r.folderId,
          ({ folderId }) =>
            placed.get(folderId) ?? reject(status.NOT_FOUND, `folder ${folderId} not found`),
        ),
        // folder_service.proto ListFoldersRequest: cloud_id required, page_size 0-1000.
        list: kit.query(
          'FolderService/List',
          (r) => r.cloudId,
          ({ cloudId, filter, ...page }) => {
            if (cloudId === '') return reject(status.INVALID_ARGUMENT, 'cloud_id is required');
            if (filter !== '') {
              return reject(status.INVALID_ARGUMENT, 'the emulator supports no filter on List');
            }
            const inCloud = [...placed.values()].filter((f) => f.cloudId === cloudId);
            const listed = pageOf(inCloud, page, maxPageSize);
            if (isRejection(listed)) return listed;
            return { folders: listed.items, nextPageToken: listed.nextPageToken };
          },
        ),
        listAccessBindings: kit.query(
          'FolderService/ListAccessBindings',
          (r) => r.resourceId,
          list('folder'),
        ),
      };
      const clouds: Pick<CloudServiceServer, 'listAccessBindings'> = {
        listAccessBindings: kit.query(
          'CloudService/ListAccessBindings',
          (r) => r.resourceId,
          list('cloud'),
        ),
      };
      server.addService(FolderServiceService, folders);
      server.addService(CloudServiceService, clouds);
    },
  };
}
