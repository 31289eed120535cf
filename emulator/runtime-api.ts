import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, readText } from './listen';
import { localAccess, refusalMessage, requestFacts, runSecret } from './local-access';

/**
 * The platform's side of the runtime API that emulator/yc-runtime/runtime.cjs polls, as far as
 * the public dump of the runtime shows it (vitalets/yandex-cloud-fn-internals,
 * `function/runtime/runtime.js`): the routes, and the headers `Request` reads its context from.
 * Each invocation it hands out carries the context's token, so it serves only under a secret
 * path that goes to the instance alone, in AWS_LAMBDA_RUNTIME_API: the runtime puts that
 * variable before every route, so the model of the runtime sends the secret unchanged.
 */
const PREFIX = '/2018-06-01/runtime';
const NEXT = `${PREFIX}/invocation/next`;
const INIT_ERROR = `${PREFIX}/init/error`;
const ANSWER = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;
// Per the dump's `maxWaitSeconds`: an idle keep-alive socket of the runtime's agent stays usable.
const KEEP_ALIVE_MS = 30 * 60 * 1000;

export const CONTEXT_HEADERS = {
  requestId: 'Lambda-Runtime-Aws-Request-Id',
  functionArn: 'Lambda-Runtime-Invoked-Function-Arn',
  functionName: 'Lambda-Runtime-Function-Name',
  functionVersion: 'Lambda-Runtime-Function-Version',
  memoryLimit: 'Lambda-Runtime-Memory-Limit',
  deadline: 'Lambda-Runtime-Deadline-Ms',
  logGroup: 'Lambda-Runtime-Log-Group-Name',
  token: 'Lambda-Runtime-Token-Json',
} as const;

export interface QueuedInvocation {
  requestId: string;
  /** The invocation's data, the /next body, as it is. */
  data: string;
  /** The deadline header is set from it when the instance takes the invocation. */
  timeoutMs: number;
  /** Every other /next header. */
  headers: Record<string, string>;
}

/** What the runtime posted: `response` with the result's JSON, or `error` with the error's. */
export interface RuntimeAnswer {
  kind: 'response' | 'error';
  body: string;
}

export interface RuntimeApi {
  /** host:port/secret, the value of AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Settles at the instance's first poll, or rejects with the JSON it posts to /init/error. */
  readonly ready: Promise<void>;
  /** Settles with the runtime's answer, whenever (if ever) it comes. */
  submit(invocation: QueuedInvocation): Promise<RuntimeAnswer>;
  /** Rejects every invocation queued or in flight, and each later submit, with `err`. */
  fail(err: Error): void;
  close(): Promise<void>;
}

/** A thrown value as the runtime reports it; a value that is not an Error has no message or type. */
export interface FunctionError {
  message?: string;
  type?: string;
  /** Rows per the dump's `Errors.stackTrace`. */
  stackTrace: Array<
    | { function: string | null; file: string | null; line: number | null; column: number | null }
    | { line: string }
  >;
}

/** The runtime's error JSON, `{errorMessage, errorType, stackTrace}`, read. */
export function errorOf(body: string): FunctionError {
  try {
    const { errorMessage, errorType, stackTrace } = JSON.parse(body) as Record<string, unknown>;
    return {
      ...(typeof errorMessage === 'string' && { message: errorMessage }),
      ...(typeof errorType === 'string' && { type: errorType }),
      stackTrace: Array.isArray(stackTrace) ? stackTrace : [],
    };
  } catch {
    return { message: body, stackTrace: [] };
  }
}

export class InitError extends Error {
  override name = 'InitError';

  constructor(readonly body: string) {
    const { type, message } = errorOf(body);
    super(
      `the function failed to load: ${[type, message].filter((p) => p !== undefined).join(': ')}`,
    );
  }
}

interface Pending {
  invocation: QueuedInvocation;
  resolve: (answer: RuntimeAnswer) => void;
  reject: (err: Error) => void;
}

