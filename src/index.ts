import { createHandler } from './handler';
import { buildInstance, type Instance } from './instance';
import { createLogger } from './log';

let instance: Instance | undefined;

// The platform sets the function's environment before it loads this file, so the channel can
// start its TLS handshake while the runtime is still busy with the rest of the cold start.
try {
  const built = buildInstance(process.env);
  built.connect();
  instance = built;
} catch {
  // A bad setting must not fail the load: the first invocation builds again and reports it.
}

/** Built once and kept while the instance is warm; env is read once. */
const warmInstance = (): Instance => {
  instance ??= buildInstance(process.env);
  return instance;
};

export const handler = createHandler(warmInstance, createLogger());
