import { createSlots, type Slots } from './cloud/in-flight';
import { fetchMetadataToken } from './cloud/metadata-token';
import { createOperationApi, type OperationApi } from './cloud/operation-api';
import { createTokenProvider, type TokenProvider } from './cloud/token';
import { type Config, loadConfig } from './config';

/**
 * What a warm instance keeps between invocations: the settings, one gRPC channel, one token
 * cache, and one bound on calls in flight for all the invocations it runs at once.
 */
export interface Instance {
  readonly config: Config;
  /** Get and Cancel, each attempt holding one of `slots`. */
  readonly api: OperationApi;
  readonly tokens: TokenProvider;
  /** MAX_CALLS_IN_FLIGHT: every gRPC call and hand-off holds one; metrics and messages do not. */
  readonly slots: Slots;
}

export function buildInstance(
  env: Readonly<Record<string, string | undefined>>,
): Instance & { connect(): void; close(): void } {
  const config = loadConfig(env);
  const slots = createSlots(config.maxCallsInFlight);
  const channel = createOperationApi({
    endpoint: config.endpoints.operation,
    callTimeoutMs: config.callTimeoutMs,
    retryAttempts: config.retryAttempts,
    retryBaseDelayMs: config.retryBaseDelayMs,
  });
  return {
    config,
    api: {
      get: (operationId, token, limits) => channel.get(operationId, token, { ...limits, slots }),
      cancel: (operationId, token, limits) =>
        channel.cancel(operationId, token, { ...limits, slots }),
    },
    tokens: createTokenProvider({
      fetchToken: (signal) => fetchMetadataToken(config.metadataTokenUrl, { signal }),
    }),
    slots,
    connect: () => channel.connect(),
    close: () => channel.close(),
  };
}
