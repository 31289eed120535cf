import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/config';
import { RequestError } from '../../src/errors';
import type { CancelRequest } from '../../src/model';
import { parseRequest } from '../../src/request/parse';
import { withinPolicy } from '../../src/request/policy';
import { folderAllowed, inScope, scopeText } from '../../src/request/scope';
import { OPEN_POLICY } from '../support/policy';

const CLOSED: Policy = { minOlderThanSeconds: 0, allowOldest: false };
const parse = (request: unknown, policy: Policy) =>
  parseRequest(request, { maxOperations: 10, policy });
const refusal = (request: unknown, policy: Policy) => {
  try {
    parse(request, policy);
  } catch (error) {
    if (error instanceof RequestError) return { status: error.status, message: error.message };
    throw error;
  }
  return undefined;
};
const sweepOf = (request: CancelRequest) => {
  if (request.kind !== 'sweep') throw new Error('expected a sweep');
  return request.sweep;
};

describe('the policy a deployment sets, which requests can only narrow', () => {
  it('lets everything through when it narrows nothing', () => {
    const request = parse({ sweep: { cloudId: 'b1gcloud', onExcess: 'oldest' } }, OPEN_POLICY);
    expect(withinPolicy(request, OPEN_POLICY)).toEqual(request);
  });

  it('refuses onExcess "oldest" by name unless ALLOW_ONEXCESS_OLDEST', () => {
    expect(refusal({ sweep: { folderId: 'b1ga', onExcess: 'oldest' } }, CLOSED)).toEqual({
      status: 403,
      message: expect.stringMatching(
        /^sweep\.onExcess "oldest" is not allowed .*ALLOW_ONEXCESS_OLDEST/,
      ),
    });
    expect(refusal({ sweep: { folderId: 'b1ga', onExcess: 'refuse' } }, CLOSED)).toBeUndefined();
  });

  it('raises every threshold to MIN_OLDER_THAN, and keeps those above it', () => {
    const policy = { ...CLOSED, minOlderThanSeconds: 1800 };
    const sweep = sweepOf(
      parse(
        {
          sweep: { folderId: 'b1ga', olderThan: { 'compute.instance': '1m', 'mdb.mongodb': '3h' } },
        },
        policy,
      ),
    );
    expect(sweep.olderThanSeconds['compute.instance']).toBe(1800);
    expect(sweep.olderThanSeconds['vpc.network']).toBe(1800);
    expect(sweep.olderThanSeconds['mdb.mongodb']).toBe(10_800);
  });

  const folders: Policy = { ...CLOSED, allowedFolders: ['b1ga'] };
  const clouds: Policy = { ...CLOSED, allowedClouds: ['b1gcloud'] };

  it.each([
    ['a folder named', folders, { folderId: 'b1ga' }, undefined],
    [
      'a folder not named',
      folders,
      { folderId: 'b1gb' },
      /folder\(s\) b1gb are outside .*ALLOWED_FOLDERS/,
    ],
    [
      'folders, one not named',
      folders,
      { folderIds: ['b1ga', 'b1gb'] },
      /folder\(s\) b1gb are outside/,
    ],
    ['a cloud, for the named folders it holds', folders, { cloudId: 'b1gother' }, undefined],
    ['a cloud named', clouds, { cloudId: 'b1gcloud' }, undefined],
    [
      'a cloud not named',
      clouds,
      { cloudId: 'b1gother' },
      /cloud b1gother is outside .*ALLOWED_CLOUDS/,
    ],
    ['a folder its cloud may allow, asked of the API', clouds, { folderId: 'b1gb' }, undefined],
    [
      'resources, whose folders the request cannot show',
      folders,
      { resources: [{ kind: 'compute.disk', id: 'disk1' }] },
      /sweep\.resources names resources whose folders cannot be checked/,
    ],
  ])('a scoped deployment: %s', (_case, policy, sweep, message) => {
    const refused = refusal({ sweep }, policy);
    if (message === undefined) expect(refused).toBeUndefined();
    else expect(refused).toEqual({ status: 403, message: expect.stringMatching(message) });
  });

  it('takes named ids in a scoped deployment: each is placed before its Cancel, not here', () => {
    expect(refusal({ operationIds: ['fd8op1'] }, folders)).toBeUndefined();
    expect(refusal({ operationIds: ['fd8op1'] }, CLOSED)).toBeUndefined();
  });
});

describe('whether a folder is in the scope', () => {
  const both: Policy = { ...CLOSED, allowedFolders: ['b1ga'], allowedClouds: ['b1gcloud'] };
  it.each([
    ['no scope', CLOSED, 'b1gx', undefined, true],
    ['a named folder', both, 'b1ga', undefined, true],
    ['another folder, its cloud not yet known', both, 'b1gx', undefined, undefined],
    ['another folder of a named cloud', both, 'b1gx', 'b1gcloud', true],
    ['another folder of another cloud', both, 'b1gx', 'b1gother', false],
    [
      'another folder, with no clouds named',
      { ...CLOSED, allowedFolders: ['b1ga'] },
      'b1gx',
      undefined,
      false,
    ],
  ] as const)('%s', (_case, policy, folderId, cloudId, allowed) => {
    expect(folderAllowed(policy, folderId, cloudId)).toBe(allowed);
  });

  it('is said in words', () => {
    expect(scopeText(CLOSED)).toBe('any folder the service account can see');
    expect(
      scopeText({ ...CLOSED, allowedFolders: ['b1ga', 'b1gb'], allowedClouds: ['b1gc'] }),
    ).toBe('folders b1ga, b1gb, and every folder of clouds b1gc');
  });
});

describe('whether a folder is in scope, asking its cloud only when its id cannot tell', () => {
  const both: Policy = { ...CLOSED, allowedFolders: ['b1ga'], allowedClouds: ['b1gcloud'] };
  const folders: Policy = { ...CLOSED, allowedFolders: ['b1ga'] };
  it.each([
    ['a named folder, with no question', both, 'b1ga', 'b1gother', true, 0],
    ['a folder of a named cloud', both, 'b1gx', 'b1gcloud', true, 1],
    ['a folder of another cloud', both, 'b1gx', 'b1gother', false, 1],
    ['a folder whose cloud is not known', both, 'b1gx', undefined, undefined, 1],
    ['a folder not named, with no clouds to ask about', folders, 'b1gx', 'b1gcloud', false, 0],
  ])('%s', async (_case, policy, folderId, cloud, expected, asked) => {
    const questions: string[] = [];
    const cloudOf = async (id: string) => {
      questions.push(id);
      return cloud;
    };
    expect(await inScope(policy, folderId, cloudOf)).toBe(expected);
    expect(questions).toHaveLength(asked);
  });
});
