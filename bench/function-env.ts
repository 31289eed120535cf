/**
 * Node sizes V8's heap from the memory it can see, and on a machine with gigabytes V8 collects
 * lazily, so peak RSS comes out tens of MB above what the same work needs in a 128 MB function.
 * These are the sizes V8 gives 128 MB of physical memory on 64-bit (old generation at its 256 MB
 * floor, 1 MB semi-spaces): both contenders collect as they would on the platform.
 */
const HEAP_AS_IN_128_MB = '--max-old-space-size=256 --max-semi-space-size=1';

/**
 * The environment of every benchmarked process, identical for both contenders. It is built from
 * scratch rather than inherited: GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, set on some machines, would
 * make grpc-js ignore NODE_EXTRA_CA_CERTS and distrust the test CA.
 */
export function functionEnv(endpoint: string, caFile: string): Record<string, string> {
  const env: Record<string, string> = {
    YC_OPERATION_ENDPOINT: endpoint,
    NODE_EXTRA_CA_CERTS: caFile,
    // Nothing listens here: the context's token must be the only one used.
    YC_METADATA_TOKEN_URL: 'http://127.0.0.1:1/token',
    NODE_OPTIONS: HEAP_AS_IN_128_MB,
  };
  for (const name of ['PATH', 'HOME'] as const) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
