import { fetchMetadataToken } from './cloud/metadata-token';
import { createOperationApi } from './cloud/operation-api';
import { createTokenProvider } from './cloud/token';
import { loadConfig } from './config';
import { createHandler, type Instance } from './handler';
import { createLogger } from './log';

let instance: Instance | undefined;

/** Built once per warm instance: one gRPC channel and one token cache shared by every invocation. */
function warmInstance(): Instance {
  if (instance) return instance;
  const config = loadConfig(process.env);
  instance = {
    config,
    api: createOperationApi({
      endpoint: config.operationEndpoint,
      callTimeoutMs: config.callTimeoutMs,
      retryAttempts: config.retryAttempts,
      retryBaseDelayMs: config.retryBaseDelayMs,
    }),
    tokens: createTokenProvider({ fetchToken: () => fetchMetadataToken(config.metadataTokenUrl) }),
  };
  return instance;
}

export const handler = createHandler(warmInstance, createLogger());
