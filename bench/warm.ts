import { startRuntime } from '../emulator/runtime';

const TOKEN = { access_token: 't1.bench-token', expires_in: 3600, token_type: 'Bearer' };
// Far above any run, so neither contender is cut short by the project's time budget.
const TIMEOUT_MS = 600_000;

export interface WarmSample {
  durationMs: number;
  /** The instance's peak RSS over its life: the load, the warm-up and the measured call. */
  maxRssBytes: number;
  result: unknown;
}

/**
 * A warm instance, as the platform keeps one: a first small invocation opens the channel and
 * warms the code, then the measured one runs. `beforeMeasured` lets the caller clear what it
 * counts, so the count covers the measured invocation alone.
 */
export async function warmThroughput(opts: {
  bundlePath: string;
  env: Record<string, string>;
  /** The program the instance runs as: Node, or one that joins a cgroup first (bench/cgroup.ts). */
  nodePath?: string;
  warmEvent: unknown;
  event: unknown;
  beforeMeasured: () => void;
}): Promise<WarmSample> {
  const runtime = await startRuntime({
    bundlePath: opts.bundlePath,
    // One instance, measured alone: with no function id it hands nothing on to another.
    functionId: null,
    env: opts.env,
    ...(opts.nodePath && { nodePath: opts.nodePath }),
  });
  try {
    const warm = await runtime.invoke(opts.warmEvent, { token: TOKEN, timeoutMs: TIMEOUT_MS });
    if (!warm.ok) throw new Error(`the warm-up invocation failed: ${warm.error?.message}`);
    opts.beforeMeasured();
    const started = performance.now();
    const invocation = await runtime.invoke(opts.event, { token: TOKEN, timeoutMs: TIMEOUT_MS });
    const durationMs = performance.now() - started;
    if (!invocation.ok) throw new Error(`the invocation failed: ${invocation.error?.message}`);
    const { maxRssBytes } = await runtime.stats();
    return { durationMs, maxRssBytes, result: invocation.result };
  } catch (error) {
    throw new Error(
      `warm run of ${opts.bundlePath}: ${String(error)}\n${runtime.stderr().slice(-2000)}`,
    );
  } finally {
    await runtime.close();
  }
}
