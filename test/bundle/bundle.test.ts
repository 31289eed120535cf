import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudApiServer,
  type FakeOperation,
  startCloudApiServer,
} from '../../emulator/cloud-api-server';
import type { Invocation } from '../../emulator/runtime';
import { requireBuilt, startBuiltFunction, withToken } from '../support/built-function';
import { httpEvent, QUEUE_ID, queueEvent, TRIGGER_ID, timerEvent } from '../support/events';
import { EXPECTED_OUTCOMES, FAST_ENV, SCENARIO_IDS, scenarioOperations } from '../support/fixtures';
import { type MetadataServer, startMetadataServer } from '../support/metadata-server';
import type { RecordedRuntime } from '../support/runtime';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { testPki } from '../support/test-pki';

// The suite proves what ships: the esbuild bundle, loaded in its own process as the runtime loads it.

const CONTEXT_TOKEN = 't1.context-secret-9f27c1d04e';
const METADATA_TOKEN = 't1.metadata-secret-5b83ea6f12';
const WITH_TOKEN = withToken(CONTEXT_TOKEN, 3600);

const INVALID_ID = 'Not-An-Id';
const CREATED_AT = '2026-11-27T10:00:00.000Z';
const CREATED_BY = 'ajetestuser';

/** The scenarios whose Get never answers with the operation, so no description can be logged. */
const GET_FAILS = new Set(['opmissing', 'opdenied', 'opheadersnf', 'opslow']);
/** The scenarios whose Get says there is nothing to cancel, so Cancel must never be sent. */
const NO_CANCEL = ['opdone', 'opdenied', 'opmissing', 'opheadersnf'];

const LEVELS: Record<string, string> = {
  cancelled: 'INFO',
  cancelling: 'INFO',
  already_done: 'INFO',
  skipped: 'INFO',
  not_found: 'WARN',
  not_cancellable: 'WARN',
  invalid: 'WARN',
  denied: 'ERROR',
  failed: 'ERROR',
};

type Env = Record<string, string | undefined>;
type Line = Record<string, unknown>;

interface Result {
  operationId: string;
  outcome: string;
  reason?: string;
  retryable?: boolean;
  attempts: number;
  apiRequestId?: string;
  serverTraceId?: string;
  clientRequestId?: string;
  clientTraceId?: string;
}

interface Report {
  results: Result[];
  summary: {
    operations: number;
    outcomes: Record<string, number>;
    rejectedRequests: number;
    durationMs: number;
  };
}

interface HttpReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

interface Stack {
  readonly server: CloudApiServer;
  readonly proxy: TcpProxy;
  readonly metadata: MetadataServer;
  readonly runtime: RecordedRuntime;
  /** Another cold instance against the same servers, closed with the stack. */
  startInstance(env?: Env): Promise<RecordedRuntime>;
}

beforeAll(requireBuilt);

/**
 * One gRPC server (behind a counting proxy), one metadata server and one function instance,
 * shared by a describe block: starting a process per test would dominate the run time.
 */
function useStack(options: { operations?: FakeOperation[]; env?: Env } = {}): () => Stack {
  let stack: Stack | undefined;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const pki = testPki();
    const server = await startCloudApiServer({ pki, operations: options.operations ?? [] });
    closers.push(() => server.close());
    const proxy = await startTcpProxy(server.address);
    closers.push(() => proxy.close());
    const metadata = await startMetadataServer({ token: METADATA_TOKEN });
    closers.push(() => metadata.close());
    const startInstance = async (env: Env = {}) => {
      const runtime = await startBuiltFunction({
        server: proxy,
        env: { YC_METADATA_TOKEN_URL: metadata.url, ...FAST_ENV, ...env },
      });
      closers.push(() => runtime.close());
      return runtime;
    };
    const runtime = await startInstance(options.env);
    stack = { server, proxy, metadata, runtime, startInstance };
  });

  beforeEach(() => {
    // Operation state carries over between tests (hence unique ids); recorded calls do not.
    stack?.server.reset();
  });

  afterAll(async () => {
    // Instances go before the servers they call, so none is left retrying against a closed port.
    for (const close of closers.splice(0).reverse()) await close();
  });

  return () => {
    if (!stack) throw new Error('the test stack did not start');
    return stack;
  };
}

/** Fresh running operations that a Cancel cancels; ids are unique so tests do not share state. */
function cancellable(...ids: string[]): FakeOperation[] {
  return ids.map((id) => ({ id, cancel: 'cancels' }));
}

