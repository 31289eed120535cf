import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionRuntime, startRuntime } from '../../emulator/runtime';

// Plain CommonJS like the esbuild output, so the harness is tested without depending on src/.
const FIXTURE = `'use strict';
let count = 0;
const arrived = [];
const held = [];
exports.handler = async (event, context) => {
  count += 1;
  const n = count;
  console.log(JSON.stringify({ level: 'INFO', msg: 'invoked', requestId: context.requestId, n }));
  if (event.throw) throw new TypeError(event.throw);
  if (event.plain) console.log(event.plain);
  if (event.stderr) console.error(event.stderr);
  for (const piece of event.pieces ?? []) {
    // Separate writes a tick apart, so one line can reach the parent in several chunks.
    process.stdout.write(piece);
    await new Promise((r) => setTimeout(r, 20));
  }
  if (event.exit !== undefined) process.exit(event.exit);
  if (event.holdMb) {
    // Doubles on the JS heap, kept alive by the module, so heap and resident size both grow.
    const doubles = [];
    for (let i = 0; i < (event.holdMb * 1024 * 1024) / 8; i++) doubles.push(i + 0.5);
    held.push(doubles);
    return { held: doubles.length };
  }
  if (event.rendezvous) {
    // Completes only if a second invocation arrives while this one is still running.
    arrived.push(event.rendezvous);
    const deadline = Date.now() + 10_000;
    while (arrived.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return { met: arrived.length >= 2, me: event.rendezvous, requestId: context.requestId };
  }
  const remainingBefore = context.getRemainingTimeInMillis();
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  return {
    n,
    pid: process.pid,
    echo: event.value,
    requestId: context.requestId,
    functionName: context.functionName,
    hasToken: 'token' in context,
    token: context.token,
    payload: context.getPayload(),
    remainingBefore,
    remainingAfter: context.getRemainingTimeInMillis(),
    env: { ...process.env },
    cwd: process.cwd(),
  };
};
exports.other = async () => 'other entrypoint';
`;

const LOAD_FAIL_FIXTURE = `'use strict';
require('node:fs').writeFileSync(__dirname + '/load-fail.pid', String(process.pid));
setInterval(() => {}, 1000); // an open handle must not keep a failed instance alive
throw new Error('boom at load');
`;

const STUBBORN_FIXTURE = `'use strict';
process.on('SIGTERM', () => {});
exports.handler = async () => process.pid;
`;

interface FixtureResult {
  n: number;
  pid: number;
  echo: unknown;
  requestId: string;
  functionName: string;
  hasToken: boolean;
  token?: unknown;
  payload: unknown;
  remainingBefore: number;
  remainingAfter: number;
  env: Record<string, string>;
  cwd: string;
}

let dir: string;
let bundle: string;
let loadFailBundle: string;
const runtimes: FunctionRuntime[] = [];

