import { existsSync } from 'node:fs';
import path from 'node:path';
import { endpointsAt } from '../../emulator/endpoints';
import type { StartRuntimeOptions } from '../../emulator/runtime';
import { type RecordedRuntime, startRuntime } from './runtime';
import { testPki } from './test-pki';

/** What `npm run build` leaves: the files the platform runs. */
export const DIST = path.resolve(import.meta.dirname, '../../dist');
/** The function's entry bundle, which loads the others from beside it. */
export const BUILT_INDEX = path.join(DIST, 'index.js');

/** Fails a suite of the built function at once, saying why, where dist/ was not built. */
export function requireBuilt(): void {
  if (!existsSync(BUILT_INDEX)) {
    throw new Error(`${BUILT_INDEX} does not exist: run npm run build first`);
  }
}

/**
 * Settings for a function that must use only its invocation's token: nothing listens at this
 * metadata URL, so a fetch of a token there is refused at once.
 */
export const NO_METADATA = { YC_METADATA_TOKEN_URL: 'http://127.0.0.1:9/token' } as const;

/** The token the platform puts in an invocation's context: that of the function's service account. */
export const contextToken = (accessToken: string, expiresIn = 43_200) => ({
  access_token: accessToken,
  expires_in: expiresIn,
  token_type: 'Bearer',
});

/** An invocation's options carrying `accessToken` in its context, for `invoke`. */
export const withToken = (accessToken: string, expiresIn?: number) => ({
  token: contextToken(accessToken, expiresIn),
});

export interface BuiltFunctionOptions extends Omit<StartRuntimeOptions, 'bundlePath' | 'env'> {
  /** The emulator: every API endpoint the function calls is set to its address. */
  server: { readonly address: string };
  /** The function's settings, over the endpoints. */
  env?: Record<string, string | undefined>;
  /** Default dist/index.js; another path for a copy of it, such as a zip lacking a bundle. */
  bundlePath?: string;
}

/**
 * The built function in a process of its own under the runtime model, as the platform runs it,
 * on the emulator's APIs and trusting the test CA they are served with. The caller closes it.
 */
export function startBuiltFunction(options: BuiltFunctionOptions): Promise<RecordedRuntime> {
  const { server, env, bundlePath = BUILT_INDEX, ...runtime } = options;
  return startRuntime({
    ...runtime,
    bundlePath,
    env: {
      ...endpointsAt(server.address),
      ...env,
      NODE_EXTRA_CA_CERTS: testPki().caFile,
      // grpc-js ignores NODE_EXTRA_CA_CERTS while this is set, and the test run sets it.
      GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: undefined,
    },
  });
}
