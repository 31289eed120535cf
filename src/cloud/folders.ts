import { callAt, type ServiceCalls } from './calls';
import type { RpcMethod } from './unary';
import { decode, encode } from './wire';

/** What a folder's Get tells: the cloud it is in. */
export interface FolderPlace {
  readonly cloudId?: string;
}

/** resourcemanager `FolderService.Get` (GetFolderRequest folder_id 1; folder.proto cloud_id 2). */
export const GET_FOLDER: RpcMethod<{ readonly folderId: string }, FolderPlace> = {
  service: 'yandex.cloud.resourcemanager.v1.FolderService',
  method: 'Get',
  encode: ({ folderId }) => encode([[1, folderId]]),
  decode: (bytes) => decode<FolderPlace>(bytes, { 2: { name: 'cloudId', type: 'string' } }),
};

/** The cloud a folder is in, by FolderService.Get (resource-manager.viewer); throws a CallError. */
export async function cloudOf(folderId: string, deps: ServiceCalls): Promise<string | undefined> {
  const site = { endpoint: deps.endpoint, rpc: GET_FOLDER, subject: `folder ${folderId}` };
  const { value } = await callAt(deps, site, { folderId });
  return value.cloudId || undefined;
}
