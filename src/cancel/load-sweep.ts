import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs/minimal';

/**
 * The modules dist/sweep.js takes from this bundle instead of carrying copies of its own: one
 * grpc-js (one set of channels and classes), one protobuf runtime. build.mjs points the sweep
 * bundle's imports of them here.
 */
export const SHARED_MODULES = Symbol.for('yc-operation-canceller.shared-modules');

/**
 * The sweep's listing clients live in a bundle of their own (dist/sweep.js), required only when
 * a sweep runs, so that the plain cancel path never loads or parses them. build.mjs points this
 * import at that file; from source, as in the tests, it is the module itself.
 */
export function loadSweep() {
  (globalThis as Record<symbol, unknown>)[SHARED_MODULES] = {
    '@grpc/grpc-js': grpc,
    // The generated code installs the Long it requires as protobuf's; an import of 'long' here
    // would resolve to the package's ESM build, a second copy.
    long: protobuf.util.Long,
    'protobufjs/minimal': protobuf,
  };
  return import('../sweep/index');
}
