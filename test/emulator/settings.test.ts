import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { likelyTypo, localSettings } from '../../emulator/settings';

const dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest = (environment: Record<string, string>) => {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `name: x\nenvironment:\n${Object.entries(environment)
      .map(([k, v]) => `  ${k}: "${v}"`)
      .join('\n')}\n`,
  );
  return file;
};

describe('the settings of a local run', () => {
  it("take function.yaml's environment, then the shell's, which wins", () => {
    const file = manifest({ MAX_CANCELS_PER_RUN: '7', DRY_RUN: 'true' });
    const { env, notes } = localSettings({ DRY_RUN: 'false', PATH: '/bin' }, file);
    expect(env).toEqual({ MAX_CANCELS_PER_RUN: '7', DRY_RUN: 'false' });
    // DRY_RUN=false is the default, so only the other is worth a line.
    expect(notes).toEqual([
      'settings: MAX_CANCELS_PER_RUN=7 (function.yaml)',
      'scope: any folder the service account can see',
    ]);
  });

  it('say what any caller may reach, as function.yaml scopes it', () => {
    const { notes } = localSettings({}, manifest({ ALLOWED_FOLDERS: 'b1gone,b1gtwo' }));
    expect(notes).toContain('scope: folders b1gone, b1gtwo');
  });

  it('never show a secret by value', () => {
    const { notes } = localSettings({ HTTP_API_KEY: 'k3y' }, manifest({}));
    expect(notes).toEqual([
      'settings: HTTP_API_KEY=(set) (shell)',
      'scope: any folder the service account can see',
    ]);
  });

  it('warn about a name that looks like a typo of ours, in the shell or in function.yaml', () => {
    const { notes } = localSettings({ CALL_TIMOUT_MS: '100' }, manifest({ WAIT_SECOND: '5' }));
    expect(notes).toEqual([
      'scope: any folder the service account can see',
      'warning: WAIT_SECOND is not a setting of the function; did you mean WAIT_SECONDS?',
      'warning: CALL_TIMOUT_MS is not a setting of the function; did you mean CALL_TIMEOUT_MS?',
    ]);
  });

  it.each([
    ['MIN_AGE_SECONDS', undefined],
    ['MIN_AGE_SECOND', 'MIN_AGE_SECONDS'],
    ['dry_run', 'DRY_RUN'],
    ['PATH', undefined],
    ['HOME', undefined],
  ])('read %s as a typo of %s', (name, meant) => {
    expect(likelyTypo(name)).toBe(meant);
  });
});
