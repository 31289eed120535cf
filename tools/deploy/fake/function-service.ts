import { createHash } from 'node:crypto';
import { type Server, status } from '@grpc/grpc-js';
import { Empty } from '@yandex-cloud/nodejs-sdk/google/protobuf/empty';
import {
  protobufPackage as ACCESS,
  AccessBinding,
  AccessBindingAction,
  type AccessBindingDelta,
  SetAccessBindingsMetadata,
  UpdateAccessBindingsMetadata,
} from '@yandex-cloud/nodejs-sdk/proto/access/access';
import {
  protobufPackage as FUNCTIONS,
  Function_Status,
  Function as FunctionMessage,
  Version,
  Version_Status,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function';
import {
  CreateFunctionMetadata,
  CreateFunctionVersionMetadata,
  type FunctionServiceServer,
  FunctionServiceService,
  UpdateFunctionMetadata,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import { checkVersion } from './serverless-checks';
import { checkName, maskedFields, nameFilter, pageOf } from './serverless-fields';
import { isRejection, type Outcome, packAny, type RpcKit, reject } from './serverless-rpc';
import { invokeUrl, LATEST, type ServerlessStore } from './serverless-store';
import { unpackedSize } from './unpacked-size';

type Implemented =
  | 'get'
  | 'list'
  | 'create'
  | 'update'
  | 'createVersion'
  | 'getVersionByTag'
  | 'listVersions'
  | 'listAccessBindings'
  | 'setAccessBindings'
  | 'updateAccessBindings';

const packFunction = (fn: FunctionMessage) => packAny(`${FUNCTIONS}.Function`, FunctionMessage, fn);
const packEmpty = () => packAny('google.protobuf.Empty', Empty, {});

// access.proto AccessBinding: role_id and subject are (required) = true, as are Subject's id and type.
function invalidBinding(binding: AccessBinding | undefined): boolean {
  return !binding?.roleId || !binding.subject?.id || !binding.subject.type;
}

const sameBinding = (a: AccessBinding, b: AccessBinding) =>
  a.roleId === b.roleId && a.subject?.id === b.subject?.id && a.subject?.type === b.subject?.type;

// access.proto UpdateAccessBindingsRequest.access_binding_deltas: (size) = "1-1000", and each
// AccessBindingDelta's action and access_binding are (required) = true.
const MAX_DELTAS = 1000;

function invalidDeltas(deltas: AccessBindingDelta[]): string | undefined {
  if (deltas.length === 0 || deltas.length > MAX_DELTAS) {
    return `access_binding_deltas holds ${deltas.length}, not 1-${MAX_DELTAS}`;
  }
  const known = [AccessBindingAction.ADD, AccessBindingAction.REMOVE];
  if (deltas.some((delta) => !known.includes(delta.action))) {
    return 'each access binding delta needs an action of ADD or REMOVE';
  }
  if (deltas.some((delta) => invalidBinding(delta.accessBinding))) {
    return 'each access binding delta needs a role_id and a subject with an id and a type';
  }
  return undefined;
}

/**
 * The bindings after the deltas. Adding a binding held already, or removing one not held, changes
 * nothing: AccessBindingsOperationResult reports only "effective" deltas, so the API tolerates
 * them; whether it refuses them instead is not public.
 */
function applyDeltas(held: AccessBinding[], deltas: AccessBindingDelta[]): AccessBinding[] {
  return deltas.reduce((bindings, { action, accessBinding }) => {
    if (accessBinding === undefined) return bindings;
    const others = bindings.filter((binding) => !sameBinding(binding, accessBinding));
    return action === AccessBindingAction.ADD
      ? [...others, AccessBinding.fromPartial(accessBinding)]
      : others;
  }, held);
}

export function addFunctionService(
  server: Server,
  store: ServerlessStore,
  kit: RpcKit,
  maxPageSize: number,
): void {
  const find = (functionId: string): Outcome<FunctionMessage> =>
    store.functions.get(functionId) ??
    reject(status.NOT_FOUND, `function ${JSON.stringify(functionId)} not found`);

  // Names are unique in a folder, so a deploy looking a function up by name finds one at most.
  const nameTaken = (folderId: string, name: string, exceptId?: string) => {
    const clash = [...store.functions.values()].some(
      (fn) => fn.folderId === folderId && fn.name === name && fn.id !== exceptId,
    );
    if (name === '' || !clash) return undefined;
    return reject(status.ALREADY_EXISTS, `function ${name} already exists in folder ${folderId}`);
  };

  const handlers: Pick<FunctionServiceServer, Implemented> = {
    get: kit.query(
      'FunctionService/Get',
      (r) => r.functionId,
      (r) => find(r.functionId),
    ),

    list: kit.query(
      'FunctionService/List',
      (r) => r.folderId,
      ({ folderId, filter, ...page }) => {
        if (folderId === '') return reject(status.INVALID_ARGUMENT, 'folder_id is required');
        const asked = nameFilter(filter);
        if (isRejection(asked)) return asked;
        const matching = [...store.functions.values()].filter(
          (fn) => fn.folderId === folderId && (asked.name === undefined || fn.name === asked.name),
        );
        const listed = pageOf(matching, page, maxPageSize);
        if (isRejection(listed)) return listed;
        return { functions: listed.items, nextPageToken: listed.nextPageToken };
      },
    ),

    create: kit.mutation(
      'FunctionService/Create',
      (r) => r.folderId,
      ({ folderId, name, description, labels }) => {
        if (folderId === '') return reject(status.INVALID_ARGUMENT, 'folder_id is required');
        const refused = checkName(name) ?? nameTaken(folderId, name);
        if (refused) return refused;
        const functionId = store.newId();
        return {
          description: 'Create function',
          metadata: packAny(`${FUNCTIONS}.CreateFunctionMetadata`, CreateFunctionMetadata, {
            functionId,
          }),
          apply: () => {
            const fn = FunctionMessage.fromPartial({
              id: functionId,
              folderId,
              createdAt: new Date(),
              name,
              description,
              labels,
              httpInvokeUrl: invokeUrl(functionId),
              status: Function_Status.ACTIVE,
            });
            store.functions.set(functionId, fn);
            return packFunction(fn);
          },
        };
      },
    ),

    update: kit.mutation(
      'FunctionService/Update',
      (r) => r.functionId,
      (request) => {
        const fn = find(request.functionId);
        if (isRejection(fn)) return fn;
        const masked = maskedFields(request.updateMask, ['name', 'description', 'labels']);
        if (isRejection(masked)) return masked;
        const { fields } = masked;
        if (fields.has('name')) {
          const refused = checkName(request.name) ?? nameTaken(fn.folderId, request.name, fn.id);
          if (refused) return refused;
        }
        return {
          description: 'Update function',
          metadata: packAny(`${FUNCTIONS}.UpdateFunctionMetadata`, UpdateFunctionMetadata, {
            functionId: fn.id,
          }),
          apply: () => {
            if (fields.has('name')) fn.name = request.name;
            if (fields.has('description')) fn.description = request.description;
            if (fields.has('labels')) fn.labels = { ...request.labels };
            return packFunction(fn);
          },
        };
      },
    ),

    createVersion: kit.mutation(
      'FunctionService/CreateVersion',
      (r) => r.functionId,
      (request) => {
        const fn = find(request.functionId);
        if (isRejection(fn)) return fn;
        const refused = checkVersion(request);
        if (refused) return refused;
        const content = request.content ?? Buffer.alloc(0);
        const imageSize = unpackedSize(content);
        // How the platform refuses a package it cannot unpack is not documented; here, at once.
        if (imageSize === undefined) {
          return reject(status.INVALID_ARGUMENT, 'content is not a zip archive');
        }
        const versionId = store.newId();
        return {
          description: 'Create function version',
          metadata: packAny(
            `${FUNCTIONS}.CreateFunctionVersionMetadata`,
            CreateFunctionVersionMetadata,
            { functionVersionId: versionId },
          ),
          apply: () => {
            // What the version runs with is everything asked for except where its code came from.
            const {
              tag,
              content: _content,
              package: _package,
              versionId: _from,
              ...settings
            } = request;
            const version = Version.fromPartial({
              ...settings,
              id: versionId,
              createdAt: new Date(),
              imageSize,
              status: Version_Status.ACTIVE,
              tags: [...new Set([LATEST, ...tag])],
            });
            const contentSha256 = createHash('sha256').update(content).digest('hex');
            store.addVersion({ ...version, contentSha256 });
            return packAny(`${FUNCTIONS}.Version`, Version, version);
          },
        };
      },
    ),

    getVersionByTag: kit.query(
      'FunctionService/GetVersionByTag',
      (r) => r.functionId,
      ({ functionId, tag }) => {
        const fn = find(functionId);
        if (isRejection(fn)) return fn;
        if (tag === '') return reject(status.INVALID_ARGUMENT, 'tag is required');
        const tagged = store.versionsOf(functionId).find((version) => version.tags.includes(tag));
        return tagged ?? reject(status.NOT_FOUND, `function ${functionId} has no version ${tag}`);
      },
    ),

    listVersions: kit.query(
      'FunctionService/ListVersions',
      (r) => r.functionId || r.folderId || '',
      ({ functionId, folderId, filter, ...page }) => {
        if (filter !== '') {
          return reject(status.INVALID_ARGUMENT, 'the emulator supports no filter on ListVersions');
        }
        let versions: Version[];
        if (functionId) {
          const fn = find(functionId);
          if (isRejection(fn)) return fn;
          versions = store.versionsOf(functionId);
        } else if (folderId) {
          versions = [...store.versions.values()].filter(
            (version) => store.functions.get(version.functionId)?.folderId === folderId,
          );
        } else {
          return reject(status.INVALID_ARGUMENT, 'folder_id or function_id is required');
        }
        const listed = pageOf(versions, page, maxPageSize);
        if (isRejection(listed)) return listed;
        return { versions: listed.items, nextPageToken: listed.nextPageToken };
      },
    ),

    listAccessBindings: kit.query(
      'FunctionService/ListAccessBindings',
      (r) => r.resourceId,
      ({ resourceId, ...page }) => {
        const fn = find(resourceId);
        if (isRejection(fn)) return fn;
        const listed = pageOf(store.bindings.get(resourceId) ?? [], page, maxPageSize);
        if (isRejection(listed)) return listed;
        return { accessBindings: listed.items, nextPageToken: listed.nextPageToken };
      },
    ),

    setAccessBindings: kit.mutation(
      'FunctionService/SetAccessBindings',
      (r) => r.resourceId,
      ({ resourceId, accessBindings }) => {
        const fn = find(resourceId);
        if (isRejection(fn)) return fn;
        if (accessBindings.some(invalidBinding)) {
          const details = 'each access binding needs a role_id and a subject with an id and a type';
          return reject(status.INVALID_ARGUMENT, details);
        }
        return {
          description: 'Set access bindings',
          metadata: packAny(`${ACCESS}.SetAccessBindingsMetadata`, SetAccessBindingsMetadata, {
            resourceId,
          }),
          apply: () => {
            store.bindings.set(
              resourceId,
              accessBindings.map((binding) => AccessBinding.fromPartial(binding)),
            );
            return packEmpty();
          },
        };
      },
    ),

    updateAccessBindings: kit.mutation(
      'FunctionService/UpdateAccessBindings',
      (r) => r.resourceId,
      ({ resourceId, accessBindingDeltas }) => {
        const fn = find(resourceId);
        if (isRejection(fn)) return fn;
        const invalid = invalidDeltas(accessBindingDeltas);
        if (invalid) return reject(status.INVALID_ARGUMENT, invalid);
        return {
          description: 'Update access bindings',
          // function_service.proto: metadata access.UpdateAccessBindingsMetadata, response Empty.
          metadata: packAny(
            `${ACCESS}.UpdateAccessBindingsMetadata`,
            UpdateAccessBindingsMetadata,
            { resourceId },
          ),
          apply: () => {
            const held = store.bindings.get(resourceId) ?? [];
            store.bindings.set(resourceId, applyDeltas(held, accessBindingDeltas));
            return packEmpty();
          },
        };
      },
    ),
  };

  // Methods left out get grpc-js's default handler, which answers UNIMPLEMENTED.
  server.addService(FunctionServiceService, handlers);
}
