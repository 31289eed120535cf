import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD_PATH = fileURLToPath(new URL('./runtime-child.cjs', import.meta.url));
const CLOSE_GRACE_MS = 2_000;
const TAIL_CHARS = 2_000;

export interface InvokeContext {
  requestId?: string;
  token?: { access_token: string; expires_in: number; token_type: string } | null;
  timeoutMs?: number;
  functionName?: string;
}

export interface Invocation {
  ok: boolean;
  result?: unknown;
  error?: { message: string; type: string };
  requestId: string;
}

/** The instance's memory, as its own process sees it. */
export interface RuntimeStats {
  /** Peak resident set size over the process's life: what a memory limit is enforced against. */
  maxRssBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface FunctionRuntime {
  /** requestId defaults to a fresh UUID; a null or absent token leaves context.token unset. */
  invoke(event: unknown, ctx?: InvokeContext): Promise<Invocation>;
  /** Every stdout line that parsed as a JSON object, in arrival order. */
  lines: Array<Record<string, unknown>>;
  /** Stdout lines that are not JSON objects; every line a function writes should be one. */
  nonJsonLines(): string[];
  rawStdout(): string;
  stderr(): string;
  linesFor(requestId: string): Array<Record<string, unknown>>;
  /**
   * Stdout and IPC are separate pipes, so an invocation's result may arrive before its log
   * lines; wait here instead of reading `lines` right after `invoke` resolves.
   */
  waitForLine(
    pred: (l: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Answered by the instance itself, so it can be asked while an invocation is running. */
  stats(): Promise<RuntimeStats>;
  /** Kills the instance and resolves once it has exited and its output is fully read. */
  close(): Promise<void>;
}

export interface StartRuntimeOptions {
  bundlePath: string;
  /** Merged over { PATH, HOME } from the parent; an undefined value removes the variable. */
  env?: Record<string, string | undefined>;
  entrypoint?: string;
  nodePath?: string;
  /**
   * Called once per complete stdout line (JSON or not, without its line break) as it arrives,
   * after the line is recorded; the last line is also passed at exit if it lacks a line break.
   * It must not throw: it runs inside the pipe's 'data' handler.
   */
  onStdoutLine?: (line: string) => void;
  /** Called with each stderr chunk as it arrives, after it is recorded; it must not throw. */
  onStderr?: (text: string) => void;
}

type ChildMessage =
  | { type: 'ready' }
  | { type: 'load-error'; message: string }
  | { type: 'stats'; id: number; stats: RuntimeStats }
  | { id: number; ok: boolean; result?: unknown; error?: { message: string; type: string } };

interface Pending {
  requestId: string;
  resolve: (inv: Invocation) => void;
  reject: (err: Error) => void;
}

interface PendingStats {
  resolve: (stats: RuntimeStats) => void;
  reject: (err: Error) => void;
}

interface LineWaiter {
  pred: (l: Record<string, unknown>) => boolean;
  resolve: (l: Record<string, unknown>) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

function buildEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // Deliberately not the parent's env: tests must control TLS and credential variables exactly.
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...overrides,
  };
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(merged)) {
    if (value !== undefined) env[key] = value;
  }
  return env;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tail(text: string): string {
  return text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text;
}

export async function startRuntime(opts: StartRuntimeOptions): Promise<FunctionRuntime> {
  const bundlePath = path.resolve(opts.bundlePath);
  const child: ChildProcess = fork(CHILD_PATH, [bundlePath, opts.entrypoint ?? 'handler'], {
    execPath: opts.nodePath ?? process.execPath,
    // The vitest worker's flags (loaders, conditions) must not leak into the function's process.
    execArgv: [],
    // The platform runs the function from its code directory.
    cwd: path.dirname(bundlePath),
    env: buildEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });

  let stdout = '';
  let stderr = '';
  let partial = '';
  const lines: Array<Record<string, unknown>> = [];
  const nonJson: string[] = [];
  const pending = new Map<number, Pending>();
  const pendingStats = new Map<number, PendingStats>();
  const waiters = new Set<LineWaiter>();
  let nextId = 1;
  let exitInfo: string | undefined;
  let closed = false;

  const closedPromise = new Promise<void>((resolve) => {
    const finish = () => {
      if (closed) return;
      closed = true;
      flushPartial();
      failAll(new Error(`function runtime exited (${exitInfo}); stderr:\n${tail(stderr)}`));
      resolve();
    };
    // Done once the process is gone and every pipe is drained, so no output or reply is lost.
    // Tracked by hand because Node never emits 'close' when the parent side disconnects IPC
    // first; 'close' alone still covers a failed spawn, which emits no 'exit'.
    const streams = [child.stdout, child.stderr].filter((s) => s !== null);
    let openStreams = streams.length;
    let exited = false;
    const maybeFinish = () => {
      if (exited && openStreams === 0 && !child.connected) finish();
    };
    for (const s of streams) {
      s.once('close', () => {
        openStreams--;
        maybeFinish();
      });
    }
    child.once('disconnect', maybeFinish);
    child.once('exit', (code, signal) => {
      exitInfo = `code ${code}, signal ${signal}`;
      exited = true;
      maybeFinish();
    });
    child.once('close', (code, signal) => {
      exitInfo ??= `code ${code}, signal ${signal}`;
      finish();
    });
  });

  function onLine(line: string): void {
    recordLine(line);
    opts.onStdoutLine?.(line);
  }

  function recordLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (!isJsonObject(parsed)) {
      nonJson.push(line);
      return;
    }
    lines.push(parsed);
    for (const w of waiters) {
      if (w.pred(parsed)) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(parsed);
      }
    }
  }

