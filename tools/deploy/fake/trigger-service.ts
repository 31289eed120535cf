import { type Server, status } from '@grpc/grpc-js';
import { Empty } from '@yandex-cloud/nodejs-sdk/google/protobuf/empty';
import {
  protobufPackage as TRIGGERS,
  Trigger,
  Trigger_Rule,
  Trigger_Status,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger';
import {
  CreateTriggerMetadata,
  DeleteTriggerMetadata,
  type TriggerServiceServer,
  TriggerServiceService,
  UpdateTriggerMetadata,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger_service';
import { checkRule, ruleKind } from './serverless-checks';
import { checkName, maskedFields, pageOf } from './serverless-fields';
import { isRejection, type Outcome, packAny, type RpcKit, reject } from './serverless-rpc';
import type { ServerlessStore } from './serverless-store';

type Implemented = 'get' | 'list' | 'create' | 'update' | 'delete';

const packTrigger = (trigger: Trigger) => packAny(`${TRIGGERS}.Trigger`, Trigger, trigger);

// UpdateTriggerRequest.rule ("New parameters for trigger") in the TriggerService.Update reference.
const UPDATABLE = ['name', 'description', 'labels', 'rule'] as const;

/**
 * A rule an update may put in place of the trigger's. Whether the API lets an update change a
 * trigger's kind (timer to message queue, say) is not public; the emulator refuses it, the
 * reading a deployer must tolerate anyway, by deleting the trigger and creating it anew.
 */
function replacementRule(trigger: Trigger, rule: Trigger['rule']) {
  const refused = checkRule(rule);
  if (refused) return refused;
  const [from] = ruleKind(trigger.rule ?? {});
  const [to] = rule ? ruleKind(rule) : [];
  if (from === undefined || from === to) return undefined;
  const details = `trigger ${trigger.id} has a ${from} rule; an update cannot make it ${to}`;
  return reject(status.INVALID_ARGUMENT, details);
}

export function addTriggerService(
  server: Server,
  store: ServerlessStore,
  kit: RpcKit,
  maxPageSize: number,
): void {
  const find = (triggerId: string): Outcome<Trigger> =>
    store.triggers.get(triggerId) ??
    reject(status.NOT_FOUND, `trigger ${JSON.stringify(triggerId)} not found`);

  const nameTaken = (folderId: string, name: string, exceptId?: string) => {
    const clash = [...store.triggers.values()].some(
      (trigger) =>
        trigger.folderId === folderId && trigger.name === name && trigger.id !== exceptId,
    );
    if (name === '' || !clash) return undefined;
    return reject(status.ALREADY_EXISTS, `trigger ${name} already exists in folder ${folderId}`);
  };

  const handlers: Pick<TriggerServiceServer, Implemented> = {
    get: kit.query(
      'TriggerService/Get',
      (r) => r.triggerId,
      (r) => find(r.triggerId),
    ),

    list: kit.query(
      'TriggerService/List',
      (r) => r.folderId,
      ({ folderId, filter, ...page }) => {
        if (folderId === '') return reject(status.INVALID_ARGUMENT, 'folder_id is required');
        // Ignoring it would hand a caller more triggers than it asked for, unnoticed.
        if (filter !== '') {
          return reject(status.INVALID_ARGUMENT, 'the emulator supports no filter on List');
        }
        const inFolder = [...store.triggers.values()].filter((t) => t.folderId === folderId);
        const listed = pageOf(inFolder, page, maxPageSize);
        if (isRejection(listed)) return listed;
        return { triggers: listed.items, nextPageToken: listed.nextPageToken };
      },
    ),

    create: kit.mutation(
      'TriggerService/Create',
      (r) => r.folderId,
      ({ folderId, name, description, labels, rule }) => {
        if (folderId === '') return reject(status.INVALID_ARGUMENT, 'folder_id is required');
        const refused = checkRule(rule) ?? checkName(name) ?? nameTaken(folderId, name);
        if (refused) return refused;
        const triggerId = store.newId();
        return {
          description: 'Create trigger',
          metadata: packAny(`${TRIGGERS}.CreateTriggerMetadata`, CreateTriggerMetadata, {
            triggerId,
          }),
          apply: () => {
            const trigger = Trigger.fromPartial({
              id: triggerId,
              folderId,
              createdAt: new Date(),
              name,
              description,
              labels,
              rule,
              status: Trigger_Status.ACTIVE,
            });
            store.triggers.set(triggerId, trigger);
            return packTrigger(trigger);
          },
        };
      },
    ),

    update: kit.mutation(
      'TriggerService/Update',
      (r) => r.triggerId,
      (request) => {
        const trigger = find(request.triggerId);
        if (isRejection(trigger)) return trigger;
        const masked = maskedFields(request.updateMask, UPDATABLE);
        if (isRejection(masked)) return masked;
        const { fields } = masked;
        if (fields.has('name')) {
          const refused =
            checkName(request.name) ?? nameTaken(trigger.folderId, request.name, trigger.id);
          if (refused) return refused;
        }
        if (fields.has('rule')) {
          const refused = replacementRule(trigger, request.rule);
          if (refused) return refused;
        }
        return {
          description: 'Update trigger',
          metadata: packAny(`${TRIGGERS}.UpdateTriggerMetadata`, UpdateTriggerMetadata, {
            triggerId: trigger.id,
          }),
          apply: () => {
            if (fields.has('name')) trigger.name = request.name;
            if (fields.has('description')) trigger.description = request.description;
            if (fields.has('labels')) trigger.labels = { ...request.labels };
            if (fields.has('rule') && request.rule)
              trigger.rule = Trigger_Rule.fromPartial(request.rule);
            return packTrigger(trigger);
          },
        };
      },
    ),

    delete: kit.mutation(
      'TriggerService/Delete',
      (r) => r.triggerId,
      ({ triggerId }) => {
        const trigger = find(triggerId);
        if (isRejection(trigger)) return trigger;
        return {
          description: 'Delete trigger',
          metadata: packAny(`${TRIGGERS}.DeleteTriggerMetadata`, DeleteTriggerMetadata, {
            triggerId,
          }),
          apply: () => {
            store.triggers.delete(triggerId);
            return packAny('google.protobuf.Empty', Empty, {});
          },
        };
      },
    ),
  };

  // Methods left out get grpc-js's default handler, which answers UNIMPLEMENTED.
  server.addService(TriggerServiceService, handlers);
}
