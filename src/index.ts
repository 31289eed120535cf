import { createHandler, type Instance } from './handler';
import { buildInstance } from './instance';
import { createLogger } from './log';

let instance: Instance | undefined;

/** Built on the first invocation and kept while the instance is warm; env is read once. */
const warmInstance = () => {
  instance ??= buildInstance(process.env);
  return instance;
};

export const handler = createHandler(warmInstance, createLogger());
