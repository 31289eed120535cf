import type { Policy } from '../config';

/** Whether the deployment narrows where requests may reach at all. */
export const isScoped = (policy: Policy): boolean =>
  policy.allowedFolders !== undefined || policy.allowedClouds !== undefined;

/** The scope in words, for the first line of each invocation, the banner and the plan. */
export function scopeText(policy: Policy): string {
  if (!isScoped(policy)) return 'any folder the service account can see';
  const folders = policy.allowedFolders?.length
    ? `folders ${policy.allowedFolders.join(', ')}`
    : '';
  const clouds = policy.allowedClouds?.length
    ? `every folder of clouds ${policy.allowedClouds.join(', ')}`
    : '';
  return [folders, clouds].filter(Boolean).join(', and ');
}

/**
 * Whether the policy lets a sweep list this folder: `true` or `false`, or `undefined` when only
 * the folder's cloud can tell (ALLOWED_CLOUDS is set and the folder is not named), so the sweep
 * must ask the API for its cloud first.
 */
export function folderAllowed(
  policy: Policy,
  folderId: string,
  cloudId?: string,
): boolean | undefined {
  if (!isScoped(policy) || policy.allowedFolders?.includes(folderId)) return true;
  if (policy.allowedClouds === undefined) return false;
  return cloudId === undefined ? undefined : policy.allowedClouds.includes(cloudId);
}

/**
 * Whether the policy lets a sweep or a Cancel reach this folder, asking `cloudOf` for its cloud
 * only when its id cannot tell; undefined when the cloud is not known. `cloudOf` may throw (a
 * call that failed), and the caller says what that means for it.
 */
export async function inScope(
  policy: Policy,
  folderId: string,
  cloudOf: (folderId: string) => Promise<string | undefined>,
): Promise<boolean | undefined> {
  const byId = folderAllowed(policy, folderId);
  if (byId !== undefined) return byId;
  const cloud = await cloudOf(folderId);
  return cloud === undefined ? undefined : folderAllowed(policy, folderId, cloud);
}
