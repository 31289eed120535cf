import { Server, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { Instance } from '@yandex-cloud/nodejs-sdk/compute-v1/instance';
import { InstanceServiceService } from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { OperationServiceService } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import protobuf from 'protobufjs/minimal';
import type { TestPkiFiles } from '../../emulator/pki';
import { bindOverTls } from './grpc-tls';

/**
 * A Compute and Operation API that misbehaves on purpose, for the faults the emulator (which
 * models the platform as documented) never shows: whatever ids, pages and tokens a test gives.
 * Not platform behaviour; a stand-in for a broken or hostile server.
 */
export interface HostileListing {
  /** The instances List returns, one page. */
  instances: string[];
  /** One ListOperations page of the instance, given the token asked with. */
  page(instanceId: string, pageToken: string): { operations: Operation[]; nextPageToken: string };
  /** Instances whose pages carry one more operation, created at 2^62 seconds: no Date holds it. */
  outOfRange?: readonly string[];
  /** Instances whose pages are cut short by a byte: no protobuf parser can read them. */
  unreadable?: readonly string[];
}

interface RawPage {
  operations: Operation[];
  nextPageToken: string;
  rawSeconds?: bigint;
  truncated?: boolean;
}

/** ListInstanceOperationsResponse by hand: each operation, then one whose createdAt is raw. */
function encodePage(page: RawPage) {
  const writer = protobuf.Writer.create();
  for (const operation of page.operations) {
    Operation.encode(operation, writer.uint32(10).fork()).ldelim();
  }
  if (page.rawSeconds !== undefined) {
    // operations (1) { id (1), created_at (3) { seconds (1) } }
    writer.uint32(10).fork().uint32(10).string('rawtime1').uint32(26).fork();
    writer.uint32(8).int64(String(page.rawSeconds)).ldelim().ldelim();
  }
  if (page.nextPageToken) writer.uint32(18).string(page.nextPageToken);
  const bytes = Buffer.from(writer.finish());
  return page.truncated ? bytes.subarray(0, bytes.length - 1) : bytes;
}

export interface HostileServer {
  readonly address: string;
  /** `Get id`, `Cancel id`, `ListOperations instance token`, in order. */
  readonly calls: string[];
  close(): Promise<void>;
}

type Unary<Req> = (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>) => void;

export async function startHostileServer(
  pki: TestPkiFiles,
  listing: HostileListing,
): Promise<HostileServer> {
  const calls: string[] = [];
  const server = new Server();
  const operation = (id: string, done: boolean) =>
    Operation.fromPartial({ id, done, createdAt: new Date(Date.now() - 3_600_000) });
  const get: Unary<{ operationId: string }> = (call, callback) => {
    calls.push(`Get ${call.request.operationId}`);
    callback(null, operation(call.request.operationId, false));
  };
  const cancel: Unary<{ operationId: string }> = (call, callback) => {
    calls.push(`Cancel ${call.request.operationId}`);
    callback(null, {
      ...operation(call.request.operationId, true),
      error: { code: status.CANCELLED, message: 'cancelled', details: [] },
    });
  };
  const list: Unary<{ folderId: string }> = (_call, callback) => {
    const instances = listing.instances.map((id) => Instance.fromPartial({ id }));
    callback(null, { instances, nextPageToken: '' });
  };
  const listOperations: Unary<{ instanceId: string; pageToken: string }> = (call, callback) => {
    const { instanceId, pageToken } = call.request;
    calls.push(`ListOperations ${instanceId} ${pageToken}`);
    const raw: Partial<RawPage> = {
      ...(listing.outOfRange?.includes(instanceId) && { rawSeconds: 2n ** 62n }),
      ...(listing.unreadable?.includes(instanceId) && { truncated: true }),
    };
    callback(null, { ...listing.page(instanceId, pageToken), ...raw });
  };
  server.addService(OperationServiceService, { get, cancel });
  const instanceService = {
    ...InstanceServiceService,
    listOperations: { ...InstanceServiceService.listOperations, responseSerialize: encodePage },
  };
  server.addService(instanceService, { list, listOperations });
  return {
    address: await bindOverTls(server, pki),
    calls,
    close: async () => {
      server.forceShutdown();
    },
  };
}

/** A running operation created an hour ago, as a listing shows it. */
export const running = (id: string) =>
  Operation.fromPartial({ id, done: false, createdAt: new Date(Date.now() - 3_600_000) });
