import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** '127.0.0.1:PORT', to give the client instead of the server's address. */
  readonly address: string;
  /** Connections accepted so far: a client that keeps one channel opens one. */
  connections(): number;
  /** Cuts every open connection, as a frozen instance's connections die. */
  dropAll(): void;
  close(): Promise<void>;
}

/** A TCP relay in front of a server, so a test can count and cut the client's connections. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = target.split(':') as [string, string];
  const open = new Set<Socket>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted += 1;
    const upstream = connect(Number(port), host);
    // gRPC sends many small frames; Nagle would hold each one back.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as { port: number };
  const dropAll = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    address: `127.0.0.1:${listening}`,
    connections: () => accepted,
    dropAll,
    close: () =>
      new Promise((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
