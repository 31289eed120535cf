import type { Dashboard } from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard';
import {
  ListDashboardsRequest,
  type ListDashboardsResponse,
} from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard_service';
import type { Version } from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function';
import {
  GetFunctionVersionByTagRequest,
  ListFunctionsRequest,
  type ListFunctionsResponse,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import {
  ListTriggersRequest,
  type ListTriggersResponse,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger_service';
import { Status } from '../../../deploy-api';
import { allBindings, bindingOf, isPublicBinding } from './access';
import { allPages, type CloudCalls, statusOfCall } from './cloud-calls';
import { wantedDashboard } from './dashboard';
import type { Manifest } from './manifest';
import type { CurrentState } from './plan';
import { triggerFromCloud, versionFromCloud } from './translate';

/** The deployment as the cloud has it, or undefined when there is no such function yet. */
export async function readState(
  calls: CloudCalls,
  manifest: Manifest,
): Promise<CurrentState | undefined> {
  const { functions, triggers } = calls.clients;
  const { functions: found } = await calls.call<ListFunctionsRequest, ListFunctionsResponse>(
    functions,
    'list',
    ListFunctionsRequest.fromPartial({
      folderId: manifest.folderId,
      filter: `name="${manifest.name}"`,
    }),
  );
  const fn = found.find((f) => f.name === manifest.name);
  if (!fn) return undefined;
  const latest = await calls
    .call<GetFunctionVersionByTagRequest, Version>(
      functions,
      'getVersionByTag',
      GetFunctionVersionByTagRequest.fromPartial({ functionId: fn.id, tag: '$latest' }),
    )
    .catch((error: unknown) => {
      if (statusOfCall(error) === Status.NOT_FOUND) return undefined;
      throw error;
    });
  const accessBindings = await allBindings(calls, functions, fn.id);
  // Every page: a trigger past the first is still the function's, and a plan that missed it
  // would create it again.
  const listed = await allPages(
    (pageToken) =>
      calls.call<ListTriggersRequest, ListTriggersResponse>(
        triggers,
        'list',
        ListTriggersRequest.fromPartial({ folderId: manifest.folderId, pageSize: 1000, pageToken }),
      ),
    (page) => page.triggers,
  );
  return {
    functionId: fn.id,
    latestVersionId: latest?.id,
    description: fn.description,
    latest: latest && versionFromCloud(latest),
    public: accessBindings.some(isPublicBinding),
    accessBindings: accessBindings.map(bindingOf),
    triggers: listed.flatMap((t) => {
      const spec = triggerFromCloud(t, fn.id);
      return spec ? [{ id: t.id, spec }] : [];
    }),
  };
}

/**
 * The dashboard of the function's name in its metrics folder, found by a name selector; undefined
 * when there is none, or when the function writes no metrics (then no call is made).
 */
export async function readDashboard(
  calls: CloudCalls,
  manifest: Manifest,
): Promise<Dashboard | undefined> {
  const want = wantedDashboard(manifest);
  if (!want) return undefined;
  const { dashboards } = await calls.call<ListDashboardsRequest, ListDashboardsResponse>(
    calls.clients.dashboards,
    'list',
    ListDashboardsRequest.fromPartial({
      folderId: want.folderId,
      selectors: `name = "${want.name}"`,
    }),
  );
  // Names are unique in a folder; the selector may take GLOBs, so the name is checked again.
  return dashboards.find((d) => d.name === want.name);
}
