import { describe, expect, it } from 'vitest';
import {
  type CloudApiServer,
  type FakeOperation,
  type FakeResource,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import { hostedFunction } from '../support/async-host';
import { contextToken, NO_METADATA, startBuiltFunction } from '../support/built-function';
import { closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { FAST_ENV } from '../support/fixtures';
import { testPki } from '../support/test-pki';

/**
 * A sweep's maxCancelsTotal across a fan-out, on the built files (issue 28, item 3): the
 * coordinator (dist/index.js) splits it in dist/sweep.js, and each folder's invocation, a process
 * call of its own through the platform's asynchronous invocation, parses its share and holds its
 * own guard to it.
 */
const CLOUD = 'b1gcapscloud';
const TOKEN = contextToken('t1.fan-out-caps', 3600);
const FOLDERS = ['b1gcapsa', 'b1gcapsb', 'b1gcapsc', 'b1gcapsd'];
const STUCK_PER_FOLDER = 3;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const track = closedAfterEach();

/** Four folders, each with three instances running a Create for over an hour (vm0 the oldest): twelve stuck. */
async function cloud(): Promise<CloudApiServer> {
  const resources: FakeResource[] = FOLDERS.flatMap((folder) =>
    Array.from({ length: STUCK_PER_FOLDER }, (_, i) => ({
      kind: 'compute.instance' as const,
      id: `${folder}vm${i}`,
      folderId: folder,
    })),
  );
  const operations: FakeOperation[] = resources.map((r, i) => ({
    id: `${r.id}op`,
    resourceId: r.id,
    createdAt: minutesAgo(120 - i),
  }));
  const server = track(await startCloudApiServer({ pki: testPki(), resources, operations }));
  for (const folder of FOLDERS) server.placeFolder(folder, CLOUD);
  return server;
}

/** The built function behind the host that takes its asynchronous calls, as the platform does. */
async function platform(server: CloudApiServer) {
  const hosted = await hostedFunction({ token: TOKEN, async: { retries: 0 } }, (hostUrl) =>
    startBuiltFunction({
      server,
      env: {
        ...FAST_ENV,
        SWEEP_FANOUT_FOLDERS: '2',
        ALLOW_ONEXCESS_OLDEST: 'true',
        YC_FUNCTIONS_INVOKE_URL: hostUrl,
        ...NO_METADATA,
      },
    }),
  );
  return { host: track(hosted.host), runtime: track(hosted.runtime) };
}

/** Sweeps the cloud with `extra`, waits for every folder's invocation, and gives the Cancels sent. */
async function sweepCloud(extra: object) {
  const server = await cloud();
  const { host, runtime } = await platform(server);
  const payload = {
    sweep: { cloudId: CLOUD, kinds: ['compute.instance'], olderThan: '30m', onExcess: 'oldest' },
  };
  const coordinator = await runtime.invoke(
    timerEvent(JSON.stringify({ ...payload, sweep: { ...payload.sweep, ...extra } })),
    { requestId: 'inv-caps', token: TOKEN },
  );
  expect(coordinator.ok, coordinator.body).toBe(true);
  await host.asyncDone();
  expect(host.asyncCalls().map((c) => c.deadLettered)).toEqual(FOLDERS.map(() => undefined));
  const cancels = server.calls.filter((c) => c.method === 'Cancel').map((c) => String(c.subject));
  return { cancels, runtime };
}

describe('a cloud sweep with maxCancelsTotal, on the built function', () => {
  it('cancels at most 3 in total over four folders with twelve stuck operations', async () => {
    const { cancels, runtime } = await sweepCloud({ maxCancelsTotal: 3 });

    expect(cancels.length).toBeLessThanOrEqual(3);
    // Shares 1, 1, 1, 0 in hand-on order: each of the first three cancels its oldest.
    expect(cancels.sort()).toEqual(['b1gcapsavm0op', 'b1gcapsbvm0op', 'b1gcapscvm0op']);
    const line = runtime.linesFor('inv-caps').find((l) => l.msg === 'sweep handed on');
    expect(line).toMatchObject({
      cancelSplit: { maxCancelsTotal: 3, folders: 4, each: 0, oneMore: 3 },
    });
    // The rest are found and told, each over the limit, with no call.
    const over = runtime.lines.filter((l) => l.msg === 'operation skipped');
    expect(over).toHaveLength(FOLDERS.length * STUCK_PER_FOLDER - 3);
    for (const skipped of over) {
      expect(skipped).toMatchObject({ reason: 'over_limit', sweepId: 'inv-caps' });
    }
  });

  it('without it, shares the per-run cap (20), which lets every folder cancel its three', async () => {
    const { cancels } = await sweepCloud({});

    expect(cancels).toHaveLength(FOLDERS.length * STUCK_PER_FOLDER);
  });
});
