import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from '../src/model';
import { buildHttpEvent } from './http-event';
import {
  functionErrorReply,
  httpResultReply,
  jsonReply,
  type Reply,
  rawResultReply,
} from './http-reply';
import { closeServer, listen } from './listen';
import { localAccess, refusalMessage, requestFacts, runSecret } from './local-access';
import type { FunctionRuntime, Invocation, InvokeContext } from './runtime';

export interface FunctionHostOptions {
  runtime: FunctionRuntime;
  /** Default 0: a free port. */
  port?: number;
  host?: string;
  /** Passed as context.token to each invocation; null or absent means no service account. */
  token?: InvokeContext['token'];
  /** The function's timeout: past it the caller gets 504 (default 10000). */
  timeoutMs?: number;
  /**
   * The version's async_invocation_config (function.proto `AsyncInvocationConfig`): without it,
   * `?integration=async` is refused, as the docs say it works only for a version that has one.
   */
  async?: { retries: number };
}

/** An asynchronous call, as the platform takes it: answered 202 at once, run in the background. */
export interface AsyncCall {
  readonly requestId: string;
  readonly data: string;
  readonly authorization: string | undefined;
  /** How many times it ran: once, plus a retry per failure up to `retries`. */
  attempts: number;
  /** Set when every attempt failed: it went to the failure target (the dead-letter queue). */
  deadLettered?: { readonly error: string };
}

export interface FunctionHost {
  /**
   * Where the function is served: the path is a secret made for this host, and any other path
   * is refused, as is a request from a web page or to a name that is not loopback.
   */
  url: string;
  port: number;
  /** Every asynchronous call taken, in order. */
  asyncCalls(): readonly AsyncCall[];
  /** Settles once every asynchronous call taken so far, retries included, has ended. */
  asyncDone(): Promise<void>;
  /** Stops listening and drops open connections; the runtime belongs to the caller. */
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';

