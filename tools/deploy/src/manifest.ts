import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type ZodType, z } from 'zod';
import type { SweepSpec } from '../../../deploy-api';
import {
  type Config,
  ConfigError,
  loadConfig,
  parseRequest,
  RequestError,
  type RequestLimits,
} from '../../../deploy-api';
import { cronProblems } from './cron';
import { secretNamePart } from './environment';

const ID = /^[a-z0-9]{1,50}$/;
// trigger_service.proto and function_service.proto: the name pattern both APIs check.
const NAME = /^[a-z][-a-z0-9]{1,61}[a-z0-9]$/;
// function_service.proto `environment`: keys `[a-zA-Z][a-zA-Z0-9_]*`, the whole map at most 4 KB.
const ENV_KEY = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const MAX_ENVIRONMENT_BYTES = 4096;
/** A queue may hand a batch out again after this long; the function's timeout plus this margin. */
export const VISIBILITY_MARGIN_MS = 30_000;
const MAX_VISIBILITY_MS = 12 * 3_600_000;
const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const MEMORY = /^(\d+)(m|g)$/;
const MB = 1024 * 1024;

const id = (what: string) =>
  z.string().regex(ID, `expected ${what}: 1 to 50 lowercase letters and digits`);

/** NaN for text that is not a duration, which no bound accepts. */
const toMs = (text: string) => {
  const match = DURATION.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
};

/** "10s", "1m", "500ms", "1h" as milliseconds, within bounds; checked before it is converted. */
const duration = (min: number, max: number, range: string, examples: string) =>
  z
    .string({ error: `expected a duration such as ${examples}` })
    .regex(DURATION, {
      message: `expected a duration such as ${examples} (${range})`,
      abort: true,
    })
    .refine((text) => toMs(text) >= min && toMs(text) <= max, `expected a duration from ${range}`)
    .transform(toMs);

const toBytes = (text: string) => {
  const match = MEMORY.exec(text);
  return match ? Number(match[1]) * (match[2] === 'g' ? 1024 : 1) * MB : Number.NaN;
};

/**
 * "128m" or "1g": function.proto `Resources.memory` is `(value) = "134217728-4294967296"`, in
 * bytes, "multiple of 128MB": 128 MB to 4 GB in steps of 128 MB.
 */
const memory = z
  .string({ error: 'expected a size such as "128m" or "1g"' })
  .regex(MEMORY, { message: 'expected a size such as "128m" or "1g"', abort: true })
  .refine(
    (text) =>
      toBytes(text) >= 128 * MB && toBytes(text) <= 4096 * MB && toBytes(text) % (128 * MB) === 0,
    'expected 128m to 4g, in steps of 128m',
  )
  .transform(toBytes);

const name = (what: string) =>
  z.string().regex(NAME, `expected ${what}: 3 to 63 lowercase letters, digits and hyphens`);

// Minutes Hours Day-of-month Month Day-of-week [Year]: the year is optional (cron-expression.md),
// and trigger.proto caps the expression at 100 characters. Each field is checked too (cron.ts).
const cron = z.string().superRefine((text, ctx) => {
  const fields = text.trim().split(/\s+/).length;
  const problems =
    (fields === 5 || fields === 6) && text.length <= 100
      ? cronProblems(text)
      : ['expected a cron expression of 5 or 6 fields, in UTC, such as "0/15 * ? * * *"'];
  for (const message of problems) ctx.addIssue({ code: 'custom', message, input: text });
});

/** What of the function's settings a payload is judged by: its limits, and its fan-out. */
type PayloadSettings = RequestLimits & Pick<Config, 'sweepFanoutFolders'>;

/** The settings the function has with no environment. */
const DEFAULT_LIMITS: PayloadSettings = loadConfig({});

/**
 * Why the function would refuse a timer's payload, parsed as its timer adapter does (a blank
 * payload is a quiet run), or undefined. An id it could not cancel is refused here too: it would
 * be refused on every run.
 */
