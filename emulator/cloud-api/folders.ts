import { type Server, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { Folder, Folder_Status } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder';
import {
  type FolderServiceServer,
  FolderServiceService,
} from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import {
  type Answer,
  budgetForNext,
  type Fault,
  type FaultBudget,
  injected,
  refusal,
  send,
} from './fault';
import { paginate } from './paging';
import type { RecordedCall, Recorder } from './recorder';

export type FolderMethod = 'FolderService/Get' | 'FolderService/List';

export interface Folders {
  /**
   * Puts a folder in a cloud, for FolderService.Get and the cloud's FolderService.List (in the
   * order placed); an unplaced one is NOT_FOUND.
   */
  placeFolder(folderId: string, cloudId: string, labels?: Record<string, string>): void;
  /** Fails the next `fault.times` (default 1) calls of `method` with an RPC error. */
  failNext(method: FolderMethod, fault: Fault | undefined): void;
  /**
   * Adds FolderService with Get and List, and `more` of its methods from whoever adds it; grpc-js
   * answers UNIMPLEMENTED for the rest.
   */
  addTo(server: Server, more?: Partial<FolderServiceServer>): void;
}

/** The resource manager as the function reads it: which cloud a folder is in, a cloud's folders. */
export function createFolders(opts: {
  recorder: Pick<Recorder<RecordedCall<FolderMethod>>, 'record'>;
  maxPageSize: number;
}): Folders {
  const placed = new Map<string, Folder>();
  const faults = new Map<FolderMethod, FaultBudget>();

  const answer =
    <Request, Response>(
      method: FolderMethod,
      subjectOf: (request: Request) => string,
      run: (request: Request) => Answer<Response>,
    ) =>
    (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => {
      const subject = subjectOf(call.request);
      const headers = opts.recorder.record({ method, subject }, call.metadata);
      const outcome = injected(faults.get(method), method, subject) ?? run(call.request);
      send(call, callback, headers, outcome);
    };

  const folders: Pick<FolderServiceServer, 'get' | 'list'> = {
    get: answer(
      'FolderService/Get',
      (r) => r.folderId,
      ({ folderId }) =>
        placed.get(folderId) ?? refusal(status.NOT_FOUND, `folder ${folderId} not found`),
    ),
    // folder_service.proto ListFoldersRequest: cloud_id required, page_size 0-1000.
    list: answer(
      'FolderService/List',
      (r) => r.cloudId,
      ({ cloudId, filter, ...page }) => {
        if (cloudId === '') return refusal(status.INVALID_ARGUMENT, 'cloud_id is required');
        if (filter !== '') {
          return refusal(status.INVALID_ARGUMENT, 'the emulator supports no filter on List');
        }
        const inCloud = [...placed.values()].filter((f) => f.cloudId === cloudId);
        const listed = paginate(inCloud, page, opts.maxPageSize);
        if ('invalid' in listed) return refusal(status.INVALID_ARGUMENT, listed.invalid);
        return { folders: listed.items, nextPageToken: listed.nextPageToken };
      },
    ),
  };

  return {
    placeFolder: (folderId, cloudId, labels = {}) => {
      const status = Folder_Status.ACTIVE;
      placed.set(
        folderId,
        Folder.fromPartial({ id: folderId, cloudId, name: folderId, labels, status }),
      );
    },
    failNext: (method, fault) => {
      faults.set(method, budgetForNext(fault));
    },
    addTo: (server, more = {}) => server.addService(FolderServiceService, { ...folders, ...more }),
  };
}
