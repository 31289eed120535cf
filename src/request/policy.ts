import type { Policy } from '../config';
import { RequestError } from '../errors';
import { type CancelRequest, OnExcess, RESOURCE_KINDS, type SweepSpec } from '../model';
import { folderAllowed, isScoped, scopeText } from './scope';

/** Folders of a request's scope named in a refusal; the count covers the rest. */
const SHOWN = 5;

const listed = (ids: readonly string[]) =>
  `${ids.slice(0, SHOWN).join(', ')}${ids.length > SHOWN ? ` and ${ids.length - SHOWN} more` : ''}`;

const outside = (what: string, policy: Policy) =>
  new RequestError(
    `${what} outside what this deployment may reach (${scopeText(policy)}: ALLOWED_FOLDERS, ALLOWED_CLOUDS); nothing was listed or cancelled`,
    403,
  );

/** A sweep's scope held to the policy's: refused by name when it reaches outside it. */
function checkScope(sweep: SweepSpec, policy: Policy): void {
  if (!isScoped(policy)) return;
  if (sweep.resources.length > 0) {
    throw outside(
      'sweep.resources names resources whose folders cannot be checked before they are listed, so they are',
      policy,
    );
  }
  const folders = sweep.folderIds ?? (sweep.folderId === undefined ? [] : [sweep.folderId]);
  const refused = folders.filter((id) => folderAllowed(policy, id) === false);
  if (refused.length > 0) throw outside(`folder(s) ${listed(refused)} are`, policy);
  // A cloud outside ALLOWED_CLOUDS is swept only for the ALLOWED_FOLDERS it holds.
  if (
    sweep.cloudId !== undefined &&
    !policy.allowedClouds?.includes(sweep.cloudId) &&
    policy.allowedFolders === undefined
  ) {
    throw outside(`cloud ${sweep.cloudId} is`, policy);
  }
}

/**
 * The request as the deployment's policy lets it run, or a refusal that names the setting it
 * breaks; before any call. A sweep's thresholds (and its `learn` floor) are raised to MIN_OLDER_THAN, `oldest` needs
 * ALLOW_ONEXCESS_OLDEST, and a scoped deployment sweeps only its folders. A named id shows no
 * folder until the API is asked, so it is checked before its Cancel (act/placement.ts).
 */
export function withinPolicy(request: CancelRequest, policy: Policy): CancelRequest {
  // Named ids are held to the scope one by one, before each Cancel (act/placement.ts).
  if (request.kind !== 'sweep') return request;
  const { sweep } = request;
  if (sweep.onExcess === OnExcess.Oldest && !policy.allowOldest) {
    throw new RequestError(
      'sweep.onExcess "oldest" is not allowed by this deployment (ALLOW_ONEXCESS_OLDEST); leave it out, and a run past MAX_CANCELS_PER_RUN cancels none',
      403,
    );
  }
  checkScope(sweep, policy);
  const floor = policy.minOlderThanSeconds;
  const olderThanSeconds = Object.fromEntries(
    RESOURCE_KINDS.map((kind) => [kind, Math.max(sweep.olderThanSeconds[kind], floor)]),
  ) as SweepSpec['olderThanSeconds'];
  const learn = sweep.learn && {
    ...sweep.learn,
    floorSeconds: Math.max(sweep.learn.floorSeconds, floor),
  };
  return { ...request, sweep: { ...sweep, olderThanSeconds, ...(learn && { learn }) } };
}
