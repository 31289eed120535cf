import { shownValue } from './environment';
import type { TriggerSpec } from './manifest';
import type { VersionSpec } from './plan';

/** One setting as a reviewer reads it: a name and its value in words. */
export interface Setting {
  readonly name: string;
  readonly value: string;
}

/** A setting as a step leaves it: `from` is absent for a new one, equal to `to` for one kept. */
export interface Change {
  readonly name: string;
  readonly from?: string;
  readonly to: string;
}

const MB = 1024 * 1024;

const seconds = (ms: number) => `${ms / 1000} s`;
const bytes = (n: number) => (n % MB === 0 ? `${n / MB} MB` : `${n} bytes`);
const or = (value: string | undefined, fallback: string) => (value ? value : fallback);

/**
 * Every setting of a version, each environment variable and secret a setting of its own; an
 * environment value as `shownValue` has it, so what the plan compares is what it may show.
 */
export function versionSettings(spec: VersionSpec): Setting[] {
  const { logging, asyncInvocation } = spec;
  const queue = (target: { queueId: string; serviceAccountId: string } | undefined) =>
    target ? `queue ${target.queueId}, written as ${target.serviceAccountId}` : 'dropped';
  return [
    {
      name: 'code size',
      value: spec.codeBytes > 0 ? `${spec.codeBytes} bytes unpacked` : 'unknown',
    },
    { name: 'runtime', value: spec.runtime },
    { name: 'entrypoint', value: spec.entrypoint },
    { name: 'memory', value: bytes(spec.memoryBytes) },
    { name: 'timeout', value: seconds(spec.timeoutMs) },
    { name: 'concurrency', value: String(spec.concurrency) },
    { name: 'service account', value: or(spec.serviceAccountId, 'none') },
    ...Object.keys(spec.environment)
      .sort()
      .map((key) => ({
        name: `environment ${key}`,
        value: shownValue(key, spec.environment[key] ?? ''),
      })),
    ...[...spec.secrets]
      .sort((a, b) => a.environmentVariable.localeCompare(b.environmentVariable))
      .map((s) => ({
        name: `secret ${s.environmentVariable}`,
        value: `Lockbox ${s.id} version ${or(s.versionId, 'none')}, key ${s.key}`,
      })),
    {
      name: 'logging',
      value: `${or(logging.minLevel, 'default level')}, to ${or(logging.logGroupId, "the folder's default log group")}`,
    },
    {
      name: 'asynchronous invocation',
      value: asyncInvocation
        ? `on: ${asyncInvocation.retries} retries, invoked as ${asyncInvocation.serviceAccountId}; results: ${queue(asyncInvocation.successTarget)}; failures: ${queue(asyncInvocation.failureTarget)}`
        : 'off',
    },
  ];
}

/** Every setting of a trigger. */
export function triggerSettings(spec: TriggerSpec): Setting[] {
  if (spec.type === 'timer') {
    return [
      { name: 'type', value: 'timer' },
      { name: 'schedule', value: `${spec.cron} (UTC)` },
      { name: 'payload', value: or(spec.payload, 'none') },
      { name: 'invoked as', value: spec.serviceAccountId },
      {
        name: 'retry',
        value: spec.retry
          ? `${spec.retry.attempts} attempt(s), ${seconds(spec.retry.interval)} apart`
          : 'none',
      },
      {
        name: 'dead-letter queue',
        value: spec.deadLetterQueue
          ? `${spec.deadLetterQueue.queueId}, written as ${spec.deadLetterQueue.serviceAccountId}`
          : 'none',
      },
    ];
  }
  return [
    { name: 'type', value: 'message-queue' },
    { name: 'queue', value: spec.queueId },
    { name: 'read as', value: spec.queueServiceAccountId },
    { name: 'invoked as', value: spec.serviceAccountId },
    {
      name: 'batch',
      value: `up to ${spec.batch.size} message(s), or what came within ${seconds(spec.batch.cutoff)}`,
    },
    { name: 'visibility timeout', value: seconds(spec.visibilityTimeout) },
  ];
}

/** What a step does to each setting: everything `want` has, against what `have` had. */
export function changesOf(want: readonly Setting[], have?: readonly Setting[]): Change[] {
  const before = new Map(have?.map((s) => [s.name, s.value]));
  const changes: Change[] = want.map(({ name, value }) => ({
    name,
    ...(before.has(name) && { from: before.get(name) }),
    to: value,
  }));
  // A setting that goes away, such as a removed environment variable.
  for (const { name, value } of have ?? []) {
    if (!want.some((s) => s.name === name)) changes.push({ name, from: value, to: 'removed' });
  }
  return changes;
}

export const isChanged = (change: Change) => change.from !== change.to;
