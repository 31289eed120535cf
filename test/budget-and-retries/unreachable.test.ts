import { createServer } from 'node:net';
import { status as Status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBudget } from '../../src/act/budget';
import { cancelOperation } from '../../src/act/cancel-operation';
import { statusOf } from '../../src/cloud/grpc-status';
import { createOperationApi } from '../../src/cloud/operation-api';
import type { RetryInfo } from '../../src/cloud/unary';
import { CallError } from '../../src/errors';
import type { LogFields, Logger } from '../../src/log';
import { pipelineDeps } from '../support/pipeline-deps';
import { type SilentServer, startSilentServer } from '../support/silent-server';

const FAST = { callTimeoutMs: 300, retryAttempts: 2, retryBaseDelayMs: 5 };

/** A port nothing listens on: one just given up by a server of our own. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function recordingLogger(): Logger & { lines: Array<{ level: string; msg: string } & LogFields> } {
  const lines: Array<{ level: string; msg: string } & LogFields> = [];
  const logger = (base: LogFields): Logger => ({
    log: (level, msg, fields = {}) => void lines.push({ level, msg, ...base, ...fields }),
    child: (fields) => logger({ ...base, ...fields }),
  });
  return Object.assign(logger({}), { lines });
}

describe('an endpoint nothing listens on', () => {
  it('fails with a message that names the call and the endpoint and says it could not connect', async () => {
    const endpoint = `127.0.0.1:${await closedPort()}`;
    const api = createOperationApi({ endpoint, ...FAST });
    const retries: RetryInfo[] = [];
    try {
      const error = await api
        .get('fd8unreachable', 't1.token', { onRetry: (r) => retries.push(r) })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(CallError);
      const failed = error as CallError;
      expect(failed.message).toMatch(
        new RegExp(
          `^OperationService\\.Get of fd8unreachable at ${endpoint.replace(/\./g, '\\.')}: could not connect.* \\((UNAVAILABLE|DEADLINE_EXCEEDED)\\), after 3 attempts$`,
        ),
      );
      // The gRPC error stays the cause, for whatever reads its status.
      expect(statusOf(failed.cause)).toBeDefined();
      expect(failed.endpoint).toBe(endpoint);
      expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
      for (const retry of retries) {
        expect(retry).toMatchObject({
          method: 'OperationService.Get',
          subject: 'fd8unreachable',
          endpoint,
          message: expect.stringMatching(/^could not connect/),
        });
      }
    } finally {
      api.close();
    }
  });
});

describe('an endpoint that accepts the connection and never answers', () => {
  let silent: SilentServer;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(() => silent.close());

  it('ends in call_timeout, not deadline, while the budget has time left, with a WARN line per retry', async () => {
    const api = createOperationApi({ endpoint: silent.address, ...FAST });
    const budget = createBudget({ getRemainingTimeInMillis: () => 60_000 }, 0);
    const log = recordingLogger();
    try {
      const result = await cancelOperation(
        { named: { valid: true, id: 'fd8silent' }, dryRun: false, minAgeSeconds: 0 },
        pipelineDeps(api, { budget, log }),
      );
      expect(budget.remainingMs()).toBeGreaterThan(0);
      expect(result).toMatchObject({
        outcome: 'failed',
        code: 'DEADLINE_EXCEEDED',
        reason: 'call_timeout',
        retryable: true,
        attempts: 3,
      });
      expect(result.message).toBe(
        `OperationService.Get of fd8silent at ${silent.address}: could not connect within 300 ms (DEADLINE_EXCEEDED), after 3 attempts`,
      );
      const retried = log.lines.filter((l) => l.msg === 'call retried');
      expect(retried).toHaveLength(2);
      expect(retried[0]).toMatchObject({
        level: 'WARN',
        operationId: 'fd8silent',
        method: 'OperationService.Get',
        subject: 'fd8silent',
        code: 'DEADLINE_EXCEEDED',
        attempt: 1,
      });
    } finally {
      budget.dispose();
      api.close();
    }
  });

  it('ends in deadline when it is the budget that runs out', async () => {
    const api = createOperationApi({ endpoint: silent.address, ...FAST, callTimeoutMs: 5000 });
    const budget = createBudget({ getRemainingTimeInMillis: () => 400 }, 0);
    try {
      const result = await cancelOperation(
        { named: { valid: true, id: 'fd8silent' }, dryRun: false, minAgeSeconds: 0 },
        pipelineDeps(api, { budget }),
      );
      expect(result).toMatchObject({ outcome: 'failed', reason: 'deadline', retryable: true });
      expect([Status[Status.CANCELLED], Status[Status.DEADLINE_EXCEEDED]]).toContain(result.code);
    } finally {
      budget.dispose();
      api.close();
    }
  });
});
