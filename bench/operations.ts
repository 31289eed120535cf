import { randomBytes } from 'node:crypto';
import type { CloudApiServer } from '../emulator/cloud-api-server';

// Unique to this run, so ids never collide with another run's on a shared server.
const RUN_TAG = randomBytes(4).toString('hex');
let counter = 0;

/** Fresh ids, seeded as running operations that a Cancel cancels. */
export function seedRunning(server: CloudApiServer, count: number, delayMs?: number): string[] {
  const ids = Array.from({ length: count }, () => `bench${RUN_TAG}${(counter++).toString(36)}`);
  server.set(...ids.map((id) => ({ id, createdAt: new Date(Date.now() - 3_600_000), delayMs })));
  return ids;
}

interface Reply {
  results?: Array<{ operationId?: unknown; outcome?: unknown }>;
}

/**
 * A measurement of a failure is worthless: every named operation must come back cancelled, and
 * the server must have seen exactly one Cancel for each.
 */
export function checkCancelled(
  contender: string,
  reply: unknown,
  ids: readonly string[],
  server: CloudApiServer,
): void {
  const results = (reply as Reply | null)?.results;
  if (!Array.isArray(results)) {
    throw new Error(`${contender}: the reply has no results: ${JSON.stringify(reply)}`);
  }
  const cancelled = new Set(
    results.filter((r) => r.outcome === 'cancelled').map((r) => String(r.operationId)),
  );
  const missing = ids.filter((id) => !cancelled.has(id));
  if (results.length !== ids.length || missing.length > 0) {
    const sample = results.find((r) => r.outcome !== 'cancelled');
    throw new Error(
      `${contender}: ${missing.length} of ${ids.length} operations not cancelled ` +
        `(${results.length} results; e.g. ${JSON.stringify(sample)})`,
    );
  }
  const named = new Set(ids);
  const cancels = server.calls.filter((c) => c.method === 'Cancel' && named.has(c.subject));
  if (cancels.length !== ids.length) {
    throw new Error(`${contender}: ${cancels.length} Cancel calls for ${ids.length} operations`);
  }
}