async function start(opts: Partial<Parameters<typeof startRuntime>[0]> = {}) {
  const rt = await startRuntime({ bundlePath: bundle, ...opts });
  runtimes.push(rt);
  return rt;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'runtime-harness-'));
  bundle = path.join(dir, 'index.js');
  loadFailBundle = path.join(dir, 'load-fail.js');
  writeFileSync(bundle, FIXTURE);
  writeFileSync(loadFailBundle, LOAD_FAIL_FIXTURE);
  writeFileSync(path.join(dir, 'stubborn.js'), STUBBORN_FIXTURE);
});

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.close()));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('function runtime harness', () => {
  it('runs the bundle in a separate, warm process', async () => {
    const rt = await start();
    const first = await rt.invoke({ value: 'a' });
    const second = await rt.invoke({ value: 'b' });
    expect(first.ok).toBe(true);
    const r1 = first.result as FixtureResult;
    const r2 = second.result as FixtureResult;
    expect(r1.pid).not.toBe(process.pid);
    expect(r2.pid).toBe(r1.pid);
    expect([r1.n, r2.n]).toEqual([1, 2]);
    expect([r1.echo, r2.echo]).toEqual(['a', 'b']);
    expect(r1.cwd).toBe(dir);
  });

  it('passes requestId to the context and collects its log lines', async () => {
    const rt = await start();
    const generated = await rt.invoke({});
    expect(generated.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((generated.result as FixtureResult).requestId).toBe(generated.requestId);

    const inv = await rt.invoke({}, { requestId: 'req-1', functionName: 'fn' });
    expect(inv.requestId).toBe('req-1');
    expect((inv.result as FixtureResult).functionName).toBe('fn');
    const line = await rt.waitForLine((l) => l.requestId === 'req-1');
    expect(line).toMatchObject({ msg: 'invoked', n: 2 });
    expect(rt.linesFor('req-1')).toEqual([line]);
    expect(rt.lines).toHaveLength(2);
    expect(rt.nonJsonLines()).toEqual([]);
    expect(rt.rawStdout()).toContain('"requestId":"req-1"');
  });

  it('reports a thrown error as ok:false with message and type', async () => {
    const rt = await start();
    const inv = await rt.invoke({ throw: 'bad input' });
    expect(inv).toEqual({
      ok: false,
      requestId: inv.requestId,
      error: { message: 'bad input', type: 'TypeError' },
    });
    // The instance survives a failed invocation, as on the platform.
    const next = await rt.invoke({});
    expect((next.result as FixtureResult).n).toBe(2);
  });

  it('does not serialize concurrent invocations', async () => {
    const rt = await start();
    const [a, b] = await Promise.all([
      rt.invoke({ rendezvous: 'a' }, { requestId: 'ra' }),
      rt.invoke({ rendezvous: 'b' }, { requestId: 'rb' }),
    ]);
    expect(a).toEqual({
      ok: true,
      requestId: 'ra',
      result: { met: true, me: 'a', requestId: 'ra' },
    });
    expect(b).toEqual({
      ok: true,
      requestId: 'rb',
      result: { met: true, me: 'b', requestId: 'rb' },
    });
  });

  it('counts getRemainingTimeInMillis down from the timeout', async () => {
    const rt = await start();
    const custom = (await rt.invoke({ sleepMs: 200 }, { timeoutMs: 5_000 }))
      .result as FixtureResult;
    expect(custom.remainingBefore).toBeLessThanOrEqual(5_000);
    expect(custom.remainingBefore).toBeGreaterThan(2_500);
    expect(custom.remainingBefore - custom.remainingAfter).toBeGreaterThanOrEqual(190);

    const dflt = (await rt.invoke({})).result as FixtureResult;
    expect(dflt.remainingBefore).toBeLessThanOrEqual(10_000);
    expect(dflt.remainingBefore).toBeGreaterThan(7_500);
  });

  it('passes a token only when one is given', async () => {
    const rt = await start();
    const none = (await rt.invoke({})).result as FixtureResult;
    expect(none.hasToken).toBe(false);
    const nulled = (await rt.invoke({}, { token: null })).result as FixtureResult;
    expect(nulled.hasToken).toBe(false);

    const token = { access_token: 't1.abc', expires_in: 3600, token_type: 'Bearer' };
    const given = (await rt.invoke({}, { token })).result as FixtureResult;
    expect(given.hasToken).toBe(true);
    expect(given.token).toEqual(token);
  });

  it('parses a JSON event body in getPayload', async () => {
    const rt = await start();
    const payload = async (event: unknown) =>
      ((await rt.invoke(event)).result as FixtureResult).payload;
    expect(await payload({ body: '{"a":1}' })).toEqual({ a: 1 });
    expect(await payload({ body: 'not json' })).toBeUndefined();
    expect(await payload({})).toBeUndefined();
  });

  it('gives the child exactly the env it was asked for', async () => {
    process.env.HARNESS_PARENT_ONLY = 'leak';
    try {
      const rt = await start({ env: { FOO: 'bar', HOME: undefined } });
      const { env } = (await rt.invoke({})).result as FixtureResult;
      expect(env).toEqual({ PATH: process.env.PATH, FOO: 'bar' });
    } finally {
      delete process.env.HARNESS_PARENT_ONLY;
    }
  });

  it('records stdout lines that are not JSON objects, and stderr', async () => {
    const rt = await start();
    await rt.invoke({ plain: 'hello world', stderr: 'to stderr' });
    await rt.invoke({ plain: '[1,2]' });
    await rt.invoke({ plain: '42' });
    await expect.poll(() => rt.nonJsonLines()).toEqual(['hello world', '[1,2]', '42']);
    expect(rt.lines.every((l) => l.msg === 'invoked')).toBe(true);
    await expect.poll(() => rt.stderr()).toContain('to stderr');
  });

  it('passes each stdout line once, as it arrives, and stderr chunks to the hooks', async () => {
    const stdoutLines: string[] = [];
    let stderrText = '';
    let sawInvoked: () => void = () => {};
    const invokedLogged = new Promise<void>((resolve) => {
      sawInvoked = resolve;
    });
    const rt = await start({
      onStdoutLine: (line) => {
        stdoutLines.push(line);
        if (line.includes('"msg":"invoked"')) sawInvoked();
      },
      onStderr: (text) => {
        stderrText += text;
      },
    });

    let settled = false;
    const slow = rt.invoke({ sleepMs: 1_000 }, { requestId: 'slow' }).finally(() => {
      settled = true;
    });
    await invokedLogged;
    expect(settled).toBe(false);
    await slow;

    await rt.invoke({ pieces: ['{"split":', '1}\r\nplain', ' text\n'], stderr: 'oops' });
    await expect.poll(() => stdoutLines.length).toBe(4);
    expect(stdoutLines).toEqual([
      expect.stringContaining('"requestId":"slow"'),
      expect.stringContaining('"msg":"invoked"'),
      '{"split":1}',
      'plain text',
    ]);
    // The hooks see what the recorders see, not a copy that could drift from it.
    expect(rt.lines.map((l) => JSON.stringify(l))).toEqual(stdoutLines.slice(0, 3));
    expect(rt.nonJsonLines()).toEqual(['plain text']);
    await expect.poll(() => stderrText).toContain('oops');
    expect(stderrText).toBe(rt.stderr());
  });

  it('uses the named entrypoint', async () => {
    const rt = await start({ entrypoint: 'other' });
    expect(await rt.invoke({})).toMatchObject({ ok: true, result: 'other entrypoint' });
  });

  it('rejects startRuntime when the bundle fails to load, leaving no process', async () => {
    await expect(startRuntime({ bundlePath: loadFailBundle })).rejects.toThrow(/boom at load/);
    const pid = Number(readFileSync(path.join(dir, 'load-fail.pid'), 'utf8'));
    expect(isAlive(pid)).toBe(false);

    await expect(startRuntime({ bundlePath: bundle, entrypoint: 'missing' })).rejects.toThrow(
      /entrypoint "missing" is not a function/,
    );
    await expect(startRuntime({ bundlePath: path.join(dir, 'absent.js') })).rejects.toThrow(
      /Cannot find module/,
    );
  });

  it('rejects startRuntime when node cannot be spawned', async () => {
    await expect(
      startRuntime({ bundlePath: bundle, nodePath: path.join(dir, 'no-such-node') }),
    ).rejects.toThrow(/ENOENT/);
  });

  it('rejects pending and later invocations when the instance dies', async () => {
    const rt = await start();
    await expect(rt.invoke({ exit: 3 })).rejects.toThrow(/exited \(code 3/);
    await expect(rt.invoke({})).rejects.toThrow(/not running/);
    await expect(rt.waitForLine(() => false)).rejects.toThrow(/exited/);
  });

  it('times out waitForLine when no line matches', async () => {
    const rt = await start();
    await rt.invoke({});
    await expect(rt.waitForLine((l) => l.msg === 'never', 100)).rejects.toThrow(/within 100 ms/);
  });

  it('reports the memory of the instance itself, in bytes, even mid-invocation', async () => {
    const MB = 1024 * 1024;
    const rt = await start();
    const before = await rt.stats();
    // Bounds a Node process fits and kilobytes (or a wrong process) would miss.
    expect(before.rssBytes).toBeGreaterThan(10 * MB);
    expect(before.maxRssBytes).toBeGreaterThanOrEqual(before.rssBytes);
    expect(before.maxRssBytes).toBeLessThan(1024 * MB);
    expect(before.heapUsedBytes).toBeGreaterThan(0);
    expect(before.heapUsedBytes).toBeLessThan(before.rssBytes);

    await rt.invoke({ holdMb: 64 });
    const after = await rt.stats();
    // The parent holds none of it, so growth of this size can only be the child's.
    expect(after.heapUsedBytes - before.heapUsedBytes).toBeGreaterThan(60 * MB);
    expect(after.rssBytes - before.rssBytes).toBeGreaterThan(60 * MB);
    expect(after.maxRssBytes - before.maxRssBytes).toBeGreaterThan(60 * MB);

    let settled = false;
    const slow = rt.invoke({ sleepMs: 1_000 }).finally(() => {
      settled = true;
    });
    expect((await rt.stats()).maxRssBytes).toBeGreaterThanOrEqual(after.maxRssBytes);
    expect(settled).toBe(false);
    await slow;

    await rt.close();
    await expect(rt.stats()).rejects.toThrow(/not running/);
  });

  it('close() kills the child and waits for it to exit', async () => {
    const rt = await start();
    const { pid } = (await rt.invoke({})).result as FixtureResult;
    expect(isAlive(pid)).toBe(true);
    await rt.close();
    expect(isAlive(pid)).toBe(false);
    await rt.close();
    await expect(rt.invoke({})).rejects.toThrow(/not running/);
  });

  it('close() still ends an instance that ignores SIGTERM', async () => {
    const rt = await start({ bundlePath: path.join(dir, 'stubborn.js') });
    const pid = (await rt.invoke({})).result as number;
    await rt.close();
    expect(isAlive(pid)).toBe(false);
  });
});
