import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { cancelOperation } from '../../src/act/cancel-operation';
import { CallError } from '../../src/errors';
import { clientOnEmulator } from '../support/in-process';
import { fixedToken, pipelineDeps } from '../support/pipeline-deps';

// Operations by the method that started them, as their metadata's type names it, over TLS.
const TOKEN = 't1.methods-token';
const createdAt = new Date(Date.now() - 3_600_000);
const metadata = (method: string) => ({
  typeUrl: `type.googleapis.com/yandex.cloud.compute.v1.${method}InstanceMetadata`,
  value: Buffer.alloc(0),
});

const emulator = clientOnEmulator({
  callTimeoutMs: 2000,
  retryAttempts: 1,
  operations: [
    { id: 'opstart', createdAt, description: 'Start instance', metadata: metadata('Start') },
    { id: 'opcreate', createdAt, description: 'Create instance', metadata: metadata('Create') },
    { id: 'opbare', createdAt, description: 'no metadata' },
    {
      id: 'opother',
      createdAt,
      metadata: {
        typeUrl: 'type.googleapis.com/yandex.cloud.dataproc.v1.CreateClusterMetadata',
        value: Buffer.alloc(0),
      },
    },
  ],
});

const run = (id: string) =>
  cancelOperation(
    { named: { valid: true, id }, dryRun: false, minAgeSeconds: 0 },
    pipelineDeps(emulator.api, { token: fixedToken(TOKEN) }),
  );

describe('a named operation, by the method that started it', () => {
  it('of a method the API cannot cancel is not_cancellable, says why, and gets no Cancel', async () => {
    expect(await run('opstart')).toMatchObject({
      outcome: 'not_cancellable',
      reason: 'method_not_cancellable',
      metadataType: 'yandex.cloud.compute.v1.StartInstanceMetadata',
      description: 'Start instance',
    });
    expect(emulator.server.callsFor('opstart').map((c) => c.method)).toEqual(['Get']);
  });

  it('of a method it can cancel is cancelled, and its line names the method', async () => {
    const result = await run('opcreate');
    expect(result).toMatchObject({
      outcome: 'cancelled',
      metadataType: 'yandex.cloud.compute.v1.CreateInstanceMetadata',
    });
    expect(result).not.toHaveProperty('cancellability');
  });

  it.each([
    ['with no metadata', 'opbare'],
    ['of a type the table lacks', 'opother'],
  ])(
    '%s is tried all the same, and its result says its cancellability is unknown',
    async (_case, id) => {
      expect(await run(id)).toMatchObject({ outcome: 'cancelled', cancellability: 'unknown' });
      expect(emulator.server.callsFor(id).map((c) => c.method)).toContain('Cancel');
    },
  );
});

describe("the emulator's Cancel", () => {
  it('refuses an operation whose method the API cannot cancel, as FAILED_PRECONDITION', async () => {
    const refused = await emulator.api.cancel('opstart', TOKEN).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CallError);
    expect((refused as CallError).cause).toMatchObject({ code: status.FAILED_PRECONDITION });
  });
});
