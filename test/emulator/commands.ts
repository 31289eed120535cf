import type { ChildProcess } from 'node:child_process';
import { type EnvChanges, type Loader, spawnScript, WITHOUT_TEST_CA } from '../support/run-script';

export { type Finished, finished, ROOT } from '../support/run-script';

/**
 * Runs an emulator command on Node 22, bundled or as `npm start`/`npm run invoke` do (tsx), with
 * an environment that leaves out the machine's CA settings, which the emulator sets itself.
 */
export function spawnCommand(
  script: 'start' | 'invoke',
  args: string[],
  env: EnvChanges = {},
  loader?: Loader,
): ChildProcess {
  return spawnScript(`emulator/${script}.ts`, args, { ...WITHOUT_TEST_CA, ...env }, loader);
}
