import { describe, expect, it } from 'vitest';
import { CancellerError } from '../../src/errors';
import { createLogger, errorFields } from '../../src/log';

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
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: 'INFO',
      msg: 'hello',
      request_id: 'r1',
      n: 1,
      text: 'two\nlines',
    });
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
