import { type CloudApiServer, startCloudApiServer } from '../../emulator/cloud-api-server';
import { endpointsAt } from '../../emulator/endpoints';
import { createSlots } from '../../src/cloud/in-flight';
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
