import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runScript, WITHOUT_CREDENTIALS } from '../../../test/support/index';
import { KEPT_BY, wantedDashboard } from '../src/dashboard';
import { hclString } from '../src/hcl';
import { loadManifest, type Manifest, validateManifest } from '../src/manifest';
import { renderTerraform } from '../src/terraform';

/**
 * HashiCorp's own HCL parser (hcl2json, built from hashicorp/hcl to wasm), as terraform reads a
 * file. Loaded without its types: they declare the DOM's, which would retype fetch everywhere.
 */
const { parse } = createRequire(import.meta.url)('@cdktf/hcl2json') as {
  parse(file: string, text: string): Promise<unknown>;
};

/** Arguments and nested blocks a resource (or a block) takes, and which are required. */
interface Shape {
  readonly required?: readonly string[];
  readonly optional?: readonly string[];
  readonly blocks?: Readonly<Record<string, Shape>>;
}

const TARGET: Shape = { optional: ['arn', 'service_account_id'] };

/**
 * Transcribed from yandex-cloud/terraform-provider-yandex: docs/resources/function.md at
 * 06504f7a6f509acf676c258d7bca249212f68710, function_trigger.md at
 * 10279e9a0360a650b0927edf90a68a54ba11100b, function_iam_member.md at
 * 5286b2328f69e9203bf44fb9179dce8a5e5a999c, monitoring_dashboard.md at
 * 10279e9a0360a650b0927edf90a68a54ba11100b. Only the blocks deploy writes are listed: any other
 * is a mistake here.
 */
const SCHEMA: Readonly<Record<string, Shape>> = {
  yandex_function: {
    required: ['name', 'user_hash', 'runtime', 'entrypoint', 'memory'],
    optional: [
      ...['folder_id', 'description', 'labels', 'execution_timeout', 'service_account_id'],
      ...['environment', 'tags', 'tmpfs_size', 'concurrency'],
    ],
    blocks: {
      secrets: { required: ['id', 'version_id', 'key', 'environment_variable'] },
      content: { required: ['zip_filename'] },
      async_invocation: {
        optional: ['retries_count', 'service_account_id'],
        blocks: { ymq_success_target: TARGET, ymq_failure_target: TARGET },
      },
      log_options: { optional: ['disabled', 'log_group_id', 'folder_id', 'min_level'] },
    },
  },
  yandex_function_trigger: {
    required: ['name'],
    optional: ['description', 'folder_id', 'labels'],
    blocks: {
      timer: { required: ['cron_expression'], optional: ['payload'] },
      message_queue: {
        required: ['batch_cutoff', 'queue_id', 'service_account_id'],
        optional: ['batch_size', 'visibility_timeout'],
      },
      function: {
        required: ['id'],
        optional: ['retry_attempts', 'retry_interval', 'service_account_id', 'tag'],
      },
      dlq: { required: ['queue_id', 'service_account_id'] },
    },
  },
  yandex_monitoring_dashboard: {
    required: ['name'],
    optional: ['description', 'folder_id', 'labels', 'title'],
    blocks: {
      widgets: {
        blocks: {
          position: { optional: ['h', 'w', 'x', 'y'] },
          text: { optional: ['text'] },
          chart: {
            optional: ['chart_id', 'description', 'display_legend', 'freeze', 'title'],
            blocks: {
              queries: {
                blocks: { target: { required: ['query'], optional: ['hidden', 'text_mode'] } },
              },
            },
          },
        },
      },
    },
  },
  yandex_function_iam_member: {
    required: ['function_id', 'member', 'role'],
    optional: ['sleep_after'],
  },
};

type Body = Record<string, unknown>;

/** Every argument or block the shape does not take, or that it requires and is missing. */
function problems(body: Body, shape: Shape, where: string): string[] {
  const found = Object.keys(body).flatMap((key) => {
    const block = shape.blocks?.[key];
    if (block) {
      if (!Array.isArray(body[key])) return [`${where}.${key} is not a block`];
      return (body[key] as Body[]).flatMap((b, i) => problems(b, block, `${where}.${key}[${i}]`));
    }
    const known = [...(shape.required ?? []), ...(shape.optional ?? [])];
    return known.includes(key) ? [] : [`${where}.${key} is not in the provider's schema`];
  });
  const missing = (shape.required ?? []).filter((key) => !(key in body));
  return [...found, ...missing.map((key) => `${where}.${key} is required`)];
}