/** The invocations submitted, handed out to the instance's polls and answered. */
class Invocations {
  readonly queue: Pending[] = [];
  readonly inFlight = new Map<string, Pending>();
  // Ids handed out and answered: a later answer for one of them is dropped.
  readonly answered = new Set<string>();
  readonly polls: ServerResponse[] = [];
  failure: Error | undefined;
  markReady: () => void = () => {};
  markFailed: (err: Error) => void = () => {};
  readonly ready = new Promise<void>((resolve, reject) => {
    this.markReady = resolve;
    this.markFailed = reject;
  });

  constructor() {
    // Nobody may be waiting on it when the instance dies after it is ready.
    this.ready.catch(() => {});
  }

  handOut(): void {
    while (this.queue.length > 0 && this.polls.length > 0) {
      const res = this.polls.shift() as ServerResponse;
      // A poll whose socket is gone but whose 'close' is not yet handled would lose the data.
      if (res.destroyed) continue;
      const pending = this.queue.shift() as Pending;
      const { invocation } = pending;
      this.inFlight.set(invocation.requestId, pending);
      res.writeHead(200, {
        ...invocation.headers,
        [CONTEXT_HEADERS.deadline]: String(Date.now() + invocation.timeoutMs),
      });
      res.end(invocation.data);
    }
  }

  park(res: ServerResponse): void {
    this.markReady();
    this.polls.push(res);
    res.once('close', () => {
      const at = this.polls.indexOf(res);
      if (at >= 0) this.polls.splice(at, 1);
    });
    this.handOut();
  }

  answer(requestId: string, kind: RuntimeAnswer['kind'], body: string): number {
    const pending = this.inFlight.get(requestId);
    if (pending === undefined) {
      // The first answer wins. Refusing a second one would end the instance: the runtime exits
      // when a post of its own fails (runtime.js `Runtime.loop`). The platform's own handling
      // of a late answer is not public.
      return this.answered.has(requestId) ? 202 : 404;
    }
    this.inFlight.delete(requestId);
    this.answered.add(requestId);
    pending.resolve({ kind, body });
    return 202;
  }

  submit(invocation: QueuedInvocation): Promise<RuntimeAnswer> {
    if (this.failure) return Promise.reject(this.failure);
    const { requestId } = invocation;
    if (
      this.inFlight.has(requestId) ||
      this.queue.some((p) => p.invocation.requestId === requestId)
    ) {
      return Promise.reject(new Error(`request id ${requestId} is already in flight`));
    }
    return new Promise<RuntimeAnswer>((resolve, reject) => {
      this.queue.push({ invocation, resolve, reject });
      this.handOut();
    });
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.markFailed(err);
    for (const pending of [...this.queue.splice(0), ...this.inFlight.values()]) pending.reject(err);
    this.inFlight.clear();
  }
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  secret: string,
  invocations: Invocations,
): Promise<void> {
  // Refused before any route: a poll without the secret must take nothing off the queue.
  const access = localAccess(requestFacts(req), secret);
  if (!access.allowed) {
    const why = refusalMessage(access.refusal, 'the instance finds it in AWS_LAMBDA_RUNTIME_API');
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${why}\n`);
    return;
  }
  const route = access.rest;
  const match = ANSWER.exec(route);
  if (req.method === 'GET' && route === NEXT) {
    invocations.park(res);
  } else if (req.method === 'POST' && match) {
    const kind = match[2] as RuntimeAnswer['kind'];
    const status = invocations.answer(match[1] as string, kind, await readText(req));
    res.writeHead(status).end();
  } else if (req.method === 'POST' && route === INIT_ERROR) {
    invocations.markFailed(new InitError(await readText(req)));
    res.writeHead(202).end();
  } else {
    res.writeHead(404).end();
  }
}

export async function startRuntimeApi(): Promise<RuntimeApi> {
  const secret = runSecret();
  const invocations = new Invocations();
  const server = http.createServer((req, res) => {
    route(req, res, secret, invocations).catch(() => res.destroy());
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  const port = await listen(server);
  let closing: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${port}/${secret}`,
    ready: invocations.ready,
    submit: (invocation) => invocations.submit(invocation),
    fail: (err) => invocations.fail(err),
    // Held polls and the runtime's keep-alive sockets would hold a plain close() open.
    close: () => (closing ??= closeServer(server)),
  };
}
