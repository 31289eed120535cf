import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CreateInstanceMetadata } from '@yandex-cloud/nodejs-sdk/compute-v1/instance_service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudApiServer, startCloudApiServer } from '../../emulator/cloud-api-server';
import { endpointsAt } from '../../emulator/endpoints';
import { testPki } from '../support/test-pki';
import { finished, ROOT, spawnCommand } from './commands';

const example = (name: string) => path.join(ROOT, 'examples', `${name}.json`);

interface Outcomes {
  results: Array<{ operationId: string; outcome: string; reason?: string }>;
}

const outcomesOf = (reply: Outcomes) =>
  Object.fromEntries(reply.results.map((r) => [r.operationId, r.reason ?? r.outcome]));

/** A trigger's reply is its summary alone: its results are in the log lines, on stderr. */
function loggedOutcomes(stdout: string, stderr: string) {
  expect(Object.keys(JSON.parse(stdout))).toEqual(['summary']);
  const lines = stderr.split('\n').filter((l) => l.startsWith('{'));
  const results = lines.map((l) => JSON.parse(l)).filter((l) => l.msg.startsWith('operation '));
  return outcomesOf({ results });
}

describe('npm run invoke', () => {
  it('invokes an HTTP event and prints the function reply', async () => {
    const { code, stdout, stderr } = await finished(spawnCommand('invoke', [example('http')]));
    expect(code, stderr).toBe(0);
    const reply = JSON.parse(stdout) as { statusCode: number; body: string };
    expect(reply.statusCode).toBe(200);
    expect(outcomesOf(JSON.parse(reply.body))).toEqual({
      fd8stuckinstance0001: 'cancelled',
      // function.yaml's ALLOWED_FOLDERS holds a local run too, and no scope can place a bucket.
      fhmstuckbucket000003: 'outside_policy',
      fd8finisheddisk00004: 'already_done',
    });
    expect(stderr).toContain('embedded emulator');
  });

  it('with --deny, has the emulator refuse those kinds as a missing role would', async () => {
    const args = [example('sweep'), '--deny', 'compute.instance,k8s.cluster'];
    const { code, stdout, stderr } = await finished(spawnCommand('invoke', args));
    expect(code, stderr).toBe(0);
    const lines = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const refused = lines.filter((l) => l.msg === 'sweep listing refused');
    expect(refused.map((l) => [l.kind, l.role]).sort()).toEqual([
      ['compute.instance', 'compute.auditor'],
      ['k8s.cluster', 'k8s.viewer'],
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ summary: { sweep: { refusedListings: 2 } } });
  });

  it('invokes a timer event', async () => {
    const { code, stdout, stderr } = await finished(spawnCommand('invoke', [example('timer')]));
    expect(code, stderr).toBe(0);
    expect(loggedOutcomes(stdout, stderr)).toEqual({
      fd8stuckinstance0001: 'cancelled',
      enpstucknetwork00002: 'cancelling',
    });
  });

  it('invokes a Message Queue batch', async () => {
    const { code, stdout, stderr } = await finished(spawnCommand('invoke', [example('queue')]));
    expect(code, stderr).toBe(0);
    // Not a terminal: the log lines are the function's own JSON, one per line.
    expect(loggedOutcomes(stdout, stderr)).toEqual({
      fd8stuckinstance0001: 'cancelled',
      // function.yaml's ALLOWED_FOLDERS holds a local run too, and no scope can place a bucket.
      fhmstuckbucket000003: 'outside_policy',
      fd8finisheddisk00004: 'already_done',
    });
  });

  it('invokes a raw request read from standard input', async () => {
    const raw = readFileSync(example('raw'), 'utf8');
    const { code, stdout, stderr } = await finished(spawnCommand('invoke', ['-']), raw);
    expect(code, stderr).toBe(0);
    expect(outcomesOf(JSON.parse(stdout))).toEqual({
      fd8stuckinstance0001: 'dry_run',
      enpstucknetwork00002: 'dry_run',
      fhmstuckbucket000003: 'dry_run',
    });
  });

  // `yc serverless function invoke -d 'fd8… fd8…'`: the runtime hands text that is not JSON to
  // the handler as {"payload": text} (runtime.js `parseJsonPayload` in the public dump).
  it('invokes plain-text ids from standard input, wrapped as the runtime wraps them', async () => {
    const text = 'fd8stuckinstance0001\nenpstucknetwork00002\n';
    const { code, stdout, stderr } = await finished(spawnCommand('invoke', ['-']), text);
    expect(code, stderr).toBe(0);
    expect(outcomesOf(JSON.parse(stdout))).toEqual({
      fd8stuckinstance0001: 'cancelled',
      enpstucknetwork00002: 'cancelling',
    });
    // What the function would have sent Monitoring and a webhook, shown by the emulator.
    expect(stderr).toContain(
      '[emulator] metrics written to Monitoring: canceller.operations{source=raw,outcome=cancelled}=1',
    );
    expect(stderr).toContain(
      '[emulator] message sent: operation canceller: 1 cancelled, 1 cancelling',
    );
  });

  it('sweeps the seeded folder with examples/sweep.json, no network needed', async () => {
    const { code, stdout, stderr } = await finished(spawnCommand('invoke', [example('sweep')]));
    expect(code, stderr).toBe(0);
    expect(outcomesOf(JSON.parse(stdout))).toEqual({
      fd8stuckinstance0001: 'cancelled',
      enpstucknetwork00002: 'cancelling',
      catstuckk8supdate006: 'stuck',
      cr1stuckrouting00007: 'cancelled',
    });
  });

  it('dry-runs the policy of examples/sweep-policy.json, saying per kind what it would do', async () => {
    const { code, stdout, stderr } = await finished(
      spawnCommand('invoke', [example('sweep-policy')]),
    );
    expect(code, stderr).toBe(0);
    const reply = JSON.parse(stdout);
    // The instance carries env=prod: its stuck create is left alone, and counted so.
    expect(outcomesOf(reply)).toEqual({
      enpstucknetwork00002: 'dry_run',
      catstuckk8supdate006: 'stuck',
      cr1stuckrouting00007: 'dry_run',
    });
    expect(reply.summary.sweep.kinds).toMatchObject({
      'compute.instance': { matched: 1, filteredOut: { labels: 1 } },
      'cloudrouter.routingInstance': { candidates: 1, wouldCancel: 1 },
    });
  });

  it("honours the function's settings from the shell, and says which differ from the defaults", async () => {
    const { code, stdout, stderr } = await finished(
      spawnCommand('invoke', ['-'], { MIN_AGE_SECONDS: '36000', MIN_AGE_SECOND: '1' }),
      'fd8stuckinstance0001',
    );
    expect(code, stderr).toBe(0);
    // 1.5 h old, against a minimum age of 10 h.
    expect(JSON.parse(stdout).results[0]).toMatchObject({
      outcome: 'skipped',
      reason: 'too_young',
    });
    expect(stderr).toContain('MIN_AGE_SECONDS=36000 (shell)');
    expect(stderr).toContain('ALLOWED_FOLDERS=b1gexamplefolder0001 (function.yaml)');
    expect(stderr).toContain('scope: folders b1gexamplefolder0001');
    expect(stderr).toContain(
      'warning: MIN_AGE_SECOND is not a setting of the function; did you mean MIN_AGE_SECONDS?',
    );
  });

  it('prints the platform-style error and exits 1 when the function throws', async () => {
    const event = readFileSync(example('timer'), 'utf8');
    const noToken = await finished(
      spawnCommand('invoke', ['-'], { CALL_TIMEOUT_MS: 'soon' }),
      event,
    );
    expect(noToken.code).toBe(1);
    // The runtime's error JSON, as the platform answers a function that threw.
    expect(JSON.parse(noToken.stdout)).toEqual({
      errorMessage: expect.stringMatching(/CALL_TIMEOUT_MS must be a whole number/),
      errorType: 'ConfigError',
      stackTrace: expect.any(Array),
    });
  });

  it('explains its usage when given no event', async () => {
    const { code, stderr } = await finished(spawnCommand('invoke', []));
    expect(code).toBe(2);
    expect(stderr).toMatch(/usage: npm run -s invoke -- <file \| ->/);
  });
});

