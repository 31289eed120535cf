import { createHandler } from '../../src/handler';
import { buildInstance } from '../../src/instance';
import { createLogger } from '../../src/log';

export interface InProcessFunction {
  handler: ReturnType<typeof createHandler>;
  /** Every log line the function wrote, parsed. */
  lines: Array<Record<string, unknown>>;
  close(): void;
}

/** The function wired as index.ts wires it, in this process, with its log lines captured. */
export function inProcessFunction(env: Record<string, string>): InProcessFunction {
  const lines: Array<Record<string, unknown>> = [];
  const instance = buildInstance(env);
  const handler = createHandler(
    () => instance,
    createLogger((line) => lines.push(JSON.parse(line))),
  );
  return { handler, lines, close: () => instance.close() };
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