interface Parsed {
  resource: Record<string, Record<string, Body[]>>;
  variable: Record<string, { default: string }[]>;
}

const ZIP = { zipPath: '../dist/function.zip', sha256: 'a'.repeat(64) };

async function rendered(manifest: Manifest) {
  const files = renderTerraform(manifest, ZIP);
  const main = (await parse('main.tf', files['main.tf'])) as Parsed;
  const variables = (await parse('variables.tf', files['variables.tf'])) as Parsed;
  return { files, main, variable: variables.variable };
}

function schemaProblems({ resource }: Parsed): string[] {
  return Object.entries(resource).flatMap(([type, byName]) => {
    const shape = SCHEMA[type];
    if (!shape) return [`${type} is not a resource deploy writes`];
    return Object.entries(byName).flatMap(([name, [body]]) =>
      problems(body as Body, shape, `${type}.${name}`),
    );
  });
}

const only = <T>(list: T[] | undefined): T => {
  expect(list).toHaveLength(1);
  return (list as T[])[0] as T;
};

/** What a variable reference names, and that its default is the manifest's id. */
const defaultOf = (variable: Parsed['variable'], ref: unknown) => {
  const name = /^\$\{var\.(\w+)\}$/.exec(String(ref))?.[1];
  expect(name, String(ref)).toBeDefined();
  return only(variable[name as string]).default;
};

const WIDE_INPUT = {
  name: 'wide-canceller',
  folderId: 'b1gfolder00000000001',
  description: `quotes " and \\ and\na \${template} and %{directive}`,
  public: { reason: 'a webhook anyone may call' },
  runtime: 'nodejs22',
  entrypoint: 'index.handler',
  memory: '256m',
  timeout: '1500ms',
  concurrency: 4,
  serviceAccountId: 'ajefunction000000001',
  environment: { DRY_RUN: 'true', METRICS_FOLDER_ID: 'b1gmetrics0000000001' },
  secrets: [
    {
      environmentVariable: 'HTTP_API_KEY',
      id: 'e6qsecret00000000001',
      versionId: 'e6qversion0000000001',
      key: 'k',
    },
  ],
  asyncInvocation: {
    retries: 2,
    serviceAccountId: 'ajeasync000000000001',
    failureTarget: {
      queueId: 'yrn:yc:ymq:ru-central1:b1gc:failed',
      serviceAccountId: 'ajeasync000000000001',
    },
  },
  logging: { logGroupId: 'e23loggroup000000001', minLevel: 'WARN' },
  triggers: [
    {
      type: 'message-queue',
      name: 'from-queue',
      queueId: 'yrn:yc:ymq:ru-central1:b1gc:stuck',
      queueServiceAccountId: 'ajereader00000000001',
      serviceAccountId: 'ajeinvoker0000000001',
      batch: { size: 5, cutoff: '20s' },
    },
    {
      type: 'timer',
      name: 'every-hour',
      cron: '0 * ? * * *',
      serviceAccountId: 'ajeinvoker0000000001',
      deadLetterQueue: {
        queueId: 'yrn:yc:ymq:ru-central1:b1gc:dlq',
        serviceAccountId: 'ajedlq00000000000001',
      },
    },
  ],
};
const WIDE = validateManifest(WIDE_INPUT);

