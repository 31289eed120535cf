import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/cloud/operation-api';
import { RequestError } from '../../src/errors';
import { RESOURCE_KINDS } from '../../src/model';
import { parseRequest } from '../../src/request/parse';
import { parseSweep } from '../../src/request/sweep';
import { NO_FILTERS } from '../../src/request/sweep/filters';
import { isStuck, oldestFirst } from '../../src/sweep/listing/stuck';
import { OPEN_POLICY } from '../support/policy';
import { sweepOf } from '../support/requests';

const now = Date.parse('2026-11-27T12:00:00Z');
const minutesAgo = (m: number) => new Date(now - m * 60_000);
const op = (fields: Partial<Operation>): Operation => ({
  id: 'op1',
  description: '',
  createdBy: '',
  done: false,
  ...fields,
});
const spec = { olderThanSeconds: 1800 };
/** The same threshold for every kind, as `olderThan: "30m"` gives. */
const everyKind = (seconds: number) =>
  Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, seconds]));

describe('what a sweep counts as stuck', () => {
  it.each([
    ['running for 31 minutes', op({ createdAt: minutesAgo(31) }), spec, true],
    ['running for exactly 30 minutes', op({ createdAt: minutesAgo(30) }), spec, true],
    ['running for 29 minutes', op({ createdAt: minutesAgo(29) }), spec, false],
    ['done long ago', op({ done: true, createdAt: minutesAgo(600) }), spec, false],
    ['of unknown age', op({}), spec, false],
    [
      'created before the year 1, as no Timestamp can say',
      op({ createdAt: new Date(-1e15) }),
      spec,
      false,
    ],
    [
      'old, and idle long enough',
      op({ createdAt: minutesAgo(120), modifiedAt: minutesAgo(45) }),
      { ...spec, notModifiedForSeconds: 1800 },
      true,
    ],
    [
      'old, but modified recently',
      op({ createdAt: minutesAgo(120), modifiedAt: minutesAgo(5) }),
      { ...spec, notModifiedForSeconds: 1800 },
      false,
    ],
    [
      'old, with no modification time',
      op({ createdAt: minutesAgo(120) }),
      { ...spec, notModifiedForSeconds: 1800 },
      false,
    ],
  ])('%s: %s', (_name, operation, sweep, stuck) => {
    expect(isStuck(operation, sweep, now)).toBe(stuck);
  });

  it('orders candidates oldest first, each once', () => {
    const resource = { kind: 'compute.disk' as const, id: 'd1' };
    const c = (operationId: string, m: number) => ({
      operationId,
      createdAt: minutesAgo(m),
      resource,
    });
    expect(
      oldestFirst([c('b', 40), c('a', 90), c('b', 40), c('c', 60)]).map((x) => x.operationId),
    ).toEqual(['a', 'c', 'b']);
  });
});

