import http from 'node:http';
import { listen } from '../../emulator/listen';

export interface MetadataServer {
  url: string;
  requests: Array<{ path: string; headers: Record<string, string | string[] | undefined> }>;
  respond(r: {
    status?: number;
    token?: string;
    expiresIn?: number;
    body?: string;
    delayMs?: number;
    /** Only the next `times` requests get this reply; later ones get the initial defaults. */
    times?: number;
  }): void;
  close(): Promise<void>;
}

type Reply = Parameters<MetadataServer['respond']>[0];

const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';

export async function startMetadataServer(init?: {
  token?: string;
  expiresIn?: number;
}): Promise<MetadataServer> {
  const defaults = {
    token: init?.token ?? 't1.metadata-test-token',
    expiresIn: init?.expiresIn ?? 3600,
  };
  // Each respond() describes the whole reply on top of the initial defaults, not the last reply.
  let reply: Reply = {};
  const requests: MetadataServer['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    requests.push({ path, headers: { ...req.headers } });
    const { status = 200, token = defaults.token, expiresIn = defaults.expiresIn, body } = reply;
    const { delayMs = 0 } = reply;
    if (reply.times !== undefined && --reply.times <= 0) reply = {};

    const send = () => {
      if (path !== TOKEN_PATH) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      } else if (req.headers['metadata-flavor'] !== 'Google') {
        res
          .writeHead(403, { 'content-type': 'text/plain' })
          .end('Metadata-Flavor: Google required');
      } else {
        const payload =
          body ??
          JSON.stringify({ access_token: token, expires_in: expiresIn, token_type: 'Bearer' });
        res.writeHead(status, { 'content-type': 'application/json' }).end(payload);
      }
    };

    if (delayMs <= 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, delayMs);
    timers.add(timer);
  });

  const port = await listen(server);

  return {
    url: `http://127.0.0.1:${port}${TOKEN_PATH}`,
    requests,
    respond: (r) => {
      reply = { ...r };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive and delayed requests would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
