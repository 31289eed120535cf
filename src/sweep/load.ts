import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs/minimal';
import { loadBundle } from '../lazy-bundle';
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
 * The sweep step and its listing clients live in a bundle of their own (dist/sweep.js), required
 * only when a sweep runs, so that the plain cancel path never loads or parses them. build.mjs
 * makes the `#sweep` import that file; from source, as in the tests, it is src/sweep/select.ts.
 */
export async function loadSweep() {
  (globalThis as Record<symbol, unknown>)[Symbol.for(BORROWED.global)] = Object.fromEntries(
    BORROWED.modules.map((name) => [name, LENT[name]]),
  );
  return loadBundle(SWEEP_FILE, () => import('#sweep'));
}