  function flushPartial(): void {
    if (partial !== '') {
      const rest = partial;
      partial = '';
      onLine(rest);
    }
  }

  function failAll(err: Error): void {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    for (const p of pendingStats.values()) p.reject(err);
    pendingStats.clear();
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    waiters.clear();
  }

  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
    opts.onStderr?.(chunk);
  });
  // Without a permanent listener a late 'error' (e.g. a failed kill) would crash the test run.
  child.on('error', (err) => {
    stderr += `[runtime] child process error: ${err.message}\n`;
  });

  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (msg: ChildMessage) => {
      if ('type' in msg && msg.type === 'ready') {
        child.off('message', onMessage);
        resolve();
      } else if ('type' in msg && msg.type === 'load-error') {
        child.off('message', onMessage);
        reject(new Error(`function bundle failed to load: ${msg.message}`));
      }
    };
    child.on('message', onMessage);
    child.once('error', reject);
    void closedPromise.then(() =>
      reject(new Error(`function runtime exited before ready (${exitInfo}):\n${tail(stderr)}`)),
    );
  });

  child.on('message', (msg: ChildMessage) => {
    if ('type' in msg && msg.type === 'stats') {
      pendingStats.get(msg.id)?.resolve(msg.stats);
      pendingStats.delete(msg.id);
      return;
    }
    if (!('id' in msg)) return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    const inv: Invocation = { ok: msg.ok, requestId: p.requestId };
    if (msg.ok) inv.result = msg.result;
    else if (msg.error) inv.error = msg.error;
    p.resolve(inv);
  });

  async function close(): Promise<void> {
    if (!closed) {
      child.kill('SIGTERM');
      // A bundle may trap SIGTERM; the platform would not wait on it indefinitely either.
      const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
      await closedPromise;
      clearTimeout(timer);
    }
  }

  try {
    await ready;
  } catch (err) {
    await close();
    throw err;
  }

  return {
    lines,
    nonJsonLines: () => [...nonJson],
    rawStdout: () => stdout,
    stderr: () => stderr,
    linesFor: (requestId) => lines.filter((l) => l.requestId === requestId),
    close,

    invoke(event, ctx = {}) {
      const requestId = ctx.requestId ?? randomUUID();
      if (closed || !child.connected) {
        return Promise.reject(
          new Error(`function runtime is not running (${exitInfo ?? 'disconnected'})`),
        );
      }
      const id = nextId++;
      const context: Record<string, unknown> = {
        requestId,
        functionName: ctx.functionName ?? 'test-function',
        functionVersion: 'test-version',
        memoryLimitInMB: '128',
        timeoutMs: ctx.timeoutMs,
      };
      if (ctx.token != null) context.token = ctx.token;
      return new Promise<Invocation>((resolve, reject) => {
        pending.set(id, { requestId, resolve, reject });
        child.send({ id, event, context }, (err) => {
          if (err && pending.delete(id)) reject(err);
        });
      });
    },

    stats() {
      if (closed || !child.connected) {
        return Promise.reject(
          new Error(`function runtime is not running (${exitInfo ?? 'disconnected'})`),
        );
      }
      const id = nextId++;
      return new Promise<RuntimeStats>((resolve, reject) => {
        pendingStats.set(id, { resolve, reject });
        child.send({ type: 'stats', id }, (err) => {
          if (err && pendingStats.delete(id)) reject(err);
        });
      });
    },

    waitForLine(pred, timeoutMs = 5_000) {
      const found = lines.find(pred);
      if (found) return Promise.resolve(found);
      if (closed) {
        return Promise.reject(new Error(`no matching stdout line; runtime exited (${exitInfo})`));
      }
      return new Promise((resolve, reject) => {
        const waiter: LineWaiter = {
          pred,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(
              new Error(`no matching stdout line within ${timeoutMs} ms; stdout:\n${tail(stdout)}`),
            );
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
  };
}
