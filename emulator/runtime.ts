import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONTEXT_HEADERS,
  errorOf,
  type FunctionError,
  type QueuedInvocation,
  type RuntimeAnswer,
  startRuntimeApi,
} from './runtime-api';

/**
 * One function instance as the platform runs it: the model of its Node.js runtime
 * (emulator/yc-runtime/, after the public dump vitalets/yandex-cloud-fn-internals
 * `function/runtime/`) in a process of its own, fed by the runtime API of emulator/runtime-api.ts.
 */
const RUNTIME_DIR = fileURLToPath(new URL('./yc-runtime/', import.meta.url));
const BOOTSTRAP = path.join(RUNTIME_DIR, 'bootstrap.cjs');
const PROBE = path.join(RUNTIME_DIR, 'probe.cjs');
const CLOSE_GRACE_MS = 2_000;
const TAIL_CHARS = 2_000;
const MIB = 1024 * 1024;

export const RUNTIME_DEFAULTS = {
  timeoutMs: 10_000,
  // One emulated instance stands in for the platform's pool of instances, so by default it takes
  // as many invocations at once as a version may (the API's `concurrency` is 0-16): the suites
  // run invocations side by side on one instance, and `npm start` answers requests in parallel.
  concurrency: 16,
  // Ids shaped as the platform's (20 characters, a service prefix); `functionName` is the id.
  functionId: 'd4emulatorfunction01',
  functionVersion: 'd4emulatorversion001',
  logGroupName: 'e23emulatorloggroup1',
  memoryMb: 128,
} as const;

// The runtime puts the id in a URL path unescaped (runtime.js `handleResponse`).
const REQUEST_ID = /^[A-Za-z0-9._-]+$/;

export interface InvokeContext {
  requestId?: string;
  /** Sent as the token header; null or absent is a version without a service account. */
  token?: { access_token: string; expires_in: number; token_type: string } | null;
  /** Sets the deadline, counted from when the instance takes the invocation. */
  timeoutMs?: number;
}

export interface Invocation {
  ok: boolean;
  requestId: string;
  /** What the runtime posted: the result's JSON (empty for undefined), or the error's JSON. */
  body: string;
  /** The parsed body of a successful invocation; absent when the handler gave undefined. */
  result?: unknown;
  error?: FunctionError;
}

/** The instance's memory, as its own process sees it. */
export interface RuntimeStats {
  /** Peak resident set size over the process's life: what a memory limit is enforced against. */
  maxRssBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface FunctionRuntime {
  /** The data is `JSON.stringify(event)`, which the runtime parses back into the event. */
  invoke(event: unknown, ctx?: InvokeContext): Promise<Invocation>;
  /**
   * The data as it is, as `?integration=raw` and `yc serverless function invoke -d` send it:
   * the runtime parses JSON and wraps anything else as `{"payload": data}`.
   */
  invokeData(data: string, ctx?: InvokeContext): Promise<Invocation>;
  stderr(): string;
  /** Settles, with why, once the instance has exited and its output is fully read. */
  readonly exited: Promise<string>;
  /** Answered by the instance itself, so it can be asked while an invocation is running. */
  stats(): Promise<RuntimeStats>;
  /** Kills the instance and resolves once it has exited and its output is fully read. */
  close(): Promise<void>;
}

export interface OutputHooks {
  /**
   * Called once per complete stdout line (of any kind, without its line break) as it arrives;
   * the last line is also passed at exit if it lacks a line break. It must not throw: it runs
   * inside the pipe's 'data' handler.
   */
  onStdoutLine?: (line: string) => void;
  /** Called with each stderr chunk as it arrives, after it is recorded; it must not throw. */
  onStderr?: (text: string) => void;
}

export interface StartRuntimeOptions extends OutputHooks {
  /** The bundle; its directory is the task root, and its name (no dots) the entry point's module. */
  bundlePath: string;
  /**
   * Merged over the environment the runtime sets (not the parent's: tests must control TLS and
   * credential variables exactly); an undefined value removes the variable.
   */
  env?: Record<string, string | undefined>;
  /** The exported handler's name, default `handler`. */
  entrypoint?: string;
  nodePath?: string;
  /** X_YCF_CONCURRENCY: how many invocations the instance runs at once (1-16). */
  concurrency?: number;
  /**
   * The context's `functionName`. Null leaves it out, as off the platform: the function then has
   * no id to invoke itself by, so a wide sweep hands no folder on and sweeps each one itself.
   */
  functionId?: string | null;
  functionVersion?: string;
  memoryMb?: number;
}

/** `index.handler` for dist/index.js: the platform's entry point names a module and an export. */
function handlerSetting(bundlePath: string, entrypoint: string): string {
  const module = path.basename(bundlePath).replace(/\.c?js$/, '');
  if (module.includes('.') || entrypoint.includes('.')) {
    throw new Error(`an entry point cannot name ${bundlePath} or "${entrypoint}": no dots allowed`);
  }
  return `${module}.${entrypoint}`;
}

function checkConcurrency(concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    throw new RangeError(`concurrency must be a whole number from 1 to 16, got ${concurrency}`);
  }
  return concurrency;
}

