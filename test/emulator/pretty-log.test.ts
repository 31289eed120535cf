import { describe, expect, it } from 'vitest';
import { prettyLogLine } from '../../emulator/pretty-log';

describe('log lines in a terminal', () => {
  it('show time, level, message and the key fields', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      msg: 'operation failed',
      operationId: 'op1',
      outcome: 'failed',
      code: 'UNAVAILABLE',
      attempts: 3,
      description: 'not a key field',
    });
    expect(prettyLogLine(line, false)).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} ERROR operation failed {2}operationId=op1 outcome=failed code=UNAVAILABLE attempts=3$/,
    );
  });

  it('colour the level only when asked', () => {
    const line = JSON.stringify({ level: 'WARN', msg: 'm' });
    expect(prettyLogLine(line, true)).toContain('\x1b[33mWARN \x1b[0m');
    expect(prettyLogLine(line, false)).not.toContain('\x1b');
  });

  it('show an error message and a summary', () => {
    const rejected = JSON.stringify({
      level: 'ERROR',
      msg: 'request rejected',
      error: { message: 'bad' },
    });
    expect(prettyLogLine(rejected, false)).toMatch(/request rejected {2}error=bad$/);
    const summary = JSON.stringify({
      level: 'INFO',
      msg: 'invocation summary',
      outcomes: { cancelled: 2 },
    });
    expect(prettyLogLine(summary, false)).toMatch(/outcomes=\{"cancelled":2\}$/);
  });

  it.each(['plain text', '42', '[1]', '{broken'])('leave %s as it is', (line) => {
    expect(prettyLogLine(line, false)).toBe(line);
  });
});
