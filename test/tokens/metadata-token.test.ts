import type { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { fetchMetadataToken } from '../../src/cloud/metadata-token';
import { NoTokenError } from '../../src/errors';
import { closedAfterEach } from '../support/cleanup';
import { startMetadataServer } from '../support/metadata-server';
import { startSilentServer } from '../support/silent-server';

const TOKEN = 't1.metadata-secret-value';
const track = closedAfterEach();
/** A metadata service for one test, closed after it. */
const metadataServer = async (init?: Parameters<typeof startMetadataServer>[0]) =>
  track(await startMetadataServer(init));
/** A service that never answers, for one test, closed after it. */
const silentServer = async (onConnection?: Parameters<typeof startSilentServer>[0]) =>
  track(await startSilentServer(onConnection));

const QUICK = { attempts: 3, firstDelayMs: 10, timeoutMs: 200 };

const refusal = async (url: string) => {
  const error = await fetchMetadataToken(url, { retry: QUICK }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NoTokenError);
  const message = (error as Error).message;
  expect(message).toMatch(/attach a service account/);
  expect(message).not.toContain(TOKEN);
  return message;
};

describe('the metadata token', () => {
  it('is fetched with Metadata-Flavor: Google', async () => {
    const metadata = await metadataServer({ token: TOKEN, expiresIn: 1234 });
    await expect(fetchMetadataToken(metadata.url, { retry: QUICK })).resolves.toEqual({
      accessToken: TOKEN,
      expiresInSeconds: 1234,
    });
    expect(metadata.requests[0]?.headers['metadata-flavor']).toBe('Google');
  });

  it('says the endpoint may be disabled when it answers 404', async () => {
    const metadata = await metadataServer();
    metadata.respond({ status: 404 });
    expect(await refusal(metadata.url)).toMatch(/404 \(is the metadata endpoint disabled/);
  });

  it('names the status of another failure', async () => {
    const metadata = await metadataServer();
    metadata.respond({ status: 503 });
    expect(await refusal(metadata.url)).toMatch(/answered HTTP 503/);
  });

  it.each([
    ['not JSON', `token=${TOKEN}`],
    ['no access_token', JSON.stringify({ expires_in: 10 })],
    ['no expires_in', JSON.stringify({ access_token: TOKEN })],
  ])('refuses an answer with %s, without quoting it', async (_name, body) => {
    const metadata = await metadataServer();
    metadata.respond({ body });
    expect(await refusal(metadata.url)).toMatch(/without a usable access_token/);
  });

  it('says when the service cannot be reached', async () => {
    // Not tracked: it is closed here, before the request.
    const metadata = await startMetadataServer();
    const { url } = metadata;
    await metadata.close();
    expect(await refusal(url)).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });

  it('gives up on a service that never answers', async () => {
    const silent = await silentServer();
    expect(await refusal(`http://${silent.address}/token`)).toMatch(/no answer in 200 ms/);
    expect(silent.accepted()).toBe(3);
  });

  it('gives up on a service that trickles its answer, however busy the connection', async () => {
    const trickling = await silentServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{');
      const drip = setInterval(() => socket.write(' '), 20);
      socket.on('close', () => clearInterval(drip));
    });
    const began = Date.now();
    expect(await refusal(`http://${trickling.address}/token`)).toMatch(/no answer in 200 ms/);
    expect(trickling.accepted()).toBe(3);
    expect(Date.now() - began).toBeLessThan(2000);
  });

  it('stops at its signal: the request in flight is closed, and no retry is made', async () => {
    const closed: Socket[] = [];
    const silent = await silentServer((socket) => {
      // Read, or the end of the client's side would go unseen.
      socket.resume();
      socket.on('close', () => closed.push(socket));
    });
    const retry = { attempts: 3, firstDelayMs: 10, timeoutMs: 10_000 };
    const error = await fetchMetadataToken(`http://${silent.address}/token`, {
      retry,
      signal: AbortSignal.timeout(100),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoTokenError);
    await vi.waitFor(() => expect(closed).toHaveLength(1));
    expect(silent.accepted()).toBe(1);
  });

  it('retries a 5xx and succeeds when the service recovers', async () => {
    const metadata = await metadataServer({ token: TOKEN });
    metadata.respond({ status: 503, times: 1 });
    await expect(fetchMetadataToken(metadata.url, { retry: QUICK })).resolves.toMatchObject({
      accessToken: TOKEN,
    });
    expect(metadata.requests).toHaveLength(2);
  });

  it('gives up on a 5xx after the bounded attempts', async () => {
    const metadata = await metadataServer();
    metadata.respond({ status: 500 });
    expect(await refusal(metadata.url)).toMatch(/answered HTTP 500/);
    expect(metadata.requests).toHaveLength(3);
  });

  it('does not retry a 404: the endpoint is off, and stays off', async () => {
    const metadata = await metadataServer();
    metadata.respond({ status: 404 });
    await refusal(metadata.url);
    expect(metadata.requests).toHaveLength(1);
  });
});
