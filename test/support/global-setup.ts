import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../build-if-needed';
import { readTestPki } from '../../emulator/pki';
import { bundleScripts, SCRIPT_BUNDLES_ENV } from './script-bundles';

// Runs once in the main vitest process, before any worker is forked, so workers inherit
// the env set here. grpc-js reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH once at load and then
// ignores NODE_EXTRA_CA_CERTS, and this machine points it at the system bundle globally:
// overriding it is what makes clients in workers trust the test CA.
export default async function setup(): Promise<() => void> {
  const { dir, caFile } = readTestPki();
  process.env.TEST_PKI_DIR = dir;
  process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH = caFile;
  const bundles = fs.mkdtempSync(path.join(os.tmpdir(), 'yc-canceller-scripts-'));
  await bundleScripts(ROOT, bundles);
  process.env[SCRIPT_BUNDLES_ENV] = bundles;
  return () => {
    fs.rmSync(bundles, { recursive: true, force: true });
  };
}
