import { execFileSync } from 'node:child_process';
import { BUNDLE } from '../build-if-needed';
import { loadConfig } from '../src/config';
import { type CloudApiServer, type ResourceKind, startCloudApiServer } from './cloud-api-server';
import { ENDPOINT_SETTINGS, endpointsAt } from './endpoints';
import { startObserveSink } from './observe-sink';
import { readTestPki } from './pki';
import { type FunctionRuntime, type InvokeContext, startRuntime } from './runtime';
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
/** Where hand-offs go, with the operator's token: only when --fan-out asks for them. */
const FAN_OUT_SETTINGS = ['YC_FUNCTIONS_INVOKE_URL'] as const;

export interface SessionOptions {
  /** Target the real cloud instead of the embedded emulator. */
  readonly real: boolean;
  /** In the real cloud, cancel for real; without it, dry run is forced on. */
  readonly cancel: boolean;
  /**
   * In the real cloud, the deployed function a wide sweep hands its folders on to, with the
   * operator's token. Unset, and always in the emulator, the context names no function, so a
   * sweep of any number of folders sweeps them all itself and the token goes nowhere else.
   */
  readonly fanOut?: string;
  /** In the emulator: kinds whose listings it refuses, as a service account short of a role sees. */
  readonly deny?: readonly ResourceKind[];
  readonly env: NodeJS.ProcessEnv;
  readonly onLogLine: (line: string) => void;
  /** The emulator's own notes, such as the metrics and messages it took for the cloud. */
  readonly onEmulatorLine?: (line: string) => void;
}

export interface Session {
  readonly runtime: FunctionRuntime;
  readonly token: NonNullable<InvokeContext['token']>;
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
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const pki = readTestPki();
    const seeded = seededOperations();
    const operations = seeded.map((s) => s.operation);
    const server = await startCloudApiServer({ pki, operations, resources: [...SEEDED_RESOURCES] });
    cleanups.push(() => server.close());
    server.placeFolder(SEEDED_FOLDER, SEEDED_CLOUD);
    server.deny(options.deny ?? []);
    const sink = await startObserveSink((line) => options.onEmulatorLine?.(`[emulator] ${line}`));
    cleanups.push(() => sink.close());
    const settings = localSettings(options.env);
    const runtime = await startRuntime({
      bundlePath: BUNDLE,
      // No function id: a wide sweep sweeps each folder here, and hands nothing (and no token)
      // on to functions.yandexcloud.net.
      functionId: null,
      env: {
        ...sink.env,
        ...settings.env,
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

export interface RealInstance {
  /** The context's function id: none unless --fan-out names the deployed function. */
  readonly functionId: string | null;
  readonly env: Record<string, string>;
  /** For the banner: where, if anywhere, a wide sweep hands folders on, with the token. */
  readonly notes: readonly string[];
}

/**
 * What the instance gets in the real cloud. A hand-off posts the operator's own token, so one
 * happens only when --fan-out asks for it: otherwise the context names no function and the
 * invoke URL is not passed on, and a sweep of any number of folders stays on this machine.
 */
export function realInstance(
  options: Pick<SessionOptions, 'cancel' | 'fanOut' | 'env'>,
): RealInstance {
  const settings = localSettings(options.env);
  const { fanOut } = options;
  const handOff = fanOut === undefined ? {} : pick(options.env, FAN_OUT_SETTINGS);
  const env: Record<string, string> = {
    ...settings.env,
    ...pick(options.env, [...TRUST_SETTINGS, ...ENDPOINT_SETTINGS]),
    ...handOff,
    ...(!options.cancel && { DRY_RUN: 'true' }),
  };
  // Read as the function reads it, so a URL it would refuse stops the run before it starts.
  const fanOutNote =
    fanOut === undefined
      ? 'fan-out: off, a sweep of many folders sweeps each one here (--fan-out FUNCTION_ID hands them on to that deployed function, with your token)'
      : `fan-out: a sweep of more than SWEEP_FANOUT_FOLDERS folders hands each on to function ${fanOut} at ${loadConfig(handOff).functionsInvokeUrl}, with your token`;
  return { functionId: fanOut ?? null, env, notes: [...settings.notes, fanOutNote] };
}

async function real(options: SessionOptions): Promise<Session> {
  const instance = realInstance(options);
  const token = asContextToken(realToken(options.env));
  const { functionId, env, notes } = instance;
  const runtime = await startRuntime({
    bundlePath: BUNDLE,
    functionId,
    env,
    onStdoutLine: options.onLogLine,
  });
  const endpoint = options.env.YC_OPERATION_ENDPOINT || 'operation.api.cloud.yandex.net:443';
  const mode = options.cancel
    ? `REAL CLOUD at ${endpoint}, CANCELLING FOR REAL`
    : `REAL CLOUD at ${endpoint}, DRY RUN: operations are looked up, nothing is cancelled (pass --cancel to cancel for real)`;
  const close = () => runtime.close();
  return { runtime, token, mode, seeded: [], server: undefined, notes, close };
}

/** The built function, loaded as the runtime loads it, wired to the emulator or the real cloud. */
export function openSession(options: SessionOptions): Promise<Session> {
  return options.real ? real(options) : emulated(options);
}
