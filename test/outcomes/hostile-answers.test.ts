import { status } from '@grpc/grpc-js';
import { beforeEach, describe, expect, it } from 'vitest';
import { cancelOperation } from '../../src/act/cancel-operation';
import { Unreadable, unreadableAnswer } from '../../src/cloud/grpc-status';
import { CallError } from '../../src/errors';
import { cancelAnswering, createdAtSeconds, cutShort } from '../support/hostile-operations';
import { clientOnEmulator } from '../support/in-process';
import { fixedToken, pipelineDeps } from '../support/pipeline-deps';

// Answers a real API is not known to give, from the TLS emulator, read by the real grpc-js client:
// what the function must make of a server that is broken or hostile.
const TOKEN = 't1.hostile-answers-token';
const createdAt = new Date(Date.now() - 3_600_000);
// Past grpc-js's default receive limit of 4 MB.
const FIVE_MB = 'x'.repeat(5 * 1024 * 1024);
// No Date holds it: the SDK's Timestamp decoding throws, and ours gives an Invalid Date.
const SECONDS_2_62 = 2n ** 62n;

const emulator = clientOnEmulator({ callTimeoutMs: 2000, retryAttempts: 2 });
beforeEach(() => {
  emulator.server.set(
    { id: 'opotherid', createdAt, ...cancelAnswering({ id: 'opsomeoneelse' }) },
    {
      id: 'opfailedinternal',
      createdAt,
      done: true,
      error: { code: status.INTERNAL, message: 'the instance\nhost failed' },
    },
    { id: 'ophugeget', createdAt, description: FIVE_MB },
    { id: 'ophugecancel', createdAt, ...cancelAnswering({ description: FIVE_MB }) },
    { id: 'opbadtime', ...createdAtSeconds(SECONDS_2_62) },
    { id: 'opcutshort', createdAt, description: 'Create instance', ...cutShort },
  );
  emulator.server.reset();
});

const run = (id: string) =>
  cancelOperation(
    { named: { valid: true, id }, dryRun: false, minAgeSeconds: 0 },
    pipelineDeps(emulator.api, { token: fixedToken(TOKEN) }),
  );
const methodsCalled = (id: string) => emulator.server.callsFor(id).map((call) => call.method);

describe('an answer the client cannot read, from the wire', () => {
  const failureOf = (call: Promise<unknown>) =>
    call.then(
      () => expect.unreachable('the call succeeded'),
      (error: unknown) => {
        expect(error).toBeInstanceOf(CallError);
        return error as CallError;
      },
    );

  it('is told apart by its words when it is over the receive limit', async () => {
    const error = await failureOf(emulator.api.get('ophugeget', TOKEN));
    expect(unreadableAnswer(error.cause)).toBe(Unreadable.Oversize);
    expect(error.problem).toMatch(
      /^its answer is larger than the client accepts \(\d+ bytes, at most 4194304\) \(RESOURCE_EXHAUSTED\)$/,
    );
  });

  it('is told apart by its words when it does not parse', async () => {
    const error = await failureOf(emulator.api.get('opcutshort', TOKEN));
    expect(unreadableAnswer(error.cause)).toBe(Unreadable.Unparsable);
    expect(error.problem).toMatch(
      /^its answer could not be read: index out of range: \d+ \+ \d+ > \d+ \(INTERNAL\)$/,
    );
  });
});

describe('the pipeline against a hostile server', () => {
  it('fails, for good, an operation whose Cancel answers about another one', async () => {
    expect(await run('opotherid')).toMatchObject({
      outcome: 'failed',
      retryable: false,
      message:
        'OperationService.Cancel of opotherid was answered about another operation, "opsomeoneelse": whether opotherid is being cancelled is not known',
    });
    expect(methodsCalled('opotherid')).toEqual(['Get', 'Cancel']);
  });

  it('keeps the error of an operation done with INTERNAL, and sends no Cancel', async () => {
    expect(await run('opfailedinternal')).toMatchObject({
      outcome: 'already_done',
      code: 'INTERNAL',
      message: 'the instance?host failed',
    });
    expect(methodsCalled('opfailedinternal')).toEqual(['Get']);
  });

  it('fails, for good, an operation whose Get answer is over 4 MB, and sends no Cancel', async () => {
    expect(await run('ophugeget')).toMatchObject({
      outcome: 'failed',
      code: 'RESOURCE_EXHAUSTED',
      retryable: false,
      message: expect.stringContaining('its answer is larger than the client accepts'),
    });
    expect(methodsCalled('ophugeget')).not.toContain('Cancel');
  });

  it('makes invalid an operation whose createdAt is 2^62 seconds, and sends no Cancel', async () => {
    const result = await run('opbadtime');
    expect(result).toMatchObject({
      outcome: 'invalid',
      message:
        "the API's answer gives a creation time outside the years 1 to 9999, so nothing was done",
    });
    expect(result).not.toHaveProperty('retryable');
    expect(methodsCalled('opbadtime')).not.toContain('Cancel');
  });

  it('makes invalid an operation whose Get answer does not parse, and sends no Cancel', async () => {
    const result = await run('opcutshort');
    expect(result).toMatchObject({
      outcome: 'invalid',
      code: 'INTERNAL',
      message: expect.stringMatching(
        /^OperationService\.Get of opcutshort at \S+: its answer could not be read: index out of range/,
      ),
    });
    expect(result).not.toHaveProperty('retryable');
    expect(methodsCalled('opcutshort')).not.toContain('Cancel');
  });

  it('reports cancelled, as a Get after it shows, one whose Cancel answer was over 4 MB', async () => {
    expect(await run('ophugecancel')).toMatchObject({ outcome: 'cancelled' });
    expect(methodsCalled('ophugecancel').at(-1)).toBe('Get');
    expect(emulator.server.callsFor('ophugecancel').length).toBeGreaterThanOrEqual(3);
  });

  // The same answer would come again: each call is made once.
  it('sends each call that got an unreadable answer once', async () => {
    const results = await Promise.all(['ophugeget', 'opcutshort', 'ophugecancel'].map(run));
    expect(results.map((r) => r.attempts)).toEqual([1, 1, 3]);
    expect(methodsCalled('ophugeget')).toEqual(['Get']);
    expect(methodsCalled('opcutshort')).toEqual(['Get']);
    expect(methodsCalled('ophugecancel')).toEqual(['Get', 'Cancel', 'Get']);
  });
});