function idsBody(...ids: string[]): string {
  return JSON.stringify({ operationIds: ids });
}

function messageId(index: number): string {
  return `msg-${String(index).padStart(4, '0')}`;
}

function replyOf(invocation: Invocation): HttpReply {
  expect(invocation.ok, invocation.error?.message).toBe(true);
  return invocation.result as HttpReply;
}

function bodyOf<T = Report>(reply: HttpReply): T {
  return JSON.parse(reply.body) as T;
}

function reportOf(invocation: Invocation): Report {
  expect(invocation.ok, invocation.error?.message).toBe(true);
  return invocation.result as Report;
}

function outcomesOf(report: Report): Record<string, string> {
  return Object.fromEntries(report.results.map((r) => [r.operationId, r.outcome]));
}

function countOutcomes(outcomes: Record<string, string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of Object.values(outcomes)) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

/**
 * An invocation's lines once its last one is in: stdout and the reply travel on separate pipes,
 * so the reply may arrive before the lines do.
 */
async function linesOf(
  runtime: RecordedRuntime,
  requestId: string,
  lastMsg = 'invocation summary',
): Promise<Line[]> {
  await runtime.waitForLine((l) => l.request_id === requestId && l.msg === lastMsg);
  // The first line of each says what the invocation may reach; the rest are what it did.
  const [first, ...rest] = runtime.linesFor(requestId);
  expect(first).toMatchObject({
    level: 'INFO',
    msg: 'invocation started',
    scope: 'any folder the service account can see',
  });
  return rest;
}

function operationLines(lines: Line[]): Line[] {
  return lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('operation '));
}

/**
 * A trigger's reply is its summary alone (the platform discards it, and results for a large batch
 * would pass the 3.5 MB cap): the outcomes are in the log lines.
 */
async function triggerOutcomes(
  runtime: RecordedRuntime,
  invocation: Invocation,
): Promise<{ summary: Report['summary']; outcomes: Record<string, string> }> {
  const reply = reportOf(invocation);
  expect(Object.keys(reply)).toEqual(['summary']);
  const lines = operationLines(await linesOf(runtime, invocation.requestId));
  const outcomes = Object.fromEntries(lines.map((l) => [String(l.operationId), String(l.outcome)]));
  return { summary: reply.summary, outcomes };
}

function cancelsOf(server: CloudApiServer): string[] {
  return server.calls.filter((c) => c.method === 'Cancel').map((c) => c.subject);
}

function expectWellFormedStdout(runtime: RecordedRuntime): void {
  expect(runtime.nonJsonLines()).toEqual([]);
  for (const line of runtime.lines) {
    expect(['INFO', 'WARN', 'ERROR']).toContain(line.level);
    expect(typeof line.msg).toBe('string');
  }
}

