import {
  type BearerToken,
  type CallLimits,
  callWithRetries,
  type RetryOptions,
  rpcName,
  withFreshToken,
} from '../cloud/unary';
import type { SweepExclusion, SweepSpec } from '../model';
import { allPages } from './listing/pages';
import { LIST_FOLDERS, type Listed, methodAt } from './listing/wire';
import type { MalformedIds } from './malformed';

export interface ScopeDeps {
  readonly token: BearerToken;
  readonly endpoint: string;
  readonly retry: RetryOptions;
  readonly limits: CallLimits;
}

/** Whether an exclusion leaves a folder out: by its id, or by any label it carries. */
export function isExcluded(folder: Listed, exclusion?: SweepExclusion) {
  if (exclusion === undefined) return false;
  if (exclusion.folderIds.includes(folder.id)) return true;
  return exclusion.labels.some(
    ({ key, value }) =>
      Object.hasOwn(folder.labels, key) && (value === undefined || folder.labels[key] === value),
  );
}

/** A cloud's folders, every page (resource manager FolderService.List, folder_service.proto). */
async function foldersOfCloud(cloudId: string, deps: ScopeDeps): Promise<Listed[]> {
  const list = methodAt(deps.endpoint, LIST_FOLDERS);
  const call = {
    method: rpcName(LIST_FOLDERS),
    subject: `cloud ${cloudId}`,
    endpoint: deps.endpoint,
  };
  const listed = await allPages(async (pageToken) => {
    const request = { of: cloudId, pageToken };
    const { value } = await withFreshToken(
      deps.token,
      (bearer) => callWithRetries(call, list, request, bearer, deps.retry, deps.limits),
      deps.limits.signal,
    );
    return value;
  });
  return listed.items;
}

/**
 * The folders a sweep covers, each to be swept as a one-folder sweep: its one folder, the ones it
 * names, or every folder of its cloud; exclusions by id apply to both lists, by label to the
 * cloud's (only listing reads a folder's labels).
 */
export async function foldersOf(
  spec: SweepSpec,
  deps: ScopeDeps,
  malformed: MalformedIds,
): Promise<string[]> {
  if (spec.cloudId !== undefined) {
    const listed = await foldersOfCloud(spec.cloudId, deps);
    return listed
      .filter((f) => malformed.accepts(f.id) && !isExcluded(f, spec.exclude))
      .map((f) => f.id);
  }
  if (spec.folderIds !== undefined) {
    return spec.folderIds.filter((id) => !isExcluded({ id, labels: {} }, spec.exclude));
  }
  return spec.folderId === undefined ? [] : [spec.folderId];
}

/** The sweep of one folder of a wider one, as it is swept here or handed on. */
export function folderSweep(spec: SweepSpec, folderId: string): SweepSpec {
  const { cloudId: _cloud, folderIds: _folders, exclude: _exclude, resources: _r, ...rest } = spec;
  return { ...rest, folderId, resources: [] };
}
