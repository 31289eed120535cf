import fs from 'node:fs';
import path from 'node:path';

export interface TestPki {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

export type TestPkiFiles = TestPki & { caFile: string; dir: string };

/**
 * The test CA, and the P-256 certificate it signed for localhost and 127.0.0.1, checked in:
 * valid from 2000 to 2100, so neither a clock behind nor years passing make them fail. The key
 * is public, so only what talks to the emulator trusts this CA.
 */
export const PKI_DIR = path.join(import.meta.dirname, 'pki');

export function readTestPki(dir = PKI_DIR): TestPkiFiles {
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  return {
    caCertPem: read('ca.pem'),
    serverCertPem: read('server.pem'),
    serverKeyPem: read('server-key.pem'),
    caFile: path.join(dir, 'ca.pem'),
    dir,
  };
}
