import { readTestPki, type TestPkiFiles } from '../../emulator/pki';

/** The PKI that test/support/global-setup.ts points this run at. */
export function testPki(): TestPkiFiles {
  const dir = process.env.TEST_PKI_DIR;
  if (!dir) {
    throw new Error(
      'TEST_PKI_DIR is not set: run tests through vitest, whose global setup (test/support/global-setup.ts) sets it',
    );
  }
  return readTestPki(dir);
}