export function payloadProblem(
  payload: string,
  limits: RequestLimits = DEFAULT_LIMITS,
): string | undefined {
  if (payload.trim() === '') return undefined;
  try {
    const request = parseRequest(payload, limits);
    if ('operations' in request) {
      const invalid = request.operations.find((named) => !named.valid);
      if (invalid && !invalid.valid) {
        return `the function would refuse it: "${invalid.text}" is not an operation id (1 to 50 lowercase Latin letters and digits)`;
      }
    }
    return undefined;
  } catch (error) {
    if (error instanceof RequestError) return `the function would refuse it: ${error.message}`;
    throw error;
  }
}

/**
 * The request a timer's payload makes under these settings, or undefined when there is none (a
 * blank payload) or the function would refuse it (which `payloadProblem` reports).
 */
export function timerRequest(
  payload: string,
  settings: PayloadSettings,
): ReturnType<typeof parseRequest> | undefined {
  if (payload.trim() === '') return undefined;
  try {
    return parseRequest(payload, settings);
  } catch (error) {
    if (error instanceof RequestError) return undefined;
    throw error;
  }
}

/**
 * Why a sweep may hand folders on as asynchronous calls of the function (a cloud, or more folders
 * than SWEEP_FANOUT_FOLDERS), or undefined when it sweeps in place.
 */
export function fanOutReason(sweep: SweepSpec, settings: PayloadSettings): string | undefined {
  const { cloudId, folderIds = [] } = sweep;
  const threshold = `SWEEP_FANOUT_FOLDERS (${settings.sweepFanoutFolders})`;
  if (cloudId !== undefined) {
    return `a sweep of a cloud hands its folders on, past ${threshold}, as asynchronous calls of the function`;
  }
  if (folderIds.length > settings.sweepFanoutFolders) {
    return `a sweep of ${folderIds.length} folders, past ${threshold}, hands them on as asynchronous calls of the function`;
  }
  return undefined;
}

const retry = z.strictObject({
  attempts: z.number().int().min(1).max(5),
  interval: duration(10_000, 60_000, '10s to 1m', '"10s" or "1m"'),
});

const deadLetterQueue = z.strictObject({
  queueId: z.string().min(1),
  serviceAccountId: id('a service account id'),
});

const timer = z.strictObject({
  type: z.literal('timer'),
  name: name('a trigger name'),
  cron,
  // The API keeps an empty payload as none: so does the manifest, or every run would differ.
  payload: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .max(4096, 'expected at most 4096 characters')
      .superRefine((payload, ctx) => {
        const message = payloadProblem(payload);
        if (message) ctx.addIssue({ code: 'custom', message, input: payload });
      })
      .optional(),
  ),
  serviceAccountId: id('the invoking service account id'),
  retry: retry.optional(),
  deadLetterQueue: deadLetterQueue.optional(),
});

const queueArn = z.string().startsWith('yrn:yc:ymq:', 'expected a queue ARN, "yrn:yc:ymq:..."');

/** As the console makes a Message Queue trigger: trigger.proto requires batch settings. */
export const DEFAULT_BATCH = { size: 1, cutoff: 10_000 } as const;

// trigger.proto `BatchSettings`: `size = 1 [(value) = "0-1000"]` since 2024-03 (what 0 would mean
// is not documented, so 1-1000 here), cutoff required.
const batch = z.strictObject({
  size: z.number().int().min(1).max(1000),
  cutoff: duration(0, 60_000, '0s to 1m', '"10s" or "1m"'),
});

const messageQueue = z.strictObject({
  type: z.literal('message-queue'),
  name: name('a trigger name'),
  queueId: queueArn,
  queueServiceAccountId: id('the queue-reading service account id'),
  serviceAccountId: id('the invoking service account id'),
  batch: batch.default(DEFAULT_BATCH),
  /** Unset, the function's timeout plus VISIBILITY_MARGIN_MS (see withQueueDefaults). */
  visibilityTimeout: duration(0, MAX_VISIBILITY_MS, '0s to 12h', '"90s" or "10m"').optional(),
});

const target = z.strictObject({
  queueId: queueArn,
  serviceAccountId: id('a service account that may write to the queue'),
});

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