  constructor(
    readonly port: number,
    readonly host: string,
    options?: ErrorOptions,
  ) {
    super(
      `port ${port} on ${host} is already in use: ` +
        'stop whatever holds it, or choose another port with PORT=<n>',
      options,
    );
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

type Outcome = { kind: 'done'; invocation: Invocation } | { kind: 'timeout' };
type Invoke = (data: string, requestId: string) => Promise<Outcome>;

/** The body, or undefined once it passes the platform's limit (the rest is read and dropped). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  let chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    else chunks = [];
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply, requestId: string): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = reply.status;
  for (const [name, value] of reply.headers) res.setHeader(name, value);
  res.setHeader('X-Request-Id', requestId);
  const bodyless = req.method === 'HEAD' || reply.status === 204 || reply.status === 304;
  if (bodyless) res.end();
  else res.end(reply.body);
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The data goes to the runtime as it is; the runtime makes the event of it. */
function invoker(
  opts: FunctionHostOptions,
  timeoutMs: number,
  timers: Set<NodeJS.Timeout>,
): Invoke {
  return (data, requestId) => {
    const ctx: InvokeContext = { requestId, token: opts.token ?? null, timeoutMs };
    return new Promise<Outcome>((resolve, reject) => {
      // Past the deadline only the caller stops waiting: the child may run on, as an aborted
      // instance's code may.
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      timers.add(timer);
      const settled = () => {
        clearTimeout(timer);
        timers.delete(timer);
      };
      opts.runtime
        .invokeData(data, ctx)
        .then(
          (invocation) => resolve({ kind: 'done', invocation }),
          (err: unknown) => reject(err),
        )
        .finally(settled);
    });
  };
}

/**
 * Asynchronous calls: each answered 202 at once, then run, and a failure (an error, or the
 * timeout) retried up to the version's `retries_count`, then sent to the failure target
 * (function-invoke-async.md).
 */
class AsyncCalls {
  readonly taken: AsyncCall[] = [];
  readonly running = new Set<Promise<void>>();

  constructor(
    private readonly retries: number,
    private readonly invoke: Invoke,
  ) {}

  take(req: IncomingMessage, body: Buffer, requestId: string): Reply {
    const { authorization } = req.headers;
    const call: AsyncCall = { requestId, data: body.toString('utf8'), authorization, attempts: 0 };
    this.taken.push(call);
    const run = this.run(call).finally(() => this.running.delete(run));
    this.running.add(run);
    return { status: 202, headers: [], body: Buffer.alloc(0) };
  }

  async run(call: AsyncCall): Promise<void> {
    let error = '';
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      call.attempts = attempt + 1;
      const outcome = await this.invoke(call.data, `${call.requestId}-${attempt}`).catch(
        (err: unknown) => ({ kind: 'lost', message: String(err) }) as const,
      );
      if (outcome.kind === 'done' && outcome.invocation.ok) return;
      error =
        outcome.kind === 'done'
          ? outcome.invocation.body
          : outcome.kind === 'lost'
            ? outcome.message
            : 'timeout';
    }
    call.deadLettered = { error };
  }

  /** A run may hand on more calls while it runs: waits until none is left. */
  async done(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

const NO_ASYNC: Reply = jsonReply(400, {
  errorMessage: 'asynchronous invocation is not configured for this version',
  errorType: 'BadRequest',
});

async function respond(
  req: IncomingMessage,
  requestId: string,
  host: { invoke: Invoke; asyncCalls: AsyncCalls | undefined; timeoutMs: number },
): Promise<Reply> {
  const body = await readBody(req);
  if (body === undefined) {
    return jsonReply(413, {
      errorMessage: `request body is larger than ${MAX_BODY_BYTES} bytes`,
      errorType: 'RequestEntityTooLarge',
    });
  }
  const integration = new URL(req.url ?? '/', 'http://host').searchParams.get('integration');
  // Async: the body is the data, as for raw, and the caller does not wait for the function.
  if (integration === 'async') return host.asyncCalls?.take(req, body, requestId) ?? NO_ASYNC;
  const raw = integration === 'raw';
  // Raw: the body itself is the data, as `yc serverless function invoke -d` sends it.
  const data = raw ? body.toString('utf8') : JSON.stringify(buildHttpEvent(req, body, requestId));
  let outcome: Outcome;
  try {
    outcome = await host.invoke(data, requestId);
  } catch (err) {
    // The instance died (process.exit, a crash) or was closed under the request.
    const errorMessage = (err as Error).message;
    return functionErrorReply(
      JSON.stringify({ errorMessage, errorType: 'RuntimeError', stackTrace: [] }),
    );
  }
  if (outcome.kind === 'timeout') {
    return jsonReply(504, {
      errorMessage: `function timed out after ${host.timeoutMs} ms`,
      errorType: 'Timeout',
    });
  }
  const { invocation } = outcome;
  if (!invocation.ok) return functionErrorReply(invocation.body);
  return raw ? rawResultReply(invocation.body) : httpResultReply(invocation.result);
}

export async function startFunctionHost(opts: FunctionHostOptions): Promise<FunctionHost> {
  const host = opts.host ?? '127.0.0.1';
  const secret = runSecret();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timers = new Set<NodeJS.Timeout>();
  const invoke = invoker(opts, timeoutMs, timers);
  const asyncCalls = opts.async && new AsyncCalls(opts.async.retries, invoke);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const access = localAccess(requestFacts(req), secret);
    if (!access.allowed) {
      const errorMessage = refusalMessage(access.refusal, 'use the whole URL npm start printed');
      send(req, res, jsonReply(403, { errorMessage, errorType: 'Forbidden' }), requestId);
      return;
    }
    try {
      send(req, res, await respond(req, requestId, { invoke, asyncCalls, timeoutMs }), requestId);
    } catch (err) {
      // A client that hangs up mid-body leaves nobody to answer.
      if (req.destroyed || res.headersSent) {
        res.destroy();
        return;
      }
      const errorMessage = err instanceof Error ? err.message : String(err);
      send(req, res, jsonReply(500, { errorMessage, errorType: 'EmulatorError' }), requestId);
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  const port = await listen(server, opts.port, host).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE'
      ? new PortInUseError(opts.port ?? 0, host, { cause: err })
      : err;
  });

  let closing: Promise<void> | undefined;
  return {
    url: `${formatUrl(host, port)}/${secret}`,
    port,
    asyncCalls: () => asyncCalls?.taken ?? [],
    asyncDone: async () => asyncCalls?.done(),
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Keep-alive sockets and requests waiting on the function would hold a plain close() open.
      closing ??= closeServer(server);
      return closing;
    },
  };
}
