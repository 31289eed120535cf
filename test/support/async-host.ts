import {
  type AsyncRequest,
  type FunctionHost,
  type FunctionHostOptions,
  type Invoke,
  startFunctionHost as startHost,
} from '../../emulator/function-host';
import type { RecordedRuntime } from './runtime';

/** An asynchronous call, as the platform takes it: answered 202 at once, run in the background. */
export interface AsyncCall extends AsyncRequest {
  /** How many times it ran: once, plus a retry per failure up to `retries`. */
  attempts: number;
  /** Set when every attempt failed: it went to the failure target (the dead-letter queue). */
  deadLettered?: { readonly error: string };
}

export interface AsyncHost extends FunctionHost {
  /** Every asynchronous call taken, in order. */
  asyncCalls(): readonly AsyncCall[];
  /** Settles once every asynchronous call taken so far, retries included, has ended. */
  asyncDone(): Promise<void>;
}

/**
 * A failure (an error, or the timeout) is retried up to the version's `retries_count`, then sent
 * to the failure target (function-invoke-async.md).
 */
async function run(call: AsyncCall, invoke: Invoke, retries: number): Promise<void> {
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

/**
 * The emulator's host, with the version's async_invocation_config when `async` is given: the
 * platform's side of a fan-out's hand-offs, which only tests exercise.
 */
export async function startFunctionHost(
  opts: FunctionHostOptions & { async?: { retries: number } },
): Promise<AsyncHost> {
  const taken: AsyncCall[] = [];
  const running = new Set<Promise<void>>();
  const takeAsync = (request: AsyncRequest, invoke: Invoke) => {
    const call: AsyncCall = { ...request, attempts: 0 };
    taken.push(call);
    const ran = run(call, invoke, opts.async?.retries ?? 0).finally(() => running.delete(ran));
    running.add(ran);
  };
  const host = await startHost({ ...opts, ...(opts.async && { takeAsync }) });
  return Object.assign(host, {
    asyncCalls: () => taken,
    async asyncDone() {
      // A run may hand on more calls while it runs: wait until none is left.
      while (running.size > 0) await Promise.all([...running]);
    },
  });
}

/**
 * The built function behind the host, which takes its asynchronous calls as the platform does:
 * the function is started knowing the host's URL, and the host reaches the function through a
 * forward, since each needs the other.
 */
export async function hostedFunction(
  host: Omit<FunctionHostOptions, 'runtime'> & { async?: { retries: number } },
  start: (hostUrl: string) => Promise<RecordedRuntime>,
): Promise<{ host: AsyncHost; runtime: RecordedRuntime }> {
  let runtime: RecordedRuntime | undefined;
  const forward = {
    invokeData: (...args: Parameters<RecordedRuntime['invokeData']>) =>
      (runtime as RecordedRuntime).invokeData(...args),
  } as RecordedRuntime;
  const started = await startFunctionHost({ ...host, runtime: forward });
  try {
    runtime = await start(started.url);
  } catch (error) {
    await started.close();
    throw error;
  }
  return { host: started, runtime };
}