/** Audit 3.6, after the dump's env.json: what the runtime's process starts with; no HOME. */
function buildEnv(
  opts: StartRuntimeOptions,
  settings: { handler: string; api: string; concurrency: number },
): NodeJS.ProcessEnv {
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    _HANDLER: settings.handler,
    AWS_LAMBDA_RUNTIME_API: settings.api,
    LAMBDA_TASK_ROOT: path.dirname(path.resolve(opts.bundlePath)),
    LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
    X_YCF_CONCURRENCY: String(settings.concurrency),
    // In bytes, as the dump's env.json has it.
    X_YCF_MEMORY_SIZE: String((opts.memoryMb ?? RUNTIME_DEFAULTS.memoryMb) * MIB),
    ...opts.env,
  };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

function contextHeaders(opts: StartRuntimeOptions): Record<string, string> {
  const functionId = opts.functionId === undefined ? RUNTIME_DEFAULTS.functionId : opts.functionId;
  return {
    ...(functionId !== null && {
      [CONTEXT_HEADERS.functionName]: functionId,
      // Its value on the platform is not public; the function's id is the nearest thing it names.
      [CONTEXT_HEADERS.functionArn]: functionId,
    }),
    [CONTEXT_HEADERS.functionVersion]: opts.functionVersion ?? RUNTIME_DEFAULTS.functionVersion,
    [CONTEXT_HEADERS.memoryLimit]: String(opts.memoryMb ?? RUNTIME_DEFAULTS.memoryMb),
    [CONTEXT_HEADERS.logGroup]: RUNTIME_DEFAULTS.logGroupName,
  };
}

function toInvocation(requestId: string, answer: RuntimeAnswer): Invocation {
  const { kind, body } = answer;
  if (kind === 'error') return { ok: false, requestId, body, error: errorOf(body) };
  const invocation: Invocation = { ok: true, requestId, body };
  if (body !== '') invocation.result = JSON.parse(body);
  return invocation;
}

const tail = (text: string) => (text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text);

/** What an instance writes: stdout passed on a line at a time, stderr kept for error messages. */
class RuntimeOutput {
  stderr = '';
  #partial = '';

  constructor(private readonly hooks: OutputHooks) {}

  onStdout(chunk: string): void {
    const parts = (this.#partial + chunk).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const part of parts) this.hooks.onStdoutLine?.(part.replace(/\r$/, ''));
  }

  onStderr(chunk: string): void {
    this.stderr += chunk;
    this.hooks.onStderr?.(chunk);
  }

  /** The pipes are closed: a last line without a line break counts too. */
  end(): void {
    if (this.#partial !== '') this.hooks.onStdoutLine?.(this.#partial);
    this.#partial = '';
  }
}

/** Resolves once the process is gone and every pipe is drained, so no output is lost. */
function exited(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve) => {
    let exitInfo: string | undefined;
    // Tracked by hand because Node never emits 'close' when the parent side disconnects IPC
    // first; 'close' alone still covers a failed spawn, which emits no 'exit'.
    const streams = [child.stdout, child.stderr].filter((s) => s !== null);
    let openStreams = streams.length;
    const maybeFinish = () => {
      if (exitInfo !== undefined && openStreams === 0 && !child.connected) resolve(exitInfo);
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
      maybeFinish();
    });
    child.once('close', (code, signal) => resolve(exitInfo ?? `code ${code}, signal ${signal}`));
  });
}

/** The probe's answers (yc-runtime/probe.cjs): the instance's memory, asked over IPC. */
function statsChannel(child: ChildProcess, notRunning: () => Error) {
  type Pending = { resolve: (stats: RuntimeStats) => void; reject: (err: Error) => void };
  const pending = new Map<number, Pending>();
  let nextId = 1;
  child.on('message', (msg: { type?: string; id: number; stats: RuntimeStats }) => {
    if (msg?.type !== 'stats') return;
    pending.get(msg.id)?.resolve(msg.stats);
    pending.delete(msg.id);
  });
  return {
    ask(): Promise<RuntimeStats> {
      if (!child.connected) return Promise.reject(notRunning());
      const id = nextId++;
      return new Promise<RuntimeStats>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ type: 'stats', id }, (err) => {
          if (err && pending.delete(id)) reject(err);
        });
      });
    },
    fail(err: Error): void {
      for (const { reject } of pending.values()) reject(err);
      pending.clear();
    },
  };
}

