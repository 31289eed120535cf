/**
 * The sweep's listing clients live in a bundle of their own (dist/sweep.js), required only when
 * a sweep runs, so that the plain cancel path never loads or parses them. build.mjs points this
 * import at that file; from source, as in the tests, it is the module itself.
 */
export const loadSweep = () => import('../sweep/index');
