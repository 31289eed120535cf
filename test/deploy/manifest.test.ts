import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, ManifestError, validateManifest } from '../../deploy/manifest';

const REPO_MANIFEST = path.resolve(import.meta.dirname, '../../function.yaml');

const valid = {
  name: 'operation-canceller',
  folderId: 'b1gfolder',
  runtime: 'nodejs22',
  entrypoint: 'index.handler',
  memory: '128m',
  timeout: '60s',
  serviceAccountId: 'ajesa',
};

const problems = (data: unknown): readonly string[] => {
  try {
    validateManifest(data);
  } catch (error) {
    if (error instanceof ManifestError) return error.problems;
    throw error;
  }
  throw new Error('expected the manifest to be refused');
};

describe('the manifest', () => {
  it('in the repository is valid', () => {
    const manifest = loadManifest(REPO_MANIFEST);
    expect(manifest).toMatchObject({
      runtime: 'nodejs22',
      public: false,
      memory: 128 * 1024 * 1024,
      timeout: 60_000,
    });
    expect(manifest.triggers.map((t) => t.type)).toEqual(['timer', 'message-queue']);
  });

  it('fills in the defaults', () => {
    expect(validateManifest(valid)).toMatchObject({
      public: false,
      source: 'dist/function.zip',
      concurrency: 1,
      environment: {},
      secrets: [],
      triggers: [],
    });
  });

  it.each([
    [
      'a missing folder',
      { ...valid, folderId: undefined },
      'folderId: expected string, found nothing',
    ],
    [
      'another runtime',
      { ...valid, runtime: 'nodejs18' },
      'runtime: expected "nodejs22", found "nodejs18"',
    ],
    [
      'memory off the 128 MB grid',
      { ...valid, memory: '200m' },
      'memory: expected 128m to 8g, in steps of 128m, found "200m"',
    ],
    ['memory with no unit', { ...valid, memory: 128 }, 'memory: expected string, found 128'],
    [
      'a timeout over an hour, the most the API allows',
      { ...valid, timeout: '61m' },
      'timeout: expected a duration from 1s to 1h, found "61m"',
    ],
    [
      'concurrency over 16',
      { ...valid, concurrency: 17 },
      'concurrency: Too big: expected number to be <=16, found 17',
    ],
    [
      'a misspelt field',
      { ...valid, serviceAcountId: 'x' },
      '(top level): unknown field(s) "serviceAcountId"',
    ],
    ['public as a string', { ...valid, public: 'yes' }, 'public: expected boolean, found "yes"'],
    [
      'a trigger of an unknown type',
      { ...valid, triggers: [{ type: 'cron', name: 'abc' }] },
      'triggers[0].type: expected "timer" or "message-queue", found "cron"',
    ],
    [
      'a timer with a five-field cron',
      {
        ...valid,
        triggers: [{ type: 'timer', name: 'tick', cron: '* * * * *', serviceAccountId: 'ajesa' }],
      },
      'triggers[0].cron: expected a cron expression of 6 fields, in UTC, such as "0/15 * ? * * *", found "* * * * *"',
    ],
    [
      'a queue trigger with a URL for a queue',
      {
        ...valid,
        triggers: [
          {
            type: 'message-queue',
            name: 'queue',
            queueId: 'https://message-queue.api.cloud.yandex.net/q',
            queueServiceAccountId: 'ajesa',
            serviceAccountId: 'ajesa',
          },
        ],
      },
      'triggers[0].queueId: expected a queue ARN, "yrn:yc:ymq:...", found "https://message-queue.api.cloud.yandex.net/q"',
    ],
    [
      'a retry interval under 10 seconds',
      {
        ...valid,
        triggers: [
          {
            type: 'timer',
            name: 'tick',
            cron: '0 * ? * * *',
            serviceAccountId: 'ajesa',
            retry: { attempts: 1, interval: '5s' },
          },
        ],
      },
      'triggers[0].retry.interval: expected a duration from 10s to 1m, found "5s"',
    ],
  ])(
    'refuses %s, naming the path, what was expected and what was found',
    (_name, data, problem) => {
      expect(problems(data)).toContain(problem);
    },
  );

  it('lists every problem at once', () => {
    expect(problems({ ...valid, memory: '1x', timeout: 5 })).toHaveLength(2);
  });

  it('refuses YAML it cannot read', () => {
    expect(() => loadManifest(path.resolve(import.meta.dirname, 'no-such-file.yaml'))).toThrow(
      /not readable YAML/,
    );
  });
});
