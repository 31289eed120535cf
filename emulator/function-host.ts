import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from '../src/model';
import { buildHttpEvent } from './http-event';
import {
  errorReply,
  functionErrorReply,
  httpResultReply,
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
   * Takes a `?integration=async` call, answered 202 at once, to run with `invoke`: the version's
   * async_invocation_config (function.proto `AsyncInvocationConfig`). Without it such a call is
   * refused, as the docs say it works only for a version that has one. Only tests give one:
   * npm start's function names no id, so it hands nothing on to itself.
   */
  takeAsync?: (call: AsyncRequest, invoke: Invoke) => void;
}

export interface AsyncRequest {
  readonly requestId: string;
  readonly data: string;
  readonly authorization: string | undefined;
}

export interface FunctionHost {
  /**
   * Where the function is served: the path is a secret made for this host, and any other path
   * is refused, as is a request from a web page or to a name that is not loopback.
   */
  url: string;
  port: number;
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

export type Outcome = { kind: 'done'; invocation: Invocation } | { kind: 'timeout' };
/** One invocation with the function's timeout: it rejects when the instance is lost. */
export type Invoke = (data: string, requestId: string) => Promise<Outcome>;

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

const NO_ASYNC = errorReply(
  400,
  'BadRequest',
  'asynchronous invocation is not configured for this version',
);

async function respond(
  req: IncomingMessage,
  requestId: string,
  host: { invoke: Invoke; takeAsync: FunctionHostOptions['takeAsync']; timeoutMs: number },
): Promise<Reply> {
  const body = await readBody(req);
  if (body === undefined) {
    const why = `request body is larger than ${MAX_BODY_BYTES} bytes`;
    return errorReply(413, 'RequestEntityTooLarge', why);
  }
  const integration = new URL(req.url ?? '/', 'http://host').searchParams.get('integration');
  // Async: the body is the data, as for raw, and the caller does not wait for the function.
  if (integration === 'async') {
    if (host.takeAsync === undefined) return NO_ASYNC;
    const { authorization } = req.headers;
    host.takeAsync({ requestId, data: body.toString('utf8'), authorization }, host.invoke);
    return { status: 202, headers: [], body: Buffer.alloc(0) };
  }
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
    return errorReply(504, 'Timeout', `function timed out after ${host.timeoutMs} ms`);
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
  const { takeAsync } = opts;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const access = localAccess(requestFacts(req), secret);
    if (!access.allowed) {
      const errorMessage = refusalMessage(access.refusal, 'use the whole URL npm start printed');
      send(req, res, errorReply(403, 'Forbidden', errorMessage), requestId);
      return;
    }
    try {
      send(req, res, await respond(req, requestId, { invoke, takeAsync, timeoutMs }), requestId);
    } catch (err) {
      // A client that hangs up mid-body leaves nobody to answer.
      if (req.destroyed || res.headersSent) {
        res.destroy();
        return;
      }
      const errorMessage = err instanceof Error ? err.message : String(err);
      send(req, res, errorReply(500, 'EmulatorError', errorMessage), requestId);
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
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Keep-alive sockets and requests waiting on the function would hold a plain close() open.
      closing ??= closeServer(server);
      return closing;
    },
  };
}