describe('npm run invoke --real, against an API that is not the emulator', () => {
  const TOKEN = 't1.operator-token-from-yc';
  let server: CloudApiServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    const pki = testPki();
    server = await startCloudApiServer({ pki });
    env = {
      ...endpointsAt(server.address),
      YC_IAM_TOKEN: TOKEN,
      NODE_EXTRA_CA_CERTS: pki.caFile,
    };
  });
  afterAll(() => server.close());

  it('exits 1 when every operation failed, and 0 with --allow-failures', async () => {
    // Nothing listens on port 9: each Get fails after its retries.
    const unreachable = { ...env, YC_OPERATION_ENDPOINT: '127.0.0.1:9', RETRY_ATTEMPTS: '0' };
    const request = JSON.stringify({ operationIds: ['realfail1', 'realfail2'] });
    const strict = await finished(spawnCommand('invoke', ['-', '--real'], unreachable), request);
    expect(strict.code, strict.stderr).toBe(1);
    expect(JSON.parse(strict.stdout).summary.outcomes).toEqual({ failed: 2 });
    const relaxed = await finished(
      spawnCommand('invoke', ['-', '--real', '--allow-failures'], unreachable),
      request,
    );
    expect(relaxed.code, relaxed.stderr).toBe(0);
  });

  it('is a dry run unless told to cancel, and says so', async () => {
    server.set({ id: 'realdry1' });
    const request = JSON.stringify({ operationIds: ['realdry1'] });
    const { code, stdout, stderr } = await finished(
      spawnCommand('invoke', ['-', '--real'], env),
      request,
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('REAL CLOUD');
    expect(stderr).toContain('DRY RUN');
    expect(outcomesOf(JSON.parse(stdout))).toEqual({ realdry1: 'dry_run' });
    expect(server.callsFor('realdry1').map((c) => c.method)).toEqual(['Get']);
    expect(server.callsFor('realdry1')[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(stdout + stderr).not.toContain(TOKEN);
  });

  it("cancels for real with --cancel, within function.yaml's scope", async () => {
    // An instance in function.yaml's ALLOWED_FOLDERS, whose Create the metadata names.
    server.setResources({
      kind: 'compute.instance',
      id: 'realvm1',
      folderId: 'b1gexamplefolder0001',
    });
    const created = CreateInstanceMetadata.fromPartial({ instanceId: 'realvm1' });
    server.set({
      id: 'realcancel1',
      metadata: {
        typeUrl: 'type.googleapis.com/yandex.cloud.compute.v1.CreateInstanceMetadata',
        value: Buffer.from(CreateInstanceMetadata.encode(created).finish()),
      },
    });
    const request = JSON.stringify({ operationIds: ['realcancel1'] });
    const { code, stdout, stderr } = await finished(
      spawnCommand('invoke', ['-', '--real', '--cancel'], env),
      request,
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('CANCELLING FOR REAL');
    expect(outcomesOf(JSON.parse(stdout))).toEqual({ realcancel1: 'cancelled' });
    expect(server.callsFor('realcancel1').map((c) => c.method)).toEqual(['Get', 'Cancel']);
  });
});

describe('npm run invoke --real, sweeping a cloud past SWEEP_FANOUT_FOLDERS', () => {
  const TOKEN = 't1.operator-token-for-fan-out';
  const FOLDERS = ['b1gfanone', 'b1gfantwo', 'b1gfanthree'];
  const SWEEP = JSON.stringify({
    sweep: { cloudId: 'b1gfancloud', olderThan: '30m', kinds: ['compute.instance'] },
  });
  let server: CloudApiServer;
  /** Stands in for functions.yandexcloud.net: takes each hand-off as an async call would be. */
  let invokeApi: http.Server;
  const handOffs: Array<{ url: string; authorization: string | undefined }> = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startCloudApiServer({
      pki: testPki(),
      resources: FOLDERS.map((folderId) => ({
        kind: 'compute.instance',
        id: `${folderId}vm`,
        folderId,
      })),
      operations: FOLDERS.map((folderId) => ({
        id: `${folderId}old`,
        resourceId: `${folderId}vm`,
        createdAt: new Date(Date.now() - 90 * 60_000),
      })),
    });
    for (const folderId of FOLDERS) server.placeFolder(folderId, 'b1gfancloud');
    invokeApi = http.createServer((req, res) => {
      handOffs.push({ url: req.url ?? '', authorization: req.headers.authorization });
      req.resume();
      res.writeHead(202).end();
    });
    await new Promise<void>((resolve) => invokeApi.listen(0, '127.0.0.1', resolve));
    env = {
      ...endpointsAt(server.address),
      YC_IAM_TOKEN: TOKEN,
      NODE_EXTRA_CA_CERTS: testPki().caFile,
      SWEEP_FANOUT_FOLDERS: '2',
      // Beside function.yaml's ALLOWED_FOLDERS, which a local run keeps to as well.
      ALLOWED_CLOUDS: 'b1gfancloud',
      YC_FUNCTIONS_INVOKE_URL: `http://127.0.0.1:${(invokeApi.address() as AddressInfo).port}`,
    };
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => invokeApi?.close(resolve));
  });

  it('sweeps every folder itself unless told --fan-out: your token goes nowhere else', async () => {
    handOffs.length = 0;
    const { code, stdout, stderr } = await finished(
      spawnCommand('invoke', ['-', '--real'], env),
      SWEEP,
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('fan-out: off');
    expect(handOffs).toEqual([]);
    expect(outcomesOf(JSON.parse(stdout))).toEqual(
      Object.fromEntries(FOLDERS.map((folderId) => [`${folderId}old`, 'dry_run'])),
    );
  });

  it('with --fan-out, hands each folder on to that function, with your token', async () => {
    handOffs.length = 0;
    const { code, stderr } = await finished(
      spawnCommand('invoke', ['-', '--real', '--fan-out', 'd4edeployed0001'], env),
      SWEEP,
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(
      `hands each on to function d4edeployed0001 at ${env.YC_FUNCTIONS_INVOKE_URL}`,
    );
    expect(handOffs).toEqual(
      FOLDERS.map(() => ({
        url: '/d4edeployed0001?integration=async',
        authorization: `Bearer ${TOKEN}`,
      })),
    );
  });
});
