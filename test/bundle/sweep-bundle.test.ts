import { describe, expect, it } from 'vitest';
import { startCloudApiServer } from '../../emulator/cloud-api-server';
import { startBuiltFunction, withToken } from '../support/built-function';
import { closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { testPki } from '../support/test-pki';

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
    const runtime = track(await startBuiltFunction({ server }));
    const payload = JSON.stringify({
      sweep: { folderId: 'b1gfolder', kinds: ['compute.disk'], olderThan: '30m' },
    });

    const invocation = await runtime.invoke(timerEvent(payload), withToken('t1.bundle'));

    expect(invocation.ok).toBe(true);
    expect(server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject)).toEqual([
      'diskcreate',
    ]);
    expect(runtime.nonJsonLines()).toEqual([]);
  });
});