function forkInstance(
  opts: StartRuntimeOptions,
  settings: { handler: string; api: string; concurrency: number },
): ChildProcess {
  return fork(BOOTSTRAP, [], {
    execPath: opts.nodePath ?? process.execPath,
    // The probe alone: the vitest worker's flags (loaders, conditions) must not leak into the
    // function's process.
    execArgv: ['--require', PROBE],
    // The task root is the working directory on the platform.
    cwd: path.dirname(path.resolve(opts.bundlePath)),
    env: buildEnv(opts, settings),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
}

function piped(child: ChildProcess, output: RuntimeOutput): void {
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => output.onStdout(chunk));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => output.onStderr(chunk));
  // Without a permanent listener a late 'error' (e.g. a failed kill) would crash the test run.
  child.on('error', (err) => output.onStderr(`[runtime] child process error: ${err.message}\n`));
}

/** An invocation as the runtime API hands it out, with the context's headers. */
function queued(
  data: string,
  ctx: InvokeContext,
  headers: Record<string, string>,
): QueuedInvocation {
  const requestId = ctx.requestId ?? randomUUID();
  if (!REQUEST_ID.test(requestId)) {
    throw new Error(`request id "${requestId}" cannot go in a URL path as is`);
  }
  return {
    requestId,
    data,
    timeoutMs: ctx.timeoutMs ?? RUNTIME_DEFAULTS.timeoutMs,
    headers: {
      ...headers,
      [CONTEXT_HEADERS.requestId]: requestId,
      ...(ctx.token != null && { [CONTEXT_HEADERS.token]: JSON.stringify(ctx.token) }),
    },
  };
}

export async function startRuntime(opts: StartRuntimeOptions): Promise<FunctionRuntime> {
  const handler = handlerSetting(path.resolve(opts.bundlePath), opts.entrypoint ?? 'handler');
  const concurrency = checkConcurrency(opts.concurrency ?? RUNTIME_DEFAULTS.concurrency);
  const headers = contextHeaders(opts);
  const api = await startRuntimeApi();
  const child = forkInstance(opts, { handler, api: api.address, concurrency });
  const output = new RuntimeOutput(opts);
  piped(child, output);
  let exitInfo: string | undefined;
  const notRunning = () =>
    new Error(`function runtime is not running (${exitInfo ?? 'disconnected'})`);
  const stats = statsChannel(child, notRunning);
  const closed = exited(child).then(async (info) => {
    exitInfo = info;
    const reason = `function runtime exited (${info})`;
    output.end();
    const err = new Error(`${reason}; stderr:\n${tail(output.stderr)}`);
    api.fail(err);
    stats.fail(err);
    await api.close().catch(() => {});
    return reason;
  });

  async function close(): Promise<void> {
    if (exitInfo !== undefined) return;
    child.kill('SIGTERM');
    // A bundle may trap SIGTERM; the platform would not wait on it indefinitely either.
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(timer);
  }

  try {
    // Ready at the first poll for an invocation; a load failure is posted to /init/error.
    await Promise.race([
      api.ready,
      new Promise<never>((_, reject) => child.once('error', reject)),
      closed.then(() => {
        throw new Error(
          `function runtime exited before ready (${exitInfo}):\n${tail(output.stderr)}`,
        );
      }),
    ]);
  } catch (err) {
    await close();
    throw err;
  }

  async function submit(data: string, ctx: InvokeContext): Promise<Invocation> {
    const invocation = queued(data, ctx, headers);
    if (exitInfo !== undefined) throw notRunning();
    return toInvocation(invocation.requestId, await api.submit(invocation));
  }

  return {
    stderr: () => output.stderr,
    exited: closed,
    close,
    async invoke(event, ctx = {}) {
      const data = JSON.stringify(event);
      if (data === undefined) {
        throw new TypeError('invoke() takes a JSON value; invokeData("") sends no data');
      }
      return submit(data, ctx);
    },
    invokeData: (data, ctx = {}) => submit(data, ctx),
    stats: () => (exitInfo !== undefined ? Promise.reject(notRunning()) : stats.ask()),
  };
}
