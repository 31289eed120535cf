import { createServer, type Socket } from 'node:net';
import { type Server, ServerCredentials } from '@grpc/grpc-js';
import { listen } from '../listen';
import type { TestPki } from '../pki';

export interface TlsListener {
  port: number;
  /** Ends every connection, a half-open one too, and stops listening. */
  close(): Promise<void>;
}

/**
 * Serves `server` over TLS with the test PKI's server certificate. The listening socket is ours
 * and grpc-js only sees the connections we hand it, so close() can destroy every socket, including
 * one still in its TLS handshake that grpc-js does not track yet. grpc-js's own shutdown can wait
 * forever on such a socket, or on a peer that never half-closes.
 */
export async function listenTls(server: Server, pki: TestPki, port?: number): Promise<TlsListener> {
  const key = {
    cert_chain: Buffer.from(pki.serverCertPem),
    private_key: Buffer.from(pki.serverKeyPem),
  };
  const injector = server.createConnectionInjector(ServerCredentials.createSsl(null, [key], false));
  const sockets = new Set<Socket>();
  const listener = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    injector.injectConnection(socket);
  });
  return {
    port: await listen(listener, port),
    close: () =>
      new Promise<void>((resolve) => {
        listener.close(() => resolve());
        server.forceShutdown();
        injector.destroy();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
