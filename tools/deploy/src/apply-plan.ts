import {
  CreateDashboardRequest,
  UpdateDashboardRequest,
} from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard_service';
import {
  CreateFunctionMetadata,
  CreateFunctionRequest,
  CreateFunctionVersionRequest,
  UpdateFunctionRequest,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import {
  CreateTriggerRequest,
  DeleteTriggerRequest,
  UpdateTriggerRequest,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger_service';
import { Status } from '../../../deploy-api';
import { makePrivate, makePublic } from './access';
import type { CloudCalls } from './cloud-calls';
import { wantedDashboard } from './dashboard';
import { DeployError, OperationFailed } from './deploy-error';
import type { Manifest } from './manifest';
import type { CurrentState, Plan, Step } from './plan';
import { isChanged } from './settings';
import { triggerRule, versionRequest } from './translate';

type TriggerStep = Extract<Step, { kind: 'update-trigger' | 'replace-trigger' | 'create-trigger' }>;
type DashboardStep = Extract<Step, { kind: 'create-dashboard' | 'update-dashboard' }>;

/** Carries out the plan in order, waiting for each operation; returns a line per step done. */
export async function applyPlan(
  calls: CloudCalls,
  manifest: Manifest,
  plan: Plan,
  code: Buffer,
  current?: CurrentState,
): Promise<string[]> {
  let functionId = current?.functionId ?? '';
  const done: string[] = [];
  for (const step of plan.steps) {
    if (step.kind === 'create-function') {
      functionId = await createFunction(calls, manifest);
      done.push(`created function ${manifest.name} (${functionId})`);
    } else {
      done.push(await applyStep(calls, manifest, step, functionId, code));
    }
  }
  return done;
}

async function createFunction(calls: CloudCalls, manifest: Manifest): Promise<string> {
  const op = await calls.mutate(
    calls.clients.functions,
    'create',
    CreateFunctionRequest.fromPartial({
      folderId: manifest.folderId,
      name: manifest.name,
      description: manifest.description ?? '',
    }),
    `creating function ${manifest.name}`,
  );
  return CreateFunctionMetadata.decode(op.metadata?.value ?? Buffer.alloc(0)).functionId;
}

/** One step of a function that exists by now; returns the line that says it is done. */
async function applyStep(
  calls: CloudCalls,
  manifest: Manifest,
  step: Exclude<Step, { kind: 'create-function' }>,
  functionId: string,
  code: Buffer,
): Promise<string> {
  const { functions } = calls.clients;
  switch (step.kind) {
    case 'update-function':
      await calls.mutate(
        functions,
        'update',
        UpdateFunctionRequest.fromPartial({
          functionId,
          description: manifest.description ?? '',
          updateMask: { paths: ['description'] },
        }),
        `updating function ${manifest.name}`,
      );
      return `updated function ${manifest.name}: description`;
    case 'create-version': {
      const request = { ...versionRequest(manifest, functionId), content: code };
      await calls.mutate(
        functions,
        'createVersion',
        CreateFunctionVersionRequest.fromPartial(request),
        'uploading a version',
      );
      const changed = step.changes.filter(isChanged).map((c) => c.name);
      return `uploaded a new version (${changed.join(', ')})`;
    }
    case 'make-public':
      await makePublic(calls, functionId);
      return 'made the function public';
    case 'make-private':
      await makePrivate(calls, functionId);
      return 'made the function private';
    case 'create-dashboard':
    case 'update-dashboard':
      return applyDashboardStep(calls, manifest, step);
    default:
      return applyTriggerStep(calls, manifest, step, functionId);
  }
}

async function applyTriggerStep(
  calls: CloudCalls,
  manifest: Manifest,
  step: TriggerStep,
  functionId: string,
): Promise<string> {
  const { triggers } = calls.clients;
  const { trigger } = step;
  const rule = triggerRule(trigger, functionId);
  if (step.kind === 'update-trigger') {
    const request = { triggerId: step.id, updateMask: { paths: ['rule'] }, rule };
    const what = `updating trigger ${trigger.name}`;
    await calls.mutate(triggers, 'update', UpdateTriggerRequest.fromPartial(request), what);
    return `updated ${trigger.type} trigger ${trigger.name} in place`;
  }
  // Only a change of type replaces a trigger: an update cannot change its kind.
  if (step.kind === 'replace-trigger') {
    const request = DeleteTriggerRequest.fromPartial({ triggerId: step.id });
    await calls.mutate(triggers, 'delete', request, `deleting trigger ${trigger.name}`);
  }
  const request = { folderId: manifest.folderId, name: trigger.name, rule };
  const what = `creating trigger ${trigger.name}`;
  await calls.mutate(triggers, 'create', CreateTriggerRequest.fromPartial(request), what);
  return `${step.kind === 'create-trigger' ? 'created' : 'replaced'} ${trigger.type} trigger ${trigger.name}`;
}

/**
 * Makes the dashboard, or updates it with the etag read when planning. The API ends an update
 * whose etag is out of date in ALREADY_EXISTS: someone changed the dashboard since the plan, and
 * their change is not overwritten. Dashboard steps come last, so nothing else follows it.
 */
async function applyDashboardStep(
  calls: CloudCalls,
  manifest: Manifest,
  step: DashboardStep,
): Promise<string> {
  const want = wantedDashboard(manifest);
  if (!want)
    throw new DeployError(`the plan has a dashboard, but ${manifest.name} writes no metrics`);
  const { folderId, widgets, ...fields } = want;
  const { dashboards } = calls.clients;
  if (step.kind === 'create-dashboard') {
    const request = CreateDashboardRequest.fromPartial({
      folderId,
      ...fields,
      widgets: [...widgets],
    });
    await calls.mutate(dashboards, 'create', request, `creating dashboard ${want.name}`);
    return `created dashboard ${want.name} in folder ${folderId}`;
  }
  const { id: dashboardId, etag } = step;
  const request = UpdateDashboardRequest.fromPartial({
    dashboardId,
    etag,
    ...fields,
    widgets: [...widgets],
  });
  await calls
    .mutate(dashboards, 'update', request, `updating dashboard ${want.name}`)
    .catch((error: unknown) => {
      if (!(error instanceof OperationFailed) || error.code !== Status.ALREADY_EXISTS) throw error;
      throw new DeployError(
        `dashboard ${want.name} changed since the plan was made (its etag ${etag} is out of date), so it was left as it is: re-plan, and look at what changed first. ${error.message}`,
      );
    });
  return `updated dashboard ${want.name} (${step.changed.join(', ')})`;
}