describe('HTTP invocations', () => {
  // LOG_LEVEL is what the SDK's own logger reads; at debug it must still write nothing to stdout.
  const stack = useStack({ operations: scenarioOperations(), env: { LOG_LEVEL: 'debug' } });

  it('gives every scenario its outcome, 503 for retryable failures, and one log line each', async () => {
    const { server, runtime } = stack();
    const named = [...SCENARIO_IDS, INVALID_ID, 'opcancels'];

    const invocation = await runtime.invoke(httpEvent(idsBody(...named)), WITH_TOKEN);

    const reply = replyOf(invocation);
    expect(reply.statusCode).toBe(503);
    expect(reply.headers['Retry-After']).toMatch(/^\d+$/);
    expect(reply.headers['Content-Type']).toBe('application/json');
    const report = bodyOf(reply);
    const expected = { ...EXPECTED_OUTCOMES, [INVALID_ID]: 'invalid' };
    expect(report.results).toHaveLength(SCENARIO_IDS.length + 1);
    expect(outcomesOf(report)).toEqual(expected);
    expect(report.summary).toMatchObject({
      operations: SCENARIO_IDS.length + 1,
      outcomes: countOutcomes(expected),
      rejectedRequests: 0,
    });
    for (const id of ['opdown', 'opslow']) {
      expect(report.results.find((r) => r.operationId === id)?.retryable).toBe(true);
    }

    expect(server.callsFor(INVALID_ID)).toEqual([]);
    expect(new Set(server.calls.map((c) => c.subject))).toEqual(new Set(SCENARIO_IDS));
    for (const id of NO_CANCEL) expect(cancelsOf(server)).not.toContain(id);
    for (const id of ['opcancels', 'opaccepts', 'opfinishes']) {
      expect(cancelsOf(server)).toContain(id);
    }
    // The context token until the API refuses it; then the invocation's one replacement, for every
    // call from then on (a call already on its way may still carry the old one).
    const refused = server.calls.findIndex(
      (c) => c.subject === 'opunauth' && c.method === 'Cancel',
    );
    server.calls.forEach((call, index) => {
      const allowed = index <= refused ? [CONTEXT_TOKEN] : [CONTEXT_TOKEN, METADATA_TOKEN];
      expect(allowed.map((t) => `Bearer ${t}`)).toContain(call.authorization);
    });
    // Refused as UNAUTHENTICATED, the context token is replaced once, from the metadata service.
    expect(server.callsFor('opunauth').map((c) => `${c.method} ${c.authorization}`)).toEqual([
      `Get Bearer ${CONTEXT_TOKEN}`,
      `Cancel Bearer ${CONTEXT_TOKEN}`,
      `Cancel Bearer ${METADATA_TOKEN}`,
    ]);

    const lines = await linesOf(runtime, invocation.requestId);
    const perOperation = operationLines(lines);
    expect(perOperation).toHaveLength(SCENARIO_IDS.length + 1);
    for (const [id, outcome] of Object.entries(expected)) {
      const line = perOperation.find((l) => l.operationId === id);
      expect(line, id).toMatchObject({
        level: LEVELS[outcome],
        msg: `operation ${outcome}`,
        operationId: id,
        outcome,
        source: 'http',
        request_id: invocation.requestId,
        durationMs: expect.any(Number),
        attempts: id === INVALID_ID ? 0 : expect.any(Number),
      });
      if (id === INVALID_ID) continue;
      expect(line?.attempts, id).toBeGreaterThanOrEqual(1);
      if (!GET_FAILS.has(id)) {
        expect(line, id).toMatchObject({
          description: `test ${id}`,
          createdAt: CREATED_AT,
          createdBy: CREATED_BY,
        });
      }
      // Ours, sent on every call (go-sdk `pkg/requestid`), so even opslow, whose server never
      // answers before the deadline, has ids for a support ticket.
      const calls = server.callsFor(id);
      const recorded = (
        field: 'clientTraceId' | 'clientRequestId' | 'requestId' | 'serverTraceId',
      ) => calls.map((c) => c[field]);
      expect(recorded('clientTraceId'), id).toContain(line?.clientTraceId);
      expect(recorded('clientRequestId'), id).toContain(line?.clientRequestId);
      if (id !== 'opslow') {
        expect(recorded('requestId'), id).toContain(line?.apiRequestId);
        expect(recorded('serverTraceId'), id).toContain(line?.serverTraceId);
      }
    }
    expect(perOperation.find((l) => l.operationId === 'opflaky')?.attempts).toBeGreaterThanOrEqual(
      3,
    );
    const summaries = lines.filter((l) => l.msg === 'invocation summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      source: 'http',
      operations: SCENARIO_IDS.length + 1,
      outcomes: countOutcomes(expected),
      rejectedRequests: 0,
    });
    expectWellFormedStdout(runtime);
  });

  it('decodes a base64 body', async () => {
    const { server, runtime } = stack();
    server.set(...cancellable('b64cancel'));
    const body = Buffer.from(idsBody('b64cancel')).toString('base64');

    const invocation = await runtime.invoke(httpEvent(body, { isBase64Encoded: true }), WITH_TOKEN);

    const reply = replyOf(invocation);
    expect(reply.statusCode).toBe(200);
    expect(outcomesOf(bodyOf(reply))).toEqual({ b64cancel: 'cancelled' });
    expect(cancelsOf(server)).toEqual(['b64cancel']);
    const lines = operationLines(await linesOf(runtime, invocation.requestId));
    expect(lines).toEqual([
      expect.objectContaining({ operationId: 'b64cancel', outcome: 'cancelled', source: 'http' }),
    ]);
  });

  it('accepts an API Gateway payload 1.0 event', async () => {
    const { server, runtime } = stack();
    server.set(...cancellable('gwcancel'));
    const event = {
      version: '1.0',
      resource: '/cancel',
      path: '/cancel',
      pathParameters: {},
      parameters: {},
      multiValueParameters: {},
      operationId: 'cancelOperations',
      ...httpEvent(idsBody('gwcancel')),
      requestContext: {
        ...httpEvent('').requestContext,
        apiGateway: { operationContext: {} },
      },
    };

    const invocation = await runtime.invoke(event, WITH_TOKEN);

    const reply = replyOf(invocation);
    expect(reply.statusCode).toBe(200);
    expect(outcomesOf(bodyOf(reply))).toEqual({ gwcancel: 'cancelled' });
    const lines = operationLines(await linesOf(runtime, invocation.requestId));
    expect(lines).toEqual([
      expect.objectContaining({ operationId: 'gwcancel', outcome: 'cancelled', source: 'http' }),
    ]);
  });

  describe('refusals', () => {
    it.each([
      {
        name: 'a GET gets 405 with Allow',
        event: () => httpEvent('', { httpMethod: 'GET' }),
        status: 405,
        headers: { Allow: 'POST' },
        message: /GET/,
      },
      {
        name: 'a body that is not a request gets 400 naming the field',
        event: () => httpEvent('{"nope":1}'),
        status: 400,
        headers: {},
        message: /"nope"/,
      },
      {
        name: 'more than MAX_OPERATIONS ids gets 413',
        event: () => httpEvent(idsBody(...Array.from({ length: 1001 }, (_, i) => `toomany${i}`))),
        status: 413,
        headers: {},
        message: /1001/,
      },
    ])('$name, with no API call', async ({ event, status, headers, message }) => {
      const { server, runtime } = stack();

      const invocation = await runtime.invoke(event(), WITH_TOKEN);

      const reply = replyOf(invocation);
      expect(reply.statusCode).toBe(status);
      expect(reply.headers).toMatchObject(headers);
      expect(bodyOf<{ error: { message: string } }>(reply).error.message).toMatch(message);
      expect(server.calls).toEqual([]);
      const lines = await linesOf(runtime, invocation.requestId, 'invocation refused');
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          source: 'http',
          error: expect.objectContaining({ message: expect.stringMatching(message) }),
        }),
      ]);
    });
  });

  describe('with HTTP_API_KEY set', () => {
    const API_KEY = 'k3y-for-the-canceller';
    let keyed: RecordedRuntime;

    beforeAll(async () => {
      keyed = await stack().startInstance({ HTTP_API_KEY: API_KEY });
    });

    it.each([
      ['no X-Api-Key', {}],
      ['a wrong X-Api-Key', { 'X-Api-Key': `${API_KEY}x` }],
    ])('refuses %s with 401 and no API call', async (_name, extraHeaders) => {
      const { server } = stack();
      const event = httpEvent(idsBody('opaccepts'));
      event.headers = { ...event.headers, ...extraHeaders };

      const invocation = await keyed.invoke(event, WITH_TOKEN);

      const reply = replyOf(invocation);
      expect(reply.statusCode).toBe(401);
      expect(bodyOf<{ error: { message: string } }>(reply).error.message).toMatch(/X-Api-Key/);
      expect(server.calls).toEqual([]);
      const lines = await linesOf(keyed, invocation.requestId, 'invocation refused');
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          error: expect.objectContaining({ name: 'UnauthorizedError' }),
        }),
      ]);
    });

    it('serves a request with the right key, in any header case', async () => {
      const { server } = stack();
      server.set(...cancellable('keycancel'));
      const event = httpEvent(idsBody('keycancel'));
      event.headers = { ...event.headers, 'x-api-key': API_KEY };

      const invocation = await keyed.invoke(event, WITH_TOKEN);

      const reply = replyOf(invocation);
      expect(reply.statusCode).toBe(200);
      expect(outcomesOf(bodyOf(reply))).toEqual({ keycancel: 'cancelled' });
      const lines = operationLines(await linesOf(keyed, invocation.requestId));
      expect(lines).toEqual([expect.objectContaining({ operationId: 'keycancel' })]);
    });
  });
});

