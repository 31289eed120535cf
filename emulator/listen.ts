import type { Server as HttpServer, IncomingMessage } from 'node:http';
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

/** Stops listening and ends every connection, which keep-alive or a held request keeps open. */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

export async function readText(req: IncomingMessage): Promise<string> {
  let text = '';
  req.setEncoding('utf8');
  for await (const chunk of req as AsyncIterable<string>) text += chunk;
  return text;
}
