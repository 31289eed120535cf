/** What the tests of tools/ may use of the function's test support, and the only file they import of it. */
export { allPages, bearer, unary } from './listing-clients';
export { type MetadataServer, startMetadataServer } from './metadata-server';
export { type Finished, ROOT, runScript, WITHOUT_CREDENTIALS } from './run-script';
export { testPki } from './test-pki';
export { zip } from './zip';
