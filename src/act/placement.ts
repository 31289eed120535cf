import { METHODS, typeName } from '../cancellable';
import { type CallContext, callAt } from '../cloud/calls';
import { cloudOf } from '../cloud/folders';
import type { Operation } from '../cloud/operation-api';
import { isCallError, type RpcMethod } from '../cloud/unary';
import { decode, encode } from '../cloud/wire';
import type { Policy } from '../config';
import { inScope } from '../request/scope';

/** Where each API's resources are served: its package's second name picks the endpoint. */
export interface PlacementEndpoints {
  readonly compute: string;
  readonly vpc: string;
  readonly cic: string;
  readonly cloudrouter: string;
  readonly resourceManager: string;
}

export interface PlacementDeps extends CallContext {
  readonly policy: Policy;
  readonly endpoints: PlacementEndpoints;
}

/** The resource an operation's metadata names: the kind's service, and the id in its field 1. */
interface Named {
  readonly service: string;
  readonly api: keyof Omit<PlacementEndpoints, 'resourceManager'>;
  readonly folderField: number;
  readonly id: string;
}

/** Each cancellable method's metadata type, by full name, and the kind whose service runs it. */
const BY_METADATA = new Map<string, (typeof METHODS)[keyof typeof METHODS]>(
  Object.values(METHODS).flatMap((table) =>
    Object.values(table.cancellable).map((name) => [`${table.package}.${name}`, table] as const),
  ),
);

/** The resource a cancellable operation works on, as its metadata names it; undefined if none. */
export function resourceOf(operation: Operation): Named | undefined {
  const { typeUrl = '', value } = operation.metadata ?? {};
  const table = BY_METADATA.get(typeName(typeUrl));
  if (table === undefined || value === undefined) return undefined;
  let id: string;
  try {
    ({ id } = decode<{ id: string }>(value, { 1: { name: 'id', type: 'string' } }));
  } catch {
    return undefined;
  }
  if (id === '') return undefined;
  const api = table.package.split('.')[2] as Named['api'];
  return { service: `${table.package}.${table.service}`, api, folderField: table.folderField, id };
}

/** The resource service's Get, reading only the folder the resource is in. */
const getFolderOf = (named: Named): RpcMethod<string, { folderId: string }> => ({
  service: named.service,
  method: 'Get',
  encode: (id) => encode([[1, id]]),
  decode: (bytes) => decode(bytes, { [named.folderField]: { name: 'folderId', type: 'string' } }),
});

/**
 * Why a scoped deployment may not cancel this operation, or undefined when it may: the folder of
 * the resource its metadata names (the resource's Get, then FolderService.Get for its cloud when
 * only ALLOWED_CLOUDS can tell) must be in ALLOWED_FOLDERS or ALLOWED_CLOUDS. An operation
 * whose resource or folder cannot be read is not cancelled: the safe reading.
 */
export async function outsidePolicy(
  operation: Operation,
  deps: PlacementDeps,
): Promise<string | undefined> {
  const named = resourceOf(operation);
  if (named === undefined) {
    return 'not cancelled: its metadata names no resource whose folder this deployment can check against ALLOWED_FOLDERS and ALLOWED_CLOUDS';
  }
  const site = { endpoint: deps.endpoints[named.api], rpc: getFolderOf(named), subject: named.id };
  try {
    const { value } = await callAt(deps, site, named.id);
    const folderId = value.folderId;
    const resourceManager = { ...deps, endpoint: deps.endpoints.resourceManager };
    const allowed = await inScope(deps.policy, folderId, (id) => cloudOf(id, resourceManager));
    return allowed
      ? undefined
      : `not cancelled: its resource ${named.id} is in folder ${folderId}, which ALLOWED_FOLDERS and ALLOWED_CLOUDS do not reach`;
  } catch (error) {
    if (!isCallError(error)) throw error;
    return `not cancelled: the folder of its resource ${named.id} could not be read to check it against ALLOWED_FOLDERS and ALLOWED_CLOUDS (${error.message})`;
  }
}
