import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE } from './build-if-needed';
import { type CloudApiServer, startCloudApiServer } from './cloud-api-server';
import { startObserveSink } from './observe-sink';
import { writeTestPki } from './pki';
import { type FunctionRuntime, startRuntime } from './runtime';
import { type SeededOperation, seededOperations } from './seed';

/** The function's own settings, passed through from the caller's environment. */
const FUNCTION_SETTINGS = [
  'MAX_OPERATIONS',
  'CONCURRENCY',
  'DRY_RUN',
  'HTTP_API_KEY',
  'CALL_TIMEOUT_MS',
  'RETRY_ATTEMPTS',
  'RETRY_BASE_DELAY_MS',
] as const;

/** The trust settings grpc-js reads: the real cloud needs the caller's own. */
const TRUST_SETTINGS = ['NODE_EXTRA_CA_CERTS', 'GRPC_DEFAULT_SSL_ROOTS_FILE_PATH'] as const;

export interface SessionOptions {
  /** Target the real cloud instead of the embedded emulator. */
  readonly real: boolean;
  /** In the real cloud, cancel for real; without it, dry run is forced on. */
  readonly cancel: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly onLogLine: (line: string) => void;
  /** The emulator's own notes, such as the metrics and messages it took for the cloud. */
  readonly onEmulatorLine?: (line: string) => void;
}

export interface Session {
  readonly runtime: FunctionRuntime;
  readonly token: { access_token: string; expires_in: number; token_type: string };
  /** One line for the banner: which API is called, and whether anything is really cancelled. */
  readonly mode: string;
  readonly seeded: readonly SeededOperation[];
  readonly server: CloudApiServer | undefined;
  close(): Promise<void>;
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => (env[n] === undefined ? [] : [[n, env[n]]])));
}

/** The operator's token: YC_IAM_TOKEN, or what `yc iam create-token` prints. */
function realToken(env: NodeJS.ProcessEnv): string {
  if (env.YC_IAM_TOKEN?.trim()) return env.YC_IAM_TOKEN.trim();
  try {
    return execFileSync('yc', ['iam', 'create-token'], { encoding: 'utf8', env }).trim();
  } catch {
    throw new Error(
      'no token for the real cloud: set YC_IAM_TOKEN (for example YC_IAM_TOKEN=$(yc iam create-token)), or install and log in to the yc CLI',
    );
  }
}

const asContextToken = (access_token: string) => ({
  access_token,
  expires_in: 43_200,
  token_type: 'Bearer',
});

async function emulated(options: SessionOptions): Promise<Session> {
  const dir = mkdtempSync(path.join(tmpdir(), 'yc-canceller-emulator-'));
  const cleanups: Array<() => Promise<void> | void> = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const pki = await writeTestPki(dir);
    const seeded = seededOperations();
    const server = await startCloudApiServer({ pki, operations: seeded.map((s) => s.operation) });
    cleanups.push(() => server.close());
    const sink = await startObserveSink((line) => options.onEmulatorLine?.(`[emulator] ${line}`));
    cleanups.push(() => sink.close());
    const runtime = await startRuntime({
      bundlePath: BUNDLE,
      env: {
        ...pick(options.env, FUNCTION_SETTINGS),
        // What the function would send Monitoring and a webhook, shown by the emulator.
        ...sink.env,
        YC_OPERATION_ENDPOINT: server.address,
        // grpc-js trusts NODE_EXTRA_CA_CERTS only while GRPC_DEFAULT_SSL_ROOTS_FILE_PATH is unset.
        NODE_EXTRA_CA_CERTS: pki.caFile,
        GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: undefined,
      },
      onStdoutLine: options.onLogLine,
    });
    cleanups.push(() => runtime.close());
    const mode = `embedded emulator of OperationService at ${server.address} (no cloud account needed)`;
    return { runtime, token: asContextToken('emulator-token'), mode, seeded, server, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function real(options: SessionOptions): Promise<Session> {
  const token = realToken(options.env);
  const dryRun = !options.cancel;
  const runtime = await startRuntime({
    bundlePath: BUNDLE,
    env: {
      ...pick(options.env, [...FUNCTION_SETTINGS, ...TRUST_SETTINGS, 'YC_OPERATION_ENDPOINT']),
      ...(dryRun && { DRY_RUN: 'true' }),
    },
    onStdoutLine: options.onLogLine,
  });
  const endpoint = options.env.YC_OPERATION_ENDPOINT || 'operation.api.cloud.yandex.net:443';
  const mode = dryRun
    ? `REAL CLOUD at ${endpoint}, DRY RUN: operations are looked up, nothing is cancelled (pass --cancel to cancel for real)`
    : `REAL CLOUD at ${endpoint}, CANCELLING FOR REAL`;
  return {
    runtime,
    token: asContextToken(token),
    mode,
    seeded: [],
    server: undefined,
    close: () => runtime.close(),
  };
}

/** The built function, loaded as the runtime loads it, wired to the emulator or the real cloud. */
export function openSession(options: SessionOptions): Promise<Session> {
  return options.real ? real(options) : emulated(options);
}
