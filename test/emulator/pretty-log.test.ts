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

  it('show on a failed listing what failed and why', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      msg: 'sweep listing failed',
      source: 'timer',
      listing: 'vpc.subnet in folder b1gfolder',
      code: 'UNAVAILABLE',
      message:
        'SubnetService.List of folder b1gfolder at vpc.api.cloud.yandex.net:443: could not connect: connection refused (UNAVAILABLE), after 3 attempts',
    });
    expect(prettyLogLine(line, false)).toMatch(
      /sweep listing failed {2}code=UNAVAILABLE source=timer listing="vpc\.subnet in folder b1gfolder" message="SubnetService\.List of folder b1gfolder at vpc\.api\.cloud\.yandex\.net:443: could not connect: connection refused \(UNAVAILABLE\), after 3 attempts"$/,
    );
  });

  it("show a failed operation's reason and message, and a retry's call", () => {
    const failed = JSON.stringify({
      level: 'ERROR',
      msg: 'operation failed',
      operationId: 'fd8abc',
      outcome: 'failed',
      reason: 'call_timeout',
      code: 'DEADLINE_EXCEEDED',
      attempts: 3,
      message:
        'OperationService.Get of fd8abc at h:443: could not connect within 5 s (DEADLINE_EXCEEDED)',
    });
    expect(prettyLogLine(failed, false)).toMatch(
      /operationId=fd8abc outcome=failed reason=call_timeout code=DEADLINE_EXCEEDED attempts=3 message="OperationService\.Get of fd8abc at h:443: could not connect within 5 s \(DEADLINE_EXCEEDED\)"$/,
    );
    const retried = JSON.stringify({
      level: 'WARN',
      msg: 'call retried',
      operationId: 'fd8abc',
      method: 'OperationService.Get',
      subject: 'fd8abc',
      endpoint: 'h:443',
      attempt: 1,
      code: 'UNAVAILABLE',
      message: 'could not connect: connection refused (UNAVAILABLE)',
      delayMs: 80,
    });
    expect(prettyLogLine(retried, false)).toMatch(
      /call retried {2}operationId=fd8abc code=UNAVAILABLE method=OperationService\.Get subject=fd8abc endpoint=h:443 attempt=1 delayMs=80 message="could not connect: connection refused \(UNAVAILABLE\)"$/,
    );
  });

  it("show a nested error's message, and its cause's when that says more", () => {
    const line = JSON.stringify({
      level: 'ERROR',
      msg: 'invocation refused',
      error: {
        name: 'CancellerError',
        message: 'no IAM token',
        cause: { name: 'Error', message: 'connect ECONNREFUSED 169.254.169.254:80' },
      },
    });
    expect(prettyLogLine(line, false)).toMatch(
      /invocation refused {2}error="no IAM token" cause="connect ECONNREFUSED 169\.254\.169\.254:80"$/,
    );
  });

  it('keep an INFO line to its key fields', () => {
    const line = JSON.stringify({ level: 'INFO', msg: 'sweep listed', listing: 'x', message: 'y' });
    expect(prettyLogLine(line, false)).toMatch(/INFO {2}sweep listed$/);
  });

  it.each(['plain text', '42', '[1]', '{broken'])('leave %s as it is', (line) => {
    expect(prettyLogLine(line, false)).toBe(line);
  });
});

// Trigger and message ids, and what an API answers, are chosen by others: none of it may reach
// the terminal as a command.
describe('log lines in a terminal, given control characters', () => {
  const CONTROL = /\p{Cc}/u;

  it.each([
    ['a CSI that clears the screen', '\x1b[2Jcleared', 'cleared'],
    ['CSI colours', '\x1b[1;31mred\x1b[0m', 'red'],
    ['a CSI cut off at the end', 'id\x1b[31', 'id31'],
    ['an OSC retitling the window, ended by BEL', '\x1b]0;owned\x07after', 'after'],
    [
      'an OSC hyperlink, ended by ST',
      '\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\',
      'link',
    ],
    ['an unterminated OSC', 'id\x1b]0;owned', 'id'],
    ['a reset (ESC c)', 'a\x1bcb', 'ab'],
    ['a carriage return over the line', 'ok\rFORGED', 'ok FORGED'],
    ['a line break forging a line', 'x\n12:00:00.000 INFO  forged', 'x 12:00:00.000 INFO  forged'],
    ['a tab', 'a\tb', 'a b'],
    ['backspace, bell and NUL', 'a\bb\x07c\x00d', 'abcd'],
    ['DEL', 'a\x7fb', 'ab'],
    ['C1 controls (8-bit CSI and NEL)', 'a\x9b2Jb\x85c', 'a2Jbc'],
  ])('strip %s', (_, value, safe) => {
    const line = JSON.stringify({
      level: 'ERROR',
      msg: value,
      triggerId: value,
      messageId: value,
      error: { message: value },
    });
    const shown = prettyLogLine(line, false);
    expect(shown).not.toMatch(CONTROL);
    expect(shown).toContain(` ${safe}  `);
    const quoted = /[\s"=]/.test(safe) ? JSON.stringify(safe) : safe;
    expect(shown).toContain(`triggerId=${quoted} messageId=${quoted}`);
    expect(shown.slice(shown.lastIndexOf(' error=') + 1)).toBe(`error=${quoted}`);
    // A line that is not JSON is shown as it is, less the same characters.
    expect(prettyLogLine(value, false)).toBe(safe);
  });

  it('strip them from the level, and colour it only as the level it then reads', () => {
    const shown = prettyLogLine(JSON.stringify({ level: '\x1b[2JWARN', msg: 'm' }), true);
    expect(shown).toContain('\x1b[33mWARN \x1b[0m m');
    expect(shown.replace('\x1b[33m', '').replace('\x1b[0m', '')).not.toMatch(CONTROL);
  });

  it('strip them from values shown as JSON', () => {
    const line = JSON.stringify({ level: 'INFO', msg: 'm', outcomes: { '\x1b[2J\x9b': 1 } });
    expect(prettyLogLine(line, false)).not.toMatch(CONTROL);
  });
});
