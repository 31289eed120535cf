import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../emulator/build-if-needed';

export { ROOT };

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an emulator command as `npm start`/`npm run invoke` do (tsx on Node 22), with an
 * environment that leaves out the machine's CA settings, which the emulator sets itself.
 */
export function spawnCommand(
  script: 'start' | 'invoke',
  args: string[],
  env: Record<string, string | undefined> = {},
): ChildProcess {
  const base = { ...process.env };
  delete base.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
  delete base.NODE_EXTRA_CA_CERTS;
  delete base.TEST_PKI_DIR;
  return spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      path.join(ROOT, `emulator/${script}.ts`),
      ...args,
    ],
    { cwd: ROOT, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
}

export function finished(child: ChildProcess, stdin?: string): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  child.stdin?.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