const secret = z.strictObject({
  environmentVariable: z
    .string()
    .regex(ENV_KEY, 'expected a variable name: a Latin letter, then letters, digits, _'),
  id: id('a Lockbox secret id'),
  // The docs (console, CLI, Terraform) require the version: `yc lockbox secret list-versions`.
  versionId: id('a Lockbox secret version id, from yc lockbox secret list-versions'),
  key: z.string().min(1),
});

/** `?integration=async`: function.proto `AsyncInvocationConfig`; retries_count is 0-100. */
const asyncInvocation = z.strictObject({
  retries: z.number().int().min(0).max(100),
  serviceAccountId: id('the service account that invokes the version'),
  successTarget: target.optional(),
  failureTarget: target.optional(),
});

/**
 * Anyone could call a public function, by raw invocation too, which HTTP_API_KEY does not check:
 * so making it public takes a reason, which the plan prints for whoever reviews it.
 */
const access = z
  .union(
    [
      z.literal(false),
      z.strictObject({
        reason: z
          .string()
          .trim()
          .min(1, 'expected a reason anyone may call the function')
          .max(256, 'expected at most 256 characters'),
      }),
    ],
    {
      error:
        'expected false, or {reason: "<why anyone may call it>"} (anyone can call a public function, by raw invocation too, which bypasses HTTP_API_KEY)',
    },
  )
  .default(false);

const logging = z.strictObject({
  logGroupId: id('a log group id').optional(),
  minLevel: z.enum(LOG_LEVELS).optional(),
});

const schema = z.strictObject({
  name: name('a function name'),
  folderId: id('a folder id'),
  description: z.string().max(256).optional(),
  public: access,
  runtime: z.literal('nodejs22'),
  entrypoint: z.literal('index.handler'),
  source: z.string().default('dist/function.zip'),
  memory,
  // function.proto `execution_timeout` is 0s-3600s; over 10 min needs a long-lived function.
  timeout: duration(1000, 3_600_000, '1s to 1h', '"60s" or "5m"'),
  // function.proto `concurrency`: 0-16.
  concurrency: z.number().int().min(0).max(16).default(1),
  serviceAccountId: id('the function service account id'),
  environment: z
    .record(
      z
        .string()
        .regex(ENV_KEY, 'expected a variable name: a Latin letter, then letters, digits, _'),
      z.string(),
    )
    .refine(
      (env) => environmentBytes(env) <= MAX_ENVIRONMENT_BYTES,
      'expected at most 4096 bytes of names and values in all',
    )
    .superRefine((env, ctx) => {
      for (const name of Object.keys(env)) {
        const part = secretNamePart(name);
        if (part === undefined) continue;
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `expected no secret here, where the API shows the value to anyone who may read the function's versions: the name says ${part}, so put it in Lockbox and list it under secrets (environmentVariable: ${name}, id, versionId, key)`,
        });
      }
    })
    .default({}),
  secrets: z.array(secret).default([]),
  asyncInvocation: asyncInvocation.optional(),
  logging: logging.default({}),
  triggers: z
    .array(z.discriminatedUnion('type', [timer, messageQueue]))
    .superRefine((triggers, ctx) => {
      // The plan finds a trigger by its name: two of one name would be one trigger made twice.
      triggers.forEach((trigger, index) => {
        const first = triggers.findIndex((t) => t.name === trigger.name);
        if (first === index) return;
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          input: trigger.name,
          message: `expected a name no other trigger has (triggers[${first}] has it too)`,
        });
      });
    })
    .default([]),
});

function environmentBytes(env: Record<string, string>): number {
  return Object.entries(env).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
}

/** MAX_OPERATIONS and SWEEP_FANOUT_FOLDERS as the function would read them from the manifest. */
export function environmentLimits(environment: Record<string, string>): PayloadSettings {
  try {
    const { MAX_OPERATIONS, SWEEP_FANOUT_FOLDERS } = environment;
    return loadConfig({ MAX_OPERATIONS, SWEEP_FANOUT_FOLDERS });
  } catch (error) {
    // The function would not start at all; that is not the payload's problem.
    if (error instanceof ConfigError) return DEFAULT_LIMITS;
    throw error;
  }
}

