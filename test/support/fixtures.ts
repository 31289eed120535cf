import { status } from '@grpc/grpc-js';
import type { FakeOperation } from '../../emulator/cloud-api-server';

const createdAt = new Date('2026-11-27T10:00:00Z');

/**
 * One operation for each behaviour the API can show, with the outcome the function must give it.
 * Ids are valid operation ids, so each reaches the server.
 */
export const SCENARIOS = [
  { outcome: 'cancelled', op: { id: 'opcancels', cancel: 'cancels' } },
  { outcome: 'cancelling', op: { id: 'opaccepts', cancel: 'accepts' } },
  { outcome: 'already_done', op: { id: 'opfinishes', cancel: 'finishes' } },
  { outcome: 'already_done', op: { id: 'opdone', done: true } },
  // Ended between Get and Cancel, so Cancel is refused; a second Get shows why (audit 6.5).
  { outcome: 'already_done', op: { id: 'opendsfirst', cancel: 'ends-first' } },
  { outcome: 'not_found', op: { id: 'opmissing' }, absent: true },
  {
    outcome: 'not_cancellable',
    op: { id: 'opunimpl', cancel: { code: status.UNIMPLEMENTED, message: 'cannot cancel' } },
  },
  {
    outcome: 'not_cancellable',
    op: { id: 'opprecond', cancel: { code: status.FAILED_PRECONDITION, message: 'too late' } },
  },
  { outcome: 'denied', op: { id: 'opdenied', get: { code: status.PERMISSION_DENIED } } },
  { outcome: 'denied', op: { id: 'opunauth', cancel: { code: status.UNAUTHENTICATED } } },
  {
    outcome: 'cancelled',
    op: { id: 'opflaky', get: { code: status.UNAVAILABLE, times: 1 } },
  },
  { outcome: 'failed', op: { id: 'opdown', cancel: { code: status.UNAVAILABLE } } },
  {
    outcome: 'not_found',
    op: { id: 'opheadersnf', get: { code: status.NOT_FOUND, headersFirst: true } },
  },
  {
    outcome: 'denied',
    op: { id: 'opheadersden', cancel: { code: status.PERMISSION_DENIED, headersFirst: true } },
  },
  { outcome: 'failed', op: { id: 'opslow', delayMs: 5000 } },
] as const satisfies ReadonlyArray<{ outcome: string; op: FakeOperation; absent?: boolean }>;

/** The operations to put on the server: every scenario's but the one that must be missing. */
export function scenarioOperations(): FakeOperation[] {
  return SCENARIOS.filter((s) => !('absent' in s)).map((s) => ({
    description: `test ${s.op.id}`,
    createdAt,
    createdBy: 'ajetestuser',
    ...s.op,
  }));
}

export const SCENARIO_IDS = SCENARIOS.map((s) => s.op.id);
export const EXPECTED_OUTCOMES = Object.fromEntries(SCENARIOS.map((s) => [s.op.id, s.outcome]));

/** Settings that keep the scenarios quick: short deadlines and backoff. */
export const FAST_ENV = {
  CALL_TIMEOUT_MS: '400',
  RETRY_ATTEMPTS: '2',
  RETRY_BASE_DELAY_MS: '5',
} as const;
