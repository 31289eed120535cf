import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { activeOperationsLimit, requestRateLimit } from '../../emulator/cloud-api/fault';
import type { FakeOperation, FakeResource } from '../../emulator/cloud-api-server';
import { closable, closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { invocationContext, loggedResultsById, onEmulator } from '../support/in-process';

/**
 * A folder's running operations, counted by its sweep for the summary and the metric, and the
 * active-operations quota named, with the oldest of them, when a call meets it (issue 28 item 4).
 */
const FOLDER = 'b1gquota';
const TOKEN = 't1.quota';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const track = closedAfterEach();

const resources: FakeResource[] = [
  { kind: 'compute.instance', id: 'vm1', folderId: FOLDER },
  { kind: 'compute.disk', id: 'disk1', folderId: FOLDER },
  { kind: 'compute.disk', id: 'elsewhere1', folderId: 'b1gother' },
];

/** Four running on the folder's resources, two done; one running on a resource named from elsewhere. */
const operations = (cancelOldest?: FakeOperation['cancel']): FakeOperation[] => [
  {
    id: 'vmold',
    resourceId: 'vm1',
    description: 'Create instance',
    createdAt: minutesAgo(180),
    ...(cancelOldest && { cancel: cancelOldest }),
  },
  { id: 'vmmid', resourceId: 'vm1', description: 'Update instance', createdAt: minutesAgo(40) },
  { id: 'vmyoung', resourceId: 'vm1', description: 'Stop instance', createdAt: minutesAgo(2) },
  { id: 'vmdone', resourceId: 'vm1', createdAt: minutesAgo(300), done: true },
  { id: 'diskrun', resourceId: 'disk1', description: 'Create disk', createdAt: minutesAgo(90) },
  { id: 'diskdone', resourceId: 'disk1', createdAt: minutesAgo(30), done: true },
  { id: 'farrun', resourceId: 'elsewhere1', createdAt: minutesAgo(500) },
];

type Summary = {
  sweep: { running?: Record<string, number> };
  activeOperationsQuota?: unknown;
};

interface Received {
  readonly path: string;
  readonly body: { metrics?: Array<Record<string, unknown>>; text?: string };
}

/** A loopback HTTP server that keeps what it is sent and answers 200. */
async function receiver() {
  const received: Received[] = [];
  const server = http.createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    received.push({ path: req.url ?? '', body: JSON.parse(text) });
    res.end('{}');
  });
  track(closable(server));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function sweepOnce(
  { dryRun, ...sweep }: { dryRun?: boolean } & Record<string, unknown>,
  emulated: { operations: FakeOperation[] },
  quotaOn?: 'disk-listing' | 'throttled-listing',
) {
  const monitoring = await receiver();
  const hook = await receiver();
  const { server, fn } = await onEmulator(
    track,
    { resources, operations: emulated.operations },
    {
      METRICS_FOLDER_ID: 'b1gmetrics',
      YC_MONITORING_URL: monitoring.url,
      NOTIFY_WEBHOOK_URL: `${hook.url}/hook`,
      NOTIFY_FORMAT: 'json',
    },
  );
  if (quotaOn === 'disk-listing') server.failList('compute.disk', activeOperationsLimit());
  if (quotaOn === 'throttled-listing') server.failList('compute.disk', requestRateLimit());
  // A failure a retry may mend fails a timer's invocation, so that the platform runs it again.
  await fn
    .handler(
      timerEvent(
        JSON.stringify({ sweep: { folderId: FOLDER, ...sweep }, ...(dryRun && { dryRun }) }),
      ),
      invocationContext({ token: TOKEN }),
    )
    .catch(() => undefined);
  const summary = fn.lines.find((l) => l.msg === 'invocation summary') as Summary;
  return { server, fn, summary, monitoring, hook };
}

const named = { resources: [{ kind: 'compute.disk', id: 'elsewhere1' }] };

describe("a sweep's running operations, per folder", () => {
  it('are counted once each, done ones and a named resource from elsewhere left out, in the summary, the line and the metric', async () => {
    const { fn, summary, monitoring } = await sweepOnce(
      { olderThan: '30m', dryRun: true, ...named },
      { operations: operations() },
    );

    expect(summary.sweep.running).toEqual({ [FOLDER]: 4 });
    expect(summary).not.toHaveProperty('activeOperationsQuota');
    expect(fn.lines.find((l) => l.msg === 'sweep listed')).toMatchObject({
      folderId: FOLDER,
      running: 4,
    });
    expect(fn.lines.some((l) => l.msg === 'active operations quota')).toBe(false);
    const points = monitoring.received[0]?.body.metrics ?? [];
    expect(points.filter((p) => p.name === 'canceller.sweep.running_operations')).toEqual([
      {
        name: 'canceller.sweep.running_operations',
        labels: { source: 'timer', folder: FOLDER },
        type: 'DGAUGE',
        value: 4,
      },
    ]);
  });

  it('count what the sweep cancels too: they were running when listed', async () => {
    const { server, summary } = await sweepOnce({ olderThan: '30m' }, { operations: operations() });

    expect(server.calls.filter((c) => c.method === 'Cancel')).toHaveLength(3);
    expect(summary.sweep.running).toEqual({ [FOLDER]: 4 });
  });
});

