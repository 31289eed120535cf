import type { ClientUnaryCall, ServiceError } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Status } from '../../src/cloud/grpc-status';
import { createSlots, type Slots } from '../../src/cloud/in-flight';
import { callWithRetries, type UnaryMethod } from '../../src/cloud/unary';
import { CallError, SlotWaitError } from '../../src/errors';

afterEach(() => {
  vi.useRealTimers();
});

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Work that counts how many run at once, and takes `ms` of the (fake) clock. */
function counter() {
  let running = 0;
  const seen = { peak: 0, started: [] as number[] };
  const work =
    (id: number, ms: number, fails = false) =>
    async () => {
      seen.started.push(id);
      running += 1;
      seen.peak = Math.max(seen.peak, running);
      await pause(ms);
      running -= 1;
      if (fails) throw new Error(`work ${id} failed`);
      return id;
    };
  return { seen, work, running: () => running };
}

describe('slots for calls in flight', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it.each([
    { max: 1, callers: 5 },
    { max: 3, callers: 10 },
    { max: 4, callers: 64 },
    { max: 16, callers: 16 },
    { max: 16, callers: 3 },
  ])(
    'hold at most $max of $callers callers at once, first come first served',
    async ({ max, callers }) => {
      const slots = createSlots(max);
      const { seen, work } = counter();
      const ids = Array.from({ length: callers }, (_, i) => i);
      const all = Promise.all(ids.map((i) => slots.hold(work(i, 10 + (i % 3) * 7))));
      await vi.runAllTimersAsync();
      await expect(all).resolves.toEqual(ids);
      expect(seen.peak).toBe(Math.min(max, callers));
      expect(seen.started).toEqual(ids);
    },
  );

  it.each([
    ['rejects', (id: number) => () => Promise.reject(new Error(`work ${id} failed`))],
    [
      'throws before it returns a promise',
      (id: number) => () => {
        throw new Error(`work ${id} failed`);
      },
    ],
  ])('free the slot of work that %s', async (_, failing) => {
    const slots = createSlots(1);
    await expect(slots.hold(failing(1))).rejects.toThrow('work 1 failed');
    await expect(slots.hold(failing(2))).rejects.toThrow('work 2 failed');
    await expect(slots.hold(async () => 'after')).resolves.toBe('after');
  });

  it('give up a wait when its signal aborts: the work never starts, and no slot is lost', async () => {
    const slots = createSlots(2);
    const { seen, work, running } = counter();
    const budget = new AbortController();
    const holders = [slots.hold(work(1, 1000)), slots.hold(work(2, 1000))];
    const waiter = slots.hold(work(3, 10), budget.signal);
    const caught = waiter.catch((error: unknown) => error);
    const later = slots.hold(work(4, 10));

    await vi.advanceTimersByTimeAsync(500);
    budget.abort(new Error('budget spent'));
    const error = await caught;
    expect(error).toBeInstanceOf(SlotWaitError);
    expect(error).toMatchObject({
      message: 'stopped waiting for a free slot, all 2 (MAX_CALLS_IN_FLIGHT) in use',
      cause: new Error('budget spent'),
    });

    await vi.runAllTimersAsync();
    await expect(Promise.all([...holders, later])).resolves.toEqual([1, 2, 4]);
    expect(seen.started).toEqual([1, 2, 4]);
    expect(running()).toBe(0);
    // Both slots are free again: two more run side by side.
    const { seen: again, work: next } = counter();
    const pair = Promise.all([slots.hold(next(5, 10)), slots.hold(next(6, 10))]);
    await vi.runAllTimersAsync();
    await pair;
    expect(again.peak).toBe(2);
  });

  it('refuse at once a caller whose signal has already aborted, even with slots free', async () => {
    const slots = createSlots(4);
    const work = vi.fn(async () => 'ran');
    await expect(slots.hold(work, AbortSignal.abort())).rejects.toBeInstanceOf(SlotWaitError);
    expect(work).not.toHaveBeenCalled();
  });

  it('keep the slot of work already started when its signal aborts, until it settles', async () => {
    const slots = createSlots(1);
    const { seen, work } = counter();
    const budget = new AbortController();
    const first = slots.hold(work(1, 1000), budget.signal);
    const second = slots.hold(work(2, 10));
    await vi.advanceTimersByTimeAsync(100);
    budget.abort();
    await vi.advanceTimersByTimeAsync(100);
    expect(seen.started).toEqual([1]);
    await vi.runAllTimersAsync();
    await expect(Promise.all([first, second])).resolves.toEqual([1, 2]);
    expect(seen.peak).toBe(1);
  });
});

