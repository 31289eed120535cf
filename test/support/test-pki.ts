import { readTestPki, type TestPkiFiles } from '../../emulator/pki';

/** The PKI that test/support/global-setup.ts made for this run. */
export function testPki(): TestPkiFiles {
  const dir = process.env.TEST_PKI_DIR;
  if (!dir) {
    throw new Error(
      'TEST_PKI_DIR is not set: run tests through vitest so test/support/global-setup.ts creates the PKI',
    );
  }
  return readTestPki(dir);
}
