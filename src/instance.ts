import { fetchMetadataToken } from './cloud/metadata-token';
import { createOperationApi, type OperationApi } from './cloud/operation-api';
import { createTokenProvider, type TokenProvider } from './cloud/token';
import { type Config, loadConfig } from './config';

/** What a warm instance keeps between invocations: the settings, one gRPC channel, one token cache. */
export interface Instance {
  readonly config: Config;
  readonly api: OperationApi;
  readonly tokens: TokenProvider;
}

export function buildInstance(
  env: Readonly<Record<string, string | undefined>>,
): Instance & { connect(): void; close(): void } {
  const config = loadConfig(env);
  const api = createOperationApi({
    endpoint: config.operationEndpoint,
    callTimeoutMs: config.callTimeoutMs,
    retryAttempts: config.retryAttempts,
    retryBaseDelayMs: config.retryBaseDelayMs,
  });
  return {
    config,
    api,
    tokens: createTokenProvider({ fetchToken: () => fetchMetadataToken(config.metadataTokenUrl) }),
    connect: () => api.connect(),
    close: () => api.close(),
  };
}