// Real time, short: the backoff sleeps on node:timers/promises, which fake timers leave alone.
describe('a unary call under the slots', () => {
  type Reply = { ok: true };
  const OPTIONS = { callTimeoutMs: 1000, retryAttempts: 2, retryBaseDelayMs: 20 };
  const failure = (code: Status, details: string) =>
    Object.assign(new Error(`${code} ${Status[code]}: ${details}`), {
      code,
      details,
    }) as ServiceError;

  /** A method whose answers take `ms`, failing as `fails` says, counting calls at once. */
  function method(ms: number, fails: (n: number) => boolean = () => false) {
    const seen = { calls: 0, running: 0, peak: 0 };
    const call: UnaryMethod<object, Reply> = (_req, _md, _opts, callback) => {
      const n = ++seen.calls;
      seen.running += 1;
      seen.peak = Math.max(seen.peak, seen.running);
      const end = (error: ServiceError | null) => {
        clearTimeout(timer);
        seen.running -= 1;
        callback(error, { ok: true });
      };
      const timer = setTimeout(
        () => end(fails(n) ? failure(Status.UNAVAILABLE, 'try again') : null),
        ms,
      );
      return {
        on: () => undefined,
        cancel: () => end(failure(Status.CANCELLED, 'Cancelled on client')),
      } as unknown as ClientUnaryCall;
    };
    return { seen, call };
  }

  it('holds a slot for each attempt and none during its backoff', async () => {
    const slots = createSlots(1);
    // The first attempt of the first call fails; its backoff lets the second call through.
    const { seen, call } = method(30, (n) => n === 1);
    const order: string[] = [];
    await Promise.all([
      callWithRetries('A', call, {}, 't', { ...OPTIONS, slots }).then(() => order.push('A')),
      callWithRetries('B', call, {}, 't', { ...OPTIONS, slots }).then(() => order.push('B')),
    ]);
    expect(seen).toMatchObject({ calls: 3, peak: 1 });
    expect(order).toEqual(['B', 'A']);
  });

  it('gives its deadline from when the slot is had, not from when it began to wait', async () => {
    const slots = createSlots(1);
    const deadlines: number[] = [];
    const { call } = method(200);
    const timed: UnaryMethod<object, Reply> = (req, md, opts, cb) => {
      deadlines.push(opts.deadline - Date.now());
      return call(req, md, opts, cb);
    };
    const limits = { slots, remainingMs: () => 900 };
    await Promise.all([
      callWithRetries('A', timed, {}, 't', { ...OPTIONS, ...limits }),
      callWithRetries('B', timed, {}, 't', { ...OPTIONS, ...limits }),
    ]);
    expect(deadlines).toHaveLength(2);
    for (const deadline of deadlines) expect(deadline).toBeGreaterThan(850);
  });

  it('ends as a budget-bound CallError, with no attempt made, when the budget ends the wait', async () => {
    const slots = createSlots(1);
    const { seen, call } = method(10_000);
    const budget = AbortSignal.timeout(100);
    const [held, waited] = await Promise.all(
      [{ method: 'Hold' }, { method: 'OperationService.Get', subject: 'op1' }].map((name) =>
        callWithRetries(name, call, {}, 't', { ...OPTIONS, slots, signal: budget }).catch(
          (error: unknown) => error,
        ),
      ),
    );

    expect(held).toMatchObject({ attempts: 1, budgetBound: true });
    expect(waited).toBeInstanceOf(CallError);
    expect(waited).toMatchObject({
      attempts: 0,
      budgetBound: true,
      message:
        'OperationService.Get of op1: stopped waiting for a free slot, all 1 (MAX_CALLS_IN_FLIGHT) in use (NO_STATUS)',
    });
    expect((waited as CallError).cause).toBeInstanceOf(SlotWaitError);
    expect(seen.calls).toBe(1);
    // Neither call kept its slot.
    await expect(
      callWithRetries('After', method(10).call, {}, 't', { ...OPTIONS, slots }),
    ).resolves.toMatchObject({ attempts: 1 });
  });

  it('names the attempt it last sent when the budget ends a wait for a slot after a retry', async () => {
    const real = createSlots(1);
    const budget = new AbortController();
    let release = () => {};
    let holds = 0;
    // The budget ends exactly when the retry starts to wait: no timing in it.
    const slots: Slots = {
      hold: (work, signal) => {
        holds += 1;
        const held = real.hold(work, signal);
        if (holds === 2) budget.abort();
        return held;
      },
    };
    const sentIds: string[] = [];
    const { call } = method(1, (n) => n === 1);
    const recording: UnaryMethod<object, Reply> = (req, md, opts, cb) => {
      sentIds.push(String(md.get('x-request-id')[0]));
      return call(req, md, opts, cb);
    };
    const error = await callWithRetries('A', recording, {}, 't', {
      ...OPTIONS,
      slots,
      signal: budget.signal,
      // In the backoff, another caller takes the only slot.
      onRetry: () => {
        void real.hold(() => new Promise<void>((resolve) => (release = resolve)));
      },
    }).catch((e: unknown) => e);
    release();

    expect(error).toMatchObject({ attempts: 1, budgetBound: true });
    expect((error as CallError).cause).toBeInstanceOf(SlotWaitError);
    expect(sentIds).toHaveLength(1);
    expect((error as CallError).ids.clientRequestId).toBe(sentIds[0]);
  });
});
