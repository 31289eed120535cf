import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, type OperationResult, type Report } from '../../src/model';
import { MAX_REPLY_BYTES, replyBody } from '../../src/report/reply-body';
import { httpEvent, queueEvent } from '../support/events';
import { fixedTokens, inProcessFunction, invokeQuietly } from '../support/in-process';
import { cancellingApi } from '../support/pipeline-deps';

// The platform caps a function's response at 3.5 MB as it caps the request (audit 1.12;
// yandex-cloud/docs en/functions/concepts/limits.md, "Maximum size of a request/response").

const result = (operationId: string, outcome: string, extra: Partial<OperationResult> = {}) =>
  ({ operationId, outcome, attempts: 1, durationMs: 3, ...extra }) as OperationResult;

const reportOf = (results: OperationResult[]): Report => ({
  results,
  summary: { operations: results.length, outcomes: {}, rejectedRequests: 0, durationMs: 5 },
});

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** Results padded to one size (`,"description":""` is 17 bytes), so room for n is room for n. */
function sameSize(results: OperationResult[]): OperationResult[] {
  const target = Math.max(...results.map(size)) + 20;
  return results.map((r) => ({ ...r, description: '.'.repeat(target - size(r) - 17) }));
}

describe('replyBody', () => {
  const cancelled = (i: number) => result(`fd8ok${i}`, 'cancelled');
  const mixed = sameSize([
    cancelled(1),
    result('fd8gone', 'not_found'),
    cancelled(2),
    result('fd8late', 'skipped', { reason: 'deadline' }),
    result('fd8dry', 'skipped', { reason: 'dry_run' }),
    result('fd8bad', 'failed', { code: 'UNAVAILABLE', retryable: true }),
  ]);

  it('has results of one size to test with', () => {
    expect(new Set(mixed.map(size)).size).toBe(1);
  });

  it('is the report itself when it fits, to the byte', () => {
    const report = reportOf(mixed);
    expect(replyBody(report, size(report))).toBe(report);
    expect(replyBody(report, size(report) - 1)).not.toBe(report);
  });

  it.each([
    // [room for this many results, ids kept]
    [0, []],
    [1, ['fd8gone']],
    [3, ['fd8gone', 'fd8late', 'fd8bad']],
    [4, ['fd8ok1', 'fd8gone', 'fd8late', 'fd8bad']],
  ] as const)('with room for %i keeps what needs acting on first, in order', (room, kept) => {
    const report = reportOf(mixed);
    const frame = size({ results: [], summary: report.summary, omittedResults: mixed.length });
    const each = size(mixed[0]);
    // n results take n sizes and n - 1 commas; a byte short of one more.
    const bound = frame + room * (each + 1) - 1 + each;
    const reply = replyBody(report, bound);
    expect(reply.results.map((r) => r.operationId)).toEqual(kept);
    expect(reply.omittedResults).toBe(mixed.length - kept.length);
    expect(reply.summary).toBe(report.summary);
    expect(size(reply)).toBeLessThanOrEqual(bound);
  });

  it('passes over a result too big for what is left, and takes the smaller ones after it', () => {
    const big = result('fd8big', 'failed', { message: 'x'.repeat(400) });
    const report = reportOf([big, result('fd8small', 'failed'), cancelled(3)]);
    const bound = size({ results: [], summary: report.summary, omittedResults: 3 }) + 300;
    const reply = replyBody(report, bound);
    expect(reply.results.map((r) => r.operationId)).toEqual(['fd8small', 'fd8ok3']);
    expect(reply.omittedResults).toBe(1);
    expect(size(reply)).toBeLessThanOrEqual(bound);
  });

  it('keeps a stuck operation before settled ones: nothing was done, and someone must look', () => {
    const report = reportOf(sameSize([cancelled(4), result('fd8stuck', 'stuck')]));
    const bound =
      size({ results: [], summary: report.summary, omittedResults: 2 }) + size(report.results[0]);
    expect(replyBody(report, bound).results.map((r) => r.operationId)).toEqual(['fd8stuck']);
  });

  it('keeps well under the cap, leaving room for an HTTP body escaped inside its response', () => {
    expect(MAX_REPLY_BYTES * 2).toBeLessThan(MAX_BODY_BYTES);
  });
});

const MANY = 100_000;
const idOf = (i: number) => `fd8${String(i).padStart(17, '0')}`;

/** The real handler over an API where every operation runs and cancels at once. */
function cappedFunction() {
  const api = cancellingApi();
  return inProcessFunction({ MAX_OPERATIONS: String(MANY) }, { api, tokens: fixedTokens });
}

const invoke = (event: unknown) => invokeQuietly(cappedFunction(), event);

const operationLines = (lines: Array<Record<string, unknown>>) =>
  lines.filter((l) => String(l.msg).startsWith('operation '));

describe('a reply for 100,000 operations', () => {
  // 99,000 that cancel and 1,000 invalid names, which must all be in the reply.
  const names = [
    ...Array.from({ length: MANY - 1000 }, (_, i) => idOf(i)),
    ...Array.from({ length: 1000 }, (_, i) => `FD8${i}`),
  ];

  it.each([
    ['HTTP', () => httpEvent(JSON.stringify({ operationIds: names }))],
    ['raw', () => ({ operationIds: names })],
  ])(
    'by %s fits the cap, with the troubled results and a count of the rest',
    async (channel, event) => {
      const { reply, lines } = await invoke(event());
      const text = channel === 'HTTP' ? (reply as { body: string }).body : JSON.stringify(reply);
      expect(Buffer.byteLength(JSON.stringify(reply))).toBeLessThan(MAX_BODY_BYTES);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_REPLY_BYTES);

      const body = JSON.parse(text) as ReturnType<typeof replyBody>;
      expect(body.summary).toMatchObject({
        operations: MANY,
        outcomes: { cancelled: MANY - 1000, invalid: 1000 },
      });
      const invalid = body.results.filter((r) => r.outcome === 'invalid');
      expect(invalid).toHaveLength(1000);
      expect(body.results.length).toBeGreaterThan(1000);
      expect(body.omittedResults).toBe(MANY - body.results.length);
      // The log lines carry every result.
      expect(operationLines(lines)).toHaveLength(MANY);
    },
  );
});

describe('a 1000-message queue batch of large messages', () => {
  it('replies with the summary alone, which the platform discards anyway', async () => {
    const bodies = Array.from({ length: 1000 }, (_, m) =>
      JSON.stringify({ operationIds: Array.from({ length: 100 }, (_, i) => idOf(m * 100 + i)) }),
    );
    const event = queueEvent(bodies);
    expect(size(event)).toBeLessThan(MAX_BODY_BYTES);

    const { reply, lines } = await invoke(event);
    expect(Object.keys(reply as object)).toEqual(['summary']);
    expect(reply).toMatchObject({ summary: { operations: MANY, outcomes: { cancelled: MANY } } });
    expect(size(reply)).toBeLessThan(1024);
    expect(operationLines(lines)).toHaveLength(MANY);
  });
});