describe('--terraform: the deployment for terraform-provider-yandex', () => {
  it("writes the repository's function.yaml as resources the provider's schema takes", async () => {
    const manifest = loadManifest(path.join(ROOT, 'function.yaml'));
    const { main, variable } = await rendered(manifest);
    expect(schemaProblems(main)).toEqual([]);
    expect(Object.keys(main.resource).sort()).toEqual([
      'yandex_function',
      'yandex_function_trigger',
      'yandex_monitoring_dashboard',
    ]);
    const fn = only(main.resource.yandex_function?.function);
    expect(fn).toMatchObject({
      name: 'operation-canceller',
      runtime: 'nodejs22',
      entrypoint: 'index.handler',
      memory: 128,
      execution_timeout: '60',
      concurrency: 1,
      user_hash: ZIP.sha256,
      environment: manifest.environment,
      content: [{ zip_filename: `\${path.module}/../dist/function.zip` }],
      log_options: [{ min_level: 'INFO' }],
    });
    expect(defaultOf(variable, fn.folder_id)).toBe('b1gexamplefolder0001');
    expect(defaultOf(variable, fn.service_account_id)).toBe('ajefunctionsa0000001');
    const secret = only(fn.secrets as Body[]);
    expect(secret).toMatchObject({ key: 'http-api-key', environment_variable: 'HTTP_API_KEY' });
    expect(defaultOf(variable, secret.version_id)).toBe('e6qexampleversion001');
    // One trigger a manifest's trigger, each by its name.
    const triggers = main.resource.yandex_function_trigger ?? {};
    expect(
      Object.values(triggers)
        .map((t) => only(t).name)
        .sort(),
    ).toEqual(manifest.triggers.map((t) => t.name).sort());
    expect(only(triggers.operation_canceller_sweep)).toMatchObject({
      timer: [
        {
          cron_expression: '0/15 * ? * * *',
          payload: manifest.triggers[0]?.type === 'timer' && manifest.triggers[0].payload,
        },
      ],
      function: [
        {
          id: `\${yandex_function.function.id}`,
          tag: '$latest',
          retry_attempts: '1',
          retry_interval: '10',
        },
      ],
    });
    expect(only(triggers.operation_canceller_queue)).toMatchObject({
      message_queue: [{ batch_size: '10', batch_cutoff: '10', visibility_timeout: '90' }],
    });
  });

  it('writes a queue trigger, a secret, asynchronous calls and public access, strings escaped', async () => {
    const { main, variable } = await rendered(WIDE);
    expect(schemaProblems(main)).toEqual([]);
    const fn = only(main.resource.yandex_function?.function);
    // The parser answers in Terraform's JSON syntax, where a literal `${` or `%{` is doubled too.
    expect(fn.description).toBe('quotes " and \\ and\na $${template} and %%{directive}');
    // The provider takes whole seconds: 1.5 s is 2, never less than asked.
    expect(fn).toMatchObject({ memory: 256, execution_timeout: '2', concurrency: 4 });
    const asyncCalls = only(fn.async_invocation as Body[]);
    expect(asyncCalls.retries_count).toBe(2);
    expect(asyncCalls.ymq_success_target).toBeUndefined();
    const failure = only(asyncCalls.ymq_failure_target as Body[]);
    expect(defaultOf(variable, failure.arn)).toBe('yrn:yc:ymq:ru-central1:b1gc:failed');
    // One id, one variable, wherever it is used.
    expect(failure.service_account_id).toBe(asyncCalls.service_account_id);
    const logs = only(fn.log_options as Body[]);
    expect(logs.min_level).toBe('WARN');
    expect(defaultOf(variable, logs.log_group_id)).toBe('e23loggroup000000001');
    const queue = only(main.resource.yandex_function_trigger?.from_queue);
    const read = only(queue.message_queue as Body[]);
    expect(read).toMatchObject({ batch_size: '5', batch_cutoff: '20', visibility_timeout: '32' });
    expect(defaultOf(variable, read.queue_id)).toBe('yrn:yc:ymq:ru-central1:b1gc:stuck');
    expect(defaultOf(variable, read.service_account_id)).toBe('ajereader00000000001');
    expect(defaultOf(variable, only(queue.function as Body[]).service_account_id)).toBe(
      'ajeinvoker0000000001',
    );
    const timer = only(main.resource.yandex_function_trigger?.every_hour);
    expect(only(timer.timer as Body[]).payload).toBeUndefined();
    expect(defaultOf(variable, only(timer.dlq as Body[]).queue_id)).toBe(
      'yrn:yc:ymq:ru-central1:b1gc:dlq',
    );
    expect(only(main.resource.yandex_function_iam_member?.public)).toEqual({
      function_id: `\${yandex_function.function.id}`,
      role: 'functions.functionInvoker',
      member: 'system:allUsers',
    });
  });

  it('writes the dashboard deploy makes when the function writes metrics, chart for chart', async () => {
    const { main } = await rendered(WIDE);
    expect(schemaProblems(main)).toEqual([]);
    const want = wantedDashboard(WIDE);
    const dashboard = only(main.resource.yandex_monitoring_dashboard?.dashboard);
    expect(dashboard).toMatchObject({
      name: want?.name,
      folder_id: 'b1gmetrics0000000001',
      title: want?.title,
    });
    const widgets = dashboard.widgets as Body[];
    expect(widgets).toHaveLength(want?.widgets.length ?? -1);
    const queries = widgets.flatMap((w) =>
      ((w.chart as Body[] | undefined) ?? []).flatMap((c) =>
        (c.queries as Body[]).flatMap((q) => (q.target as Body[]).map((t) => t.query)),
      ),
    );
    expect(queries).toEqual(
      want?.widgets.flatMap((w) => w.chart?.queries?.targets.map((t) => t.query) ?? []),
    );
    expect(queries[0]).toContain('folderId="b1gmetrics0000000001"');
    const text = only(only(widgets.filter((w) => w.text)).text as Body[]).text;
    expect(text).toContain(KEPT_BY.terraform);
    expect(only(widgets.at(-1)?.position as Body[])).toEqual({ x: 0, y: 35, w: 18, h: 8 });
  });

  it('writes no public access for a private function', async () => {
    const { main } = await rendered(validateManifest({ ...WIDE_INPUT, public: false }));
    expect(main.resource.yandex_function_iam_member).toBeUndefined();
  });

  it('escapes what a string literal must, so that it reads back as no template', async () => {
    const read = async (text: string) =>
      ((await parse('x.tf', `x = ${hclString(text)}\n`)) as { x: string }).x;
    for (const text of [
      'plain',
      'a "quoted" \\ path',
      'tab\tline\nfeed\r',
      '\u0001\u007f',
      '$latest',
      '100%',
    ]) {
      expect(await read(text)).toBe(text);
    }
    // The parser answers in Terraform's JSON syntax, where a literal `${` or `%{` is doubled too.
    expect(await read(`\${var.x}`)).toBe(`$\${var.x}`);
    expect(await read('%{ if true }')).toBe('%%{ if true }');
    expect(await read('$${')).toBe('$$${');
  });
});

