import { describe, expect, it } from 'vitest';
import { type CloudApiServer, startCloudApiServer } from '../../emulator/cloud-api-server';
import { answeringServer } from '../support/answering-server';
import { startBuiltFunction, withToken } from '../support/built-function';
import { closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import type { RecordedRuntime } from '../support/runtime';
import { testPki } from '../support/test-pki';

/**
 * Issue 28, item 5, on the built files in a process of their own: the next step is decided in
 * dist/index.js, and the stuck results come from dist/sweep.js and the message from
 * dist/observe.js, so the phrase must cross both seams as data.
 */
const TOKEN = withToken('t1.next-step');
const FOLDER = 'b1gnextstep';
const AGO = (minutes: number) => new Date(Date.now() - minutes * 60_000);
// The phrases as the table words them (src/report/next-step.ts), written out: a reworded table
// must fail here too.
const AFTER_CREATE = 'may exist half-created: check it, delete it if so, then retry the create';
const STUCK_CLUSTER =
  'the cluster is mid-change: check it; if it stays, open a support ticket with these ids';

const track = closedAfterEach();

async function start(webhook: string): Promise<{ server: CloudApiServer; fn: RecordedRuntime }> {
  const pki = testPki();
  const server = track(
    await startCloudApiServer({
      pki,
      resources: [
        { kind: 'compute.instance', id: 'fhmvm', folderId: FOLDER },
        { kind: 'mdb.postgresql', id: 'c9qcluster', folderId: FOLDER },
      ],
      operations: [
        {
          id: 'fhmcreate',
          resourceId: 'fhmvm',
          description: 'Create instance',
          createdAt: AGO(60),
          cancel: 'cancels',
        },
        {
          id: 'c9qcreate',
          resourceId: 'c9qcluster',
          description: 'Create PostgreSQL cluster',
          createdAt: AGO(120),
        },
      ],
    }),
  );
  const fn = track(
    await startBuiltFunction({ server, env: { NOTIFY_WEBHOOK_URL: `${webhook}/hook` } }),
  );
  return { server, fn };
}

describe('what to do next, on the built function', () => {
  it('is on the cancelled and the stuck lines, and in the message observe.js sends', async () => {
    const webhook = await answeringServer(track, 200);
    const { fn } = await start(webhook.url);
    const sweep = { sweep: { folderId: FOLDER, olderThan: '30m' } };

    const invocation = await fn.invoke(timerEvent(JSON.stringify(sweep)), TOKEN);

    expect(invocation.ok, invocation.body).toBe(true);
    const cancelled = await fn.waitForLine(
      (l) => l.request_id === invocation.requestId && l.msg === 'operation cancelled',
    );
    expect(cancelled).toMatchObject({ operationId: 'fhmcreate', next: AFTER_CREATE });
    const stuck = await fn.waitForLine(
      (l) => l.request_id === invocation.requestId && l.msg === 'operation stuck',
    );
    expect(stuck).toMatchObject({
      operationId: 'c9qcreate',
      resourceId: 'c9qcluster',
      next: STUCK_CLUSTER,
      clientRequestId: expect.any(String),
    });

    expect(webhook.seen).toHaveLength(1);
    const message = JSON.parse(webhook.seen[0]?.body ?? '{}');
    const request = stuck.apiRequestId ?? stuck.clientRequestId;
    expect(message.text.split('\n').slice(1)).toEqual([
      `- fhmcreate cancelled: Create instance, 60 min old → ${AFTER_CREATE}`,
      `- c9qcreate stuck: Create PostgreSQL cluster, 120 min old → ${STUCK_CLUSTER} (resource c9qcluster, request ${request})`,
    ]);
    expect(message.operations).toMatchObject([
      { id: 'fhmcreate', next: AFTER_CREATE },
      { id: 'c9qcreate', next: STUCK_CLUSTER, resourceId: 'c9qcluster', requestId: request },
    ]);
  });
});
