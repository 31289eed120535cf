import { describe, expect, it } from 'vitest';
import { type RecordedCall, startCloudApiServer } from '../../emulator/cloud-api-server';
import { closedAfterEach } from '../support/cleanup';
import { FAST_ENV } from '../support/fixtures';
import { inProcessFunction, invocationContext, resultsById } from '../support/in-process';
import { testPki } from '../support/test-pki';

const track = closedAfterEach();

/** How long the server holds each Get and Cancel. */
const HOLD_MS = 40;
const INVOCATIONS = 16;
const OPERATIONS = 6;

/**
 * The most calls the server held at once. A call is held from its arrival for HOLD_MS, and a
 * slot is freed only when its answer is back, so under the bound the next call arrives at least
 * HOLD_MS later; the window is 2 ms short of that, for timers that fire a little early.
 */
function peakHeld(calls: readonly RecordedCall[]): number {
  const arrivals = calls.map((call) => call.at).sort((a, b) => a - b);
  return Math.max(
    ...arrivals.map(
      (at) => arrivals.filter((other) => other >= at && other < at + HOLD_MS - 2).length,
    ),
  );
}

async function sixteenAtOnce(maxCallsInFlight: number) {
  const server = track(await startCloudApiServer({ pki: testPki() }));
  const fn = track(
    inProcessFunction({
      ...FAST_ENV,
      YC_OPERATION_ENDPOINT: server.address,
      YC_METADATA_TOKEN_URL: 'http://127.0.0.1:9/token',
      CALL_TIMEOUT_MS: '10000',
      CONCURRENCY: '16',
      MAX_CALLS_IN_FLIGHT: String(maxCallsInFlight),
    }),
  );
  const ids = (i: number) => Array.from({ length: OPERATIONS }, (_, j) => `inv${i}op${j}`);
  for (let i = 0; i < INVOCATIONS; i++) {
    server.set(...ids(i).map((id) => ({ id, delayMs: HOLD_MS })));
  }
  const replies = await Promise.all(
    Array.from({ length: INVOCATIONS }, (_, i) =>
      fn.handler(
        { operationIds: ids(i) },
        invocationContext({ token: `t1.inv-${i}`, requestId: `req-${i}` }),
      ),
    ),
  );
  replies.forEach((reply, i) => {
    for (const id of ids(i)) expect(resultsById(reply)[id]).toMatchObject({ outcome: 'cancelled' });
  });
  expect(server.calls).toHaveLength(INVOCATIONS * OPERATIONS * 2);
  return peakHeld(server.calls);
}

describe('calls in flight across concurrent invocations', () => {
  it('never exceed MAX_CALLS_IN_FLIGHT at the server, however many invocations run', async () => {
    expect(await sixteenAtOnce(4)).toBe(4);
  });

  it('would pile up without the bound: the measure sees them', async () => {
    expect(await sixteenAtOnce(256)).toBeGreaterThan(16);
  });
});
