import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { startCloudApiServer } from '../../emulator/cloud-api-server';
import { startFunctionHost } from '../support/async-host';
import { startBuiltFunction, withToken } from '../support/built-function';
import { closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { startMetadataServer } from '../support/metadata-server';
import type { RecordedRuntime } from '../support/runtime';
import { testPki } from '../support/test-pki';

/**
 * Sweeps on the built function as the real platform answers them (issue 24): refusals the API
 * gives for good are answers, not reasons to deliver the invocation again.
 */
const TOKEN = withToken('t1.platform');
const FOLDER = 'b1gplatformsweep';
const HOUR_AGO = () => new Date(Date.now() - 3_600_000);
const track = closedAfterEach();

describe('a default sweep with only some listing roles granted, on the built function', () => {
  it('returns, cancels what it can list, and names each refused kind with its role', async () => {
    const pki = testPki();
    const server = track(
      await startCloudApiServer({
        pki,
        resources: [
          { kind: 'compute.disk', id: 'disk1', folderId: FOLDER },
          { kind: 'k8s.cluster', id: 'k8s1', folderId: FOLDER },
          { kind: 'mdb.postgresql', id: 'pg1', folderId: FOLDER },
        ],
        operations: [
          { id: 'diskstuck', resourceId: 'disk1', createdAt: HOUR_AGO() },
          { id: 'k8sstuck', resourceId: 'k8s1', createdAt: HOUR_AGO() },
        ],
      }),
    );
    // A service account with compute and VPC roles alone, as function.yaml once advised.
    server.deny([
      'k8s.cluster',
      'k8s.nodeGroup',
      'mdb.postgresql',
      'mdb.mysql',
      'cic.privateConnection',
    ]);
    const fn = track(await startBuiltFunction({ server }));

    const payload = JSON.stringify({ sweep: { folderId: FOLDER, olderThan: '30m' } });
    const invocation = await fn.invoke(timerEvent(payload), TOKEN);

    expect(invocation.ok).toBe(true);
    expect(server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject)).toEqual([
      'diskstuck',
    ]);
    expect(invocation.result).toMatchObject({
      summary: { sweep: { failedListings: 0, refusedListings: 5 } },
    });
    await fn.waitForLine((l) => l.msg === 'invocation summary');
    const refused = fn.lines
      .filter((l) => l.msg === 'sweep listing refused')
      .map((l) => [l.kind, l.role, l.level])
      .sort();
    expect(refused).toEqual([
      ['cic.privateConnection', 'cic.auditor', 'WARN'],
      ['k8s.cluster', 'k8s.viewer', 'WARN'],
      ['k8s.nodeGroup', 'k8s.viewer', 'WARN'],
      ['mdb.mysql', 'mdb.auditor', 'WARN'],
      ['mdb.postgresql', 'mdb.auditor', 'WARN'],
    ]);
    expect(fn.lines.some((l) => l.msg === 'sweep listing failed')).toBe(false);
    const { sweep } = (invocation.result as { summary: { sweep: { missingRoles: string[] } } })
      .summary;
    expect([...sweep.missingRoles].sort()).toEqual(['cic.auditor', 'k8s.viewer', 'mdb.auditor']);
  });
});

describe('a listing refused as UNAUTHENTICATED, on the built function', () => {
  it('is asked again with a fresh token, which the Cancel after it carries too', async () => {
    const pki = testPki();
    const metadata = track(await startMetadataServer({ token: 't1.fresh' }));
    const server = track(
      await startCloudApiServer({
        pki,
        resources: [{ kind: 'compute.disk', id: 'disk1', folderId: FOLDER }],
        operations: [{ id: 'diskstuck', resourceId: 'disk1', createdAt: HOUR_AGO() }],
      }),
    );
    // The token the invocation came with has been revoked since: refused once, then not asked.
    server.failList('compute.disk', { code: status.UNAUTHENTICATED, times: 1 });
    const fn = track(
      await startBuiltFunction({ server, env: { YC_METADATA_TOKEN_URL: metadata.url } }),
    );

    const payload = JSON.stringify({
      sweep: { folderId: FOLDER, kinds: ['compute.disk'], olderThan: '30m' },
    });
    const invocation = await fn.invoke(timerEvent(payload), TOKEN);

    expect(invocation.ok).toBe(true);
    const [first, ...after] = server.calls.map((c) => `${c.method} ${c.authorization}`);
    expect(first).toBe('compute.disk/List Bearer t1.platform');
    expect(after).toEqual(expect.arrayContaining(['compute.disk/List Bearer t1.fresh']));
    expect(after.filter((call) => !call.endsWith(' Bearer t1.fresh'))).toEqual([]);
    expect(after.slice(-2)).toEqual(['Get Bearer t1.fresh', 'Cancel Bearer t1.fresh']);
    expect(invocation.result).toMatchObject({
      summary: { outcomes: { cancelled: 1 }, sweep: { failedListings: 0 } },
    });
  });
});

