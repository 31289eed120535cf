import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedAfterEach } from '../support/cleanup';
import { startRuntime } from '../support/runtime';

// Plain CommonJS like the esbuild output, so the harness is tested without depending on src/.
// What the runtime itself does with data, context, results and errors: yc-runtime.test.ts.
const FIXTURE = `'use strict';
let count = 0;
const held = [];
exports.handler = async (event, context) => {
  count += 1;
  const n = count;
  console.log(JSON.stringify({ level: 'INFO', msg: 'invoked', request_id: context.requestId, n }));
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
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  return {
    n,
    pid: process.pid,
    echo: event.value,
    requestId: context.requestId,
    functionName: context.functionName,
    env: { ...process.env },
    cwd: process.cwd(),
  };
};
exports.other = async () => 'other entrypoint';
exports.notAFunction = 42;
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
  functionName: string | null;
  env: Record<string, string>;
  cwd: string;
}

let dir: string;
let bundle: string;
let loadFailBundle: string;
const track = closedAfterEach();

async function start(opts: Partial<Parameters<typeof startRuntime>[0]> = {}) {
  return track(await startRuntime({ bundlePath: bundle, ...opts }));
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

  it('passes requestId to the context and collects its log lines by request_id', async () => {
    const rt = await start();
    const generated = await rt.invoke({});
    expect(generated.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((generated.result as FixtureResult).requestId).toBe(generated.requestId);

    const inv = await rt.invoke({}, { requestId: 'req-1' });
    expect(inv.requestId).toBe('req-1');
    const line = await rt.waitForLine((l) => l.request_id === 'req-1');
    expect(line).toMatchObject({ msg: 'invoked', n: 2 });
    expect(rt.linesFor('req-1')).toEqual([line]);
    expect(rt.lines).toHaveLength(2);
    expect(rt.nonJsonLines()).toEqual([]);
    expect(rt.runtimeErrorLines()).toEqual([]);
    expect(rt.rawStdout()).toContain('"request_id":"req-1"');
  });

  it('gives the invocation the body the runtime posted, and the result parsed from it', async () => {
    const rt = await start();
    const inv = await rt.invoke({ value: ['a', 1] });
    expect(inv.ok).toBe(true);
    expect(JSON.parse(inv.body)).toEqual(inv.result);
    expect((inv.result as FixtureResult).echo).toEqual(['a', 1]);
  });

  it('refuses what it cannot send: no JSON value, a request id unfit for a URL path', async () => {
    const rt = await start();
    await expect(rt.invoke(undefined)).rejects.toThrow(/takes a JSON value/);
    await expect(rt.invoke({}, { requestId: 'a/b' })).rejects.toThrow(/URL path/);
    const inFlight = rt.invoke({ sleepMs: 300 }, { requestId: 'twice' });
    await expect(rt.invoke({}, { requestId: 'twice' })).rejects.toThrow(/already in flight/);
    expect((await inFlight).ok).toBe(true);
  });

  it('refuses a concurrency the platform does not offer', async () => {
    for (const concurrency of [0, 17, 1.5]) {
      await expect(startRuntime({ bundlePath: bundle, concurrency })).rejects.toThrow(
        /concurrency must be a whole number from 1 to 16/,
      );
    }
  });

  // Audit 3.6, after the dump's env.json: the runtime's own variables, no HOME, nothing of the
  // parent's but PATH; the caller's env goes on top, and undefined removes a variable.
  it('gives the instance the platform environment and what it was asked for, nothing else', async () => {
    process.env.HARNESS_PARENT_ONLY = 'leak';
    try {
      const rt = await start({ env: { FOO: 'bar', NODE_ENV: undefined }, concurrency: 3 });
      const { env } = (await rt.invoke({})).result as FixtureResult;
      expect(env).toEqual({
        PATH: process.env.PATH,
        FOO: 'bar',
        _HANDLER: 'index.handler',
        // The runtime API's secret path comes with its address: only the instance learns it.
        AWS_LAMBDA_RUNTIME_API: expect.stringMatching(/^127\.0\.0\.1:\d+\/[\w-]{43}$/),
        LAMBDA_TASK_ROOT: dir,
        LAMBDA_RUNTIME_DIR: expect.stringMatching(/emulator\/yc-runtime\/$/),
        X_YCF_CONCURRENCY: '3',
        X_YCF_MEMORY_SIZE: String(128 * 1024 * 1024),
      });
    } finally {
      delete process.env.HARNESS_PARENT_ONLY;
    }
  });

  it('names the function in the context, or, given null, names none, as off the platform', async () => {
    const named = (await (await start()).invoke({})).result as FixtureResult;
    expect(named.functionName).toBe('d4emulatorfunction01');
    const unnamed = (await (await start({ functionId: null })).invoke({})).result as FixtureResult;
    // The dump reads a missing header as null.
    expect(unnamed.functionName).toBeNull();
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
      expect.stringContaining('"request_id":"slow"'),
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

  // runtime.js `HandlerLoader.load` and `Runtime.handleInitError`: a load failure is posted to
  // /init/error, with the loader's own messages, and the instance exits.
  it('rejects startRuntime when the bundle fails to load, leaving no process', async () => {
    await expect(startRuntime({ bundlePath: loadFailBundle })).rejects.toThrow(
      /failed to load: Error: boom at load/,
    );
    const pid = Number(readFileSync(path.join(dir, 'load-fail.pid'), 'utf8'));
    expect(isAlive(pid)).toBe(false);

    await expect(startRuntime({ bundlePath: bundle, entrypoint: 'missing' })).rejects.toThrow(
      `Can't find handler function missing in ${path.join(dir, 'index')}`,
    );
    await expect(startRuntime({ bundlePath: bundle, entrypoint: 'notAFunction' })).rejects.toThrow(
      'index.notAFunction must be function',
    );
    await expect(startRuntime({ bundlePath: path.join(dir, 'absent.js') })).rejects.toThrow(
      /Cannot find module/,
    );
    await expect(startRuntime({ bundlePath: path.join(dir, 'index.min.js') })).rejects.toThrow(
      /no dots allowed/,
    );
  });

  it('rejects startRuntime when node cannot be spawned', async () => {
    await expect(
      startRuntime({ bundlePath: bundle, nodePath: path.join(dir, 'no-such-node') }),
    ).rejects.toThrow(/ENOENT/);
  });

  it('rejects pending and later invocations when the instance dies', async () => {
    const rt = await start();
    const [dying, queued] = [rt.invoke({ exit: 3 }), rt.invoke({ sleepMs: 5_000 })];
    await expect(dying).rejects.toThrow(/exited \(code 3/);
    await expect(queued).rejects.toThrow(/exited \(code 3/);
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