describe('the sweep request', () => {
  it('looks at every kind in a folder by default', () => {
    expect(parseSweep({ folderId: 'b1gfolder', olderThan: '30m' })).toEqual({
      folderId: 'b1gfolder',
      kinds: [...RESOURCE_KINDS],
      resources: [],
      olderThanSeconds: everyKind(1800),
      filters: NO_FILTERS,
      onExcess: 'refuse',
    });
  });

  it('takes kinds, resources and a modification guard', () => {
    expect(
      parseSweep({
        folderId: 'b1gfolder',
        kinds: ['compute.instance', 'compute.instance', 'vpc.subnet'],
        resources: [{ kind: 'compute.disk', id: 'fhmdisk1' }],
        olderThan: '2h',
        notModifiedFor: '90s',
      }),
    ).toEqual({
      folderId: 'b1gfolder',
      kinds: ['compute.instance', 'vpc.subnet'],
      resources: [{ kind: 'compute.disk', id: 'fhmdisk1' }],
      olderThanSeconds: everyKind(7200),
      notModifiedForSeconds: 90,
      filters: NO_FILTERS,
      onExcess: 'refuse',
    });
  });

  it('takes a cloud, or several folders, with exclusions by id and by label', () => {
    expect(
      parseSweep({
        cloudId: 'b1gcloud',
        exclude: { folderIds: ['b1gstaging'], labels: ['env=prod', 'keep'] },
        olderThan: '30m',
      }),
    ).toMatchObject({
      cloudId: 'b1gcloud',
      exclude: {
        folderIds: ['b1gstaging'],
        labels: [{ key: 'env', value: 'prod' }, { key: 'keep' }],
      },
      kinds: [...RESOURCE_KINDS],
    });
    expect(parseSweep({ folderIds: ['b1ga', 'b1gb', 'b1ga'], olderThan: '30m' })).toMatchObject({
      folderIds: ['b1ga', 'b1gb'],
    });
  });

  it('can name resources without a folder', () => {
    expect(
      parseSweep({ resources: [{ kind: 'vpc.network', id: 'enpnet1' }], olderThan: '1d' }),
    ).toMatchObject({
      kinds: [],
      olderThanSeconds: everyKind(86_400),
    });
  });

  it.each([
    [
      'no folder and no resources',
      { olderThan: '30m' },
      /needs a cloudId, folderIds or a folderId, or resources/,
    ],
    [
      'a cloud and a folder at once',
      { cloudId: 'b1gcloud', folderId: 'b1gfolder', olderThan: '30m' },
      /one of cloudId, folderIds and folderId, not cloudId and folderId/,
    ],
    ['an empty folder list', { folderIds: [], olderThan: '30m' }, /sweep.folderIds is empty/],
    [
      'an exclusion for one folder',
      { folderId: 'b1g', exclude: { folderIds: ['b1gx'] }, olderThan: '30m' },
      /sweep.exclude leaves folders out of a cloudId or folderIds sweep/,
    ],
    [
      'a label that is not one',
      { cloudId: 'b1gcloud', exclude: { labels: ['Env=Prod'] }, olderThan: '30m' },
      /sweep.exclude.labels\[0\] is "Env=Prod"; expected a label "key" or "key=value"/,
    ],
    [
      'a misspelt exclusion',
      { cloudId: 'b1gcloud', exclude: { folders: ['b1gx'] }, olderThan: '30m' },
      /unknown sweep.exclude field\(s\) "folders"/,
    ],
    ['an age under a minute', { folderId: 'b1g', olderThan: '59s' }, /from 1m to 30d/],
    ['an age over 30 days', { folderId: 'b1g', olderThan: '31d' }, /from 1m to 30d/],
    ['an age with no unit', { folderId: 'b1g', olderThan: '30' }, /expected a duration/],
    ['an age as a number', { folderId: 'b1g', olderThan: 1800 }, /is a number/],
    [
      'an unknown kind',
      { folderId: 'b1g', olderThan: '1h', kinds: ['compute.gpu'] },
      /sweep.kinds\[0\] is "compute.gpu"/,
    ],
    ['a bad folder id', { folderId: 'B1G!', olderThan: '1h' }, /sweep.folderId is "B1G!"/],
    [
      'a resource without an id',
      { resources: [{ kind: 'vpc.subnet' }], olderThan: '1h' },
      /sweep.resources\[0\].id is missing/,
    ],
    [
      'a misspelt field',
      { folderID: 'b1g', olderThan: '1h' },
      /unknown sweep field\(s\) "folderID"/,
    ],
    ['not an object', 'b1g', /sweep is a string/],
    [
      'kinds without a folder',
      {
        resources: [{ kind: 'vpc.subnet', id: 'e9b1' }],
        kinds: ['compute.disk'],
        olderThan: '30m',
      },
      /sweep.kinds says what to list in a folder: it needs a folder to list/,
    ],
  ])('refuses %s', (_name, sweep, message) => {
    expect(() => parseSweep(sweep)).toThrow(RequestError);
    expect(() => parseSweep(sweep)).toThrow(message);
  });

  it('comes in a request of its own, with dry run and the age guard beside it', () => {
    const request = parseRequest(
      { sweep: { folderId: 'b1gfolder', olderThan: '30m' }, dryRun: true },
      { maxOperations: 10, policy: OPEN_POLICY },
    );
    expect(request).toEqual({
      kind: 'sweep',
      dryRun: true,
      minAgeSeconds: 0,
      sweep: {
        folderId: 'b1gfolder',
        kinds: RESOURCE_KINDS,
        resources: [],
        olderThanSeconds: everyKind(1800),
        filters: NO_FILTERS,
        onExcess: 'refuse',
      },
    });
    expect(() =>
      parseRequest(
        { sweep: { folderId: 'b1g', olderThan: '30m' }, operationIds: ['a1'] },
        { maxOperations: 10, policy: OPEN_POLICY },
      ),
    ).toThrow(/operationIds or a sweep, not both/);
  });

  it('is accepted as a timer payload, in JSON text', () => {
    const request = parseRequest('{"sweep": {"folderId": "b1gfolder", "olderThan": "45m"}}', {
      maxOperations: 10,
      policy: OPEN_POLICY,
    });
    expect(sweepOf(request)?.olderThanSeconds['mdb.kafka']).toBe(2700);
  });
});
