import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors';
import type { CancelRequest } from '../../src/model';
import { withinPolicy } from '../../src/request/policy';
import { parseSweep } from '../../src/request/sweep';
import { handOffEvent } from '../../src/sweep/fan-out';

const sweep = (learn: unknown) => parseSweep({ folderId: 'b1gfolder', learn });

describe('a sweep request asking to learn', () => {
  it('takes every field, and defaults the ones left out', () => {
    expect(sweep({ factor: 2.5, floor: '5m', minSamples: 10 }).learn).toEqual({
      factor: 2.5,
      floorSeconds: 300,
      minSamples: 10,
    });
    expect(sweep({}).learn).toEqual({ factor: 3, floorSeconds: 600, minSamples: 5 });
  });

  it('learns nothing when it does not ask', () => {
    expect(parseSweep({ folderId: 'b1gfolder' })).not.toHaveProperty('learn');
  });

  it.each([
    ['not an object', 'yes', /sweep\.learn is a string; expected an object/],
    ['an array', [3], /sweep\.learn is an array; expected an object/],
    ['null', null, /sweep\.learn is null; expected an object/],
    ['an unknown field', { factor: 3, facter: 3 }, /unknown sweep\.learn field\(s\) "facter"/],
    ['a factor of 1', { factor: 1 }, /sweep\.learn\.factor is a number; expected a number over 1/],
    ['a factor under 1', { factor: 0.5 }, /sweep\.learn\.factor .*expected a number over 1/],
    ['a factor past 100', { factor: 101 }, /at most 100/],
    ['a factor that is text', { factor: '3' }, /sweep\.learn\.factor is "3"/],
    ['a factor that is NaN', { factor: Number.NaN }, /sweep\.learn\.factor/],
    ['a factor that is infinite', { factor: Number.POSITIVE_INFINITY }, /sweep\.learn\.factor/],
    [
      'a floor that is no duration',
      { floor: '10' },
      /sweep\.learn\.floor is "10"; expected a duration/,
    ],
    ['a floor under a minute', { floor: '30s' }, /sweep\.learn\.floor .*from 1m to 30d/],
    ['a floor that is a number', { floor: 600 }, /sweep\.learn\.floor is a number/],
    ['minSamples of 0', { minSamples: 0 }, /sweep\.learn\.minSamples .*from 1 to 1000/],
    ['minSamples not whole', { minSamples: 2.5 }, /sweep\.learn\.minSamples/],
    ['minSamples past 1000', { minSamples: 1001 }, /sweep\.learn\.minSamples .*from 1 to 1000/],
    ['minSamples as text', { minSamples: '5' }, /sweep\.learn\.minSamples is "5"/],
  ])('refuses %s by name', (_, learn, message) => {
    expect(() => sweep(learn)).toThrow(RequestError);
    expect(() => sweep(learn)).toThrow(message);
  });

  it('makes a hostile key printable in its refusal', () => {
    expect(() => sweep({ '\u001b[31mx': 1 })).toThrow(/unknown sweep\.learn field\(s\) "\?\[31mx"/);
  });

  it("has its floor raised to the deployment's MIN_OLDER_THAN, as olderThan is", () => {
    const request: CancelRequest = {
      kind: 'sweep',
      dryRun: false,
      minAgeSeconds: 0,
      sweep: sweep({ floor: '5m' }),
    };
    const held = withinPolicy(request, { minOlderThanSeconds: 900, allowOldest: false });
    expect(held.kind === 'sweep' && held.sweep.learn).toEqual({
      factor: 3,
      floorSeconds: 900,
      minSamples: 5,
    });
    const above = withinPolicy(request, { minOlderThanSeconds: 60, allowOldest: false });
    expect(above.kind === 'sweep' && above.sweep.learn?.floorSeconds).toBe(300);
  });

  it('is handed on to each folder a fan-out hands on, and only when asked', () => {
    const spec = parseSweep({
      cloudId: 'b1gcloud',
      olderThan: '1h',
      learn: { factor: 4, floor: '7m', minSamples: 8 },
    });
    const folder = { ...spec, cloudId: undefined, folderId: 'b1gfolder' };
    const event = handOffEvent(folder, { dryRun: false, minAgeSeconds: 0 }, 'sweep1', 3) as {
      sweepHandOff: { request: { sweep: unknown } };
    };
    expect(parseSweep(event.sweepHandOff.request.sweep).learn).toEqual(spec.learn);

    const { learn: _, ...fixed } = folder;
    const plain = handOffEvent(fixed, { dryRun: false, minAgeSeconds: 0 }, 'sweep1', 3) as {
      sweepHandOff: { request: { sweep: object } };
    };
    expect(plain.sweepHandOff.request.sweep).not.toHaveProperty('learn');
  });
});