describe('timer trigger invocations', () => {
  const stack = useStack({ operations: scenarioOperations() });

  it('cancels what the payload names and logs the trigger id', async () => {
    const { server, runtime } = stack();
    server.set(...cancellable('tmcancel1', 'tmcancel2'));

    const invocation = await runtime.invoke(
      timerEvent('{"operationIds": ["tmcancel1", "tmcancel2"]}'),
      WITH_TOKEN,
    );

    const { outcomes } = await triggerOutcomes(runtime, invocation);
    expect(outcomes).toEqual({ tmcancel1: 'cancelled', tmcancel2: 'cancelled' });
    expect(cancelsOf(server).sort()).toEqual(['tmcancel1', 'tmcancel2']);
    const lines = await linesOf(runtime, invocation.requestId);
    const perOperation = operationLines(lines);
    expect(perOperation).toHaveLength(2);
    for (const line of perOperation) {
      expect(line).toMatchObject({
        level: 'INFO',
        msg: 'operation cancelled',
        source: 'timer',
        triggerId: TRIGGER_ID,
        request_id: invocation.requestId,
      });
    }
  });

  it('with no payload logs that nothing was named and calls nothing', async () => {
    const { server, runtime } = stack();

    const invocation = await runtime.invoke(timerEvent(), WITH_TOKEN);

    expect(await triggerOutcomes(runtime, invocation)).toMatchObject({
      summary: { operations: 0 },
      outcomes: {},
    });
    expect(server.calls).toEqual([]);
    const lines = await linesOf(runtime, invocation.requestId);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        msg: expect.stringMatching(/names no operations/),
        source: 'timer',
      }),
    );
    expect(operationLines(lines)).toEqual([]);
  });

  it('fails the invocation when an operation failed retryably, so the trigger retries', async () => {
    const { server, runtime } = stack();

    const invocation = await runtime.invoke(timerEvent('opdown'), WITH_TOKEN);

    expect(invocation.ok).toBe(false);
    expect(invocation.error?.message).toMatch(/opdown/);
    expect(server.callsFor('opdown').some((c) => c.method === 'Cancel')).toBe(true);
    const lines = await linesOf(runtime, invocation.requestId);
    expect(operationLines(lines)).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        outcome: 'failed',
        retryable: true,
        source: 'timer',
        triggerId: TRIGGER_ID,
      }),
    ]);
  });
});

