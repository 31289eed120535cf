import { status } from '@grpc/grpc-js';
import {
  AccessBinding,
  type ListAccessBindingsRequest,
  type ListAccessBindingsResponse,
} from '@yandex-cloud/nodejs-sdk/proto/access/access';
import { pageOf } from './serverless-fields';
import { isRejection, type Outcome, reject } from './serverless-rpc';

/** What ListAccessBindings of a folder or cloud answers with, instead of bindings. */
export const PERMISSION_DENIED = 'permission-denied' as const;

export type ResourceManagerKind = 'folder' | 'cloud';
export type ResourceBindings = AccessBinding[] | typeof PERMISSION_DENIED;

export interface ResourceBindingsControls {
  /**
   * What the resource manager's ListAccessBindings answers for a folder or cloud: these bindings,
   * or PERMISSION_DENIED, as it answers a caller without the right to read them (a deployer
   * holding only functions roles, say). A resource never set answers NOT_FOUND.
   */
  setResourceBindings(
    kind: ResourceManagerKind,
    resourceId: string,
    bindings: ResourceBindings,
  ): void;
}

export interface ResourceBindingsFake extends ResourceBindingsControls {
  /** One page of a folder's or cloud's bindings, as its ListAccessBindings answers. */
  list(
    kind: ResourceManagerKind,
  ): (request: ListAccessBindingsRequest) => Outcome<ListAccessBindingsResponse>;
}

/** The access bindings of folders and clouds, which a deployer reads beside its function's. */
export function createResourceBindings(maxPageSize: number): ResourceBindingsFake {
  const bindings = new Map<string, ResourceBindings>();
  const keyOf = (kind: ResourceManagerKind, resourceId: string) => `${kind} ${resourceId}`;
  return {
    setResourceBindings: (kind, resourceId, given) => {
      const copy =
        given === PERMISSION_DENIED ? given : given.map((b) => AccessBinding.fromPartial(b));
      bindings.set(keyOf(kind, resourceId), copy);
    },
    list: (kind) => (request) => {
      const { resourceId, ...page } = request;
      const held = bindings.get(keyOf(kind, resourceId));
      // Which of NOT_FOUND and PERMISSION_DENIED the API answers for a resource that does not
      // exist is not public; NOT_FOUND keeps a test that forgot to set it apart from a denial.
      if (held === undefined) return reject(status.NOT_FOUND, `${kind} ${resourceId} not found`);
      if (held === PERMISSION_DENIED) {
        const details = `permission denied to list access bindings of ${kind} ${resourceId}`;
        return reject(status.PERMISSION_DENIED, details);
      }
      const listed = pageOf(held, page, maxPageSize);
      if (isRejection(listed)) return listed;
      return { accessBindings: listed.items, nextPageToken: listed.nextPageToken };
    },
  };
}
