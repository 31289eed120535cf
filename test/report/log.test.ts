import { describe, expect, it } from 'vitest';
import { CancellerError } from '../../src/errors';
import { createLogger, errorFields } from '../../src/log';
import { Outcome, type Summary } from '../../src/model';
import { logResult, logSummary } from '../../src/report/log-lines';

const capture = () => {
  const lines: string[] = [];
  return { lines, log: createLogger((line) => lines.push(line)) };
};

describe('log lines', () => {
  it('writes one JSON object per line with level and msg first', () => {
    const { lines, log } = capture();
    log.child({ request_id: 'r1' }).log('INFO', 'hello', { n: 1, text: 'two\nlines' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const line = JSON.parse(lines[0] as string);
    expect(line).toEqual({
      level: 'INFO',
      msg: 'hello',
      request_id: 'r1',
      n: 1,
      text: 'two\nlines',
    });
    // toEqual ignores key order, which is what this checks.
    expect(Object.keys(line)).toEqual(['level', 'msg', 'request_id', 'n', 'text']);
  });

  it('never lets a field named level or msg replace the ones Cloud Logging reads', () => {
    const { lines, log } = capture();
    log.child({ msg: 'from a child' }).log('ERROR', 'the real message', { level: 'DEBUG' });
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: 'ERROR',
      msg: 'the real message',
      shadowed: { level: 'DEBUG', msg: 'from a child' },
    });
  });

  it('keeps lines well under 64 KB however long a value is', () => {
    const { lines, log } = capture();
    log.log('WARN', 'big', {
      text: 'x'.repeat(1_000_000),
      list: Array(10_000).fill('y'.repeat(100)),
    });
    expect((lines[0] as string).length).toBeLessThan(64 * 1024);
  });

  it('serialises errors with their cause chain', () => {
    const error = new CancellerError('outer', { cause: new Error('inner') });
    expect(errorFields(error)).toEqual({
      name: 'CancellerError',
      message: 'outer',
      cause: { name: 'Error', message: 'inner' },
    });
  });
});

/**
 * The level of an operation's line, by outcome, as docs/observability.md gives it, written out:
 * Cloud Logging queries and alerts filter on it, so a change in src/ must fail here.
 */
const LEVEL_BY_OUTCOME = {
  cancelled: 'INFO',
  cancelling: 'INFO',
  already_done: 'INFO',
  skipped: 'INFO',
  not_found: 'WARN',
  not_cancellable: 'WARN',
  invalid: 'WARN',
  stuck: 'WARN',
  denied: 'ERROR',
  failed: 'ERROR',
} as const;

describe('the level of a line', () => {
  it('follows the outcome of its operation, for every outcome', () => {
    expect(Object.keys(LEVEL_BY_OUTCOME).sort()).toEqual(Object.values(Outcome).sort());
    const { lines, log } = capture();
    for (const outcome of Object.values(Outcome)) {
      logResult(
        log,
        { source: 'raw' },
        { operationId: 'fd8a', outcome, attempts: 1, durationMs: 1 },
      );
    }
    const levels = Object.fromEntries(
      lines.map((raw) => JSON.parse(raw)).map((line) => [line.outcome, line.level]),
    );
    expect(levels).toEqual(LEVEL_BY_OUTCOME);
  });

  it.each([
    ['INFO', 'no operation failed or was denied', { cancelled: 2, stuck: 1, not_found: 1 }],
    ['WARN', 'an operation failed', { cancelled: 2, failed: 1 }],
    ['WARN', 'an operation was denied', { denied: 1 }],
  ])('of the invocation summary is %s when %s', (level, _case, outcomes) => {
    const { lines, log } = capture();
    const summary: Summary = { operations: 4, outcomes, rejectedRequests: 0, durationMs: 5 };
    logSummary(log, summary);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level, msg: 'invocation summary' });
  });
});
