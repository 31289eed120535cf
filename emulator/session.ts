import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE } from './build-if-needed';
import { type CloudApiServer, type ResourceKind, startCloudApiServer } from './cloud-api-server';
import { ENDPOINT_SETTINGS, endpointsAt } from './endpoints';
import { startObserveSink } from './observe-sink';
import { writeTestPki } from './pki';
import { type FunctionRuntime, startRuntime } from './runtime';
import {
  SEEDED_CLOUD,
  SEEDED_FOLDER,
  SEEDED_RESOURCES,
  type SeededOperation,
  seededOperations,
} from './seed';
import { localSettings } from './settings';

/** The trust settings grpc-js reads: the real cloud needs the caller's own. */
const TRUST_SETTINGS = ['NODE_EXTRA_CA_CERTS', 'GRPC_DEFAULT_SSL_ROOTS_FILE_PATH'] as const;

export interface SessionOptions {
  /** Target the real cloud instead of the embedded emulator. */
  readonly real: boolean;
  /** In the real cloud, cancel for real; without it, dry run is forced on. */
  readonly cancel: boolean;
  /** In the emulator: kinds whose listings it refuses, as a service account short of a role sees. */
  readonly deny?: readonly ResourceKind[];
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
  /** The function's settings that differ from the defaults, and likely typos, for the banner. */
  readonly notes: readonly string[];
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
    const server = await startCloudApiServer({
      pki,
      operations: seeded.map((s) => s.operation),
      resources: [...SEEDED_RESOURCES],
    });
    server.placeFolder(SEEDED_FOLDER, SEEDED_CLOUD);
    server.deny(options.deny ?? []);
    cleanups.push(() => server.close());
    const sink = await startObserveSink((line) => options.onEmulatorLine?.(`[emulator] ${line}`));
    cleanups.push(() => sink.close());
    const settings = localSettings(options.env);
    const runtime = await startRuntime({
      bundlePath: BUNDLE,
      env: {
        // What the function would send Monitoring and a webhook, shown by the emulator.
        ...sink.env,
        ...settings.env,
        // Every API the function calls, sweeps included, is the emulator's.
        ...endpointsAt(server.address),
        // grpc-js trusts NODE_EXTRA_CA_CERTS only while GRPC_DEFAULT_SSL_ROOTS_FILE_PATH is unset.
        NODE_EXTRA_CA_CERTS: pki.caFile,
        GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: undefined,
      },
      onStdoutLine: options.onLogLine,
    });
    cleanups.push(() => runtime.close());
    const mode = `embedded emulator of the Yandex Cloud APIs at ${server.address} (no cloud account needed; it keeps its state, a cancelled operation stays cancelled, until restarted)`;
    const { notes } = settings;
    return { runtime, token: asContextToken('emulator-token'), mode, seeded, server, notes, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function real(options: SessionOptions): Promise<Session> {
  const token = realToken(options.env);
  const dryRun = !options.cancel;
  const settings = localSettings(options.env);
  const runtime = await startRuntime({
    bundlePath: BUNDLE,
    env: {
      ...settings.env,
      ...pick(options.env, [...TRUST_SETTINGS, ...ENDPOINT_SETTINGS]),
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
    notes: settings.notes,
    close: () => runtime.close(),
  };
}

/** The built function, loaded as the runtime loads it, wired to the emulator or the real cloud. */
export function openSession(options: SessionOptions): Promise<Session> {
  return options.real ? real(options) : emulated(options);
}
