import * as cancellable from '../cancellable';
import * as calls from '../cloud/calls';
import * as described from '../cloud/described';
import * as folders from '../cloud/folders';
import * as grpcStatus from '../cloud/grpc-status';
import * as invokeAsync from '../cloud/invoke-async';
import * as operationApi from '../cloud/operation-api';
import * as unary from '../cloud/unary';
import * as wire from '../cloud/wire';
import * as lazyBundle from '../lazy-bundle';
import * as log from '../log';
import * as mapLimited from '../map-limited';
import * as model from '../model';
import * as printable from '../printable';
import * as requestScope from '../request/scope';
import * as sweepFilters from '../request/sweep/filters';
import * as thresholds from '../request/sweep/thresholds';
import * as roles from '../roles';
import * as tallies from '../tallies';
import LENT_TO_SWEEP from './lent.json';

/**
 * What this bundle lends dist/sweep.js instead of it carrying copies of its own: the modules of
 * src/ outside src/sweep/ that the sweep uses (src/cloud/unary.ts among them, with the one set of
 * grpc-js channels), so that each is one module in the function, whichever bundle calls it. lent.json names them for build.mjs
 * too, which points the sweep bundle's imports of them at the global this fills, and fails the
 * build on an import of src/ that is neither in src/sweep/ nor lent. What the sweep gives back is
 * data (select/invocation.ts): it never hands the host an object whose class the host must know.
 */
export const LENT: Readonly<Record<string, unknown>> = {
  'src/cancellable.ts': cancellable,
  'src/cloud/calls.ts': calls,
  'src/cloud/described.ts': described,
  'src/cloud/folders.ts': folders,
  'src/cloud/grpc-status.ts': grpcStatus,
  'src/cloud/invoke-async.ts': invokeAsync,
  'src/cloud/operation-api.ts': operationApi,
  'src/cloud/unary.ts': unary,
  'src/cloud/wire.ts': wire,
  'src/lazy-bundle.ts': lazyBundle,
  'src/log.ts': log,
  'src/map-limited.ts': mapLimited,
  'src/model.ts': model,
  'src/printable.ts': printable,
  'src/request/scope.ts': requestScope,
  'src/request/sweep/filters.ts': sweepFilters,
  'src/request/sweep/thresholds.ts': thresholds,
  'src/roles.ts': roles,
  'src/tallies.ts': tallies,
};

/** The file build.mjs makes of the `#sweep` import, beside dist/index.js. */
const SWEEP_FILE = 'sweep.js';

/**
 * The sweep and its listing clients live in a bundle of their own (dist/sweep.js), required only
 * when a sweep runs, so that the plain cancel path never loads or parses them. build.mjs makes
 * the `#sweep` import that file; from source, as in the tests, it is src/sweep/select.ts.
 */
export async function loadSweep() {
  (globalThis as Record<symbol, unknown>)[Symbol.for(LENT_TO_SWEEP.global)] = Object.fromEntries(
    LENT_TO_SWEEP.modules.map((name) => [name, LENT[name]]),
  );
  return lazyBundle.loadBundle(SWEEP_FILE, () => import('#sweep'));
}
