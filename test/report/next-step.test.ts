import { describe, expect, it } from 'vitest';
import {
  CANCELLABLE_KINDS,
  type OperationResult,
  type Origin,
  Outcome,
  RESOURCE_KINDS,
} from '../../src/model';
import { methodOf, NEXT_STEPS, nextStep, withNextStep } from '../../src/report/next-step';
import { httpEvent } from '../support/events';
import { fixedTokens, inProcessFunction, invokeQuietly } from '../support/in-process';
import { cancellingApi } from '../support/pipeline-deps';

// Issue 28, item 5: each cancelled, cancelling and stuck result says what state its resource is
// likely left in and what a person does next, from one table by kind and method.

const COMPUTE = 'yandex.cloud.compute.v1';
const result = (outcome: string, extra: Partial<OperationResult> = {}): OperationResult => ({
  operationId: 'fd8next',
  outcome: outcome as OperationResult['outcome'],
  attempts: 1,
  durationMs: 1,
  ...extra,
});
const HTTP: Origin = { source: 'http' };
const swept = (kind: string): Origin => ({ source: 'timer', resourceKind: kind, resourceId: 'r1' });

/** The three things a phrase may tell a person to do, as the issue names them. */
const ACTIONS = [/retry the create/, /check the resource/, /open a support ticket/];

