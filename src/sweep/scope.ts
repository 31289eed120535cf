import { callAt, type ServiceCalls } from '../cloud/calls';
import { cloudOf } from '../cloud/folders';
import type { Policy } from '../config';
import type { SweepExclusion, SweepSpec } from '../model';
import { inScope, isScoped } from '../request/scope';
import { allPages } from './listing/pages';
import { LIST_FOLDERS, type Listed } from './listing/wire';
import type { MalformedIds } from './malformed';

/** The folders a sweep may list under the deployment's policy, and those it leaves out. */
export interface ScopedFolders {
  readonly kept: readonly string[];
  /** Each with why: outside the policy, or its cloud could not be read to tell. */
  readonly outside: ReadonlyArray<{ readonly folderId: string; readonly why: string }>;
}

/**
 * Holds a sweep's folders to the policy (ALLOWED_FOLDERS, ALLOWED_CLOUDS) before any is listed:
 * the folders of a cloud it names are all in; otherwise a folder is in when it is named, or when
 * FolderService.Get says its cloud is named. One whose cloud cannot be read is left out.
 */
export async function withinScope(
  folders: readonly string[],
  cloudId: string | undefined,
  policy: Policy,
  deps: ServiceCalls,
): Promise<ScopedFolders> {
  if (!isScoped(policy) || (cloudId !== undefined && policy.allowedClouds?.includes(cloudId))) {
    return { kept: folders, outside: [] };
  }
  const kept: string[] = [];
  const outside: Array<{ folderId: string; why: string }> = [];
  // A cloud sweep already knows its folders' cloud; a list of folders asks each one's.
  const cloudOfFolder = async (folderId: string) => cloudId ?? cloudOf(folderId, deps);
  for (const folderId of folders) {
    const allowed = await inScope(policy, folderId, cloudOfFolder).catch(() => undefined);
    if (allowed) kept.push(folderId);
    else {
      const why =
        allowed === undefined
          ? 'its cloud could not be read to tell whether the policy allows it'
          : 'outside the policy';
      outside.push({ folderId, why });
    }
  }
  return { kept, outside };
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
async function foldersOfCloud(cloudId: string, deps: ServiceCalls): Promise<Listed[]> {
  const site = { endpoint: deps.endpoint, rpc: LIST_FOLDERS, subject: `cloud ${cloudId}` };
  const listed = await allPages(
    async (pageToken) => (await callAt(deps, site, { of: cloudId, pageToken })).value,
  );
  return listed.items;
}

/**
 * The folders a sweep covers, each to be swept as a one-folder sweep: its one folder, the ones it
 * names, or every folder of its cloud; exclusions by id apply to both lists, by label to the
 * cloud's (only listing reads a folder's labels).
 */
export async function foldersOf(
  spec: SweepSpec,
  deps: ServiceCalls,
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