describe('Message Queue trigger invocations', () => {
  const stack = useStack({ operations: scenarioOperations() });

  it('handles each message as its own request and drops a malformed one', async () => {
    const { server, runtime } = stack();
    server.set(...cancellable('qjson1', 'qtext1', 'qtext2'));

    const invocation = await runtime.invoke(
      queueEvent(['{"operationIds": ["qjson1"]}', 'qtext1 qtext2', '{"operationIds": 5}'], {
        messageId,
      }),
      WITH_TOKEN,
    );

    const { summary, outcomes } = await triggerOutcomes(runtime, invocation);
    expect(outcomes).toEqual({ qjson1: 'cancelled', qtext1: 'cancelled', qtext2: 'cancelled' });
    expect(summary).toMatchObject({ operations: 3, rejectedRequests: 1 });
    const lines = await linesOf(runtime, invocation.requestId);
    expect(lines.filter((l) => l.msg === 'request rejected')).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        source: 'queue',
        queueId: QUEUE_ID,
        messageId: messageId(2),
        error: expect.objectContaining({ message: expect.stringMatching(/operationIds/) }),
      }),
    ]);
    const messageOf = { qjson1: messageId(0), qtext1: messageId(1), qtext2: messageId(1) };
    const perOperation = operationLines(lines);
    expect(perOperation).toHaveLength(3);
    for (const [id, message] of Object.entries(messageOf)) {
      expect(perOperation.find((l) => l.operationId === id)).toMatchObject({
        outcome: 'cancelled',
        source: 'queue',
        queueId: QUEUE_ID,
        messageId: message,
        request_id: invocation.requestId,
      });
    }
  });

  it('throws when an operation ends failed, so the batch is delivered again', async () => {
    const { server, runtime } = stack();
    server.set(...cancellable('qfine'));

    const invocation = await runtime.invoke(
      queueEvent(['qfine', 'opdown'], { messageId }),
      WITH_TOKEN,
    );

    expect(invocation.ok).toBe(false);
    expect(invocation.error?.message).toMatch(/opdown/);
    expect(invocation.error?.message).not.toMatch(/qfine/);
    const lines = operationLines(await linesOf(runtime, invocation.requestId));
    expect(lines.find((l) => l.operationId === 'opdown')).toMatchObject({
      level: 'ERROR',
      outcome: 'failed',
      messageId: messageId(1),
    });
    expect(lines.find((l) => l.operationId === 'qfine')).toMatchObject({
      outcome: 'cancelled',
      messageId: messageId(0),
    });
  });

  it('cancels each operation of a 1000-message batch exactly once', async () => {
    const { server, runtime } = stack();
    const ids = Array.from({ length: 1000 }, (_, i) => `qbatch${i}`);
    server.set(...cancellable(...ids));

    const invocation = await runtime.invoke(queueEvent(ids, { messageId }), WITH_TOKEN);

    const report = reportOf(invocation);
    expect(report.summary).toMatchObject({ operations: 1000, outcomes: { cancelled: 1000 } });
    // Sorted arrays rather than sets: deep set equality is quadratic, and slow at this size.
    expect(cancelsOf(server).sort()).toEqual([...ids].sort());
    const lines = operationLines(await linesOf(runtime, invocation.requestId));
    expect(lines).toHaveLength(1000);
    const misattributed = lines.filter(
      (l) => l.messageId !== messageId(ids.indexOf(l.operationId as string)),
    );
    expect(misattributed).toEqual([]);
  });
});

