import { describe, expect, it } from 'vitest';
import { closedAfterEach } from '../support/cleanup';
import { FAST_ENV } from '../support/fixtures';
import { startHoldingServer } from '../support/holding-server';
import { inProcessFunction, invocationContext, resultsById } from '../support/in-process';
import { testPki } from '../support/test-pki';

const track = closedAfterEach();

const INVOCATIONS = 16;
const OPERATIONS = 6;
/** How long the server waits, once `size` calls are held, for any more to show before it answers. */
const GRACE_MS = 20;
/** How long the server waits for `size` calls before it answers the fewer it holds: a run's end. */
const QUIET_MS = 250;

/**
 * A `hold` that keeps calls until `size` of them are held at once (then GRACE_MS more, so that
 * calls past a bound would show), or until none has arrived for QUIET_MS, and answers them all.
 * A client that lets `size` calls through at once is seen to, however slow the machine; one
 * that lets more through is seen to as well, if the extra arrive within the grace.
 */
function heldInGroupsOf(size: number) {
  const held: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;
  const answerAll = () => {
    timer = undefined;
    for (const answer of held.splice(0)) answer();
  };
  return (answer: () => void) => {
    held.push(answer);
    if (held.length > size) return;
    clearTimeout(timer);
    timer = setTimeout(answerAll, held.length === size ? GRACE_MS : QUIET_MS);
  };
}

/** Sixteen invocations of six operations each at once; the most calls the server held at once. */
async function sixteenAtOnce(maxCallsInFlight: number, groupsOf: number) {
  const server = track(await startHoldingServer(testPki(), heldInGroupsOf(groupsOf)));
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
  expect(server.calls()).toBe(INVOCATIONS * OPERATIONS * 2);
  return server.peak();
}

describe('calls in flight across concurrent invocations', () => {
  it('never exceed MAX_CALLS_IN_FLIGHT at the server, however many invocations run', async () => {
    expect(await sixteenAtOnce(4, 4)).toBe(4);
  });

  it('would pile up without the bound: the count sees them', async () => {
    expect(await sixteenAtOnce(256, 17)).toBeGreaterThan(16);
  });
});
