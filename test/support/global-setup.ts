import { readTestPki } from '../../emulator/pki';

// Runs once in the main vitest process, before any worker is forked, so workers inherit
// the env set here. grpc-js reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH once at load and then
// ignores NODE_EXTRA_CA_CERTS, and this machine points it at the system bundle globally:
// overriding it is what makes clients in workers trust the test CA.
export default function setup(): void {
  const { dir, caFile } = readTestPki();
  process.env.TEST_PKI_DIR = dir;
  process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH = caFile;
}
