import { describe, expect, it } from 'vitest';
import { sweepScope } from '../../deploy/scope';

describe("the sweeps' reach, as the plan states it", () => {
  it.each([
    [{}, 'scope: any folder the service account can see'],
    [{ ALLOWED_FOLDERS: ' , ' }, 'scope: any folder the service account can see'],
    [{ ALLOWED_FOLDERS: 'b1ga' }, 'scope: folders b1ga (ALLOWED_FOLDERS)'],
    [{ ALLOWED_FOLDERS: 'b1ga, b1gb,' }, 'scope: folders b1ga, b1gb (ALLOWED_FOLDERS)'],
    [{ ALLOWED_CLOUDS: 'b1gc' }, 'scope: clouds b1gc (ALLOWED_CLOUDS)'],
    [
      { ALLOWED_FOLDERS: 'b1ga', ALLOWED_CLOUDS: 'b1gc,b1gd' },
      'scope: folders b1ga (ALLOWED_FOLDERS); clouds b1gc, b1gd (ALLOWED_CLOUDS)',
    ],
  ])('with %o, the plan says %s', (environment, scope) => {
    expect(sweepScope(environment)).toBe(scope);
  });
});
