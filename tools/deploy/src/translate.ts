import type { Duration } from '@yandex-cloud/nodejs-sdk/dist/generated/google/protobuf/duration';
import { LogLevel_Level } from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/logging/v1/log_entry';
import type {
  AsyncInvocationConfig,
  AsyncInvocationConfig_ResponseTarget,
  Version,
} from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/serverless/functions/v1/function';
import type {
  Trigger,
  Trigger_Rule,
} from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/serverless/triggers/v1/trigger';
import { LOG_LEVELS, type Manifest, type TriggerSpec } from './manifest';
import type { VersionSpec } from './plan';

const toDuration = (ms: number): Duration => ({
  seconds: Math.floor(ms / 1000),
  nanos: (ms % 1000) * 1_000_000,
});
const fromDuration = (d: Duration | undefined): number =>
  d ? Number(d.seconds) * 1000 + Math.round(d.nanos / 1_000_000) : 0;

/** The CreateVersion request for a manifest, without the code itself. */
export function versionRequest(manifest: Manifest, functionId: string) {
  const { logGroupId, minLevel } = manifest.logging;
  return {
    functionId,
    runtime: manifest.runtime,
    entrypoint: manifest.entrypoint,
    resources: { memory: manifest.memory },
    executionTimeout: toDuration(manifest.timeout),
    concurrency: manifest.concurrency,
    serviceAccountId: manifest.serviceAccountId,
    environment: manifest.environment,
    secrets: manifest.secrets,
    ...(manifest.asyncInvocation && {
      asyncInvocationConfig: asyncConfig(manifest.asyncInvocation),
    }),
    ...((logGroupId || minLevel) && {
      logOptions: {
        disabled: false,
        ...(logGroupId && { logGroupId }),
        minLevel: minLevel ? LogLevel_Level[minLevel] : LogLevel_Level.LEVEL_UNSPECIFIED,
      },
    }),
  };
}

type AsyncInvocation = NonNullable<Manifest['asyncInvocation']>;
type Target = AsyncInvocation['successTarget'];

const toTarget = (target: Target) =>
  target
    ? { ymqTarget: { queueArn: target.queueId, serviceAccountId: target.serviceAccountId } }
    : { emptyTarget: {} };

const fromTarget = (target: AsyncInvocationConfig_ResponseTarget | undefined): Target =>
  target?.ymqTarget && {
    queueId: target.ymqTarget.queueArn,
    serviceAccountId: target.ymqTarget.serviceAccountId,
  };

/** function.proto `AsyncInvocationConfig`; a target left out is the empty one (results dropped). */
function asyncConfig(config: AsyncInvocation) {
  return {
    retriesCount: config.retries,
    serviceAccountId: config.serviceAccountId,
    successTarget: toTarget(config.successTarget),
    failureTarget: toTarget(config.failureTarget),
  };
}

function asyncFromCloud(config: AsyncInvocationConfig | undefined): AsyncInvocation | undefined {
  if (config === undefined) return undefined;
  const successTarget = fromTarget(config.successTarget);
  const failureTarget = fromTarget(config.failureTarget);
  return {
    retries: config.retriesCount,
    serviceAccountId: config.serviceAccountId,
    ...(successTarget && { successTarget }),
    ...(failureTarget && { failureTarget }),
  };
}

/** What the cloud's latest version is, in the manifest's terms, for the plan to compare. */
export function versionFromCloud(version: Version): VersionSpec {
  const level = version.logOptions?.minLevel;
  const minLevel = LOG_LEVELS.find((name) => LogLevel_Level[name] === level);
  const logGroupId = version.logOptions?.logGroupId;
  return {
    // What the API measured, not the description, which whoever makes a version writes.
    codeBytes: version.imageSize,
    runtime: version.runtime,
    entrypoint: version.entrypoint,
    memoryBytes: Number(version.resources?.memory ?? 0),
    timeoutMs: fromDuration(version.executionTimeout),
    concurrency: version.concurrency,
    serviceAccountId: version.serviceAccountId,
    environment: version.environment,
    secrets: version.secrets.map((s) => ({
      environmentVariable: s.environmentVariable ?? '',
      id: s.id,
      versionId: s.versionId,
      key: s.key,
    })),
    logging: { ...(logGroupId && { logGroupId }), ...(minLevel && { minLevel }) },
    asyncInvocation: asyncFromCloud(version.asyncInvocationConfig),
  };
}

/** The trigger's rule: it invokes `functionId` at its `$latest` tag. */
export function triggerRule(trigger: TriggerSpec, functionId: string): Trigger_Rule {
  const invoke = { functionId, functionTag: '$latest', serviceAccountId: trigger.serviceAccountId };
  if (trigger.type === 'timer') {
    return {
      timer: {
        cronExpression: trigger.cron,
        payload: trigger.payload ?? '',
        invokeFunctionWithRetry: {
          ...invoke,
          ...(trigger.retry && {
            retrySettings: {
              retryAttempts: trigger.retry.attempts,
              interval: toDuration(trigger.retry.interval),
            },
          }),
          ...(trigger.deadLetterQueue && { deadLetterQueue: trigger.deadLetterQueue }),
        },
      },
    };
  }
  return {
    messageQueue: {
      queueId: trigger.queueId,
      serviceAccountId: trigger.queueServiceAccountId,
      batchSettings: { size: trigger.batch.size, cutoff: toDuration(trigger.batch.cutoff) },
      visibilityTimeout: toDuration(trigger.visibilityTimeout),
      invokeFunction: invoke,
    },
  };
}

/** A trigger in the cloud, in the manifest's terms, when it invokes `functionId`; else undefined. */
export function triggerFromCloud(trigger: Trigger, functionId: string): TriggerSpec | undefined {
  const timer = trigger.rule?.timer;
  const invoke = timer?.invokeFunctionWithRetry ?? timer?.invokeFunction;
  if (timer && invoke?.functionId === functionId) {
    const retry = timer.invokeFunctionWithRetry?.retrySettings;
    const dlq = timer.invokeFunctionWithRetry?.deadLetterQueue;
    return {
      type: 'timer',
      name: trigger.name,
      cron: timer.cronExpression,
      ...(timer.payload && { payload: timer.payload }),
      serviceAccountId: invoke.serviceAccountId,
      ...(retry && {
        retry: { attempts: retry.retryAttempts, interval: fromDuration(retry.interval) },
      }),
      ...(dlq && {
        deadLetterQueue: { queueId: dlq.queueId, serviceAccountId: dlq.serviceAccountId },
      }),
    };
  }
  const queue = trigger.rule?.messageQueue;
  if (queue && queue.invokeFunction?.functionId === functionId) {
    const batch = queue.batchSettings;
    return {
      type: 'message-queue',
      name: trigger.name,
      queueId: queue.queueId,
      queueServiceAccountId: queue.serviceAccountId,
      serviceAccountId: queue.invokeFunction.serviceAccountId,
      // Absent ones read as zero, so a plan shows them changing to what the manifest asks.
      batch: { size: batch?.size ?? 0, cutoff: fromDuration(batch?.cutoff) },
      visibilityTimeout: fromDuration(queue.visibilityTimeout),
    };
  }
  return undefined;
}