/**
 * A queue that hands a batch out again while the first invocation still runs makes two do the
 * same work: its own default visibility timeout is 30 s, shorter than a 60 s function.
 */
const withQueueDefaults = schema.transform((manifest, ctx) => {
  // A payload passed the default limits; the function runs with this environment's.
  const limits = environmentLimits(manifest.environment);
  const triggers = manifest.triggers.map((trigger, index) => {
    if (trigger.type === 'timer' && manifest.asyncInvocation === undefined) {
      const request =
        trigger.payload === undefined ? undefined : timerRequest(trigger.payload, limits);
      const fanOut = request?.kind === 'sweep' ? fanOutReason(request.sweep, limits) : undefined;
      if (fanOut) {
        ctx.addIssue({
          code: 'custom',
          path: ['triggers', index, 'payload'],
          input: trigger.payload,
          message: `${fanOut}, which a version takes only with asyncInvocation set: set asyncInvocation (function.yaml shows how), or sweep fewer folders per trigger`,
        });
      }
    }
    if (trigger.type === 'timer') {
      const message =
        trigger.payload !== undefined && limits.maxOperations !== DEFAULT_LIMITS.maxOperations
          ? payloadProblem(trigger.payload, limits)
          : undefined;
      if (message) {
        ctx.addIssue({
          code: 'custom',
          path: ['triggers', index, 'payload'],
          input: trigger.payload,
          message: `${message} (environment MAX_OPERATIONS is ${limits.maxOperations})`,
        });
      }
      return trigger;
    }
    const { visibilityTimeout } = trigger;
    if (visibilityTimeout !== undefined && visibilityTimeout < manifest.timeout) {
      ctx.addIssue({
        code: 'custom',
        path: ['triggers', index, 'visibilityTimeout'],
        input: visibilityTimeout,
        message: `expected at least the function's timeout (${manifest.timeout / 1000}s), or the queue could deliver a batch again while it still runs`,
      });
    }
    const fallback = Math.min(manifest.timeout + VISIBILITY_MARGIN_MS, MAX_VISIBILITY_MS);
    return { ...trigger, visibilityTimeout: visibilityTimeout ?? fallback };
  });
  const { public: access, ...rest } = manifest;
  return access === false
    ? { ...rest, public: false as const, triggers }
    : { ...rest, public: true as const, publicReason: access.reason, triggers };
});

export type Manifest = z.infer<typeof withQueueDefaults>;
export type TriggerSpec = Manifest['triggers'][number];

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file} is not a valid manifest:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

const keysOf = (object: { shape: object }) => Object.keys(object.shape);

/** The fields of the object at `path` (its numbers as []), for a "did you mean". */
const FIELDS_AT: Record<string, readonly string[]> = {
  '': keysOf(schema),
  'triggers[].retry': keysOf(retry),
  'triggers[].deadLetterQueue': keysOf(deadLetterQueue),
  'triggers[].batch': keysOf(batch),
  'secrets[]': keysOf(secret),
  asyncInvocation: keysOf(asyncInvocation),
  'asyncInvocation.successTarget': keysOf(target),
  'asyncInvocation.failureTarget': keysOf(target),
  logging: keysOf(logging),
};

function knownFields(path: readonly PropertyKey[], input: unknown): readonly string[] {
  const at = pathOf(path).replace(/\[\d+\]/g, '[]');
  if (at === 'triggers[]') {
    const type = (input as { type?: unknown } | undefined)?.type;
    return keysOf(type === 'message-queue' ? messageQueue : timer);
  }
  return FIELDS_AT[at] ?? [];
}

/** Optimal string alignment distance: a swap of two neighbours counts as one edit. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      row[j] = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The known field a misspelt one most likely meant: the same but for case, or at most 2 edits
 * away (1 for a name under 6 characters, where 2 edits make another word).
 */
