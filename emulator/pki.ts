import type { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import './reflect-metadata';
import * as x509 from '@peculiar/x509';

export interface TestPki {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

export type TestPkiFiles = TestPki & { caFile: string; dir: string };

const CA_FILE = 'ca.pem';
const SERVER_CERT_FILE = 'server.pem';
const SERVER_KEY_FILE = 'server-key.pem';
const DAY_MS = 24 * 60 * 60 * 1000;

// P-256 keys keep generation fast enough to do on every test run.
const keyAlgorithm: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const signingAlgorithm: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

x509.cryptoProvider.set(globalThis.crypto);

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await globalThis.crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

export async function createTestPki(): Promise<TestPki> {
  // Backdated so clock skew between processes never makes the certs "not yet valid".
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(notBefore.getTime() + 2 * DAY_MS);

  const caKeys = await generateKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=yc-canceller test CA',
    notBefore,
    notAfter,
    signingAlgorithm,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const serverKeys = await generateKeys();
  const server = await x509.X509CertificateGenerator.create({
    subject: 'CN=localhost',
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  return {
    caCertPem: ca.toString('pem'),
    serverCertPem: server.toString('pem'),
    serverKeyPem: await privateKeyPem(serverKeys.privateKey),
  };
}

export async function writeTestPki(dir: string): Promise<TestPkiFiles> {
  const pki = await createTestPki();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, CA_FILE), pki.caCertPem);
  fs.writeFileSync(path.join(dir, SERVER_CERT_FILE), pki.serverCertPem);
  fs.writeFileSync(path.join(dir, SERVER_KEY_FILE), pki.serverKeyPem, { mode: 0o600 });
  return { ...pki, caFile: path.join(dir, CA_FILE), dir };
}

export function readTestPki(dir: string): TestPkiFiles {
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  return {
    caCertPem: read(CA_FILE),
    serverCertPem: read(SERVER_CERT_FILE),
    serverKeyPem: read(SERVER_KEY_FILE),
    caFile: path.join(dir, CA_FILE),
    dir,
  };
}
