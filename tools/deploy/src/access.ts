import type { Client } from '@grpc/grpc-js';
import {
  type AccessBinding,
  AccessBindingAction,
  ListAccessBindingsRequest,
  type ListAccessBindingsResponse,
  UpdateAccessBindingsRequest,
} from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/access/access';
import type { Folder } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder';
import { GetFolderRequest } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import { Status } from '../../../deploy-api';
import { allPages, type CloudCalls, statusOfCall } from './cloud-calls';
import type { InheritedAccess } from './plan';

/** Anyone may invoke a public function: this binding is what makes it so. */
export const PUBLIC_BINDING: AccessBinding = {
  roleId: 'functions.functionInvoker',
  subject: { id: 'allUsers', type: 'system' },
};
/** Any Yandex account at all is as good as anyone: both system groups count as public. */
const PUBLIC_SUBJECTS = new Set(['allUsers', 'allAuthenticatedUsers']);
/**
 * Roles that let their holder invoke a function: today's, the legacy one still found in Terraform
 * and older examples, and those that include it (functions/security/index.md).
 */
const INVOKING_ROLES = new Set([
  'functions.functionInvoker',
  'serverless.functions.invoker',
  'functions.editor',
  'functions.admin',
  'editor',
  'admin',
]);
export const isPublicBinding = (b: AccessBinding) =>
  INVOKING_ROLES.has(b.roleId) && PUBLIC_SUBJECTS.has(b.subject?.id ?? '');
/** A binding as the role checks read it: its role, and whom it gives it to. */
export const bindingOf = (b: AccessBinding) => ({
  roleId: b.roleId,
  subject: { id: b.subject?.id ?? '', type: b.subject?.type ?? '' },
});

const describeBinding = (b: AccessBinding) =>
  `the binding of ${b.roleId} to ${b.subject?.type ?? 'system'}:${b.subject?.id ?? ''}`;

/** Every binding on a resource, page after page. */
export const allBindings = (calls: CloudCalls, client: Client, resourceId: string) =>
  allPages(
    (pageToken) =>
      calls.call<ListAccessBindingsRequest, ListAccessBindingsResponse>(
        client,
        'listAccessBindings',
        ListAccessBindingsRequest.fromPartial({ resourceId, pageSize: 1000, pageToken }),
      ),
    (page) => page.accessBindings,
  );

/**
 * The access the folder and its cloud grant every function in them: bindings that make every
 * function there public; one the deployer may not read is a warning, not a failure.
 */
export async function readInheritedAccess(
  calls: CloudCalls,
  folderId: string,
): Promise<InheritedAccess> {
  const found: string[] = [];
  const unread: string[] = [];
  const check = async (client: Client, where: string, resourceId: string) => {
    try {
      const bindings = await allBindings(calls, client, resourceId);
      for (const binding of bindings) {
        if (isPublicBinding(binding)) found.push(`${where}: ${describeBinding(binding)}`);
      }
      return { id: resourceId, bindings: bindings.map(bindingOf) };
    } catch (error) {
      if (statusOfCall(error) !== Status.PERMISSION_DENIED) throw error;
      unread.push(where);
      return undefined;
    }
  };
  const { folders, clouds } = calls.clients;
  const folder = await check(folders, `folder ${folderId}`, folderId);
  const placed = await calls
    .call<GetFolderRequest, Folder>(folders, 'get', GetFolderRequest.fromPartial({ folderId }))
    .catch(() => undefined);
  if (placed === undefined) unread.push(`the cloud of folder ${folderId}`);
  const cloud =
    placed === undefined
      ? undefined
      : await check(clouds, `cloud ${placed.cloudId}`, placed.cloudId);
  return {
    publicFromAbove: found,
    unreadBindings: unread,
    ...(folder && { folder }),
    ...(cloud && { cloud }),
  };
}

/** Makes the function public: adds the binding, leaving the rest as whoever set them wants them. */
export const makePublic = (calls: CloudCalls, functionId: string) =>
  updateBindings(calls, functionId, AccessBindingAction.ADD, [PUBLIC_BINDING]);

/** Makes the function private: removes each binding that makes it public, and only those. */
export const makePrivate = async (calls: CloudCalls, functionId: string) =>
  updateBindings(
    calls,
    functionId,
    AccessBindingAction.REMOVE,
    (await allBindings(calls, calls.clients.functions, functionId)).filter(isPublicBinding),
  );

/** Adds or removes bindings as deltas. */
const updateBindings = (
  calls: CloudCalls,
  functionId: string,
  action: AccessBindingAction,
  bindings: AccessBinding[],
) =>
  calls.mutate(
    calls.clients.functions,
    'updateAccessBindings',
    UpdateAccessBindingsRequest.fromPartial({
      resourceId: functionId,
      accessBindingDeltas: bindings.map((accessBinding) => ({ action, accessBinding })),
    }),
    'setting access',
  );
