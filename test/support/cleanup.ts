import type { Server, Socket } from 'node:net';
import { afterEach } from 'vitest';

type Closable = { close(): unknown };

/** Keeps `thing` for closing after the test, and returns it. */
export type Track = <T extends Closable>(thing: T) => T;

/**
 * A `track` that keeps what a test starts and closes it after each test, last started first:
 * every test cleans up what it started, whatever it asserted.
 */
export function closedAfterEach(): Track {
  const started: Closable[] = [];
  afterEach(async () => {
    for (const thing of started.splice(0).reverse()) await thing.close();
  });
  return (thing) => {
    started.push(thing);
    return thing;
  };
}

/**
 * A net or HTTP server as `track` takes it: its close is awaited, and ends the connections the
 * server holds (keep-alive, a request held open, a client that never speaks), which would
 * otherwise keep it open.
 */
export function closable(server: Server): { close(): Promise<void> } {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
