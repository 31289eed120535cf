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
      'a timer with a four-field cron',
      {
        ...valid,
        triggers: [{ type: 'timer', name: 'tick', cron: '* * * *', serviceAccountId: 'ajesa' }],
      },
      'triggers[0].cron: expected a cron expression of 5 or 6 fields, in UTC, such as "0/15 * ? * * *", found "* * * *"',
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

  // Each limit as the API has it, from the cloudapi protos and the docs they point to.
  const queue = (extra: Record<string, unknown> = {}) => ({
    type: 'message-queue',
    name: 'queue',
    queueId: 'yrn:yc:ymq:ru-central1:b1g:q',
    queueServiceAccountId: 'ajesa',
    serviceAccountId: 'ajesa',
    ...extra,
  });
  const timer = (cron: string) => ({
    type: 'timer',
    name: 'tick',
    cron,
    serviceAccountId: 'ajesa',
  });

  describe('limits as the API has them', () => {
    it.each([
      // function.proto `execution_timeout`: 0s-3600s.
      ['a timeout of an hour', { timeout: '1h' }],
      // function.proto `concurrency`: 0-16.
      ['concurrency 0', { concurrency: 0 }],
      ['concurrency 16', { concurrency: 16 }],
      // cron-expression.md: Minutes Hours Day-of-month Month Day-of-week [Year], the year optional.
      ['a five-field cron', { triggers: [timer('0/15 * ? * *')] }],
      ['a six-field cron', { triggers: [timer('0/15 * ? * * *')] }],
      // function_service.proto `environment`: keys [a-zA-Z][a-zA-Z0-9_]*, 4 KB in all.
      ['an environment of exactly 4 KB', { environment: { A: 'x'.repeat(4095) } }],
      // trigger.proto `visibility_timeout`: up to 12 h.
      ['a visibility timeout of 12 h', { triggers: [queue({ visibilityTimeout: '12h' })] }],
    ])('accepts %s', (_name, extra) => {
      expect(() => validateManifest({ ...valid, ...extra })).not.toThrow();
    });

    it.each([
      [
        'concurrency -1',
        { concurrency: -1 },
        'concurrency: Too small: expected number to be >=0, found -1',
      ],
      [
        'an environment key starting with _',
        { environment: { _X: '1' } },
        'environment._X: expected a variable name: a Latin letter, then letters, digits, _, found "_X"',
      ],
      [
        'an environment over 4 KB',
        { environment: { A: 'x'.repeat(4096) } },
        'environment: expected at most 4096 bytes of names and values in all',
      ],
      [
        'a cron over 100 characters',
        { triggers: [timer(`0 * ? * * ${'1,'.repeat(50)}1`)] },
        'triggers[0].cron: expected a cron expression of 5 or 6 fields',
      ],
      [
        // trigger_service.proto `name`: [a-z][-a-z0-9]{1,61}[a-z0-9].
        'a trigger name with capitals',
        { triggers: [{ ...timer('0 * ? * *'), name: 'Tick' }] },
        'triggers[0].name: expected a trigger name: 3 to 63 lowercase letters, digits and hyphens, found "Tick"',
      ],
      [
        // trigger.proto `BatchSettings.size`: 0-10.
        'a batch of 11 messages',
        { triggers: [queue({ batch: { size: 11, cutoff: '10s' } })] },
        'triggers[0].batch.size: Too big: expected number to be <=10, found 11',
      ],
      [
        'a visibility timeout over 12 h',
        { triggers: [queue({ visibilityTimeout: '13h' })] },
        'triggers[0].visibilityTimeout: expected a duration from 0s to 12h, found "13h"',
      ],
      [
        'a visibility timeout shorter than the function',
        { triggers: [queue({ visibilityTimeout: '30s' })] },
        "triggers[0].visibilityTimeout: expected at least the function's timeout (60s), or the queue could deliver a batch again while it still runs, found 30000",
      ],
      [
        // The docs require a secret's version (function secrets: console, CLI and Terraform).
        'a secret without its version',
        { secrets: [{ environmentVariable: 'K', id: 'e6qsecret', key: 'k' }] },
        'secrets[0].versionId: expected string, found nothing',
      ],
      [
        // function.proto `AsyncInvocationConfig.retries_count`: 0-100.
        'asynchronous invocation with 101 retries',
        { asyncInvocation: { retries: 101, serviceAccountId: 'ajesa' } },
        'asyncInvocation.retries: Too big: expected number to be <=100, found 101',
      ],
    ])('refuses %s', (_name, extra, problem) => {
      expect(problems({ ...valid, ...extra }).join('\n')).toContain(problem);
    });

    it('defaults a queue trigger as the console does, with a visibility timeout past the function', () => {
      const [trigger] = validateManifest({ ...valid, timeout: '2m', triggers: [queue()] }).triggers;
      // trigger.proto requires batch_settings; the queue's own visibility default is 30 s.
      expect(trigger).toMatchObject({
        batch: { size: 1, cutoff: 10_000 },
        visibilityTimeout: 150_000,
      });
    });
  });

  it('lists every problem at once', () => {
    expect(problems({ ...valid, memory: '1x', timeout: 5 })).toHaveLength(2);
  });

  it('refuses YAML it cannot read', () => {
    expect(() => loadManifest(path.resolve(import.meta.dirname, 'no-such-file.yaml'))).toThrow(
      /not readable YAML/,
    );
  });
});
