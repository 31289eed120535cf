import { describe, expect, it } from 'vitest';
import { parseCommandLine, refuseFlagConflicts } from '../../emulator/cli';

/** What `npm start` and `npm run invoke` do with their flags before anything starts. */
const checked = (args: string[]) => () => {
  refuseFlagConflicts(parseCommandLine(args, { allowPositionals: true }));
};

describe('the commands refuse, before anything starts,', () => {
  it.each([
    [['--fan-out', 'd4edeployed0001'], /^--fan-out only applies with --real/],
    [['--real', '--fan-out', 'https://functions.yandexcloud.net/d4e'], /^--fan-out takes the id/],
    [['--real', '--fan-out', 'D4E'], /^--fan-out takes the id/],
    [['--real', '--fan-out', ''], /^--fan-out takes the id/],
    [['--cancel'], /^--cancel only applies with --real$/],
    [['--real', '--deny', 'compute.disk'], /^--deny applies to the embedded emulator/],
  ])('%j', (args, why) => {
    expect(checked(args)).toThrow(why);
  });

  it('--deny of a kind there is none of', () => {
    expect(checked(['sweep.json', '--deny', 'compute.vm'])).toThrow(
      '--deny names no kind compute.vm; the kinds are compute.instance',
    );
  });

  it('a flag neither command takes', () => {
    expect(checked(['--dry-run'])).toThrow(/'--dry-run'/);
  });
});

describe('the commands take', () => {
  it('the flags they share, and the kinds --deny names', () => {
    const line = parseCommandLine(
      ['-', '--deny', 'compute.disk, k8s.cluster', '--allow-failures'],
      {
        allowPositionals: true,
      },
    );
    expect(line).toEqual({
      help: false,
      real: false,
      cancel: false,
      deny: ['compute.disk', 'k8s.cluster'],
      allowFailures: true,
      positionals: ['-'],
    });
    expect(checked(['--real', '--cancel', '--fan-out', 'd4edeployed0001'])).not.toThrow();
  });
});
