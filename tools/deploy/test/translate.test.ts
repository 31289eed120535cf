import type { Version } from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/serverless/functions/v1/function';
import type { Trigger } from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/serverless/triggers/v1/trigger';
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../src/manifest';
import { versionSpec } from '../src/plan';
import { triggerFromCloud, triggerRule, versionFromCloud, versionRequest } from '../src/translate';

const manifest = validateManifest({
  name: 'operation-canceller',
  folderId: 'b1gfolder',
  runtime: 'nodejs22',
  entrypoint: 'index.handler',
  memory: '256m',
  timeout: '1500ms',
  concurrency: 4,
  serviceAccountId: 'ajesa',
  environment: { DRY_RUN: 'true' },
  secrets: [{ environmentVariable: 'HTTP_API_KEY', id: 'e6qsecret', versionId: 'e6qv1', key: 'k' }],
  logging: { logGroupId: 'e23group', minLevel: 'WARN' },
  asyncInvocation: {
    retries: 3,
    serviceAccountId: 'ajeasync',
    failureTarget: { queueId: 'yrn:yc:ymq:ru-central1:b1g:failed', serviceAccountId: 'ajewriter' },
  },
  triggers: [
    {
      type: 'timer',
      name: 'tick',
      cron: '0/15 * ? * * *',
      payload: '{"sweep": {"folderId": "b1gfolder", "olderThan": "30m"}}',
      serviceAccountId: 'ajeinvoker',
      retry: { attempts: 2, interval: '15s' },
      deadLetterQueue: { queueId: 'yrn:yc:ymq:ru-central1:b1g:dlq', serviceAccountId: 'ajedlq' },
    },
    {
      type: 'message-queue',
      name: 'queue',
      queueId: 'yrn:yc:ymq:ru-central1:b1g:q',
      queueServiceAccountId: 'ajereader',
      serviceAccountId: 'ajeinvoker',
      batch: { size: 10, cutoff: '10s' },
      visibilityTimeout: '5m',
    },
  ],
});

describe('between the manifest and the cloud', () => {
  it('a version read back compares equal to what was asked for, its code by image_size', () => {
    const request = versionRequest(manifest, 'd4efn');
    const version = {
      ...request,
      id: 'd4ever',
      tags: ['$latest'],
      imageSize: 812_345,
      status: 2,
      namedServiceAccounts: {},
    };
    expect(versionFromCloud(version as unknown as Version)).toEqual(versionSpec(manifest, 812_345));
  });

  it('asks for the fields the API requires, as the protos name them', () => {
    const request = versionRequest(manifest, 'd4efn');
    expect(request.secrets).toEqual([
      { environmentVariable: 'HTTP_API_KEY', id: 'e6qsecret', versionId: 'e6qv1', key: 'k' },
    ]);
    // function.proto AsyncInvocationConfig: a target left out drops the result (EmptyTarget).
    expect(request.asyncInvocationConfig).toEqual({
      retriesCount: 3,
      serviceAccountId: 'ajeasync',
      successTarget: { emptyTarget: {} },
      failureTarget: {
        ymqTarget: { queueArn: 'yrn:yc:ymq:ru-central1:b1g:failed', serviceAccountId: 'ajewriter' },
      },
    });
    // trigger.proto MessageQueue: batch_settings is required; visibility_timeout overrides the
    // queue's own 30 s.
    expect(triggerRule(manifest.triggers[1] as never, 'd4efn').messageQueue).toMatchObject({
      batchSettings: { size: 10, cutoff: { seconds: 10, nanos: 0 } },
      visibilityTimeout: { seconds: 300, nanos: 0 },
    });
  });

  it('the code is judged by what the API measured, whatever a description claims', () => {
    const request = versionRequest(manifest, 'd4efn');
    expect(request).not.toHaveProperty('description');
    const claimed = 'yc-operation-canceller sha256:cccccccccccccccccccccccccccccccc';
    const version = { ...request, description: claimed, imageSize: 7 };
    expect(versionFromCloud(version as unknown as Version).codeBytes).toBe(7);
  });

  it.each(manifest.triggers.map((t) => [t.type, t] as const))(
    'a %s trigger read back is the same',
    (_type, spec) => {
      const trigger = {
        id: 'a1s',
        folderId: 'b1g',
        name: spec.name,
        description: '',
        labels: {},
        status: 1,
        rule: triggerRule(spec, 'd4efn'),
      };
      expect(triggerFromCloud(trigger as Trigger, 'd4efn')).toEqual(spec);
    },
  );

  it("a trigger for another function is not this one's", () => {
    const [spec] = manifest.triggers;
    const trigger = {
      id: 'a1s',
      folderId: 'b1g',
      name: 'tick',
      description: '',
      labels: {},
      status: 1,
      rule: triggerRule(spec as never, 'd4eother'),
    };
    expect(triggerFromCloud(trigger as Trigger, 'd4efn')).toBeUndefined();
  });
});
