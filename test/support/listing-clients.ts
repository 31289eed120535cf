import { type CallOptions, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  DiskServiceClient,
  ListDiskOperationsRequest,
  ListDisksRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/disk_service';
import {
  ImageServiceClient,
  ListImageOperationsRequest,
  ListImagesRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/image_service';
import {
  InstanceServiceClient,
  ListInstanceOperationsRequest,
  ListInstancesRequest,
} from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import {
  ListNetworkOperationsRequest,
  ListNetworksRequest,
  NetworkServiceClient,
} from '@yandex-cloud/nodejs-sdk/vpc-v1/network_service';
import {
  ListRouteTableOperationsRequest,
  ListRouteTablesRequest,
  RouteTableServiceClient,
} from '@yandex-cloud/nodejs-sdk/vpc-v1/route_table_service';
import {
  ListSecurityGroupOperationsRequest,
  ListSecurityGroupsRequest,
  SecurityGroupServiceClient,
} from '@yandex-cloud/nodejs-sdk/vpc-v1/security_group_service';
import {
  ListSubnetOperationsRequest,
  ListSubnetsRequest,
  SubnetServiceClient,
} from '@yandex-cloud/nodejs-sdk/vpc-v1/subnet_service';
import type { ResourceKind } from '../../emulator/operation-server';

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

/** Calls a generated client's unary method; types come from its last (callback-last) overload. */
export function unary<Request, Response>(
  method: (
    request: Request,
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: Callback<Response>,
  ) => unknown,
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

type Open = (address: string, metadata: () => Metadata) => ListingClient;

// No explicit roots: the test CA is trusted via GRPC_DEFAULT_SSL_ROOTS_FILE_PATH.
const OPENERS: Record<ResourceKind, Open> = {
  'compute.instance': (address, metadata) => {
    const client = new InstanceServiceClient(address, credentials.createSsl());
    const list = client.list.bind(client);
    const listOperations = client.listOperations.bind(client);
    return {
      list: async (folderId, ask) => {
        const request = ListInstancesRequest.fromPartial({ folderId, ...ask });
        const response = await unary(list, request, metadata());
        return page(response.instances, response.nextPageToken);
      },
      listOperations: async (instanceId, ask) => {
        const request = ListInstanceOperationsRequest.fromPartial({ instanceId, ...ask });
        const response = await unary(listOperations, request, metadata());
        return page(response.operations, response.nextPageToken);
      },
      close: () => client.close(),
    };
  },
  'compute.disk': (address, metadata) => {
    const client = new DiskServiceClient(address, credentials.createSsl());
    const list = client.list.bind(client);
    const listOperations = client.listOperations.bind(client);
    return {
      list: async (folderId, ask) => {
        const request = ListDisksRequest.fromPartial({ folderId, ...ask });
        const response = await unary(list, request, metadata());
        return page(response.disks, response.nextPageToken);
      },
      listOperations: async (diskId, ask) => {
        const request = ListDiskOperationsRequest.fromPartial({ diskId, ...ask });
        const response = await unary(listOperations, request, metadata());
        return page(response.operations, response.nextPageToken);
      },
      close: () => client.close(),
    };
  },
  'compute.image': (address, metadata) => {
    const client = new ImageServiceClient(address, credentials.createSsl());
    const list = client.list.bind(client);
    const listOperations = client.listOperations.bind(client);
    return {
      list: async (folderId, ask) => {
        const request = ListImagesRequest.fromPartial({ folderId, ...ask });
        const response = await unary(list, request, metadata());
        return page(response.images, response.nextPageToken);
      },
      listOperations: async (imageId, ask) => {
        const request = ListImageOperationsRequest.fromPartial({ imageId, ...ask });
        const response = await unary(listOperations, request, metadata());
        return page(response.operations, response.nextPageToken);
      },
      close: () => client.close(),
    };
  },
  'vpc.network': (address, metadata) => {
    const client = new NetworkServiceClient(address, credentials.createSsl());
    const list = client.list.bind(client);
    const listOperations = client.listOperations.bind(client);
    return {
      list: async (folderId, ask) => {
        const request = ListNetworksRequest.fromPartial({ folderId, ...ask });
        const response = await unary(list, request, metadata());
        return page(response.networks, response.nextPageToken);
      },
      listOperations: async (networkId, ask) => {
        const request = ListNetworkOperationsRequest.fromPartial({ networkId, ...ask });
        const response = await unary(listOperations, request, metadata());
        return page(response.operations, response.nextPageToken);
      },
      close: () => client.close(),
    };
  },
  'vpc.subnet': (address, metadata) => {
    const client = new SubnetServiceClient(address, credentials.createSsl());
    const list = client.list.bind(client);
    const listOperations = client.listOperations.bind(client);
    return {
      list: async (folderId, ask) => {
        const request = ListSubnetsRequest.fromPartial({ folderId, ...ask });
        const response = await unary(list, request, metadata());
        return page(response.subnets, response.nextPageToken);
      },
      listOperations: async (subnetId, ask) => {
        const request = ListSubnetOperationsRequest.fromPartial({ subnetId, ...ask });
        const response = await unary(listOperations, request, metadata());
        return page(response.operations, response.nextPageToken);
      },
      close: () => client.close(),
    };
  },
  'vpc.routeTable': (address, metadata) => {
    const client = new RouteTableServiceClient(address, credentials.createSsl());
    const list = client.list.bind(client);
    const listOperations = client.listOperations.bind(client);
    return {
      list: async (folderId, ask) => {
        const request = ListRouteTablesRequest.fromPartial({ folderId, ...ask });
        const response = await unary(list, request, metadata());
        return page(response.routeTables, response.nextPageToken);
      },
      listOperations: async (routeTableId, ask) => {
        const request = ListRouteTableOperationsRequest.fromPartial({ routeTableId, ...ask });
        const response = await unary(listOperations, request, metadata());
        return page(response.operations, response.nextPageToken);
      },
      close: () => client.close(),
    };
  },
  'vpc.securityGroup': (address, metadata) => {
    const client = new SecurityGroupServiceClient(address, credentials.createSsl());
    const list = client.list.bind(client);
    const listOperations = client.listOperations.bind(client);
    return {
      list: async (folderId, ask) => {
        const request = ListSecurityGroupsRequest.fromPartial({ folderId, ...ask });
        const response = await unary(list, request, metadata());
        return page(response.securityGroups, response.nextPageToken);
      },
      listOperations: async (securityGroupId, ask) => {
        const request = ListSecurityGroupOperationsRequest.fromPartial({ securityGroupId, ...ask });
        const response = await unary(listOperations, request, metadata());
        return page(response.operations, response.nextPageToken);
      },
      close: () => client.close(),
    };
  },
};

export function openListingClient(
  kind: ResourceKind,
  address: string,
  metadata: () => Metadata = bearer,
): ListingClient {
  return OPENERS[kind](address, metadata);
}

/** Every page of a listing, fetched by following nextPageToken until it is empty. */
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
