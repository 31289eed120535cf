import type { AddressInfo, Server } from 'node:net';

/** Listens (port 0: any free one) and resolves with the port, or rejects with the listen error. */
export function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
