import { createServer, type Socket } from 'node:net';
import { listen } from '../../emulator/listen';
import { closable } from './cleanup';

export interface SilentServer {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly port: number;
  /** The connections it accepted, closed ones included. */
  accepted(): number;
  /** Ends every connection it holds, and stops listening. */
  close(): Promise<void>;
}

/**
 * Accepts every connection and never says a word (no TLS, no HTTP, no answer): a service that
 * hangs. `onConnection` may make it say a little, or watch the client.
 */
export async function startSilentServer(
  onConnection: (socket: Socket) => void = () => {},
): Promise<SilentServer> {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    // A client that gives up resets the connection; that is no failure of the server's.
    socket.on('error', () => {});
    onConnection(socket);
  });
  const { close } = closable(server);
  const port = await listen(server);
  return { address: `127.0.0.1:${port}`, port, accepted: () => accepted, close };
}
