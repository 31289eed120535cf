import { describe, expect, it } from 'vitest';
import { sweepScope } from '../src/scope';

describe("the sweeps' reach, as the plan states it", () => {
  it.each([
    [{}, 'scope: any folder the service account can see'],
    [{ ALLOWED_FOLDERS: 'b1ga' }, 'scope: folders b1ga'],
    [{ ALLOWED_FOLDERS: 'b1ga, b1gb,' }, 'scope: folders b1ga, b1gb'],
    [{ ALLOWED_CLOUDS: 'b1gc' }, 'scope: every folder of clouds b1gc'],
    [
      { ALLOWED_FOLDERS: 'b1ga', ALLOWED_CLOUDS: 'b1gc,b1gd' },
      'scope: folders b1ga, and every folder of clouds b1gc, b1gd',
    ],
  ])('with %o, the plan says %s, as the function does', (environment, scope) => {
    expect(sweepScope(environment)).toEqual({ line: scope });
  });

  it.each([
    [{ ALLOWED_FOLDERS: ' , ' }, /^environment: ALLOWED_FOLDERS is set but names no id/],
    [{ ALLOWED_CLOUDS: 'B1G!' }, /^environment: ALLOWED_CLOUDS must be ids/],
  ])('refuses %o, which would fail every invocation', (environment, refusal) => {
    expect(sweepScope(environment)).toMatchObject({
      line: 'scope: unreadable',
      refusal: expect.stringMatching(refusal),
    });
  });
});
