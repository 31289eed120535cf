import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs/minimal';
import { CancellerError } from '../errors';
import BORROWED from './borrowed.json';

/**
 * What this bundle lends dist/sweep.js instead of it carrying copies of its own: one grpc-js (one
 * set of channels and classes), one protobuf runtime. borrowed.json names them for build.mjs too,
 * which points the sweep bundle's imports of them at the global this fills.
 */
export const LENT: Readonly<Record<string, unknown>> = {
  '@grpc/grpc-js': grpc,
  // The generated code installs the Long it requires as protobuf's; an import of 'long' here
  // would resolve to the package's ESM build, a second copy.
  long: protobuf.util.Long,
  'protobufjs/minimal': protobuf,
};

/** The file build.mjs makes of the `#sweep` import, beside dist/index.js. */
const SWEEP_FILE = 'sweep.js';

/**
 * A zip that is not the whole of what `npm run build` made: a packaging mistake, which only an
 * upload of dist/function.zip mends, and which must not read as a bug of the function's.
 */
export class MissingBundleError extends CancellerError {
  constructor(file: string, options?: ErrorOptions) {
    super(`the deployed zip lacks ${file}: upload dist/function.zip whole`, options);
    this.name = 'MissingBundleError';
  }
}

/**
 * Whether an import failed because `file` itself is not there, as Node says it of an ES import
 * (ERR_MODULE_NOT_FOUND, with the missing module's URL); a module that `file` imports and that is
 * missing is another failure.
 */
export function lacksFile(error: unknown, file: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, url } = error as { code?: unknown; url?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof url === 'string' && url.endsWith(`/${file}`);
}

/**
 * The sweep step and its listing clients live in a bundle of their own (dist/sweep.js), required
 * only when a sweep runs, so that the plain cancel path never loads or parses them. build.mjs
 * makes the `#sweep` import that file; from source, as in the tests, it is src/sweep/select.ts.
 */
export async function loadSweep() {
  (globalThis as Record<symbol, unknown>)[Symbol.for(BORROWED.global)] = Object.fromEntries(
    BORROWED.modules.map((name) => [name, LENT[name]]),
  );
  try {
    return await import('#sweep');
  } catch (error) {
    if (lacksFile(error, SWEEP_FILE)) throw new MissingBundleError(SWEEP_FILE, { cause: error });
    throw error;
  }
}
