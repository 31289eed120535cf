import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors';
import { RESOURCE_KINDS, type SweepFilters } from '../../src/model';
import { parseSweep } from '../../src/request/sweep';
import { NO_FILTERS, parseFilters } from '../../src/request/sweep/filters';
import { handOffEvent } from '../../src/sweep/fan-out';
import { compileFilters, type Subject } from '../../src/sweep/filters';

const threshold = (olderThan: unknown) =>
  parseSweep({ folderId: 'b1gfolder', ...(olderThan !== undefined && { olderThan }) })
    .olderThanSeconds;

/**
 * docs/sweep.md's table of thresholds by kind, in seconds, written out: what a sweep with no
 * `olderThan` does is a contract, so a change in src/ must fail here.
 */
const DOCUMENTED_THRESHOLDS = {
  'compute.instance': 300,
  'compute.disk': 300,
  'compute.image': 300,
  'vpc.network': 300,
  'vpc.subnet': 300,
  'vpc.routeTable': 300,
  'vpc.securityGroup': 300,
  'compute.snapshot': 1200,
  'compute.instanceGroup': 1800,
  'k8s.cluster': 1800,
  'compute.reservedInstancePool': 1800,
  'cic.privateConnection': 1800,
  'cic.trunkConnection': 1800,
  'cloudrouter.routingInstance': 1800,
  'k8s.nodeGroup': 3600,
  'mdb.postgresql': 3600,
  'mdb.mysql': 3600,
  'mdb.redis': 3600,
  'mdb.kafka': 3600,
  'mdb.clickhouse': 5400,
  'mdb.mongodb': 7200,
} as const;

describe('thresholds by kind', () => {
  it("come from docs/sweep.md's table when a sweep gives none, for every kind", () => {
    expect(threshold(undefined)).toEqual(DOCUMENTED_THRESHOLDS);
    expect(Object.keys(DOCUMENTED_THRESHOLDS).sort()).toEqual([...RESOURCE_KINDS].sort());
  });

  it.each([
    ['one duration for every kind', '45m', 'compute.instance', 2700],
    ['one duration for every kind, a database too', '45m', 'mdb.postgresql', 2700],
    ['a kind of its own', { 'compute.instance': '10m' }, 'compute.instance', 600],
    [
      'the table for a kind the object leaves out',
      { 'compute.instance': '10m' },
      'mdb.mysql',
      3600,
    ],
    ['the default for a kind the object leaves out', { default: '2h' }, 'vpc.subnet', 7200],
    [
      'a kind of its own over the default',
      { default: '2h', 'vpc.subnet': '5m' },
      'vpc.subnet',
      300,
    ],
  ])('%s', (_case, olderThan, kind, seconds) => {
    expect(threshold(olderThan)[kind as (typeof RESOURCE_KINDS)[number]]).toBe(seconds);
  });

  it.each([
    [
      'an unknown kind',
      { 'compute.gpu': '1h' },
      /unknown sweep.olderThan field\(s\) "compute.gpu"/,
    ],
    [
      'a bad duration for a kind',
      { 'vpc.network': '5' },
      /sweep.olderThan\["vpc.network"\] is "5"/,
    ],
    ['a bad default', { default: 60 }, /sweep.olderThan.default is a number/],
    ['an array', ['30m'], /sweep.olderThan is an array; expected a duration/],
  ])('refuse %s, naming the field', (_case, olderThan, message) => {
    expect(() => threshold(olderThan)).toThrow(RequestError);
    expect(() => threshold(olderThan)).toThrow(message);
  });
});

describe('filters, as a request gives them', () => {
  it('read labels, creators and texts, each side optional', () => {
    expect(
      parseFilters({
        labels: { exclude: ['env=prod', 'keep'] },
        createdBy: { include: ['ajeterraform0001'] },
        description: { exclude: ['migration', { regex: '(?i)^restore' }] },
      }),
    ).toEqual({
      labels: { include: [], exclude: [{ key: 'env', value: 'prod' }, { key: 'keep' }] },
      createdBy: { include: ['ajeterraform0001'], exclude: [] },
      description: { include: [], exclude: [{ contains: 'migration' }, { regex: '(?i)^restore' }] },
    });
    expect(parseFilters(undefined)).toEqual(NO_FILTERS);
  });

  it.each([
    ['an unknown filter', { name: {} }, /unknown sweep.filters field\(s\) "name"/],
    [
      'an unknown side',
      { labels: { allow: ['a'] } },
      /unknown sweep.filters.labels field\(s\) "allow"/,
    ],
    [
      'a label that is not one',
      { labels: { include: ['Env'] } },
      /sweep.filters.labels.include\[0\] is "Env"/,
    ],
    [
      'a creator that is not an id',
      { createdBy: { exclude: ['a b'] } },
      /sweep.filters.createdBy.exclude\[0\] is "a b"/,
    ],
    [
      'empty text',
      { description: { include: [''] } },
      /sweep.filters.description.include\[0\] is ""; expected text of 1 to 256/,
    ],
    [
      'a pattern that is not text',
      { description: { include: [{ regex: 1 }] } },
      /include\[0\].regex is a number/,
    ],
    [
      'a pattern with flags beside it',
      { description: { include: [{ regex: 'a', flags: 'i' }] } },
      /unknown sweep.filters.description.include\[0\] field\(s\) "flags"/,
    ],
    [
      'too long a pattern',
      { description: { include: [{ regex: 'a'.repeat(257) }] } },
      /regex is "a{64}…"; expected text of 1 to 256/,
    ],
    [
      'too many entries',
      { createdBy: { include: Array(101).fill('aje1') } },
      /has 101 entries; at most 100/,
    ],
  ])('refuse %s, naming the field', (_case, filters, message) => {
    expect(() => parseFilters(filters)).toThrow(RequestError);
    expect(() => parseFilters(filters)).toThrow(message);
  });
});

