/**
 * What the emulator offers outside itself, and the only file of it that tools/ imports: the
 * function's world as parts (its OperationService, folders, a call recorder, held answers, a TLS
 * listener over the test PKI) that a deployer's fake composes with its own services, and the
 * whole server its tests may start.
 */

export {
  budgetForNext,
  type Fault,
  type FaultBudget,
  replyWithFault,
  spend,
} from './cloud-api/fault';
export { createFolders, type FolderMethod } from './cloud-api/folders';
export { createHolds } from './cloud-api/latency';
export { createOperations, type FakeOperation, type OperationMethod } from './cloud-api/operations';
export { MAX_PAGE_SIZE, paginate } from './cloud-api/paging';
export { type CallFacts, createRecorder, type Recorder } from './cloud-api/recorder';
export { listenTls } from './cloud-api/tls';
export {
  type CloudApiServer,
  type CloudMethod,
  type RecordedCall,
  startCloudApiServer,
} from './cloud-api-server';
export { readTestPki, type TestPki, type TestPkiFiles } from './pki';
