import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { buildHttpEvent } from './http-event';
import {
  functionErrorReply,
  httpResultReply,
  jsonReply,
  type Reply,
  rawResultReply,
} from './http-reply';
import { listen } from './listen';
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
/** The platform refuses request JSON over 3.5 MB before any instance sees it. */
const MAX_BODY_BYTES = 3.5 * 1024 * 1024;

type Outcome = { kind: 'done'; invocation: Invocation } | { kind: 'timeout' };

/** The body, or undefined once it passes the limit (the rest is read and dropped). */
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

export async function startFunctionHost(opts: FunctionHostOptions): Promise<FunctionHost> {
  const host = opts.host ?? '127.0.0.1';
  const secret = runSecret();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timers = new Set<NodeJS.Timeout>();
  const asyncCalls: AsyncCall[] = [];
  const running = new Set<Promise<void>>();

  /** The data goes to the runtime as it is; the runtime makes the event of it. */
  function invoke(data: string, requestId: string): Promise<Outcome> {
    const ctx: InvokeContext = { requestId, token: opts.token ?? null, timeoutMs };
    return new Promise<Outcome>((resolve, reject) => {
      // Past the deadline only the caller stops waiting: the child may run on, as an aborted
      // instance's code may.
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      timers.add(timer);
      const settle = () => {
        clearTimeout(timer);
        timers.delete(timer);
      };
      opts.runtime.invokeData(data, ctx).then(
        (invocation) => {
          settle();
          resolve({ kind: 'done', invocation });
        },
        (err: unknown) => {
          settle();
          reject(err);
        },
      );
    });
  }

  /**
   * An asynchronous call's runs: a failure (an error, or the timeout) is retried up to the
   * version's `retries_count`, then sent to the failure target (function-invoke-async.md).
   */
  async function runAsync(call: AsyncCall): Promise<void> {
    const retries = opts.async?.retries ?? 0;
    let error = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      call.attempts = attempt + 1;
      const outcome = await invoke(call.data, `${call.requestId}-${attempt}`).catch(
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

  function takeAsync(req: IncomingMessage, body: Buffer, requestId: string): Reply {
    if (opts.async === undefined) {
      return jsonReply(400, {
        errorMessage: 'asynchronous invocation is not configured for this version',
        errorType: 'BadRequest',
      });
    }
    const { authorization } = req.headers;
    const call: AsyncCall = { requestId, data: body.toString('utf8'), authorization, attempts: 0 };
    asyncCalls.push(call);
    const run = runAsync(call).finally(() => running.delete(run));
    running.add(run);
    return { status: 202, headers: [], body: Buffer.alloc(0) };
  }

  async function respond(req: IncomingMessage, requestId: string): Promise<Reply> {
    const body = await readBody(req);
    if (body === undefined) {
      return jsonReply(413, {
        errorMessage: `request body is larger than ${MAX_BODY_BYTES} bytes`,
        errorType: 'RequestEntityTooLarge',
      });
    }
    const integration = new URL(req.url ?? '/', 'http://host').searchParams.get('integration');
    // Async: the body is the data, as for raw, and the caller does not wait for the function.
    if (integration === 'async') return takeAsync(req, body, requestId);
    const raw = integration === 'raw';
    // Raw: the body itself is the data, as `yc serverless function invoke -d` sends it.
    const data = raw ? body.toString('utf8') : JSON.stringify(buildHttpEvent(req, body, requestId));
    let outcome: Outcome;
    try {
      outcome = await invoke(data, requestId);
    } catch (err) {
      // The instance died (process.exit, a crash) or was closed under the request.
      const errorMessage = (err as Error).message;
      return functionErrorReply(
        JSON.stringify({ errorMessage, errorType: 'RuntimeError', stackTrace: [] }),
      );
    }
    if (outcome.kind === 'timeout') {
      return jsonReply(504, {
        errorMessage: `function timed out after ${timeoutMs} ms`,
        errorType: 'Timeout',
      });
    }
    const { invocation } = outcome;
    if (!invocation.ok) return functionErrorReply(invocation.body);
    return raw ? rawResultReply(invocation.body) : httpResultReply(invocation.result);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const access = localAccess(requestFacts(req), secret);
    if (!access.allowed) {
      const errorMessage = refusalMessage(access.refusal, 'use the whole URL npm start printed');
      send(req, res, jsonReply(403, { errorMessage, errorType: 'Forbidden' }), requestId);
      return;
    }
    try {
      send(req, res, await respond(req, requestId), requestId);
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
    asyncCalls: () => asyncCalls,
    async asyncDone() {
      // A run may hand on more calls while it runs: wait until none is left.
      while (running.size > 0) await Promise.all([...running]);
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets and requests waiting on the function would hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