describe('npm run deploy -- --terraform DIR', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes main.tf and variables.tf without credentials, the zip the build made', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-terraform-'));
    dirs.push(dir);
    const out = path.join(dir, 'infra');
    const { code, stdout, stderr } = await runScript(
      'tools/deploy/src/main.ts',
      ['--terraform', out],
      WITHOUT_CREDENTIALS,
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(path.join(out, 'main.tf'));
    const main = (await parse(
      'main.tf',
      readFileSync(path.join(out, 'main.tf'), 'utf8'),
    )) as Parsed;
    const fn = only(main.resource.yandex_function?.function);
    const zip = path.join(ROOT, 'dist', 'function.zip');
    expect(fn.user_hash).toBe(createHash('sha256').update(readFileSync(zip)).digest('hex'));
    const written = only(fn.content as Body[]).zip_filename as string;
    expect(path.resolve(out, written.replace(`\${path.module}/`, ''))).toBe(zip);
    const variables = await parse(
      'variables.tf',
      readFileSync(path.join(out, 'variables.tf'), 'utf8'),
    );
    expect(Object.keys((variables as Parsed).variable)).toContain('folder_id');
  });

  it('refuses --terraform with --dry-run', async () => {
    const { code, stderr } = await runScript(
      'tools/deploy/src/main.ts',
      ['--terraform', 'anywhere', '--dry-run'],
      WITHOUT_CREDENTIALS,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--terraform only writes Terraform');
  });
});
