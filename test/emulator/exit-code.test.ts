import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../emulator/exit-code';

const report = (outcomes: Record<string, number>) => ({ results: [], summary: { outcomes } });
const http = (statusCode: number, body: unknown) => ({ statusCode, body: JSON.stringify(body) });

describe('npm run invoke exits', () => {
  it.each([
    [
      '0 when every operation has an outcome other than failed or denied',
      true,
      report({ cancelled: 2, not_found: 1 }),
      false,
      0,
    ],
    ['0 when nothing was named', true, report({}), false, 0],
    ['0 for a result that is not a report', true, undefined, false, 0],
    ['1 when the function threw', false, { errorMessage: 'x' }, false, 1],
    ['1 when the request was refused', true, { error: { message: 'bad' } }, false, 1],
    ['1 when HTTP refused it', true, http(400, { error: { message: 'bad' } }), false, 1],
    ['1 when an operation failed', true, report({ cancelled: 1, failed: 1 }), false, 1],
    ['1 when an operation was denied', true, report({ denied: 1 }), false, 1],
    ['1 when HTTP answered 503 for a failure', true, http(503, report({ failed: 1 })), false, 1],
    ['0 for a failure with --allow-failures', true, report({ failed: 3 }), true, 0],
    ['1 for a refusal even with --allow-failures', true, { error: { message: 'bad' } }, true, 1],
    ['1 for a throw even with --allow-failures', false, undefined, true, 1],
  ] as const)('%s', (_name, ok, result, allowFailures, code) => {
    expect(exitCodeOf(ok, result, allowFailures)).toBe(code);
  });
});