function nearest(key: string, known: readonly string[]): string | undefined {
  const same = known.find((k) => k.toLowerCase() === key.toLowerCase());
  if (same) return same;
  const most = key.length < 6 ? 1 : 2;
  let best: { field: string; edits: number } | undefined;
  for (const field of known) {
    const edits = distance(key, field);
    if (edits <= most && (best === undefined || edits < best.edits)) best = { field, edits };
  }
  return best?.field;
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    '',
  );
}

function found(input: unknown, path: readonly PropertyKey[]): string {
  // An environment value may be a secret: it is never repeated, not even in part.
  if (path[0] === 'environment' && path.length > 1) return 'a value (not shown)';
  if (path[0] === 'environment' && typeof input === 'object' && input !== null) {
    return `${environmentBytes(input as Record<string, string>)} bytes`;
  }
  if (input === undefined) return 'nothing';
  const text = JSON.stringify(input);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** Validates parsed YAML: every problem names the path, what was expected and what was found. */
export function validateManifest(data: unknown, file = 'function.yaml'): Manifest {
  const result = (withQueueDefaults as ZodType<Manifest>).safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = pathOf(issue.path) || '(top level)';
    const { discriminator } = issue as { discriminator?: string };
    if (discriminator !== undefined) {
      const value = (issue.input as Record<string, unknown> | undefined)?.[discriminator];
      return `${where}: expected "timer" or "message-queue", found ${found(value, issue.path)}`;
    }
    if (issue.code === 'unrecognized_keys') {
      const known = knownFields(issue.path, issue.input);
      const named = issue.keys.map((key) => {
        const near = nearest(key, known);
        return near ? `"${key}" (did you mean "${near}"?)` : `"${key}"`;
      });
      return `${where}: unknown field(s) ${named.join(', ')}`;
    }
    // A record's key is checked by a schema of its own, whose message is the one to show.
    const message =
      issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    const expected = message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
    // A record's key is a name, which is no secret; a value under it may be.
    const shown = found(issue.input, issue.code === 'invalid_key' ? [] : issue.path);
    return `${where}: ${expected}, found ${shown}`;
  });
  throw new ManifestError(file, problems);
}

export function loadManifest(file: string): Manifest {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(file, [`not readable YAML: ${(error as Error).message}`]);
  }
  return validateManifest(data, file);
}

/** The ids function.yaml ships with: a deployment that keeps one deploys to, or as, nobody's. */
export const EXAMPLE_IDS: ReadonlySet<string> = new Set([
  'b1gexamplefolder0001',
  'b1gexamplecloud00001',
  'ajefunctionsa0000001',
  'ajeinvokersa00000001',
  'ajequeuereadersa0001',
  'e6qexamplesecret0001',
  'e6qexampleversion001',
]);

/** The fields whose whole value is an id. */
const ID_FIELDS = new Set([
  'folderId',
  'serviceAccountId',
  'queueServiceAccountId',
  'id',
  'versionId',
  'logGroupId',
]);

function exampleWarnings(value: unknown, path: readonly PropertyKey[]): string[] {
  if (typeof value === 'string') {
    const key = path.at(-1);
    const where = pathOf(path);
    if (typeof key === 'string' && ID_FIELDS.has(key)) {
      return EXAMPLE_IDS.has(value) || value.includes('example')
        ? [`${where} is the example's id; replace it with your own`]
        : [];
    }
    // A queue's ARN, a payload's folder, an environment variable: the example's ids inside them.
    const named = [...new Set(value.match(/[a-z0-9]+/g) ?? [])].filter((t) => EXAMPLE_IDS.has(t));
    return named.map((t) => `${where} names the example's id "${t}"; replace it with your own`);
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => exampleWarnings(v, [...path, i]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => exampleWarnings(v, [...path, k]));
  }
  return [];
}

/**
 * What a valid manifest may still have wrong, which does not stop a deployment: the example's
 * ids left in place (`npm run deploy` prints each as a WARNING).
 */
export function manifestWarnings(manifest: Manifest): string[] {
  return exampleWarnings(manifest, []);
}