describe('the active-operations quota met by a listing', () => {
  it("is named in the failure's line, a line of its own with the oldest running, the summary and the message", async () => {
    const { fn, summary, hook } = await sweepOnce(
      { olderThan: '30m', dryRun: true, kinds: ['compute.instance', 'compute.disk'] },
      { operations: operations() },
      'disk-listing',
    );

    expect(fn.lines.find((l) => l.msg === 'sweep listing failed')).toMatchObject({
      listing: `compute.disk in folder ${FOLDER}`,
      code: 'RESOURCE_EXHAUSTED',
      quota: 'active operations per folder',
      retryable: true,
    });
    // The disk went unlisted: what the instance's listing saw is what is known to hold the quota.
    const oldestRunning = [
      {
        operationId: 'vmold',
        description: 'Create instance',
        ageSeconds: expect.closeTo(10_800, -2),
        resourceKind: 'compute.instance',
        resourceId: 'vm1',
      },
      expect.objectContaining({ operationId: 'vmmid' }),
      expect.objectContaining({ operationId: 'vmyoung' }),
    ];
    expect(fn.lines.find((l) => l.msg === 'active operations quota')).toMatchObject({
      level: 'WARN',
      folderId: FOLDER,
      quota: 'active operations per folder',
      documentedLimit: 15,
      docs: 'https://yandex.cloud/en/docs/compute/concepts/limits',
      running: 3,
      oldestRunning,
    });
    expect(summary.activeOperationsQuota).toEqual([
      { folderId: FOLDER, running: 3, oldestRunning },
    ]);
    expect(hook.received).toHaveLength(1);
    const text = hook.received[0]?.body.text ?? '';
    expect(text).toContain(
      `RESOURCE_EXHAUSTED for the quota on active operations per folder in folder ${FOLDER} (3 running) (Compute Cloud's is 15 by default: https://yandex.cloud/en/docs/compute/concepts/limits)`,
    );
    expect(text.split('\n').filter((l) => l.includes('holding the quota'))).toEqual([
      '- vmold running, holding the quota: Create instance, 180 min old, on compute.instance vm1',
      '- vmmid running, holding the quota: Update instance, 40 min old, on compute.instance vm1',
      '- vmyoung running, holding the quota: Stop instance, 2 min old, on compute.instance vm1',
    ]);
  });

  it('is not named for a RESOURCE_EXHAUSTED that throttles requests, which fails as before', async () => {
    const { fn, summary, hook } = await sweepOnce(
      { olderThan: '30m', dryRun: true, kinds: ['compute.instance', 'compute.disk'] },
      { operations: operations() },
      'throttled-listing',
    );

    const failed = fn.lines.find((l) => l.msg === 'sweep listing failed');
    expect(failed).toMatchObject({ code: 'RESOURCE_EXHAUSTED', retryable: true });
    expect(failed).not.toHaveProperty('quota');
    expect(fn.lines.some((l) => l.msg === 'active operations quota')).toBe(false);
    expect(summary).not.toHaveProperty('activeOperationsQuota');
    expect(summary.sweep.running).toEqual({ [FOLDER]: 3 });
    expect(hook.received[0]?.body.text ?? '').not.toContain('quota');
  });
});

describe('the active-operations quota met by a Cancel', () => {
  it("fails the operation with the quota as its reason, retryable, and names the folder's oldest running", async () => {
    const { fn, summary, hook } = await sweepOnce(
      { olderThan: '30m', kinds: ['compute.instance'] },
      { operations: operations(activeOperationsLimit()) },
    );

    expect(loggedResultsById(fn.lines).vmold).toMatchObject({
      outcome: 'failed',
      code: 'RESOURCE_EXHAUSTED',
      reason: 'active_operations_quota',
      retryable: true,
      message: expect.stringContaining('the folder is at its quota of active operations'),
    });
    expect(loggedResultsById(fn.lines).vmmid).toMatchObject({ outcome: 'cancelled' });
    expect(summary.activeOperationsQuota).toEqual([
      {
        folderId: FOLDER,
        running: 3,
        oldestRunning: ['vmold', 'vmmid', 'vmyoung'].map((operationId) =>
          expect.objectContaining({ operationId }),
        ),
      },
    ]);
    const text = hook.received[0]?.body.text ?? '';
    expect(text).toContain(`quota on active operations per folder in folder ${FOLDER} (3 running)`);
    expect(text).toContain('- vmold running, holding the quota: Create instance');
  });
});
