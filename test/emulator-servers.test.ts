import fs from 'node:fs';
import { ApiError } from '@yandex-cloud/nodejs-sdk/dist/errors';
import { clientFactory } from '@yandex-cloud/nodejs-sdk/dist/utils/client-factory';
import { OperationServiceService } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import {
  type CallOptions,
  type Channel,
  ChannelCredentials,
  ClientError,
  createChannel,
  createClientFactory,
  Metadata,
  Status,
} from 'nice-grpc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OperationServer, startOperationServer } from '../emulator/operation-server';
import type { TestPkiFiles } from '../emulator/pki';
import { type MetadataServer, startMetadataServer } from './support/metadata-server';
import { testPki } from './support/test-pki';

const auth = { metadata: Metadata({ authorization: 'Bearer x' }) };

describe('test PKI from global setup', () => {
  it('is shared with workers through the environment', () => {
    const pki = testPki();
    expect(process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH).toBe(pki.caFile);
    expect(fs.readFileSync(pki.caFile, 'utf8')).toBe(pki.caCertPem);
    expect(pki.serverKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
  });
});

describe('operation server', () => {
  let pki: TestPkiFiles;
  let server: OperationServer;
  let channel: Channel;

  const niceClient = () => createClientFactory().create(OperationServiceService, channel);
  const sdkClient = () => clientFactory.create(OperationServiceService, channel);

  beforeAll(() => {
    pki = testPki();
  });

  const start = async (...operations: Parameters<OperationServer['set']>) => {
    server = await startOperationServer({ pki, operations });
    // No explicit roots: the test CA must be trusted via GRPC_DEFAULT_SSL_ROOTS_FILE_PATH.
    channel = createChannel(server.address, ChannelCredentials.createSsl());
  };

  afterEach(async () => {
    channel?.close();
    await server?.close();
  });

  it('serves a running operation over TLS and records the call', async () => {
    await start({ id: 'op1', description: 'resize disk', createdBy: 'sa1' });
    let requestId: string | undefined;
    const op = await niceClient().get(
      { operationId: 'op1' },
      { ...auth, onHeader: (header) => (requestId = header.get('x-request-id')) },
    );
    expect(op).toMatchObject({ id: 'op1', description: 'resize disk', done: false });
    expect(server.calls).toEqual([
      {
        method: 'Get',
        operationId: 'op1',
        authorization: 'Bearer x',
        requestId: expect.stringMatching(/^req-/),
        at: expect.any(Number),
      },
    ]);
    expect(requestId).toBe(server.calls[0]?.requestId);
  });

  it('cancels an operation so later Gets see it cancelled', async () => {
    await start({ id: 'op1' });
    const client = niceClient();
    const cancelled = await client.cancel({ operationId: 'op1' }, auth);
    expect(cancelled).toMatchObject({ done: true, error: { code: Status.CANCELLED } });
    expect(await client.get({ operationId: 'op1' }, auth)).toMatchObject({
      done: true,
      error: { code: Status.CANCELLED, message: 'operation cancelled' },
    });
    expect(server.callsFor('op1').map((call) => call.method)).toEqual(['Cancel', 'Get']);
  });

  it("supports 'accepts' and 'finishes' cancel outcomes", async () => {
    await start({ id: 'slow', cancel: 'accepts' }, { id: 'late', cancel: 'finishes' });
    const client = niceClient();
    expect(await client.cancel({ operationId: 'slow' }, auth)).toMatchObject({ done: false });
    expect(await client.get({ operationId: 'slow' }, auth)).toMatchObject({ done: false });
    const late = await client.cancel({ operationId: 'late' }, auth);
    expect(late.done).toBe(true);
    expect(late.error).toBeUndefined();
    expect(late.response).toBeDefined();
  });

  it("with 'slowly' accepts a Cancel and ends the operation cancelled some time later", async () => {
    await start({ id: 'slowly', cancel: 'slowly', cancelTakesMs: 150 });
    const client = niceClient();
    expect(await client.cancel({ operationId: 'slowly' }, auth)).toMatchObject({ done: false });
    expect(await client.get({ operationId: 'slowly' }, auth)).toMatchObject({ done: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await client.get({ operationId: 'slowly' }, auth)).toMatchObject({
      done: true,
      error: { code: Status.CANCELLED },
    });
  });

  it('answers NOT_FOUND with x-request-id in the trailers for unknown ids', async () => {
    await start();
    let trailerRequestId: string | undefined;
    const call = niceClient().get(
      { operationId: 'nope' },
      { ...auth, onTrailer: (trailer) => (trailerRequestId = trailer.get('x-request-id')) },
    );
    await expect(call).rejects.toSatisfy(
      (error) =>
        error instanceof ClientError &&
        error.code === Status.NOT_FOUND &&
        error.details === 'operation nope not found',
    );
    expect(trailerRequestId).toBe(server.calls[0]?.requestId);
  });

  it('fails only the first `times` calls', async () => {
    await start({ id: 'op1', get: { code: Status.UNAVAILABLE, times: 1 } });
    const client = niceClient();
    await expect(client.get({ operationId: 'op1' }, auth)).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
    });
    expect(await client.get({ operationId: 'op1' }, auth)).toMatchObject({ done: false });
    expect(server.callsFor('op1')).toHaveLength(2);
  });

  it('surfaces headersFirst faults as ApiError and plain faults as ClientError via the SDK', async () => {
    await start(
      { id: 'hf', get: { code: Status.UNAVAILABLE, headersFirst: true } },
      { id: 'plain', get: { code: Status.UNAVAILABLE, message: 'try later' } },
    );
    const client = sdkClient();
    const headersFirst = await client.get({ operationId: 'hf' }, auth).catch((e: unknown) => e);
    expect(headersFirst).toBeInstanceOf(ApiError);
    expect((headersFirst as ApiError).message).toContain('UNAVAILABLE');
    expect((headersFirst as ApiError).requestId).toBe(server.callsFor('hf')[0]?.requestId);

    const plain = await client.get({ operationId: 'plain' }, auth).catch((e: unknown) => e);
    expect(plain).not.toBeInstanceOf(ApiError);
    expect(plain).toBeInstanceOf(ClientError);
    expect(plain).toMatchObject({ code: Status.UNAVAILABLE, details: 'try later' });
  });

  it('delays answers and stops waiting when the client gives up', async () => {
    await start({ id: 'op1', delayMs: 10_000 });
    const startedAt = Date.now();
    const call = niceClient().get(
      { operationId: 'op1' },
      { ...auth, signal: AbortSignal.timeout(200) as CallOptions['signal'] },
    );
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(server.callsFor('op1')).toHaveLength(1);
  });

  it('can be restarted on the same port and forgets calls on reset', async () => {
    await start({ id: 'op1' });
    await niceClient().get({ operationId: 'op1' }, auth);
    server.reset();
    expect(server.calls).toEqual([]);
    const { address } = server;
    const port = Number(address.split(':')[1]);
    channel.close();
    await server.close();

    server = await startOperationServer({ pki, operations: [{ id: 'op2' }], port });
    channel = createChannel(server.address, ChannelCredentials.createSsl());
    expect(server.address).toBe(address);
    expect(await niceClient().get({ operationId: 'op2' }, auth)).toMatchObject({ id: 'op2' });
  });
});

describe('metadata server', () => {
  let metadata: MetadataServer;

  beforeAll(async () => {
    metadata = await startMetadataServer();
  });

  afterAll(async () => {
    await metadata.close();
  });

  it('issues a token only to requests with Metadata-Flavor: Google', async () => {
    const ok = await fetch(metadata.url, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      access_token: 't1.metadata-test-token',
      expires_in: 3600,
      token_type: 'Bearer',
    });
    expect((await fetch(metadata.url)).status).toBe(403);
    expect((await fetch(new URL('/other', metadata.url))).status).toBe(404);
    expect(metadata.requests.map((r) => r.headers['metadata-flavor'])).toEqual([
      'Google',
      undefined,
      undefined,
    ]);
  });

  it('changes its reply on respond()', async () => {
    metadata.respond({ status: 500, body: 'boom' });
    const failed = await fetch(metadata.url, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('boom');

    metadata.respond({ token: 't2', expiresIn: 60 });
    const ok = await fetch(metadata.url, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(await ok.json()).toMatchObject({ access_token: 't2', expires_in: 60 });
  });
});
