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
import { makePrivate, makePublic } from './access';
import type { CloudCalls } from './cloud-calls';
import type { Manifest } from './manifest';
import type { CurrentState, Plan, Step } from './plan';
import { isChanged } from './settings';
import { triggerRule, versionRequest } from './translate';

type TriggerStep = Extract<Step, { kind: 'update-trigger' | 'replace-trigger' | 'create-trigger' }>;

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
