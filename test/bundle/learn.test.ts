import { CreateInstanceMetadata } from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import { describe, expect, it } from 'vitest';
import {
  type CloudApiServer,
  type FakeOperation,
  type FakeResource,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import { NO_METADATA, startBuiltFunction, withToken } from '../support/built-function';
import { closedAfterEach } from '../support/cleanup';
import { httpEvent } from '../support/events';
import { testPki } from '../support/test-pki';

/**
 * Issue 28's "Done when" for learnt thresholds and override labels, on the built function in a
 * process of its own: the request crosses dist/index.js into dist/sweep.js, and each result's
 * threshold comes back across the seam as data.
 */
const TOKEN = withToken('t1.learn');
const FOLDER = 'b1glearnfolder';
const MINUTE = 60_000;
const track = closedAfterEach();

/** What a Create instance's operation carries (compute instance_service.proto). */
const createOf = (instanceId: string) => ({
  description: 'Create instance',
  metadata: {
    typeUrl: 'type.googleapis.com/yandex.cloud.compute.v1.CreateInstanceMetadata',
    value: Buffer.from(
      CreateInstanceMetadata.encode(CreateInstanceMetadata.fromPartial({ instanceId })).finish(),
    ),
  },
});

const instance = (id: string, labels?: Record<string, string>): FakeResource => ({
  kind: 'compute.instance',
  id,
  folderId: FOLDER,
  ...(labels && { labels }),
});

/**
 * Twenty done Creates of about a minute each (50 to 69 seconds), one instance each, as a folder
 * that makes an instance an hour for a day shows them; then the running ones.
 */
function folder(now: number): { resources: FakeResource[]; operations: FakeOperation[] } {
  const history = Array.from({ length: 20 }, (_, i) => {
    const createdAt = new Date(now - (i + 2) * 60 * MINUTE);
    return {
      id: `createdone${i}`,
      resourceId: `vmdone${i}`,
      ...createOf(`vmdone${i}`),
      createdAt,
      modifiedAt: new Date(createdAt.getTime() + (50 + i) * 1000),
      done: true,
    };
  });
  const running = (id: string, resourceId: string, minutes: number) => ({
    id,
    resourceId,
    ...createOf(resourceId),
    createdAt: new Date(now - minutes * MINUTE),
  });
  return {
    resources: [
      ...history.map((op) => instance(op.resourceId)),
      instance('vmeight'),
      instance('vmtwo'),
      instance('vmnever', { 'canceller-older-than': 'never' }),
      instance('vmminute', { 'canceller-older-than': '1m' }),
    ],
    operations: [
      ...history,
      running('createeight', 'vmeight', 8),
      running('createtwo', 'vmtwo', 2),
      running('createtwodays', 'vmnever', 2 * 24 * 60),
      running('createten', 'vmminute', 10),
    ],
  };
}

const cancels = (server: CloudApiServer) =>
  server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);

async function builtFunction(server: CloudApiServer, env: Record<string, string> = {}) {
  return track(await startBuiltFunction({ server, env: { ...NO_METADATA, ...env } }));
}

const SWEEP = {
  sweep: {
    folderId: FOLDER,
    kinds: ['compute.instance'],
    olderThan: '1h',
    learn: { factor: 3, floor: '5m', minSamples: 5 },
  },
};

interface Body {
  results: Array<{ operationId: string; outcome: string; threshold?: object }>;
  summary: { sweep: { learnt?: object[]; kinds: Record<string, object> } };
}

describe('learnt thresholds and override labels, on the built function', () => {
  it("cancels what ran three times the usual minute and what its label's minute allows, nothing else", async () => {
    const server = track(await startCloudApiServer({ pki: testPki(), ...folder(Date.now()) }));
    // MIN_OLDER_THAN unset, as the function's default (function.yaml sets 10m, under which the
    // 8-minute Create waits: the case below shows the floor winning).
    const fn = await builtFunction(server);

    const invocation = await fn.invoke(httpEvent(JSON.stringify(SWEEP)), TOKEN);

    expect(invocation.ok).toBe(true);
    expect(cancels(server).sort()).toEqual(['createeight', 'createten']);
    const body = JSON.parse((invocation.result as { body: string }).body) as Body;
    const byId = Object.fromEntries(body.results.map((r) => [r.operationId, r]));
    // The median of 50..69 seconds is 59.5: three times it is under the 5 minute floor.
    expect(byId.createeight).toMatchObject({
      outcome: 'cancelled',
      threshold: { source: 'learnt', seconds: 300, samples: 20, medianSeconds: 60 },
    });
    expect(byId.createten).toMatchObject({
      outcome: 'cancelled',
      threshold: { source: 'label', seconds: 60, value: '1m' },
    });
    expect(byId.createtwo).toBeUndefined();
    expect(byId.createtwodays).toBeUndefined();
    expect(body.summary.sweep.learnt).toEqual([
      {
        kind: 'compute.instance',
        description: 'Create instance',
        samples: 20,
        medianSeconds: 60,
        thresholdSeconds: 300,
      },
    ]);
    expect(body.summary.sweep.kinds['compute.instance']).toMatchObject({ protectedByLabel: 1 });
    const line = await fn.waitForLine(
      (l) => l.msg === 'operation cancelled' && l.operationId === 'createeight',
    );
    expect(line.threshold).toEqual({
      source: 'learnt',
      seconds: 300,
      samples: 20,
      medianSeconds: 60,
    });
  });

  it('holds the label and the learnt threshold to MIN_OLDER_THAN when the deployment sets one', async () => {
    const server = track(await startCloudApiServer({ pki: testPki(), ...folder(Date.now()) }));
    const fn = await builtFunction(server, { MIN_OLDER_THAN: '15m' });

    const invocation = await fn.invoke(httpEvent(JSON.stringify(SWEEP)), TOKEN);

    // The floor is over both the learnt 5 minutes and the label's minute: neither 8 nor 10 minutes is stuck.
    expect(cancels(server)).toEqual([]);
    const body = JSON.parse((invocation.result as { body: string }).body) as Body;
    expect(body.results).toEqual([]);
    expect(body.summary.sweep.learnt).toEqual([
      expect.objectContaining({ medianSeconds: 60, thresholdSeconds: 900 }),
    ]);
  });
});
