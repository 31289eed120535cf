import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./cold-child.cjs', import.meta.url));
const TIMEOUT_MS = 60_000;
const TAIL_CHARS = 2000;

export interface ColdSample {
  /** Spawn to the result reaching this process: what a caller of a cold function waits. */
  wallMs: number;
  /** Process start to the first line of the child's script: Node's own boot. */
  bootMs: number;
  requireMs: number;
  /** The first invocation alone: token, channel, TLS handshake, the calls. */
  invokeMs: number;
  maxRssBytes: number;
  result: unknown;
}

interface ChildReport {
  ok: boolean;
  result?: unknown;
  error?: string;
  bootMs: number;
  requireMs: number;
  invokeMs: number;
  maxRssBytes: number;
}

function firstLine(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end >= 0) resolve(text.slice(0, end));
    });
    stream.once('end', () => reject(new Error('the child exited without a report')));
    stream.once('error', reject);
  });
}

/** A fresh Node process that requires the bundle and invokes its handler once with `event`. */
export async function coldStart(
  bundlePath: string,
  event: unknown,
  env: Record<string, string>,
): Promise<ColdSample> {
  const started = performance.now();
  const child = spawn(process.execPath, [CHILD, bundlePath, JSON.stringify(event)], {
    // The platform runs the function from its code directory.
    cwd: path.dirname(bundlePath),
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // Log lines are drained as the platform would read them, and not kept.
  child.stdout?.resume();
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  try {
    const line = await firstLine(child.stdio[3] as Readable);
    const wallMs = performance.now() - started;
    const report = JSON.parse(line) as ChildReport;
    if (!report.ok) throw new Error(`the handler failed: ${report.error}`);
    const { bootMs, requireMs, invokeMs, maxRssBytes, result } = report;
    return { wallMs, bootMs, requireMs, invokeMs, maxRssBytes, result };
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`cold start of ${bundlePath}: ${String(error)}\n${stderr.slice(-TAIL_CHARS)}`);
  } finally {
    await exited;
    clearTimeout(timer);
  }
}

/** Spawn to exit of a Node process that does nothing: the floor under every cold start. */
export async function bareNode(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`bare node exited with code ${code}`);
  return performance.now() - started;
}
