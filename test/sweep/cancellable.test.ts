import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MethodDefinition } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { resourceOf } from '../../src/act/placement';
import { Cancellability, cancellabilityOf, METHODS } from '../../src/cancellable';
import { decode, encode } from '../../src/cloud/wire';
import { CANCELLABLE_KINDS } from '../../src/model';

const require = createRequire(import.meta.url);

/** Each cancellable kind's generated service module in the installed SDK, and its service. */
const SDK: Record<(typeof CANCELLABLE_KINDS)[number], readonly [string, string]> = {
  'compute.instance': ['compute-v1/instance_service', 'InstanceService'],
  'compute.disk': ['compute-v1/disk_service', 'DiskService'],
  'compute.image': ['compute-v1/image_service', 'ImageService'],
  'compute.reservedInstancePool': [
    'compute-v1/reserved_instance_pool_service',
    'ReservedInstancePoolService',
  ],
  'vpc.network': ['vpc-v1/network_service', 'NetworkService'],
  'vpc.subnet': ['vpc-v1/subnet_service', 'SubnetService'],
  'vpc.routeTable': ['vpc-v1/route_table_service', 'RouteTableService'],
  'vpc.securityGroup': ['vpc-v1/security_group_service', 'SecurityGroupService'],
  'cic.privateConnection': ['cic-v1/private_connection_service', 'PrivateConnectionService'],
  'cic.trunkConnection': ['cic-v1/trunk_connection_service', 'TrunkConnectionService'],
  'cloudrouter.routingInstance': [
    'cloudrouter-v1/routing_instance_service',
    'RoutingInstanceService',
  ],
};

const MARK = 'can be cancelled while it is in progress';

/** What each generated message offers: the two functions these tests use. */
interface Message {
  fromPartial(fields: object): object;
  encode(message: object): { finish(): Uint8Array };
}

/**
 * The methods of `service` whose doc comment in the generated definition carries the proto's
 * mark: the comment that precedes each `readonly <method>: { readonly path: "/…/<Method>"`.
 */
function markedMethods(declarations: string, service: string): string[] {
  const start = declarations.indexOf(`export declare const ${service}Service: {`);
  if (start < 0) throw new Error(`no ${service}Service in the generated declarations`);
  const block = declarations.slice(start, declarations.indexOf('\n};', start));
  return [
    ...block.matchAll(
      /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly \w+: \{\s*readonly path: "[^"]*\/(\w+)";/g,
    ),
  ]
    .filter(([, comment]) => (comment as string).includes(MARK))
    .map(([, , method]) => method as string);
}

describe.each(CANCELLABLE_KINDS.map((kind) => [kind]))('%s', (kind) => {
  const [module, service] = SDK[kind];
  const path = require.resolve(`@yandex-cloud/nodejs-sdk/${module}`);
  const generated = require(path) as Record<string, unknown>;
  const table = METHODS[kind];

  it('marks cancellable exactly the methods the installed SDK marks so', () => {
    const declarations = readFileSync(path.replace(/\.js$/, '.d.ts'), 'utf8');
    expect(Object.keys(table.cancellable).sort()).toEqual(
      markedMethods(declarations, service).sort(),
    );
  });

  // Where a scoped deployment places a named operation (src/act/placement.ts): the resource its
  // metadata names in field 1, and that resource's folder as the service's Get answers it.
  it('finds the resource each cancellable method works on in its metadata, as the SDK encodes it', () => {
    for (const name of new Set(Object.values(table.cancellable))) {
      const message = generated[name] as Message;
      const [idField] = Object.keys(message.fromPartial({})).filter((k) => k !== '$type');
      expect(idField, name).toMatch(/Id$/);
      const value = message.encode(message.fromPartial({ [idField as string]: 'res1id' })).finish();
      const named = resourceOf({
        id: 'op',
        description: '',
        createdBy: '',
        done: false,
        metadata: { typeUrl: `type.googleapis.com/${table.package}.${name}`, value },
      });
      expect(named, name).toMatchObject({ id: 'res1id', service: `${table.package}.${service}` });
    }
  });

  it("reads a resource's folder as the service's Get is asked and answers", () => {
    const get = (generated[`${service}Service`] as { get: MethodDefinition<unknown, unknown> }).get;
    expect(get.path).toBe(`/${table.package}.${table.service}/Get`);
    const [asked] = Object.entries(
      get.requestDeserialize(encode([[1, 'res1id']])) as object,
    ).filter(([k]) => k !== '$type');
    expect(asked).toEqual([expect.stringMatching(/Id$/), 'res1id']);
    const resource = require(
      require.resolve(`@yandex-cloud/nodejs-sdk/${module.replace(/_service$/, '')}`),
    )[service.replace(/Service$/, '')] as Message;
    const answer = get.responseSerialize(
      resource.fromPartial({
        id: 'res1id',
        folderId: 'b1gfolder1',
        name: 'n',
        description: 'a description',
        labels: { env: 'prod' },
      }),
    );
    const read = decode(answer, { [table.folderField]: { name: 'folderId', type: 'string' } });
    expect(read).toEqual({ folderId: 'b1gfolder1' });
  });

  it('knows every metadata type the service exports, each on one side', () => {
    const exported = Object.keys(generated).filter((name) => name.endsWith('Metadata'));
    const cancellable = new Set(Object.values(table.cancellable));
    expect([...new Set([...cancellable, ...table.other])].sort()).toEqual(exported.sort());
    expect(table.other.filter((name) => cancellable.has(name))).toEqual([]);
  });
});

describe('whether the API can cancel an operation, by its metadata', () => {
  const url = (name: string) => `type.googleapis.com/${name}`;
  it.each([
    [
      'an instance create',
      url('yandex.cloud.compute.v1.CreateInstanceMetadata'),
      Cancellability.Cancellable,
    ],
    [
      'an instance start',
      url('yandex.cloud.compute.v1.StartInstanceMetadata'),
      Cancellability.NotCancellable,
    ],
    [
      'a security group create',
      url('yandex.cloud.vpc.v1.CreateSecurityGroupMetadata'),
      Cancellability.NotCancellable,
    ],
    [
      'a security group update',
      url('yandex.cloud.vpc.v1.UpdateSecurityGroupMetadata'),
      Cancellability.Cancellable,
    ],
    [
      'a routing instance prefix upsert',
      url('yandex.cloud.cloudrouter.v1.UpdateRoutingInstanceMetadata'),
      Cancellability.Cancellable,
    ],
    [
      'a snapshot create, of no kind of the table',
      url('yandex.cloud.compute.v1.CreateSnapshotMetadata'),
      Cancellability.Unknown,
    ],
    [
      'a name of another package',
      url('yandex.cloud.vpc.v1.CreateInstanceMetadata'),
      Cancellability.Unknown,
    ],
    ['no metadata', undefined, Cancellability.Unknown],
    ['an empty type', '', Cancellability.Unknown],
  ])('%s: %s', (_case, typeUrl, verdict) => {
    expect(cancellabilityOf(typeUrl)).toBe(verdict);
  });
});
