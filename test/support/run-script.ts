import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../build-if-needed';
import { BUNDLED_SCRIPTS, bundledPath, SCRIPT_BUNDLES_ENV } from './script-bundles';

export { ROOT };

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Changes to this process's environment for a child: a string sets a variable, undefined unsets it. */
export type EnvChanges = Record<string, string | undefined>;

/** Unsets the machine's cloud credentials, so that a script sees only those a test gives it. */
export const WITHOUT_CREDENTIALS = {
  YC_IAM_TOKEN: undefined,
  YC_SERVICE_ACCOUNT_KEY_FILE: undefined,
  YC_METADATA_TOKEN_URL: undefined,
} as const satisfies EnvChanges;

/** Unsets the test CA settings that the global setup gives every worker. */
export const WITHOUT_TEST_CA = {
  GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: undefined,
  NODE_EXTRA_CA_CERTS: undefined,
  TEST_PKI_DIR: undefined,
} as const satisfies EnvChanges;

/** How a script is started: as its npm script does (tsx), or bundled once for the test run. */
export type Loader = 'tsx' | 'bundled';

/**
 * Starts `script` (a path from the project root) on this Node, in the project root, with this
 * process's environment changed by `env`. By default it runs the bundle the global setup made of
 * it, which starts in a fraction of tsx's time; `loader: 'tsx'` runs it as its npm script does.
 */
export function spawnScript(
  script: string,
  args: string[],
  env: EnvChanges = {},
  loader: Loader = 'bundled',
): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, [SCRIPT_BUNDLES_ENV]: undefined };
  for (const [name, value] of Object.entries(childEnv)) {
    if (value === undefined) delete childEnv[name];
  }
  return spawn(process.execPath, [...entryOf(script, loader), ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function entryOf(script: string, loader: Loader): string[] {
  if (loader === 'tsx') {
    return [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, script)];
  }
  const bundles = process.env[SCRIPT_BUNDLES_ENV];
  if (bundles === undefined || !(BUNDLED_SCRIPTS as readonly string[]).includes(script)) {
    throw new Error(
      `${script} is not among the scripts the global setup bundles (BUNDLED_SCRIPTS)`,
    );
  }
  return [bundledPath(bundles, script)];
}

/** Collects a child's output until it closes, giving it `stdin` (or nothing) and then EOF. */
export function finished(child: ChildProcess, stdin?: string): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  child.stdin?.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Runs `script` to the end (see spawnScript) and gives its exit code and output. */
export function runScript(
  script: string,
  args: string[],
  env: EnvChanges = {},
  stdin?: string,
): Promise<Finished> {
  return finished(spawnScript(script, args, env), stdin);
}
