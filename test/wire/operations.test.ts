import type { MethodDefinition } from '@grpc/grpc-js';
import { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { OperationServiceService } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { describe, expect, it } from 'vitest';
import { OPERATION_SERVICE } from '../../src/cloud/operation-api';

/**
 * Get and Cancel read only the fields the cancel path uses (src/cloud/operation-api.ts), held
 * here to the SDK's generated OperationService: the same paths, a request the generated code
 * reads back, and an operation with every field set, encoded by the generated code.
 */
// biome-ignore lint/suspicious/noExplicitAny: each generated method has its own message types
type Generated = MethodDefinition<any, any>;

const FULL = Operation.fromPartial({
  id: 'fd8operation01',
  description: 'Create instance',
  createdAt: new Date('2026-11-27T10:00:00.123Z'),
  createdBy: 'ajeuser01',
  modifiedAt: new Date('2026-11-27T10:05:00.000Z'),
  done: true,
  metadata: {
    typeUrl: 'type.googleapis.com/yandex.cloud.compute.v1.StartInstanceMetadata',
    value: Buffer.from('metadata bytes'),
  },
  error: { code: 1, message: 'cancelled', details: [{ typeUrl: 'x', value: Buffer.from('d') }] },
});

describe.each([
  ['Get', OPERATION_SERVICE.get, OperationServiceService.get as Generated],
  ['Cancel', OPERATION_SERVICE.cancel, OperationServiceService.cancel as Generated],
])('OperationService.%s', (_name, rpc, generated) => {
  it('asks as the generated service does', () => {
    expect(`/${rpc.service}/${rpc.method}`).toBe(generated.path);
    expect(generated.requestDeserialize(rpc.encode('fd8operation01'))).toEqual({
      operationId: 'fd8operation01',
    });
  });

  it('reads an operation the generated code encodes, its error without details', () => {
    expect(rpc.decode(generated.responseSerialize(FULL))).toEqual({
      id: 'fd8operation01',
      description: 'Create instance',
      createdAt: new Date('2026-11-27T10:00:00.123Z'),
      createdBy: 'ajeuser01',
      modifiedAt: new Date('2026-11-27T10:05:00.000Z'),
      done: true,
      // Get and Cancel read the metadata's value too: a scoped deployment places the operation by it.
      metadata: {
        typeUrl: 'type.googleapis.com/yandex.cloud.compute.v1.StartInstanceMetadata',
        value: Buffer.from('metadata bytes'),
      },
      error: { code: 1, message: 'cancelled' },
    });
  });

  it('reads a running operation, its result and times absent, with the defaults', () => {
    const running = Operation.fromPartial({ id: 'fd8running', done: false });
    expect(rpc.decode(generated.responseSerialize(running))).toEqual({
      id: 'fd8running',
      description: '',
      createdBy: '',
      done: false,
    });
  });
});