describe('the next step', () => {
  it.each([
    // [case, outcome, result fields, origin, the phrase]
    [
      'a cancelled instance Create, by its metadata',
      'cancelled',
      { metadataType: `${COMPUTE}.CreateInstanceMetadata` },
      HTTP,
      NEXT_STEPS['*'].Create.cancelled,
    ],
    [
      'a cancelled Create told by its description alone',
      'cancelled',
      { description: 'Create disk' },
      swept('compute.disk'),
      NEXT_STEPS['*'].Create.cancelled,
    ],
    [
      'a Create still being cancelled',
      'cancelling',
      { metadataType: `${COMPUTE}.CreateImageMetadata` },
      HTTP,
      NEXT_STEPS['*'].Create.cancelling,
    ],
    [
      'a cancelled routing instance Delete',
      'cancelled',
      { metadataType: 'yandex.cloud.cloudrouter.v1.DeleteRoutingInstanceMetadata' },
      HTTP,
      NEXT_STEPS['*'].Delete.cancelled,
    ],
    [
      'a cancelled subnet AddCidrBlocks: any other method',
      'cancelled',
      { metadataType: 'yandex.cloud.vpc.v1.AddSubnetCidrBlocksMetadata' },
      swept('vpc.subnet'),
      NEXT_STEPS['*']['*'].cancelled,
    ],
    [
      'a cancelled operation with neither type nor description',
      'cancelled',
      {},
      HTTP,
      NEXT_STEPS['*']['*'].cancelled,
    ],
    [
      'a stuck instance Start the API cannot cancel',
      'stuck',
      { metadataType: `${COMPUTE}.StartInstanceMetadata`, resourceKind: 'compute.instance' },
      swept('compute.instance'),
      NEXT_STEPS['*']['*'].stuck,
    ],
    [
      'a stuck snapshot Create',
      'stuck',
      { description: 'Create snapshot', resourceKind: 'compute.snapshot' },
      swept('compute.snapshot'),
      NEXT_STEPS['compute.snapshot']['*'].stuck,
    ],
    [
      'a stuck instance group',
      'stuck',
      { resourceKind: 'compute.instanceGroup' },
      swept('compute.instanceGroup'),
      NEXT_STEPS['compute.instanceGroup']['*'].stuck,
    ],
    [
      'a stuck PostgreSQL cluster Update, by its service',
      'stuck',
      { metadataType: 'yandex.cloud.mdb.postgresql.v1.UpdateClusterMetadata' },
      swept('mdb.postgresql'),
      NEXT_STEPS.mdb['*'].stuck,
    ],
    [
      'a stuck node group',
      'stuck',
      { resourceKind: 'k8s.nodeGroup' },
      swept('k8s.nodeGroup'),
      NEXT_STEPS.k8s['*'].stuck,
    ],
  ] as const)('for %s', (_case, outcome, fields, origin, phrase) => {
    expect(nextStep(result(outcome, fields), origin)).toBe(phrase);
  });

  it.each([
    Outcome.AlreadyDone,
    Outcome.NotFound,
    Outcome.NotCancellable,
    Outcome.Denied,
    Outcome.Invalid,
    Outcome.Skipped,
    Outcome.Failed,
  ])('is none for %s, which leaves nothing to do or says it in its message', (outcome) => {
    const done = result(outcome, { metadataType: `${COMPUTE}.CreateInstanceMetadata` });
    expect(nextStep(done, HTTP)).toBeUndefined();
    expect(withNextStep(done, HTTP)).toBe(done);
  });

  it('is on the result as `next`, the rest of it kept', () => {
    const cancelled = result('cancelled', { description: 'Create instance', code: 'X' });
    expect(withNextStep(cancelled, HTTP)).toEqual({
      ...cancelled,
      next: NEXT_STEPS['*'].Create.cancelled,
    });
  });

  it('has a short phrase, ending in one of the three actions, for every kind a sweep finds', () => {
    const methods = ['Create', 'Update', 'Delete', 'Move'];
    const outcomes = (kind: string) =>
      (CANCELLABLE_KINDS as readonly string[]).includes(kind)
        ? ['cancelled', 'cancelling', 'stuck']
        : ['stuck'];
    for (const kind of RESOURCE_KINDS) {
      for (const method of methods) {
        for (const outcome of outcomes(kind)) {
          const phrase = nextStep(result(outcome, { description: `${method} it` }), swept(kind));
          const where = `${kind} ${method} ${outcome}`;
          expect(phrase, where).toBeDefined();
          expect((phrase as string).length, where).toBeLessThanOrEqual(100);
          expect(
            ACTIONS.some((action) => action.test(phrase as string)),
            where,
          ).toBe(true);
        }
      }
    }
  });

  it('asks for a support ticket on every stuck operation, which no API call can end', () => {
    for (const kind of RESOURCE_KINDS) {
      expect(nextStep(result('stuck'), swept(kind)), kind).toMatch(/open a support ticket/);
    }
  });

  it.each([
    [{ metadataType: `${COMPUTE}.CreateInstanceMetadata` }, 'Create'],
    [{ metadataType: `${COMPUTE}.UpdateInstanceMetadataMetadata` }, 'Update'],
    [{ metadataType: 'yandex.cloud.vpc.v1.DeleteNetworkMetadata' }, 'Delete'],
    [{ metadataType: `${COMPUTE}.StartInstanceMetadata`, description: 'Create it' }, '*'],
    [{ description: 'create instance' }, 'Create'],
    [{ description: 'Restore disk' }, '*'],
    [{}, '*'],
  ])('tells the method of %o: %s', (fields, method) => {
    expect(methodOf(fields)).toBe(method);
  });
});

describe('the next step on the function', () => {
  it('is in the reply entry and the log line of a cancelled Create', async () => {
    const fn = inProcessFunction({}, { api: cancellingApi(), tokens: fixedTokens });
    const { reply, lines } = await invokeQuietly(
      fn,
      httpEvent(JSON.stringify({ operationIds: ['fd8created'] })),
    );

    const body = JSON.parse((reply as { body: string }).body);
    const phrase = NEXT_STEPS['*'].Create.cancelled;
    expect(body.results).toMatchObject([{ operationId: 'fd8created', outcome: 'cancelled' }]);
    expect(body.results[0].next).toBe(phrase);
    const line = lines.find((l) => l.msg === 'operation cancelled');
    expect(line).toMatchObject({ operationId: 'fd8created', next: phrase });
  });
});