// The forms a raw request takes (an array, text) are parsed in-process (requests/parsing,
// channels/adapters); here, only what the built function shows of the raw channel.
describe('raw invocations', () => {
  const stack = useStack({ operations: scenarioOperations() });

  it('with "dryRun": true reports running operations skipped and cancels nothing', async () => {
    const { server, runtime } = stack();
    server.set(...cancellable('rdry1', 'rdry2'));

    const invocation = await runtime.invoke(
      { operationIds: ['rdry1', 'rdry2', 'opdone'], dryRun: true },
      WITH_TOKEN,
    );

    const report = reportOf(invocation);
    expect(outcomesOf(report)).toEqual({
      rdry1: 'skipped',
      rdry2: 'skipped',
      opdone: 'already_done',
    });
    expect(report.results.filter((r) => r.outcome === 'skipped').map((r) => r.reason)).toEqual([
      'dry_run',
      'dry_run',
    ]);
    expect(cancelsOf(server)).toEqual([]);
    expect(server.calls.map((c) => c.subject).sort()).toEqual(['opdone', 'rdry1', 'rdry2']);
    const lines = operationLines(await linesOf(runtime, invocation.requestId));
    expect(lines.find((l) => l.operationId === 'rdry1')).toMatchObject({
      level: 'INFO',
      msg: 'operation skipped',
      reason: 'dry_run',
      source: 'raw',
    });
  });

  it('answers an event that is not a request with an error and no call', async () => {
    const { server, runtime } = stack();

    const invocation = await runtime.invoke(42, WITH_TOKEN);

    expect(invocation.ok).toBe(true);
    expect(invocation.result).toEqual({ error: { message: expect.stringMatching(/a number/) } });
    expect(server.calls).toEqual([]);
    const lines = await linesOf(runtime, invocation.requestId, 'invocation refused');
    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', source: 'raw' })]);
  });

  it('with DRY_RUN=true cancels nothing even when the request says "dryRun": false', async () => {
    const { server } = stack();
    server.set(...cancellable('renvdry'));
    const dry = await stack().startInstance({ DRY_RUN: 'true' });

    const invocation = await dry.invoke({ operationIds: ['renvdry'], dryRun: false }, WITH_TOKEN);

    expect(reportOf(invocation).results).toEqual([
      expect.objectContaining({ operationId: 'renvdry', outcome: 'skipped', reason: 'dry_run' }),
    ]);
    expect(cancelsOf(server)).toEqual([]);
    expect(server.callsFor('renvdry').map((c) => c.method)).toEqual(['Get']);
    const lines = operationLines(await linesOf(dry, invocation.requestId));
    expect(lines).toEqual([expect.objectContaining({ outcome: 'skipped', reason: 'dry_run' })]);
  });
});

