import { fetchMetadataToken } from './cloud/metadata-token';
import { createOperationApi } from './cloud/operation-api';
import { createTokenProvider } from './cloud/token';
import { loadConfig } from './config';
import type { Instance } from './handler';

/** What a warm instance keeps: the settings, one gRPC channel and one token cache. */
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
