import { type Server, ServerCredentials } from '@grpc/grpc-js';
import type { TestPkiFiles } from '../../emulator/pki';

/** Binds `server` to a free loopback port with the test PKI's certificate; gives its address. */
export async function bindOverTls(server: Server, pki: TestPkiFiles): Promise<string> {
  const credentials = ServerCredentials.createSsl(
    null,
    [{ cert_chain: Buffer.from(pki.serverCertPem), private_key: Buffer.from(pki.serverKeyPem) }],
    false,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return `127.0.0.1:${port}`;
}