describe('authentication', () => {
  const stack = useStack({ operations: scenarioOperations() });

  it('without a context token uses the metadata token, fetched once per instance', async () => {
    const { server, metadata } = stack();
    server.set(...cancellable('amd1', 'amd2', 'amd3'));
    const instance = await stack().startInstance();
    const before = metadata.requests.length;

    const first = await instance.invoke(['amd1', 'amd2']);
    const second = await instance.invoke(['amd3']);

    expect(outcomesOf(reportOf(first))).toEqual({ amd1: 'cancelled', amd2: 'cancelled' });
    expect(outcomesOf(reportOf(second))).toEqual({ amd3: 'cancelled' });
    expect(metadata.requests.length - before).toBe(1);
    expect(metadata.requests.at(-1)?.headers['metadata-flavor']).toBe('Google');
    expect(server.calls).toHaveLength(6);
    for (const call of server.calls) expect(call.authorization).toBe(`Bearer ${METADATA_TOKEN}`);
    const lines = operationLines(await linesOf(instance, second.requestId));
    expect(lines).toEqual([expect.objectContaining({ operationId: 'amd3', outcome: 'cancelled' })]);
  });

  describe('when the metadata service has no token', () => {
    let tokenless: RecordedRuntime;

    beforeAll(async () => {
      stack().metadata.respond({ status: 404 });
      tokenless = await stack().startInstance();
    });

    afterAll(() => {
      stack().metadata.respond({});
    });

    it('answers HTTP with 500 saying to attach a service account', async () => {
      const { server } = stack();

      const invocation = await tokenless.invoke(httpEvent(idsBody('opaccepts')));

      const reply = replyOf(invocation);
      expect(reply.statusCode).toBe(500);
      expect(bodyOf<{ error: { message: string } }>(reply).error.message).toMatch(
        /attach a service account/,
      );
      expect(server.calls).toEqual([]);
      const lines = await linesOf(tokenless, invocation.requestId, 'invocation refused');
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          error: expect.objectContaining({ name: 'NoTokenError' }),
        }),
      ]);
    });

    it('throws for a queue batch, so the queue keeps the request', async () => {
      const { server } = stack();

      const invocation = await tokenless.invoke(queueEvent(['opaccepts']));

      expect(invocation.ok).toBe(false);
      expect(invocation.error?.message).toMatch(/attach a service account/);
      expect(server.calls).toEqual([]);
      const lines = await linesOf(tokenless, invocation.requestId, 'invocation refused');
      expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', source: 'queue' })]);
    });
  });

  it('never writes a token to stdout, stderr or a reply', async () => {
    const { server } = stack();
    server.set(...cancellable('aleak1'));
    const instance = await stack().startInstance();
    // Denials and failures put API error text in replies and logs: the likeliest place to leak.
    const named = ['aleak1', 'opunauth', 'opdenied', 'opheadersden', 'opdown', INVALID_ID];
    const invocations = [
      await instance.invoke(httpEvent(idsBody(...named)), WITH_TOKEN),
      await instance.invoke(named, WITH_TOKEN),
      await instance.invoke(queueEvent([named.join(' ')])),
      await instance.invoke(httpEvent(idsBody(...named))),
    ];

    expect(server.calls.map((c) => c.authorization)).toContain(`Bearer ${CONTEXT_TOKEN}`);
    expect(server.calls.map((c) => c.authorization)).toContain(`Bearer ${METADATA_TOKEN}`);
    await Promise.all(invocations.map((inv) => linesOf(instance, inv.requestId)));
    const everything = [
      instance.rawStdout(),
      instance.stderr(),
      ...invocations.map((inv) => JSON.stringify(inv)),
    ].join('\n');
    expect(everything).toContain('opunauth');
    expect(everything).not.toContain(CONTEXT_TOKEN);
    expect(everything).not.toContain(METADATA_TOKEN);
  });
});

describe('a warm instance', () => {
  const ids = Array.from({ length: 3 + 16 }, (_, i) => [`wseq${i}a`, `wseq${i}b`, `wseq${i}c`]);
  const stack = useStack({ operations: cancellable(...ids.flat()) });

  it('reuses one connection across sequential and concurrent invocations', async () => {
    const { proxy, runtime, server } = stack();
    const [sequential, concurrent] = [ids.slice(0, 3), ids.slice(3)];

    const first = [];
    for (const named of sequential) first.push(await runtime.invoke(named, WITH_TOKEN));
    const second = await Promise.all(concurrent.map((named) => runtime.invoke(named, WITH_TOKEN)));

    for (const [index, invocation] of [...first, ...second].entries()) {
      const named = ids[index] ?? [];
      expect(outcomesOf(reportOf(invocation))).toEqual(
        Object.fromEntries(named.map((id) => [id, 'cancelled'])),
      );
      const lines = operationLines(await linesOf(runtime, invocation.requestId));
      expect(lines.map((l) => l.operationId).sort()).toEqual([...named].sort());
    }
    expect(cancelsOf(server)).toHaveLength(ids.flat().length);
    expect(proxy.connections()).toBe(1);
  });
});
