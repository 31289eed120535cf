import { afterAll, beforeAll, vi } from 'vitest';
import {
  type CloudApiServer,
  type FakeOperation,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import { endpointsAt } from '../../emulator/endpoints';
import { createSlots } from '../../src/cloud/in-flight';
import { createOperationApi, type OperationApi } from '../../src/cloud/operation-api';
import type { TokenProvider } from '../../src/cloud/token';
import { loadConfig } from '../../src/config';
import { createHandler } from '../../src/handler';
import { buildInstance, type Instance } from '../../src/instance';
import { createLogger } from '../../src/log';
import type { Track } from './cleanup';
import { FAST_ENV } from './fixtures';
import { testPki } from './test-pki';

export interface InProcessFunction {
  handler: ReturnType<typeof createHandler>;
  /** Every log line the function wrote, parsed. */
  lines: Array<Record<string, unknown>>;
  /** The same lines as written, for checks on the text itself. */
  rawLines: string[];
  close(): void;
}

/** Always has a token, for a fake API that never looks at it. */
export const fixedTokens: TokenProvider = {
  token: async () => 't1.fake-token',
  replace: async () => undefined,
};

/**
 * The function wired as index.ts wires it, in this process, with its log lines captured: with a
 * real gRPC client and metadata token source, or with `fakes` in their place, which make no
 * connection at all.
 */
export function inProcessFunction(
  env: Record<string, string>,
  fakes?: Pick<Instance, 'api' | 'tokens'>,
): InProcessFunction {
  const lines: Array<Record<string, unknown>> = [];
  const rawLines: string[] = [];
  // Only a built instance has a channel, and so a close.
  const instance: Instance & { close?(): void } = fakes
    ? { config: loadConfig(env), slots: createSlots(1), ...fakes }
    : buildInstance(env);
  const handler = createHandler(
    () => instance,
    createLogger((line) => {
      rawLines.push(line);
      lines.push(JSON.parse(line));
    }),
  );
  return { handler, lines, rawLines, close: () => instance.close?.() };
}

/** What one invocation did. */
export interface Invocation {
  readonly reply: unknown;
  /** The lines it logged, parsed: taken out of the function's, so the next has its own. */
  readonly lines: Array<Record<string, unknown>>;
  readonly rawLines: string[];
  /** Writes to stdout past the function's logger, which are leaks: there should be none. */
  readonly stdoutWrites: number;
}

/**
 * One invocation of `fn` with stdout muted, and what reached it counted: for events whose log
 * lines would flood the test's output. Rejects as the handler does.
 */
export async function invokeQuietly(
  fn: InProcessFunction,
  event: unknown,
  context: Parameters<InProcessFunction['handler']>[1] = { requestId: 'inv-quiet' },
): Promise<Invocation> {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const reply = await fn.handler(event, context);
    return {
      reply,
      lines: fn.lines.splice(0),
      rawLines: fn.rawLines.splice(0),
      stdoutWrites: write.mock.calls.length,
    };
  } finally {
    write.mockRestore();
  }
}

export interface ContextOptions {
  token?: string;
  requestId?: string;
  remainingMs?: number;
}

/** An invocation context as the platform passes it. */
export function invocationContext({
  token,
  requestId = 'req-test',
  remainingMs,
}: ContextOptions = {}) {
  const started = Date.now();
  return {
    requestId,
    ...(token && { token: { access_token: token, expires_in: 43_200, token_type: 'Bearer' } }),
    ...(remainingMs !== undefined && {
      getRemainingTimeInMillis: () => remainingMs - (Date.now() - started),
    }),
  };
}

/** The results of a raw invocation, by operation id. */
export function resultsById(reply: unknown): Record<string, Record<string, unknown>> {
  const { results } = reply as { results: Array<Record<string, unknown>> };
  return Object.fromEntries(results.map((r) => [String(r.operationId), r]));
}

/** The results an invocation logged, by operation id: a trigger's reply is its summary alone. */
export function loggedResultsById(
  lines: ReadonlyArray<Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const logged = lines.filter((l) => String(l.msg).startsWith('operation '));
  return Object.fromEntries(logged.map((l) => [String(l.operationId), l]));
}

type ServerOptions = Omit<Parameters<typeof startCloudApiServer>[0], 'pki'>;

/**
 * The emulator's cloud API with `server`'s resources and operations, and the function in this
 * process pointed at it for every API (no metadata service: tests give a context token); both
 * are given to `track`, to be closed after the test.
 */
export async function onEmulator(
  track: Track,
  server: ServerOptions = {},
  env: Record<string, string> = {},
): Promise<{ server: CloudApiServer; fn: InProcessFunction }> {
  const api = track(await startCloudApiServer({ pki: testPki(), ...server }));
  const fn = track(
    inProcessFunction({
      ...FAST_ENV,
      ...endpointsAt(api.address),
      YC_METADATA_TOKEN_URL: 'http://127.0.0.1:9/token',
      ...env,
    }),
  );
  return { server: api, fn };
}

/**
 * The emulator's cloud API with `operations`, and the function's OperationService client to it
 * (`callTimeoutMs` a call, 5 ms between attempts), shared by a file's tests: started before
 * them, closed after them. Read `server` and `api` in tests and hooks, once they have started.
 */
export function clientOnEmulator({
  operations,
  ...client
}: {
  operations?: FakeOperation[];
  callTimeoutMs: number;
  retryAttempts: number;
}): {
  readonly server: CloudApiServer;
  readonly api: OperationApi;
} {
  const started = {} as { server: CloudApiServer; api: OperationApi & { close(): void } };
  beforeAll(async () => {
    started.server = await startCloudApiServer({ pki: testPki(), operations });
    started.api = createOperationApi({
      endpoint: started.server.address,
      retryBaseDelayMs: 5,
      ...client,
    });
  });
  afterAll(async () => {
    started.api?.close();
    await started.server?.close();
  });
  return started;
}