const subject = (fields: Partial<Subject> = {}): Subject => ({
  createdBy: 'ajeoperator0001',
  description: 'Create instance',
  labels: { env: 'dev', team: 'infra' },
  ...fields,
});
const filters = (given: object): SweepFilters => parseFilters(given);

/** The compiled check of filters that compile. */
async function checkOf(given: SweepFilters) {
  const compiled = await compileFilters(given);
  if (compiled.kind === 'rejected') throw new Error(compiled.message);
  return compiled.check;
}

describe('what the filters leave out', () => {
  it.each([
    ['nothing, with no filters', {}, subject(), undefined],
    [
      'a resource with an excluded label',
      { labels: { exclude: ['env=dev'] } },
      subject(),
      'labels',
    ],
    [
      'a resource with an excluded key, any value',
      { labels: { exclude: ['team'] } },
      subject(),
      'labels',
    ],
    ['not one whose value differs', { labels: { exclude: ['env=prod'] } }, subject(), undefined],
    [
      'a resource without an included label',
      { labels: { include: ['team=db'] } },
      subject(),
      'labels',
    ],
    [
      'not one with an included label',
      { labels: { include: ['team=db', 'team=infra'] } },
      subject(),
      undefined,
    ],
    [
      'a resource whose labels are unknown',
      { labels: { exclude: ['env=prod'] } },
      subject({ labels: undefined }),
      'labels',
    ],
    [
      'an unknown one with no label filter',
      { createdBy: { exclude: ['ajeother0001'] } },
      subject({ labels: undefined }),
      undefined,
    ],
    [
      'an excluded creator',
      { createdBy: { exclude: ['ajeoperator0001'] } },
      subject(),
      'createdBy',
    ],
    [
      'a creator not included',
      { createdBy: { include: ['ajeterraform0001'] } },
      subject(),
      'createdBy',
    ],
    [
      'an excluded text, any case',
      { description: { exclude: ['create INSTANCE'] } },
      subject(),
      'description',
    ],
    [
      'an excluded pattern',
      { description: { exclude: [{ regex: '^Create\\b' }] } },
      subject(),
      'description',
    ],
    [
      'not a pattern that does not match',
      { description: { exclude: [{ regex: '^create' }] } },
      subject(),
      undefined,
    ],
    [
      'a case-blind pattern',
      { description: { exclude: [{ regex: '(?i)^create' }] } },
      subject(),
      'description',
    ],
    [
      'a description matching no included text',
      { description: { include: ['migration'] } },
      subject(),
      'description',
    ],
    [
      'by the first filter that leaves it out',
      { labels: { exclude: ['env'] }, createdBy: { exclude: ['ajeoperator0001'] } },
      subject(),
      'labels',
    ],
    [
      'exclude over include',
      { labels: { include: ['env'], exclude: ['env=dev'] } },
      subject(),
      'labels',
    ],
  ])('%s', async (_case, given, operation, filteredBy) => {
    expect((await checkOf(filters(given)))(operation)).toBe(filteredBy);
  });

  it('refuses a pattern RE2 cannot read, naming it, as data', async () => {
    for (const regex of ['(', '(?<=a)b', '\\1', 'a{2,1}']) {
      const compiled = await compileFilters(filters({ description: { include: [{ regex }] } }));
      expect(compiled).toEqual({
        kind: 'rejected',
        message: expect.stringMatching(
          /^sweep.filters.description.include\[0\].regex ".*" is not an RE2 pattern: /,
        ),
      });
    }
  });

  it('matches a pattern that would backtrack for ever in linear time', async () => {
    // JavaScript's own engine takes exponential time on this (a description is at most 256
    // characters, and 30 would do); RE2 answers at once.
    const check = await checkOf(filters({ description: { exclude: [{ regex: '(a+)+$' }] } }));
    expect(check(subject({ description: `${'a'.repeat(250)}!` }))).toBeUndefined();
  });
});

describe('a handed-on folder sweep', () => {
  it('carries the thresholds, filters and onExcess that make it the same sweep', () => {
    const spec = parseSweep({
      cloudId: 'b1gcloud',
      kinds: ['compute.instance', 'mdb.postgresql'],
      olderThan: { 'compute.instance': '10m' },
      notModifiedFor: '5m',
      filters: {
        labels: { exclude: ['env=prod'] },
        createdBy: { include: ['ajeterraform0001'] },
        description: { exclude: ['migration', { regex: 'restore' }] },
      },
      onExcess: 'oldest',
    });
    const folder = { ...spec, cloudId: undefined, folderId: 'b1gfolder' };
    const event = handOffEvent(folder, { dryRun: true, minAgeSeconds: 0 }, 'sweep1', 7) as {
      sweepHandOff: { request: { sweep: unknown }; maxCancels: number };
    };
    expect(event.sweepHandOff.maxCancels).toBe(7);
    const again = parseSweep(event.sweepHandOff.request.sweep);
    expect(again).toMatchObject({
      folderId: 'b1gfolder',
      kinds: spec.kinds,
      notModifiedForSeconds: 300,
      filters: spec.filters,
      onExcess: 'oldest',
    });
    for (const kind of spec.kinds) {
      expect(again.olderThanSeconds[kind]).toBe(spec.olderThanSeconds[kind]);
    }
  });
});
