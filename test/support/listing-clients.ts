import {
  type CallOptions,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { RESOURCE_SERVICES } from '../../emulator/cloud-api/resource-services';
import type { ResourceKind } from '../../emulator/cloud-api-server';

export interface PageAsk {
  pageSize?: number;
  pageToken?: string;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

export interface ListedResource {
  id: string;
  folderId: string;
  name: string;
}

/** One kind's generated grpc-js client, with List and ListOperations made alike across kinds. */
export interface ListingClient {
  list(folderId: string, page?: PageAsk): Promise<Page<ListedResource>>;
  listOperations(resourceId: string, page?: PageAsk): Promise<Page<Operation>>;
  close(): void;
}

type Callback<T> = (error: ServiceError | null, response: T) => void;

type Method<Request, Response> = (
  request: Request,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: Callback<Response>,
) => unknown;

/** Calls a generated client's unary method; types come from its last (callback-last) overload. */
export function unary<Request, Response>(
  method: Method<Request, Response>,
  request: Request,
  metadata: Metadata,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    method(request, metadata, {}, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

export function bearer(token = 'x'): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

const page = <T>(items: T[], nextPageToken: string): Page<T> => ({ items, nextPageToken });

/**
 * A client of `kind`'s generated service (the SDK's, as the emulator serves it), which decodes
 * every field, with the page size the test asks for; no pageSize asks for the server's default,
 * as 0. No explicit roots: the test CA is trusted via GRPC_DEFAULT_SSL_ROOTS_FILE_PATH.
 */
export function openListingClient(
  kind: ResourceKind,
  address: string,
  metadata: () => Metadata = bearer,
): ListingClient {
  const { service, idField, itemsField } = RESOURCE_SERVICES[kind];
  const Client = makeGenericClientConstructor(service, kind);
  const client = new Client(address, credentials.createSsl(), {});
  const methods = client as unknown as {
    list: Method<object, Record<string, unknown> & { nextPageToken: string }>;
    listOperations: Method<object, { operations: Operation[]; nextPageToken: string }>;
  };
  const list = methods.list.bind(client);
  const listOperations = methods.listOperations.bind(client);
  // A request with every field at its default (the decoding of no bytes), as encode() needs.
  const request = (key: 'list' | 'listOperations', fields: object, ask: PageAsk | undefined) => ({
    ...service[key]?.requestDeserialize(Buffer.alloc(0)),
    ...fields,
    pageSize: ask?.pageSize ?? 0,
    pageToken: ask?.pageToken ?? '',
  });
  return {
    list: async (folderId, ask) => {
      const response = await unary(list, request('list', { folderId }, ask), metadata());
      return page(response[itemsField] as ListedResource[], response.nextPageToken);
    },
    listOperations: async (resourceId, ask) => {
      const asked = request('listOperations', { [idField]: resourceId }, ask);
      const response = await unary(listOperations, asked, metadata());
      return page(response.operations, response.nextPageToken);
    },
    close: () => client.close(),
  };
}

/**
 * Every page of a listing, fetched by following nextPageToken until it is empty: the pages
 * themselves, for tests of where the emulator cuts them (src/sweep/listing/pages.ts's allPages
 * keeps only the items).
 */
export async function allPages<T>(
  fetch: (pageToken: string) => Promise<Page<T>>,
): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let pageToken = '';
  do {
    const next = await fetch(pageToken);
    pages.push(next);
    pageToken = next.nextPageToken;
    if (pages.length > 1000) throw new Error('listing never ends');
  } while (pageToken !== '');
  return pages;
}
