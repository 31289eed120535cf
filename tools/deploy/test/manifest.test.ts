import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronProblems } from '../src/cron';
import { loadManifest, ManifestError, manifestWarnings, validateManifest } from '../src/manifest';
import { MINIMAL_MANIFEST } from './manifests';

const REPO_MANIFEST = path.resolve(import.meta.dirname, '../../../function.yaml');

const valid = MINIMAL_MANIFEST;

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

  it('makes a function public only with the reason it gives', () => {
    const reason = 'a webhook that cannot sign requests calls it';
    expect(validateManifest({ ...valid, public: { reason } })).toMatchObject({
      public: true,
      publicReason: reason,
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
      'memory: expected 128m to 4g, in steps of 128m, found "200m"',
    ],
    [
      'memory with no unit',
      { ...valid, memory: 128 },
      'memory: expected a size such as "128m" or "1g", found 128',
    ],
    [
      'a timeout with no unit',
      { ...valid, timeout: 60 },
      'timeout: expected a duration such as "60s" or "5m", found 60',
    ],
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
      '(top level): unknown field(s) "serviceAcountId" (did you mean "serviceAccountId"?)',
    ],
    [
      'public with no reason',
      { ...valid, public: true },
      'public: expected false, or {reason: "<why anyone may call it>"} (anyone can call a public function, by raw invocation too, which bypasses HTTP_API_KEY), found true',
    ],
    [
      'public as a string',
      { ...valid, public: 'yes' },
      'public: expected false, or {reason: "<why anyone may call it>"} (anyone can call a public function, by raw invocation too, which bypasses HTTP_API_KEY), found "yes"',
    ],
    [
      'a blank reason to be public',
      { ...valid, public: { reason: '  ' } },
      'public.reason: expected a reason anyone may call the function, found ""',
    ],
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
      // function.proto `Resources.memory`: (value) = "134217728-4294967296".
      ['4g of memory', { memory: '4g' }],
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
      // trigger.proto `BatchSettings.size`: (value) = "0-1000".
      ['a batch of 1000 messages', { triggers: [queue({ batch: { size: 1000, cutoff: '10s' } })] }],
    ])('accepts %s', (_name, extra) => {
      expect(() => validateManifest({ ...valid, ...extra })).not.toThrow();
    });

    it.each([
      [
        'memory past 4g',
        { memory: '4224m' },
        'memory: expected 128m to 4g, in steps of 128m, found "4224m"',
      ],
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
        'an environment over 4 KB, by its size and not its values',
        { environment: { A: 'x'.repeat(4096) } },
        'environment: expected at most 4096 bytes of names and values in all, found 4097 bytes',
      ],
      [
        'an environment value that is not a string, without repeating it',
        { environment: { PIN: 1234 } },
        'environment.PIN: expected string, found a value (not shown)',
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
        // trigger.proto `BatchSettings.size`: (value) = "0-1000".
        'a batch of 1001 messages',
        { triggers: [queue({ batch: { size: 1001, cutoff: '10s' } })] },
        'triggers[0].batch.size: Too big: expected number to be <=1000, found 1001',
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

  // cron-expression.md: Minutes Hours Day-of-month Month Day-of-week [Year]; its table of values
  // and special characters, and "enter ? in the other" of day-of-month and day-of-week.
  describe('a cron expression, as Yandex Cloud documents it', () => {
    it.each([
      ['every minute, the docs example', '* * * * ? *'],
      ['every hour, the docs example', '0 * ? * * *'],
      ['10:15 every day, the docs example', '15 10 ? * * *'],
      ['every 15 minutes, without the year', '0/15 * ? * *'],
      ['a list, a range and a step', '0,30 8-18/2 ? * *'],
      ['the 10th of the month', '0 12 10 * ?'],
      ['the last day of the month', '0 12 L * ?'],
      ['the last weekday of the month', '0 12 LW * ?'],
      ['the weekday nearest the 15th', '0 12 15W * ?'],
      ['the third Friday, 6 being Friday', '0 12 ? * 6#3'],
      ['the third Friday by name', '0 12 ? * FRI#3'],
      ['the last Friday', '0 12 ? * 6L'],
      ['Saturday as L', '0 12 ? * L'],
      ['1 to 7, Sunday to Saturday', '0 12 ? * 1-7'],
      ['names, in any case', '0 12 ? jan-mar mon,Wed,FRI'],
      ['a range past midnight, as Quartz wraps it', '0 22-2 ? * *'],
      ['a year range', '0 0 1 1 ? 2030-2099'],
    ])('accepts %s: %s', (_name, expression) => {
      expect(cronProblems(expression)).toEqual([]);
    });

    it.each([
      ['minutes past 59', '99 * ? * * *', 'minutes 99 is out of range 0-59'],
      ['a minute range past 59', '0-60 * ? * *', 'minutes 60 is out of range 0-59'],
      ['hours past 23', '0 24 ? * *', 'hours 24 is out of range 0-23'],
      ['day 0 of the month', '0 0 0 * ?', 'day-of-month 0 is out of range 1-31'],
      ['day 32 of the month', '0 0 32 * ?', 'day-of-month 32 is out of range 1-31'],
      ['month 13', '0 0 ? 13 *', 'month 13 is out of range 1-12'],
      [
        'an unknown month',
        '0 0 ? FOO *',
        'month "FOO" is not understood: expected 1-12 or JAN-DEC, with , - * /',
      ],
      ['day 0 of the week (it is 1-7 here)', '0 0 ? * 0', 'day-of-week 0 is out of range 1-7'],
      ['day 8 of the week', '0 0 ? * 8', 'day-of-week 8 is out of range 1-7'],
      ['a year past 2099', '0 0 1 1 ? 2100', 'year 2100 is out of range 1970-2099'],
      ['a year range backwards', '0 0 1 1 ? 2030-2020', 'year range 2030-2020 runs backwards'],
      ['a step of 0', '*/0 * ? * *', 'minutes step 0 is out of range 1-59'],
      ['a step past the largest minute', '*/60 * ? * *', 'minutes step 60 is out of range 1-59'],
      [
        'the sixth Friday',
        '0 0 ? * 6#6',
        'day-of-week 6#6: the week of the month 6 is out of range 1-5',
      ],
      ['L in a list', '0 0 1,L * ?', 'day-of-month "1,L": L, W and # stand alone, not in a list'],
      [
        'W in day-of-week',
        '0 0 ? * 2W',
        'day-of-week "2W" is not understood: expected 1-7 or SUN-SAT, with , - * / ? L #',
      ],
      [
        '? in the minutes',
        '? * ? * *',
        'minutes "?" is not understood: expected 0-59, with , - * /',
      ],
      ['L in the hours', '0 L ? * *', 'hours "L" is not understood: expected 0-23, with , - * /'],
      [
        'an empty list item',
        '0 0 1, * ?',
        'day-of-month "1," is not understood: expected 1-31, with , - * / ? L W',
      ],
      [
        'neither day field "?"',
        '0/15 * * * * *',
        'one of day-of-month ("*") and day-of-week ("*") must be "?"',
      ],
      ['both day fields "?"', '0 0 ? * ? *', 'day-of-month and day-of-week cannot both be "?"'],
    ])('refuses %s: %s', (_name, expression, problem) => {
      expect(cronProblems(expression)).toEqual([problem]);
    });

    it.each([
      ['99 * ? * * *', 'triggers[0].cron: minutes 99 is out of range 0-59, found "99 * ? * * *"'],
      [
        '0/15 * * * * *',
        'triggers[0].cron: one of day-of-month ("*") and day-of-week ("*") must be "?", found "0/15 * * * * *"',
      ],
    ])('refuses %s in a manifest, naming the trigger', (expression, problem) => {
      expect(problems({ ...valid, triggers: [timer(expression)] })).toEqual([problem]);
    });
  });

  // The function's own parser (src/request/parse.ts) with its limits (src/config.ts).
  describe("a timer's payload, as the function would parse it", () => {
    const withPayload = (payload: string, extra: Record<string, unknown> = {}) => ({
      ...valid,
      ...extra,
      triggers: [{ ...timer('0 * ? * *'), payload }],
    });

    it.each([
      ['a sweep', '{"sweep": {"folderId": "b1gfolder", "olderThan": "30m"}}'],
      ['ids as text', 'fd8abc fd8def'],
      ['a request', '{"operationIds": ["fd8abc"], "dryRun": true}'],
      ['blank, which the function runs as nothing', '   '],
    ])('accepts %s', (_name, payload) => {
      expect(() => validateManifest(withPayload(payload))).not.toThrow();
    });

    it.each([
      [
        'a sweep of operations only 10 s old',
        '{"sweep": {"folderId": "b1gfolder", "olderThan": "10s"}}',
        'triggers[0].payload: the function would refuse it: sweep.olderThan is "10s"; expected a duration such as "30m" or "2h", from 1m to 30d',
      ],
      [
        'JSON it cannot read',
        '{"sweep": ',
        'triggers[0].payload: the function would refuse it: the request is not valid JSON',
      ],
      [
        'an unknown field',
        '{"operationIDs": ["fd8abc"]}',
        'triggers[0].payload: the function would refuse it: unknown field(s) "operationIDs"',
      ],
      [
        'an id that is not one',
        'fd8abc FD8-DEF',
        'triggers[0].payload: the function would refuse it: "FD8-DEF" is not an operation id (1 to 50 lowercase Latin letters and digits), found "fd8abc FD8-DEF"',
      ],
    ])('refuses %s', (_name, payload, problem) => {
      expect(problems(withPayload(payload)).join('\n')).toContain(problem);
    });

    it.each([
      ['a cloud', '{"sweep": {"cloudId": "b1gcloud"}}', {}],
      [
        'more folders than SWEEP_FANOUT_FOLDERS',
        '{"sweep": {"folderIds": ["b1ga", "b1gb", "b1gc"]}}',
        { SWEEP_FANOUT_FOLDERS: '2' },
      ],
    ])(
      'refuses a sweep of %s without asyncInvocation, and takes it with one',
      (_name, payload, env) => {
        const without = withPayload(payload, { environment: env });
        expect(problems(without).join('\n')).toMatch(
          /^triggers\[0\]\.payload: a sweep of .* as asynchronous calls of the function, which a version takes only with asyncInvocation set: set asyncInvocation \(function\.yaml shows how\)/,
        );
        const asyncInvocation = { retries: 2, serviceAccountId: 'ajeinvoker' };
        expect(() => validateManifest({ ...without, asyncInvocation })).not.toThrow();
      },
    );

    it('takes a sweep of no more folders than SWEEP_FANOUT_FOLDERS without asyncInvocation', () => {
      const payload = '{"sweep": {"folderIds": ["b1ga", "b1gb"]}}';
      expect(() => validateManifest(withPayload(payload))).not.toThrow();
    });

    it("refuses more ids than the manifest's MAX_OPERATIONS allows", () => {
      const data = withPayload('a1 a2 a3', { environment: { MAX_OPERATIONS: '2' } });
      expect(problems(data).join('\n')).toContain(
        'triggers[0].payload: the function would refuse it: the request names 3 operations, more than the limit of 2',
      );
      expect(() => validateManifest(withPayload('a1 a2 a3'))).not.toThrow();
    });
  });

  it('refuses two triggers of one name, naming both', () => {
    const data = {
      ...valid,
      triggers: [timer('0 * ? * *'), queue({ name: 'other' }), queue({ name: 'tick' })],
    };
    expect(problems(data)).toEqual([
      'triggers[2].name: expected a name no other trigger has (triggers[0] has it too), found "tick"',
    ]);
  });

  it.each([
    [
      'a retry interval',
      { triggers: [{ ...timer('0 * ? * *'), retry: { attempts: 1, interval: 10 } }] },
      'triggers[0].retry.interval: expected a duration such as "10s" or "1m", found 10',
    ],
    [
      'a batch cutoff',
      { triggers: [queue({ batch: { size: 1, cutoff: 10 } })] },
      'triggers[0].batch.cutoff: expected a duration such as "10s" or "1m", found 10',
    ],
    [
      'a visibility timeout',
      { triggers: [queue({ visibilityTimeout: 90 })] },
      'triggers[0].visibilityTimeout: expected a duration such as "90s" or "10m", found 90',
    ],
    [
      'a missing memory',
      { memory: undefined },
      'memory: expected a size such as "128m" or "1g", found nothing',
    ],
  ])('shows the right form of %s given as a number', (_name, extra, problem) => {
    expect(problems({ ...valid, ...extra })).toContain(problem);
  });

  it.each([
    [
      'a different case',
      { ...valid, FolderId: 'x' },
      '(top level): unknown field(s) "FolderId" (did you mean "folderId"?)',
    ],
    [
      'two letters swapped in a timer',
      { ...valid, triggers: [{ ...timer('0 * ? * *'), paylaod: 'x' }] },
      'triggers[0]: unknown field(s) "paylaod" (did you mean "payload"?)',
    ],
    [
      'a queue trigger field',
      { ...valid, triggers: [{ ...queue(), visibilityTimout: '2m' }] },
      'triggers[0]: unknown field(s) "visibilityTimout" (did you mean "visibilityTimeout"?)',
    ],
    [
      'a retry field',
      {
        ...valid,
        triggers: [{ ...timer('0 * ? * *'), retry: { attempts: 1, interval: '10s', atempts: 1 } }],
      },
      'triggers[0].retry: unknown field(s) "atempts" (did you mean "attempts"?)',
    ],
    [
      'a batch field',
      { ...valid, triggers: [queue({ batch: { size: 1, cutoff: '1s', sise: 2 } })] },
      'triggers[0].batch: unknown field(s) "sise" (did you mean "size"?)',
    ],
    [
      'a secret field',
      {
        ...valid,
        secrets: [
          { environmentVariable: 'K', id: 'e6q', versionId: 'v', key: 'k', versionID: 'v' },
        ],
      },
      'secrets[0]: unknown field(s) "versionID" (did you mean "versionId"?)',
    ],
    [
      'an asynchronous invocation target',
      {
        ...valid,
        asyncInvocation: {
          retries: 1,
          serviceAccountId: 'ajesa',
          failureTarget: { queueId: 'yrn:yc:ymq:x', serviceAcountId: 'ajesa' },
        },
      },
      'asyncInvocation.failureTarget: unknown field(s) "serviceAcountId" (did you mean "serviceAccountId"?)',
    ],
    [
      'a logging field',
      { ...valid, logging: { minlevel: 'INFO' } },
      'logging: unknown field(s) "minlevel" (did you mean "minLevel"?)',
    ],
    [
      'a field like none, which gets no guess',
      { ...valid, colour: 'red', nme: 'x' },
      '(top level): unknown field(s) "colour", "nme" (did you mean "name"?)',
    ],
  ])('suggests the field meant for %s', (_name, data, problem) => {
    expect(problems(data)).toContain(problem);
  });

  describe('secrets in the environment', () => {
    it.each([
      ['HTTP_API_KEY', 'KEY'],
      ['apiKey', 'KEY'],
      ['ACCESS_KEY_ID', 'KEY'],
      ['YC_IAM_TOKEN', 'TOKEN'],
      ['BOT_TOKEN', 'TOKEN'],
      ['DB_PASSWORD', 'PASSWORD'],
      ['CLIENT_SECRET', 'SECRET'],
      ['NOTIFY_WEBHOOK_URL', 'WEBHOOK'],
      ['GOOGLE_CREDENTIALS', 'CREDENTIAL'],
    ])('refuses %s, for the %s in its name, and points to Lockbox', (name, part) => {
      const value = 'v3ry-s3cret-value';
      const found = problems({ ...valid, environment: { [name]: value } });
      expect(found).toEqual([
        `environment.${name}: expected no secret here, where the API shows the value to anyone who may read the function's versions: the name says ${part}, so put it in Lockbox and list it under secrets (environmentVariable: ${name}, id, versionId, key), found a value (not shown)`,
      ]);
      expect(found.join('\n')).not.toContain(value);
    });

    it.each([
      'MAX_TOKENS',
      'MIN_KEY_AGE_SECONDS',
      'MONKEY',
      'KEYBOARD_LAYOUT',
      'DRY_RUN',
      'ALLOWED_FOLDERS',
      'MAX_CANCELS_PER_INVOCATION',
    ])('takes %s for what it says', (name) => {
      expect(() => validateManifest({ ...valid, environment: { [name]: '1' } })).not.toThrow();
    });

    it('takes a secret under secrets, by that same name', () => {
      const secrets = [
        { environmentVariable: 'HTTP_API_KEY', id: 'e6qsecret', versionId: 'e6qv1', key: 'k' },
      ];
      expect(validateManifest({ ...valid, secrets }).secrets).toEqual(secrets);
    });
  });

  describe('warnings', () => {
    it("name each of the example's ids left in the repository's manifest", () => {
      expect(manifestWarnings(loadManifest(REPO_MANIFEST))).toEqual([
        "folderId is the example's id; replace it with your own",
        "serviceAccountId is the example's id; replace it with your own",
        'environment.ALLOWED_FOLDERS names the example\'s id "b1gexamplefolder0001"; replace it with your own',
        'environment.METRICS_FOLDER_ID names the example\'s id "b1gexamplefolder0001"; replace it with your own',
        "secrets[0].id is the example's id; replace it with your own",
        "secrets[0].versionId is the example's id; replace it with your own",
        'triggers[0].payload names the example\'s id "b1gexamplefolder0001"; replace it with your own',
        "triggers[0].serviceAccountId is the example's id; replace it with your own",
        'triggers[1].queueId names the example\'s id "b1gexamplecloud00001"; replace it with your own',
        "triggers[1].queueServiceAccountId is the example's id; replace it with your own",
        "triggers[1].serviceAccountId is the example's id; replace it with your own",
      ]);
    });

    it.each([
      [
        'an id containing "example"',
        { folderId: 'b1gmyexample' },
        ["folderId is the example's id; replace it with your own"],
      ],
      ['ids of its own', {}, []],
      [
        'an example id in the environment',
        { environment: { METRICS_FOLDER_ID: 'b1gexamplefolder0001' } },
        [
          'environment.METRICS_FOLDER_ID names the example\'s id "b1gexamplefolder0001"; replace it with your own',
        ],
      ],
      ['"example" in a text that is no id', { description: 'an example of a canceller' }, []],
    ])('for %s', (_name, extra, warnings) => {
      expect(manifestWarnings(validateManifest({ ...valid, ...extra }))).toEqual(warnings);
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
