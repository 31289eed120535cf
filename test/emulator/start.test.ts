import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { listen } from '../../emulator/listen';
import { closable, closedAfterEach } from '../support/cleanup';
import type { Loader } from '../support/run-script';
import { finished, spawnCommand } from './commands';

const run = promisify(execFile);

type Started = ReturnType<typeof spawnCommand> & { output: () => string };

const track = closedAfterEach();

/** `npm start`, stopped after the test as Ctrl-C stops it, if it is still running. */
function start(args: string[] = [], env: Record<string, string> = {}, loader?: Loader): Started {
  const child = spawnCommand('start', args, { PORT: '0', ...env }, loader) as Started;
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  child.output = () => output;
  track({
    close: async () => {
      if (child.exitCode !== null) return;
      // tsx runs the script in a child of its own, which SIGINT reaches and SIGKILL would orphan.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  });
  return child;
}

async function bannerOf(child: Started): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (!child.output().includes('Ctrl-C stops')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`npm start did not come up:\n${child.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child.output();
}

describe('npm start', () => {
  it('serves the function; the printed curl command cancels a seeded stuck operation', async () => {
    // As `npm start` runs it, through tsx; the other tests run the same code bundled, to start faster.
    const started = start([], {}, 'tsx');
    const banner = await bannerOf(started);
    const url = /serving at (http:\/\/127\.0\.0\.1:\d+\/[\w-]{43})$/m.exec(banner)?.[1];
    expect(url).toBeDefined();
    expect(banner).toContain('embedded emulator');
    expect(banner).toContain('fd8stuckinstance0001');
    const curl = /^\s*(curl .*)$/m.exec(banner)?.[1];
    expect(curl).toBeDefined();

    const { stdout } = await run('bash', ['-c', `${curl} -w '\\n%{http_code}'`]);
    const [body, status] = stdout.trimEnd().split('\n');
    expect(status).toBe('200');
    const reply = JSON.parse(body as string) as {
      results: Array<{ operationId: string; outcome: string }>;
    };
    expect(reply.results).toContainEqual(
      expect.objectContaining({ operationId: 'fd8stuckinstance0001', outcome: 'cancelled' }),
    );
    expect(reply.results).toContainEqual(
      expect.objectContaining({ operationId: 'enpstucknetwork00002', outcome: 'cancelling' }),
    );
    // Not a terminal, so the function's log lines stream as its own JSON.
    await expect.poll(() => started.output()).toContain('"msg":"invocation summary"');
  });

  it("refuses whoever lacks the run's secret, and a web page that has it; stops on Ctrl-C", async () => {
    const started = start();
    const url = /serving at (\S+)$/m.exec(await bannerOf(started))?.[1] as string;
    const post = (to: string, headers: Record<string, string> = {}) =>
      fetch(`${to}/?integration=raw`, { method: 'POST', headers, body: '{"operationIds":[]}' });
    for (const refused of [
      await post(new URL(url).origin),
      await post(url, { Origin: 'https://evil.example', 'Content-Type': 'text/plain' }),
    ]) {
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ errorType: 'Forbidden' });
    }
    expect((await post(url)).status).toBe(200);
    const exit = finished(started);
    started.kill('SIGINT');
    expect((await exit).code).toBe(0);
  });

  it('names $HTTP_API_KEY in the banner, never its value; the curl it prints then works', async () => {
    const key = 'k-banner-must-not-show-0001';
    const started = start([], { HTTP_API_KEY: key });
    const banner = await bannerOf(started);
    expect(banner).not.toContain(key);
    expect(banner).toContain('HTTP_API_KEY=(set) (shell)');
    const curl = /^\s*(curl .*)$/m.exec(banner)?.[1] as string;
    expect(curl).toContain(`-H "X-Api-Key: $HTTP_API_KEY"`);

    const withKey = await run('bash', ['-c', curl], { env: { ...process.env, HTTP_API_KEY: key } });
    expect(withKey.stdout.trimEnd()).toMatch(/HTTP 200$/);
    const without = await run('bash', ['-c', curl], { env: { ...process.env, HTTP_API_KEY: '' } });
    expect(without.stdout.trimEnd()).toMatch(/HTTP 401$/);
  });

  // The one refusal run end to end; test/emulator/cli.test.ts checks the flags in-process.
  it('says so clearly when the port is taken', async () => {
    const blocker = createServer();
    track(closable(blocker));
    const port = await listen(blocker);
    const { code, stderr } = await finished(spawnCommand('start', [], { PORT: String(port) }));
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });
});
