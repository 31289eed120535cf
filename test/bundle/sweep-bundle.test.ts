import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCloudApiServer } from '../../emulator/cloud-api-server';
import { closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { startRuntime } from '../support/runtime';
import { testPki } from '../support/test-pki';

const BUNDLE = path.resolve(import.meta.dirname, '../../dist/index.js');
const track = closedAfterEach();

describe('the built bundle', () => {
  it('loads dist/sweep.js when a timer asks for a sweep, and cancels what it finds', async () => {
    const pki = testPki();
    const old = new Date(Date.now() - 3_600_000);
    const server = track(
      await startCloudApiServer({
        pki,
        resources: [{ kind: 'compute.disk', id: 'disk1', folderId: 'b1gfolder' }],
        operations: [
          { id: 'diskcreate', resourceId: 'disk1', createdAt: old },
          { id: 'diskresize', resourceId: 'disk1', createdAt: new Date() },
        ],
      }),
    );
    const runtime = await startRuntime({
      bundlePath: BUNDLE,
      env: {
        YC_OPERATION_ENDPOINT: server.address,
        YC_COMPUTE_ENDPOINT: server.address,
        YC_VPC_ENDPOINT: server.address,
        NODE_EXTRA_CA_CERTS: pki.caFile,
        GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: undefined,
      },
    });
    track(runtime);
    const payload = JSON.stringify({
      sweep: { folderId: 'b1gfolder', kinds: ['compute.disk'], olderThan: '30m' },
    });

    const invocation = await runtime.invoke(timerEvent(payload), {
      token: { access_token: 't1.bundle', expires_in: 43_200, token_type: 'Bearer' },
    });

    expect(invocation.ok).toBe(true);
    expect(server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject)).toEqual([
      'diskcreate',
    ]);
    expect(runtime.nonJsonLines()).toEqual([]);
  });
});
