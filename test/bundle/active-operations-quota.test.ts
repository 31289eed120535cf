import { describe, expect, it } from 'vitest';
import { activeOperationsLimit } from '../../emulator/cloud-api/fault';
import { startCloudApiServer } from '../../emulator/cloud-api-server';
import type { TestPkiFiles } from '../../emulator/pki';
import { answeringServer } from '../support/answering-server';
import { startBuiltFunction, withToken } from '../support/built-function';
import { closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { testPki } from '../support/test-pki';

/**
 * The active-operations quota on the built function, in a process of its own: dist/sweep.js
 * counts a folder's running operations and sees the quota in its listings, dist/index.js carries
 * both across to dist/observe.js, which writes the metric and the message (issue 28 item 4).
 */
const TOKEN = withToken('t1.quota');
const FOLDER = 'b1gquotabuilt';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const track = closedAfterEach();

/** A folder whose instance has four operations running (the oldest for 3 hours) and one done. */
const world = (pki: TestPkiFiles) =>
  startCloudApiServer({
    pki,
    resources: [
      { kind: 'compute.instance', id: 'vm1', folderId: FOLDER },
      { kind: 'compute.disk', id: 'disk1', folderId: FOLDER },
    ],
    operations: [
      {
        id: 'vmold',
        resourceId: 'vm1',
        description: 'Create instance',
        createdAt: minutesAgo(180),
      },
      { id: 'vmmid', resourceId: 'vm1', description: 'Update instance', createdAt: minutesAgo(50) },
      { id: 'vmnew', resourceId: 'vm1', description: 'Start instance', createdAt: minutesAgo(3) },
      { id: 'vmnewer', resourceId: 'vm1', description: 'Stop instance', createdAt: minutesAgo(1) },
      { id: 'vmdone', resourceId: 'vm1', createdAt: minutesAgo(300), done: true },
    ],
  });

describe('the active-operations quota, on the built function', () => {
  it("writes the folder's running count as a metric, and names the quota and its oldest holders in the message", async () => {
    const pki = testPki();
    const server = track(await world(pki));
    // The disk's listing meets the quota on every attempt; the instance's goes through.
    server.failList('compute.disk', activeOperationsLimit());
    const monitoring = await answeringServer(track, 200);
    const webhook = await answeringServer(track, 200);
    const env = {
      METRICS_FOLDER_ID: 'b1gmetrics',
      YC_MONITORING_URL: monitoring.url,
      NOTIFY_WEBHOOK_URL: `${webhook.url}/hook`,
      NOTIFY_FORMAT: 'slack',
      RETRY_ATTEMPTS: '1',
      RETRY_BASE_DELAY_MS: '5',
    };
    const fn = track(await startBuiltFunction({ server, env }));

    const payload = JSON.stringify({
      sweep: { folderId: FOLDER, kinds: ['compute.instance', 'compute.disk'], olderThan: '2h' },
      dryRun: true,
    });
    const invocation = await fn.invoke(timerEvent(payload), TOKEN);

    // A listing that failed for now asks the platform to deliver the timer again.
    expect(invocation.ok).toBe(false);
    await fn.waitForLine(
      (l) => l.request_id === invocation.requestId && l.msg === 'invocation summary',
    );
    const lines = fn.linesFor(invocation.requestId);
    expect(lines.find((l) => l.msg === 'invocation summary')).toMatchObject({
      sweep: { running: { [FOLDER]: 4 }, failedListings: 1 },
      activeOperationsQuota: [{ folderId: FOLDER, running: 4 }],
    });
    expect(lines.find((l) => l.msg === 'active operations quota')).toMatchObject({
      folderId: FOLDER,
      documentedLimit: 15,
      oldestRunning: ['vmold', 'vmmid', 'vmnew', 'vmnewer'].map((operationId) =>
        expect.objectContaining({ operationId }),
      ),
    });
    for (const seen of [monitoring.seen, webhook.seen]) expect(seen).toHaveLength(1);

    const { metrics } = JSON.parse(monitoring.seen[0]?.body ?? '{}') as {
      metrics: Array<{ name: string; labels: Record<string, string>; value: number }>;
    };
    expect(metrics.filter((p) => p.name === 'canceller.sweep.running_operations')).toEqual([
      {
        name: 'canceller.sweep.running_operations',
        labels: { source: 'timer', folder: FOLDER },
        type: 'DGAUGE',
        value: 4,
      },
    ]);
    const { text } = JSON.parse(webhook.seen[0]?.body ?? '{}') as { text: string };
    expect(text).toContain(
      `RESOURCE_EXHAUSTED for the quota on active operations per folder in folder ${FOLDER} (4 running) (Compute Cloud's is 15 by default: https://yandex.cloud/en/docs/compute/concepts/limits)`,
    );
    expect(text).toContain(
      '- vmold running, holding the quota: Create instance, 180 min old, on compute.instance vm1',
    );
    expect(text.split('\n').filter((l) => l.includes('holding the quota'))).toHaveLength(4);
  });

  it('names only the folder a sweep found an operation in, when its Cancel meets the quota', async () => {
    const other = 'b1gquotafine';
    const server = track(
      await startCloudApiServer({
        pki: testPki(),
        resources: [
          { kind: 'compute.instance', id: 'vmfull', folderId: FOLDER },
          { kind: 'compute.instance', id: 'vmfine', folderId: other },
        ],
        operations: [
          {
            id: 'fullold',
            resourceId: 'vmfull',
            description: 'Create instance',
            createdAt: minutesAgo(180),
            cancel: activeOperationsLimit(),
          },
          { id: 'fineold', resourceId: 'vmfine', createdAt: minutesAgo(180) },
        ],
      }),
    );
    const env = { RETRY_ATTEMPTS: '1', RETRY_BASE_DELAY_MS: '5' };
    const fn = track(await startBuiltFunction({ server, env }));

    // Two folders, swept in this one invocation: each target crosses from dist/sweep.js with
    // the folder it was found in.
    const payload = JSON.stringify({
      sweep: { folderIds: [FOLDER, other], kinds: ['compute.instance'], olderThan: '2h' },
    });
    const invocation = await fn.invoke(timerEvent(payload), TOKEN);

    await fn.waitForLine(
      (l) => l.request_id === invocation.requestId && l.msg === 'invocation summary',
    );
    const summary = fn.linesFor(invocation.requestId).find((l) => l.msg === 'invocation summary');
    expect(summary).toMatchObject({ sweep: { running: { [FOLDER]: 1, [other]: 1 } } });
    expect(summary?.activeOperationsQuota).toEqual([
      expect.objectContaining({ folderId: FOLDER, running: 1 }),
    ]);
    expect(
      server.calls
        .filter((c) => c.method === 'Cancel')
        .map((c) => c.subject)
        .sort(),
    ).toEqual(['fineold', 'fullold', 'fullold']);
  });
});
