import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRequest } from '../../src/request/parse';
import { closable, closedAfterEach } from '../support/cleanup';
import { httpEvent } from '../support/events';
import { fixedTokens, inProcessFunction, invokeQuietly } from '../support/in-process';
import { cancellingApi } from '../support/pipeline-deps';
import { OPEN_POLICY } from '../support/policy';
import { ROOT } from '../support/run-script';

// Issue 28, item 6: docs/cancel-on-timeout.md's script, read from the page and run as a CI step
// runs it, against sample errors of the Terraform provider and a function on loopback.

const DOC = readFileSync(path.join(ROOT, 'docs/cancel-on-timeout.md'), 'utf8');
const run = promisify(execFile);
const track = closedAfterEach();
const dir = mkdtempSync(path.join(tmpdir(), 'cancel-on-timeout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fenced block of `lang` right after `marker`, or the first one after `heading`. */
function block(after: RegExp, lang: string): string {
  const start = DOC.search(after);
  const found = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(DOC.slice(start));
  if (start < 0 || found?.[1] === undefined) throw new Error(`no ${lang} block after ${after}`);
  return found[1];
}

const SCRIPT = block(/<!-- recipe: cancel-timed-out\.sh -->/, 'sh');
/** The page's own example errors, and the ids it says they give. */
const EXAMPLE = block(/^## What the provider prints/m, 'text');
const EXAMPLE_IDS = ['c9qhora4eol1pg5qogas', 'epdasb79satrstnaoyrustwf'];

/**
 * What else a run may print, as the provider and the SDK word it (go-sdk operation/operation.go;
 * terraform-provider-yandex #311, #491): timeouts to hand on, and errors that are not.
 */
const SAMPLES = {
  pollCut:
    '│ Error: Error while waiting operation to create instance: operation (id=fhm0pollcut000000000) poll fail: rpc error: code = DeadlineExceeded desc = context deadline exceeded',
  json: '{"@level":"error","@message":"Error: Error while waiting operation to create disk: operation (id=epd0jsonform0000000a) wait context done: context deadline exceeded","diagnostic":{"severity":"error","summary":"Error while waiting operation to create disk: operation (id=epd0jsonform0000000a) wait context done: context deadline exceeded","detail":""},"type":"diagnostic"}',
  ended:
    '│ Error: Error while waiting for operation to create Redis Cluster: operation (id=c9qk4bqug6ihg5mrb5ho) failed: rpc error: code = Unknown desc = Unknown error',
  pollDenied:
    '│ Error: Error while waiting operation to create instance: operation (id=fhm0denied0000000000) poll fail: rpc error: code = PermissionDenied desc = denied',
  noId: '│ Error: Error while requesting API to create PostgreSQL Cluster: client-request-id = 0a25 client-trace-id = 4297 rpc error: code = DeadlineExceeded desc = stream timeout',
} as const;
const TIMED_OUT = [...EXAMPLE_IDS, 'epd0jsonform0000000a', 'fhm0pollcut000000000'].sort();

interface Received {
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A function URL on loopback: each request goes to the function's HTTP adapter as it came. */
async function functionUrl(): Promise<{ url: string; received: Received[] }> {
  const fn = inProcessFunction(
    { HTTP_API_KEY: 'k3y-recipe' },
    { api: cancellingApi(), tokens: fixedTokens },
  );
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ body, headers: request.headers });
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [k, String(v)]),
      );
      const { reply } = await invokeQuietly(fn, httpEvent(body, { headers }));
      const { statusCode, body: answer } = reply as { statusCode: number; body: string };
      response.writeHead(statusCode, { 'Content-Type': 'application/json' }).end(answer);
    });
  });
  track(closable(server));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/d4erecipe`, received };
}

/** The script run as the CI step runs it, on a log of these lines. */
async function step(lines: readonly string[], url: string): Promise<string> {
  const script = path.join(dir, 'cancel-timed-out.sh');
  const log = path.join(dir, `tf-${lines.length}.log`);
  writeFileSync(script, SCRIPT);
  writeFileSync(log, `${lines.join('\n')}\n`);
  const env = {
    PATH: process.env.PATH,
    CANCELLER_URL: url,
    YC_IAM_TOKEN: 't1.recipe',
    HTTP_API_KEY: 'k3y-recipe',
  };
  return (await run('sh', [script, log], { env, timeout: 20_000 })).stdout;
}

const idsIn = (body: string) => body.trim().split(/\s+/).sort();

describe('the cancel-on-timeout recipe', () => {
  it("extracts the ids of the page's own example errors, as the page says", async () => {
    const { url, received } = await functionUrl();
    await step(EXAMPLE.trim().split('\n'), url);
    expect(received).toHaveLength(1);
    expect(idsIn(received[0]?.body ?? '')).toEqual(EXAMPLE_IDS);
  });

  it('hands every timed-out operation on once, and none that ended or has no id', async () => {
    const { url, received } = await functionUrl();
    const lines = [
      ...EXAMPLE.trim().split('\n'),
      ...Object.values(SAMPLES),
      // A second run's output in the same log: the id goes once.
      SAMPLES.pollCut,
    ];

    const out = await step(lines, url);

    expect(received).toHaveLength(1);
    const { body, headers } = received[0] as Received;
    expect(idsIn(body)).toEqual(TIMED_OUT);
    expect(headers.authorization).toBe('Bearer t1.recipe');
    expect(headers['x-api-key']).toBe('k3y-recipe');
    // The function took each id: one result per id, cancelled, with what to do next.
    const reply = JSON.parse(out.slice(out.indexOf('{')));
    const results = reply.results as Array<{ operationId: string; outcome: string; next?: string }>;
    expect(results.map((r) => r.operationId).sort()).toEqual(TIMED_OUT);
    for (const r of results) {
      expect(r.outcome).toBe('cancelled');
      expect(r.next).toMatch(/retry the create$/);
    }
  });

  it("sends a body the function's request parser reads as these ids, every one valid", async () => {
    const { url, received } = await functionUrl();
    await step([...Object.values(SAMPLES), ...EXAMPLE.trim().split('\n')], url);
    const request = parseRequest(received[0]?.body, { maxOperations: 100, policy: OPEN_POLICY });
    if (request.kind !== 'ids') throw new Error('expected ids');
    expect(request.operations.map((o) => (o.valid ? o.id : `invalid ${o.text}`)).sort()).toEqual(
      TIMED_OUT,
    );
  });

  it('sends nothing when no operation timed out', async () => {
    const { url, received } = await functionUrl();
    const out = await step([SAMPLES.ended, SAMPLES.pollDenied, SAMPLES.noId], url);
    expect(out).toMatch(/^no operation timed out in /);
    expect(received).toEqual([]);
  });
});