describe('stuck operations of methods the API cannot cancel, on the built function', () => {
  it('leaves an instance Start stuck with no Cancel, outside the guard, and cancels both Creates', async () => {
    const pki = testPki();
    const metadata = (method: string) => ({
      typeUrl: `type.googleapis.com/yandex.cloud.compute.v1.${method}InstanceMetadata`,
      value: Buffer.alloc(0),
    });
    const server = track(
      await startCloudApiServer({
        pki,
        resources: [
          { kind: 'compute.instance', id: 'vm1', folderId: FOLDER },
          { kind: 'compute.instance', id: 'vm2', folderId: FOLDER },
          { kind: 'compute.instance', id: 'vm3', folderId: FOLDER },
        ],
        operations: [
          // The oldest: a guard counting it would refuse, or take it before a Create.
          {
            id: 'vmstart',
            resourceId: 'vm1',
            createdAt: new Date(Date.now() - 7_200_000),
            metadata: metadata('Start'),
          },
          {
            id: 'vmcreatea',
            resourceId: 'vm2',
            createdAt: HOUR_AGO(),
            metadata: metadata('Create'),
          },
          {
            id: 'vmcreateb',
            resourceId: 'vm3',
            createdAt: HOUR_AGO(),
            metadata: metadata('Create'),
          },
        ],
      }),
    );
    const fn = track(await startBuiltFunction({ server, env: { MAX_CANCELS_PER_RUN: '2' } }));

    const payload = JSON.stringify({
      sweep: { folderId: FOLDER, kinds: ['compute.instance'], olderThan: '30m' },
    });
    const invocation = await fn.invoke(timerEvent(payload), TOKEN);

    expect(invocation.ok).toBe(true);
    const cancelled = server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);
    expect(cancelled.sort()).toEqual(['vmcreatea', 'vmcreateb']);
    expect(server.callsFor('vmstart')).toEqual([]);
    expect(invocation.result).toMatchObject({
      summary: { outcomes: { cancelled: 2, stuck: 1 }, sweep: { candidates: 2, refused: false } },
    });
    const stuck = await fn.waitForLine((l) => l.msg === 'operation stuck');
    expect(stuck).toMatchObject({
      operationId: 'vmstart',
      reason: 'method_not_cancellable',
      metadataType: 'yandex.cloud.compute.v1.StartInstanceMetadata',
      resourceKind: 'compute.instance',
    });
  });
});

describe('an external asynchronous call, on the built function', () => {
  it('is not retried for a transient failure: its results say so, as docs/requests.md has it', async () => {
    const pki = testPki();
    const server = track(
      await startCloudApiServer({
        pki,
        operations: [{ id: 'opflaky', createdAt: HOUR_AGO(), get: { code: 14 } }],
      }),
    );
    const runtime: RecordedRuntime = track(
      await startBuiltFunction({
        server,
        env: { RETRY_ATTEMPTS: '1', RETRY_BASE_DELAY_MS: '1' },
      }),
    );
    const host = track(
      await startFunctionHost({ runtime, token: TOKEN.token, async: { retries: 2 } }),
    );

    const sent = await fetch(`${host.url}/?integration=async`, {
      method: 'POST',
      body: JSON.stringify({ operationIds: ['opflaky'] }),
    });
    expect(sent.status).toBe(202);
    await host.asyncDone();

    const [call] = host.asyncCalls();
    expect(call).toMatchObject({ attempts: 1 });
    expect(call?.deadLettered).toBeUndefined();
    const result = await runtime.waitForLine((l) => l.msg === 'operation failed');
    expect(result).toMatchObject({ operationId: 'opflaky', code: 'UNAVAILABLE', retryable: true });
  });
});
