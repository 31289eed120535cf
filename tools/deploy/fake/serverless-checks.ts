import { status } from '@grpc/grpc-js';
import type { Duration } from '@yandex-cloud/nodejs-sdk/google/protobuf/duration';
import type { CreateFunctionVersionRequest } from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import type {
  Trigger_MessageQueue,
  Trigger_Rule,
  Trigger_Timer,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger';
import { type Rejection, reject } from './serverless-rpc';

/** A check's verdict: the problems it found, none when the request is fine. */
type Problems = string[];

const seconds = (duration: Duration) => duration.seconds + duration.nanos / 1e9;

/** Bounds the emulator enforces, each from the proto annotation or docs page its comment names. */
const LIMITS = {
  // trigger.proto Trigger.Timer.cron_expression: (required) = true, (length) = "<=100".
  cronLength: 100,
  // trigger.proto BatchSettings.size: (value) = "0-1000" (since 2024-03; "0-10" before).
  batchSize: { min: 0, max: 1000 },
  // trigger.proto Trigger.MessageQueue.visibility_timeout: (value) = "<=12h".
  visibilityTimeoutSeconds: 12 * 60 * 60,
  // function.proto Resources.memory: (value) = "134217728-4294967296".
  memoryBytes: { min: 134217728, max: 4294967296 },
  // Functions gRPC API reference, CreateFunctionVersionRequest.concurrency: "Acceptable values
  // are 0 to 16, inclusive" (the proto copy in the public index predates the field).
  concurrency: { min: 0, max: 16 },
  // Cloud Functions "Quotas and limits": the longest a function may run before its timeout. The
  // stored copy of that page says 10 minutes, later revisions 1 hour; the emulator takes the hour,
  // so it refuses only what no revision allows.
  executionTimeoutSeconds: 3600,
  // function_service.proto CreateFunctionVersionRequest.environment: (length) = "<=4096" (each
  // value, as the API reference reads it) and (map_key).pattern = "[a-zA-Z][a-zA-Z0-9_]*".
  environmentValueLength: 4096,
  // Cloud Functions "Quotas and limits": "Maximum total environment variable storage, including
  // variable names: 4 KB". Counted in UTF-8 bytes of names and values; whether the real API
  // counts anything else (separators) is not public.
  environmentTotalBytes: 4096,
} as const;

const ENVIRONMENT_KEY = /^[a-zA-Z][a-zA-Z0-9_]*$/;

const within = (value: number, { min, max }: { min: number; max: number }) =>
  value >= min && value <= max;

/** The kind of rule a trigger has: which field of Trigger.Rule's `rule` oneof is set. */
export function ruleKind(rule: Trigger_Rule): string[] {
  return Object.entries(rule).flatMap(([kind, value]) => (value === undefined ? [] : [kind]));
}

function timerProblems(timer: Trigger_Timer): Problems {
  if (timer.cronExpression === '') return ['timer.cron_expression is required'];
  if (timer.cronExpression.length > LIMITS.cronLength) {
    return [`timer.cron_expression is longer than ${LIMITS.cronLength} characters`];
  }
  return [];
}

function messageQueueProblems(queue: Trigger_MessageQueue): Problems {
  // trigger.proto Trigger.MessageQueue: queue_id, service_account_id and batch_settings are each
  // (required) = true, and BatchSettings.cutoff is (required) = true with no bound of its own.
  const problems: Problems = [];
  if (queue.queueId === '') problems.push('message_queue.queue_id is required');
  if (queue.serviceAccountId === '') problems.push('message_queue.service_account_id is required');
  const batch = queue.batchSettings;
  if (batch === undefined) {
    problems.push('message_queue.batch_settings is required');
  } else {
    if (!within(batch.size, LIMITS.batchSize)) {
      const { min, max } = LIMITS.batchSize;
      problems.push(`message_queue.batch_settings.size ${batch.size} is not in ${min}-${max}`);
    }
    if (batch.cutoff === undefined)
      problems.push('message_queue.batch_settings.cutoff is required');
  }
  const visibility = queue.visibilityTimeout;
  if (visibility !== undefined && seconds(visibility) > LIMITS.visibilityTimeoutSeconds) {
    problems.push('message_queue.visibility_timeout is over 12h');
  }
  return problems;
}

/**
 * Refuses a rule the API would: trigger.proto marks Trigger.rule (required) = true and its oneof
 * (exactly_one) = true. Only timer and message queue rules are checked further; the emulator
 * keeps other kinds as sent.
 */
export function checkRule(rule: Trigger_Rule | undefined): Rejection | undefined {
  if (rule === undefined) return reject(status.INVALID_ARGUMENT, 'rule is required');
  const kinds = ruleKind(rule);
  if (kinds.length !== 1) {
    return reject(status.INVALID_ARGUMENT, 'rule needs exactly one of its kinds set');
  }
  const problems = [
    ...(rule.timer ? timerProblems(rule.timer) : []),
    ...(rule.messageQueue ? messageQueueProblems(rule.messageQueue) : []),
  ];
  return problems.length > 0 ? reject(status.INVALID_ARGUMENT, problems.join('; ')) : undefined;
}

/** The fields function_service.proto marks (required) = true on CreateFunctionVersionRequest. */
function missingVersionFields(request: CreateFunctionVersionRequest): Problems {
  const missing: Record<string, boolean> = {
    runtime: request.runtime === '',
    entrypoint: request.entrypoint === '',
    resources: request.resources === undefined,
    execution_timeout: request.executionTimeout === undefined,
    // The package_source oneof is (exactly_one); the emulator takes code only as content.
    content: request.content === undefined,
  };
  return Object.keys(missing).flatMap((field) => (missing[field] ? [`${field} is required`] : []));
}

function environmentProblems(environment: Record<string, string>): Problems {
  const entries = Object.entries(environment);
  const problems: Problems = entries.flatMap(([key, value]) => [
    ...(ENVIRONMENT_KEY.test(key)
      ? []
      : [`environment key ${JSON.stringify(key)} does not match ${ENVIRONMENT_KEY.source}`]),
    ...(value.length > LIMITS.environmentValueLength
      ? [`environment ${key} is longer than ${LIMITS.environmentValueLength} characters`]
      : []),
  ]);
  const total = entries.reduce(
    (bytes, [key, value]) => bytes + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
  if (total > LIMITS.environmentTotalBytes) {
    problems.push(`environment takes ${total} bytes, over ${LIMITS.environmentTotalBytes}`);
  }
  return problems;
}

/**
 * Function.proto's Secret marks no field required, but the Cloud Functions guide "Transmitting
 * Lockbox secrets to a function" calls each of id, version_id, key and environment_variable "a
 * required setting"; a secret without its version is what a deployer most easily sends.
 */
function secretProblems(secrets: CreateFunctionVersionRequest['secrets']): Problems {
  return secrets.flatMap((secret, index) => {
    const missing = {
      id: secret.id === '',
      version_id: secret.versionId === '',
      key: secret.key === '',
      environment_variable: !secret.environmentVariable,
    };
    return Object.entries(missing).flatMap(([field, absent]) =>
      absent ? [`secrets[${index}].${field} is required`] : [],
    );
  });
}

function settingsProblems(request: CreateFunctionVersionRequest): Problems {
  const problems: Problems = [];
  const memory = request.resources?.memory;
  if (memory !== undefined && !within(memory, LIMITS.memoryBytes)) {
    problems.push(`resources.memory ${memory} is not in 128 MiB-4 GiB`);
  }
  const timeout = request.executionTimeout;
  if (timeout !== undefined && seconds(timeout) > LIMITS.executionTimeoutSeconds) {
    problems.push(`execution_timeout is over ${LIMITS.executionTimeoutSeconds} s`);
  }
  if (!within(request.concurrency, LIMITS.concurrency)) {
    problems.push(`concurrency ${request.concurrency} is not in 0-16`);
  }
  return problems;
}

/** Refuses a version the API would, with every problem found, so one test run shows them all. */
export function checkVersion(request: CreateFunctionVersionRequest): Rejection | undefined {
  const problems = [
    ...missingVersionFields(request),
    ...settingsProblems(request),
    ...environmentProblems(request.environment),
    ...secretProblems(request.secrets),
  ];
  return problems.length > 0 ? reject(status.INVALID_ARGUMENT, problems.join('; ')) : undefined;
}
