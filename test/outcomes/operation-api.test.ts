import { status } from '@grpc/grpc-js';
import { ApiError } from '@yandex-cloud/nodejs-sdk/dist/errors';
import { clientFactory } from '@yandex-cloud/nodejs-sdk/dist/utils/client-factory';
import { OperationServiceService } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { ChannelCredentials, createChannel, Metadata } from 'nice-grpc';
import { beforeEach, describe, expect, it } from 'vitest';
import { cancelOperation } from '../../src/act/cancel-operation';
import { classifyStatus } from '../../src/act/classify';
import { statusOf } from '../../src/cloud/grpc-status';
import { CallError } from '../../src/errors';
import { EXPECTED_OUTCOMES, SCENARIO_IDS, scenarioOperations } from '../support/fixtures';
import { clientOnEmulator } from '../support/in-process';
import { fixedToken, pipelineDeps } from '../support/pipeline-deps';

const TOKEN = 't1.operation-api-test-token';
const emulator = clientOnEmulator({ callTimeoutMs: 400, retryAttempts: 2 });
beforeEach(() => {
  emulator.server.set(...scenarioOperations());
  emulator.server.reset();
});

const failureOf = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallError);
  return error as CallError;
};

describe('a failed call', () => {
  it('sent trailers-only keeps its status code', async () => {
    const error = await failureOf(emulator.api.get('opdenied', TOKEN));
    expect(statusOf(error.cause)).toBe(status.PERMISSION_DENIED);
    expect(error.ids.apiRequestId).toBe(emulator.server.callsFor('opdenied')[0]?.requestId);
  });

  it('sent after response headers still classifies, with the request id from the headers', async () => {
    const error = await failureOf(emulator.api.get('opheadersnf', TOKEN));
    expect(classifyStatus(statusOf(error.cause)).outcome).toBe('not_found');
    expect(error.ids.apiRequestId).toBe(emulator.server.callsFor('opheadersnf')[0]?.requestId);
  });

  it("through the SDK's own client factory becomes its ApiError, with no code, and still classifies", async () => {
    // The function does not use the factory, but a future change might: the classifier must not care.
    const channel = createChannel(emulator.server.address, ChannelCredentials.createSsl());
    const sdkClient = clientFactory.create(OperationServiceService, channel);
    const error = await sdkClient
      .get(
        { operationId: 'opheadersnf' },
        { metadata: Metadata({ authorization: `Bearer ${TOKEN}` }) },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    channel.close();
    expect(error).toBeInstanceOf(ApiError);
    expect((error as { code?: unknown }).code).toBeUndefined();
    expect(classifyStatus(statusOf(error)).outcome).toBe('not_found');
  });

  it('keeps the request id of an error sent in trailers', async () => {
    const error = await failureOf(emulator.api.get('opmissing', TOKEN));
    expect(error.ids.apiRequestId).toBe(emulator.server.callsFor('opmissing')[0]?.requestId);
  });
});

// go-sdk `pkg/requestid`: the client sends x-request-id and x-client-trace-id on every call; the
// nodejs-sdk's ApiError reads x-request-id and x-server-trace-id for a support ticket (audit 6.7).
describe('request ids', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it("are sent on every attempt, one trace for the call's attempts and a new request id each", async () => {
    const result = await emulator.api.get('opflaky', TOKEN);
    const [first, second] = emulator.server.callsFor('opflaky');
    expect(first?.clientTraceId).toMatch(UUID);
    expect(second?.clientTraceId).toBe(first?.clientTraceId);
    expect(first?.clientRequestId).toMatch(UUID);
    expect(second?.clientRequestId).toMatch(UUID);
    expect(second?.clientRequestId).not.toBe(first?.clientRequestId);
    // The answer names the attempt that answered, by both sides' ids.
    expect(result.ids).toEqual({
      clientTraceId: first?.clientTraceId,
      clientRequestId: second?.clientRequestId,
      apiRequestId: second?.requestId,
      serverTraceId: second?.serverTraceId,
    });
  });

  it('are new for each call', async () => {
    await emulator.api.get('opcancels', TOKEN);
    await emulator.api.get('opcancels', TOKEN);
    const [a, b] = emulator.server.callsFor('opcancels');
    expect(a?.clientTraceId).not.toBe(b?.clientTraceId);
  });

  it("travel on a failure too, the server's read from its trailers", async () => {
    const error = await failureOf(emulator.api.get('opmissing', TOKEN));
    const [call] = emulator.server.callsFor('opmissing');
    expect(error.ids).toEqual({
      clientTraceId: call?.clientTraceId,
      clientRequestId: call?.clientRequestId,
      apiRequestId: call?.requestId,
      serverTraceId: call?.serverTraceId,
    });
  });
});

describe('retries and deadlines', () => {
  it('retries a transient error and counts the attempts', async () => {
    const result = await emulator.api.get('opflaky', TOKEN);
    expect(result.attempts).toBe(2);
    expect(emulator.server.callsFor('opflaky')).toHaveLength(2);
  });

  it('gives up after the configured retries', async () => {
    const error = await failureOf(emulator.api.cancel('opdown', TOKEN));
    expect(error.attempts).toBe(3);
    expect(emulator.server.callsFor('opdown')).toHaveLength(3);
  });

  it('does not retry what a retry cannot mend', async () => {
    await failureOf(emulator.api.get('opdenied', TOKEN));
    expect(emulator.server.callsFor('opdenied')).toHaveLength(1);
  });

  it('cuts each slow attempt at its deadline, and retries DEADLINE_EXCEEDED', async () => {
    const error = await failureOf(emulator.api.get('opslow', TOKEN));
    expect(statusOf(error.cause)).toBe(status.DEADLINE_EXCEEDED);
    expect(error.attempts).toBe(3);
    expect(emulator.server.callsFor('opslow')).toHaveLength(3);
  });
});

describe('every scenario through the pipeline over the wire', () => {
  it.each(SCENARIO_IDS)('%s', async (id) => {
    const result = await cancelOperation(
      { named: { valid: true, id }, dryRun: false, minAgeSeconds: 0 },
      pipelineDeps(emulator.api, { token: fixedToken(TOKEN) }),
    );
    expect(result.outcome).toBe(EXPECTED_OUTCOMES[id]);
    for (const call of emulator.server.callsFor(id))
      expect(call.authorization).toBe(`Bearer ${TOKEN}`);
  });
});
