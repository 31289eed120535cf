import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type ZodType, z } from 'zod';

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
const duration = (min: number, max: number, range: string) =>
  z
    .string()
    .regex(DURATION, {
      message: `expected a duration such as "10s" or "1m" (${range})`,
      abort: true,
    })
    .refine((text) => toMs(text) >= min && toMs(text) <= max, `expected a duration from ${range}`)
    .transform(toMs);

const toBytes = (text: string) => {
  const match = MEMORY.exec(text);
  return match ? Number(match[1]) * (match[2] === 'g' ? 1024 : 1) * MB : Number.NaN;
};

/** "128m" or "1g": Cloud Functions takes 128 MB to 8 GB in steps of 128 MB. */
const memory = z
  .string()
  .regex(MEMORY, { message: 'expected memory such as "128m" or "1g"', abort: true })
  .refine(
    (text) =>
      toBytes(text) >= 128 * MB && toBytes(text) <= 8192 * MB && toBytes(text) % (128 * MB) === 0,
    'expected 128m to 8g, in steps of 128m',
  )
  .transform(toBytes);

const name = (what: string) =>
  z.string().regex(NAME, `expected ${what}: 3 to 63 lowercase letters, digits and hyphens`);

// Minutes Hours Day-of-month Month Day-of-week [Year]: the year is optional (cron-expression.md),
// and trigger.proto caps the expression at 100 characters.
const cron = z.string().refine(
  (text) => {
    const fields = text.trim().split(/\s+/).length;
    return (fields === 5 || fields === 6) && text.length <= 100;
  },
  { message: 'expected a cron expression of 5 or 6 fields, in UTC, such as "0/15 * ? * * *"' },
);

const timer = z.strictObject({
  type: z.literal('timer'),
  name: name('a trigger name'),
  cron,
  // The API keeps an empty payload as none: so does the manifest, or every run would differ.
  payload: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().max(4096, 'expected at most 4096 characters').optional(),
  ),
  serviceAccountId: id('the invoking service account id'),
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(5),
      interval: duration(10_000, 60_000, '10s to 1m'),
    })
    .optional(),
  deadLetterQueue: z
    .strictObject({ queueId: z.string().min(1), serviceAccountId: id('a service account id') })
    .optional(),
});

const queueArn = z.string().startsWith('yrn:yc:ymq:', 'expected a queue ARN, "yrn:yc:ymq:..."');

/** As the console makes a Message Queue trigger: trigger.proto requires batch settings. */
export const DEFAULT_BATCH = { size: 1, cutoff: 10_000 } as const;

const messageQueue = z.strictObject({
  type: z.literal('message-queue'),
  name: name('a trigger name'),
  queueId: queueArn,
  queueServiceAccountId: id('the queue-reading service account id'),
  serviceAccountId: id('the invoking service account id'),
  // trigger.proto `BatchSettings`: size 0-10 (what 0 would mean is not documented, so 1-10 here),
  // cutoff required.
  batch: z
    .strictObject({
      size: z.number().int().min(1).max(10),
      cutoff: duration(0, 60_000, '0s to 1m'),
    })
    .default(DEFAULT_BATCH),
  /** Unset, the function's timeout plus VISIBILITY_MARGIN_MS (see withQueueDefaults). */
  visibilityTimeout: duration(0, MAX_VISIBILITY_MS, '0s to 12h').optional(),
});

const target = z.strictObject({
  queueId: queueArn,
  serviceAccountId: id('a service account that may write to the queue'),
});

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

const schema = z.strictObject({
  name: name('a function name'),
  folderId: id('a folder id'),
  description: z.string().max(256).optional(),
  /** Anyone could call a public function, raw invocation included: it must be asked for. */
  public: z.boolean().default(false),
  runtime: z.literal('nodejs22'),
  entrypoint: z.literal('index.handler'),
  source: z.string().default('dist/function.zip'),
  memory,
  // function.proto `execution_timeout` is 0s-3600s; over 10 min needs a long-lived function.
  timeout: duration(1000, 3_600_000, '1s to 1h'),
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
    .default({}),
  secrets: z
    .array(
      z.strictObject({
        environmentVariable: z
          .string()
          .regex(ENV_KEY, 'expected a variable name: a Latin letter, then letters, digits, _'),
        id: id('a Lockbox secret id'),
        // The docs (console, CLI, Terraform) require the version: `yc lockbox secret list-versions`.
        versionId: id('a Lockbox secret version id, from yc lockbox secret list-versions'),
        key: z.string().min(1),
      }),
    )
    .default([]),
  /** `?integration=async`: function.proto `AsyncInvocationConfig`; retries_count is 0-100. */
  asyncInvocation: z
    .strictObject({
      retries: z.number().int().min(0).max(100),
      serviceAccountId: id('the service account that invokes the version'),
      successTarget: target.optional(),
      failureTarget: target.optional(),
    })
    .optional(),
  logging: z
    .strictObject({
      logGroupId: id('a log group id').optional(),
      minLevel: z.enum(LOG_LEVELS).optional(),
    })
    .default({}),
  triggers: z.array(z.discriminatedUnion('type', [timer, messageQueue])).default([]),
});

function environmentBytes(env: Record<string, string>): number {
  return Object.entries(env).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
}

/**
 * A queue that hands a batch out again while the first invocation still runs makes two do the
 * same work: its own default visibility timeout is 30 s, shorter than a 60 s function.
 */
const withQueueDefaults = schema.transform((manifest, ctx) => {
  const triggers = manifest.triggers.map((trigger, index) => {
    if (trigger.type !== 'message-queue') return trigger;
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
  return { ...manifest, triggers };
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

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    '',
  );
}

function found(input: unknown): string {
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
      return `${where}: expected "timer" or "message-queue", found ${found(value)}`;
    }
    if (issue.code === 'unrecognized_keys') {
      return `${where}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    // A record's key is checked by a schema of its own, whose message is the one to show.
    const message =
      issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    const expected = message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
    return `${where}: ${expected}, found ${found(issue.input)}`;
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
