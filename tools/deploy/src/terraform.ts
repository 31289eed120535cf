import path from 'node:path';
import type { Duration } from '@yandex-cloud/nodejs-sdk/dist/generated/google/protobuf/duration';
import { LogLevel_Level } from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/logging/v1/log_entry';
import type { Widget } from '@yandex-cloud/nodejs-sdk/monitoring-v3/widget';
import { PUBLIC_BINDING } from './access';
import { wantedDashboard } from './dashboard';
import {
  type Attribute,
  type Block,
  blockText,
  type Expression,
  expression,
  hclString,
} from './hcl';
import type { Manifest, TriggerSpec } from './manifest';
import { triggerRule, versionRequest } from './translate';

/**
 * Terraform for the deployment function.yaml describes, for whoever deploys with Terraform rather
 * than `npm run deploy`. Its values come from the same translation deploy sends the API
 * (translate.ts), in the provider's terms (terraform-provider-yandex docs/resources/function.md,
 * function_trigger.md, function_iam_member.md).
 */

/** The zip the function's version is made from. */
export interface TerraformCode {
  /** Where the zip is, relative to the directory the Terraform is written to. */
  readonly zipPath: string;
  readonly sha256: string;
}

const FUNCTION = 'yandex_function.function';
const MB = 1024 * 1024;

/**
 * The ids a user replaces, each a variable whose default is the manifest's: one variable per
 * id, named for where it is first used.
 */
class Variables {
  private readonly byValue = new Map<string, string>();
  private readonly blocks: Block[] = [];

  ref(name: string, value: string, description: string): Expression {
    let known = this.byValue.get(value);
    if (known === undefined) {
      const taken = new Set(this.byValue.values());
      known = name;
      for (let n = 2; taken.has(known); n++) known = `${name}_${n}`;
      this.byValue.set(value, known);
      const body: Attribute[] = [
        ['type', expression('string')],
        ['description', description],
        ['default', value],
      ];
      this.blocks.push({ type: 'variable', labels: [known], body });
    }
    return expression(`var.${known}`);
  }

  text(): string {
    return this.blocks.map((block) => blockText(block)).join('\n');
  }
}

/** A label Terraform accepts: letters, digits, underscores. */
const label = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');

/** The provider takes whole seconds; rounding up never cuts a wait short. */
const seconds = (d: Duration | undefined) =>
  String(Number(d?.seconds ?? 0) + ((d?.nanos ?? 0) > 0 ? 1 : 0));

/** main.tf and variables.tf for the manifest, its version made from `code`. */
export function renderTerraform(
  manifest: Manifest,
  code: TerraformCode,
): { 'main.tf': string; 'variables.tf': string } {
  const vars = new Variables();
  const blocks: Block[] = [
    PROVIDER,
    functionBlock(manifest, code, vars),
    ...manifest.triggers.map((trigger) => triggerBlock(trigger, manifest, vars)),
  ];
  if (manifest.public) blocks.push(publicBlock());
  const dashboard = dashboardBlock(manifest);
  if (dashboard) blocks.push(dashboard);
  return {
    'main.tf': `${HEADER}\n${blocks.map((block) => blockText(block)).join('\n')}`,
    'variables.tf': `${HEADER}\n${vars.text()}`,
  };
}

const HEADER =
  '# Written by `npm run deploy -- --terraform` from function.yaml; write it again after editing that file.\n';

const PROVIDER: Block = {
  type: 'terraform',
  body: [
    {
      type: 'required_providers',
      body: [['yandex', expression('{\n      source = "yandex-cloud/yandex"\n    }')]],
    },
  ],
};

function functionBlock(manifest: Manifest, code: TerraformCode, vars: Variables): Block {
  const version = versionRequest(manifest, '');
  return {
    type: 'resource',
    labels: ['yandex_function', 'function'],
    body: [
      ['name', manifest.name],
      ['folder_id', vars.ref('folder_id', manifest.folderId, 'The folder the function is in')],
      ['description', manifest.description],
      // A new version is made when this changes: the zip's own digest.
      ['user_hash', code.sha256],
      ['runtime', version.runtime],
      ['entrypoint', version.entrypoint],
      ['memory', version.resources.memory / MB],
      ['execution_timeout', seconds(version.executionTimeout)],
      ['concurrency', version.concurrency],
      [
        'service_account_id',
        vars.ref(
          'function_service_account_id',
          version.serviceAccountId,
          "The function's own service account",
        ),
      ],
      ['environment', version.environment],
      ...version.secrets.map((secret) => secretBlock(secret, vars)),
      { type: 'content', body: [['zip_filename', expression(moduleFile(code.zipPath))]] },
      asyncBlock(version.asyncInvocationConfig, vars),
      logBlock(version.logOptions, vars),
    ],
  };
}

/** `${path.module}/…`: the zip is found from the configuration, wherever terraform is run. */
const moduleFile = (relative: string) =>
  `"\${path.module}/${hclString(relative.split(path.sep).join('/')).slice(1)}`;

function secretBlock(secret: Manifest['secrets'][number], vars: Variables): Block {
  const name = label(secret.environmentVariable.toLowerCase());
  return {
    type: 'secrets',
    body: [
      [
        'id',
        vars.ref(
          `${name}_secret_id`,
          secret.id,
          `The Lockbox secret of ${secret.environmentVariable}`,
        ),
      ],
      [
        'version_id',
        vars.ref(
          `${name}_secret_version_id`,
          secret.versionId,
          `The version of the Lockbox secret of ${secret.environmentVariable}`,
        ),
      ],
      ['key', secret.key],
      ['environment_variable', secret.environmentVariable],
    ],
  };
}

type Version = ReturnType<typeof versionRequest>;

function asyncBlock(config: Version['asyncInvocationConfig'], vars: Variables): Block | undefined {
  if (config === undefined) return undefined;
  const target = (kind: 'success' | 'failure') => {
    const ymq = config[`${kind}Target`].ymqTarget;
    if (ymq === undefined) return undefined;
    return {
      type: `ymq_${kind}_target`,
      body: [
        [
          'arn',
          vars.ref(
            `async_${kind}_queue_arn`,
            ymq.queueArn,
            `The queue ${kind}ful asynchronous calls go to`,
          ),
        ],
        [
          'service_account_id',
          vars.ref(
            `async_${kind}_service_account_id`,
            ymq.serviceAccountId,
            'Writes to that queue',
          ),
        ],
      ],
    } satisfies Block;
  };
  return {
    type: 'async_invocation',
    body: [
      ['retries_count', config.retriesCount],
      [
        'service_account_id',
        vars.ref(
          'async_service_account_id',
          config.serviceAccountId,
          'Invokes the asynchronous calls',
        ),
      ],
      target('success'),
      target('failure'),
    ],
  };
}

function logBlock(options: Version['logOptions'], vars: Variables): Block | undefined {
  if (options === undefined) return undefined;
  const level =
    options.minLevel === LogLevel_Level.LEVEL_UNSPECIFIED
      ? undefined
      : LogLevel_Level[options.minLevel];
  const group = options.logGroupId;
  return {
    type: 'log_options',
    body: [
      [
        'log_group_id',
        group && vars.ref('log_group_id', group, 'The log group the function writes to'),
      ],
      ['min_level', level],
    ],
  };
}

/** The trigger, invoking the function's `$latest` version as deploy's does. */
function triggerBlock(trigger: TriggerSpec, manifest: Manifest, vars: Variables): Block {
  const rule = triggerRule(trigger, '');
  const invoke: Attribute[] = [
    ['id', expression(`${FUNCTION}.id`)],
    [
      'service_account_id',
      vars.ref(
        'invoker_service_account_id',
        trigger.serviceAccountId,
        'Invokes the function for a trigger',
      ),
    ],
  ];
  return {
    type: 'resource',
    labels: ['yandex_function_trigger', label(trigger.name)],
    body: [
      ['name', trigger.name],
      ['folder_id', vars.ref('folder_id', manifest.folderId, 'The folder the function is in')],
      ...(rule.timer ? timerBlocks(rule.timer, invoke, vars) : []),
      ...(rule.messageQueue
        ? queueBlocks(rule.messageQueue, { name: label(trigger.name), invoke }, vars)
        : []),
    ],
  };
}

type Rule = ReturnType<typeof triggerRule>;

function timerBlocks(
  timer: NonNullable<Rule['timer']>,
  invoke: readonly Attribute[],
  vars: Variables,
): Block[] {
  const call = timer.invokeFunctionWithRetry;
  const retry = call?.retrySettings;
  const dlq = call?.deadLetterQueue;
  return [
    {
      type: 'timer',
      body: [
        ['cron_expression', timer.cronExpression],
        ['payload', timer.payload === '' ? undefined : timer.payload],
      ],
    },
    {
      type: 'function',
      body: [
        ...invoke,
        ['tag', call?.functionTag],
        ['retry_attempts', retry && String(retry.retryAttempts)],
        ['retry_interval', retry && seconds(retry.interval)],
      ],
    },
    ...(dlq
      ? [
          {
            type: 'dlq',
            body: [
              ['queue_id', vars.ref('dead_letter_queue_arn', dlq.queueId, 'Where failed calls go')],
              [
                'service_account_id',
                vars.ref(
                  'dead_letter_service_account_id',
                  dlq.serviceAccountId,
                  'Writes to that queue',
                ),
              ],
            ] as Attribute[],
          },
        ]
      : []),
  ];
}

function queueBlocks(
  queue: NonNullable<Rule['messageQueue']>,
  { name, invoke }: { name: string; invoke: readonly Attribute[] },
  vars: Variables,
): Block[] {
  return [
    {
      type: 'message_queue',
      body: [
        ['queue_id', vars.ref(`${name}_arn`, queue.queueId, 'The queue the trigger reads')],
        [
          'service_account_id',
          vars.ref('queue_reader_service_account_id', queue.serviceAccountId, 'Reads that queue'),
        ],
        ['batch_size', String(queue.batchSettings?.size)],
        ['batch_cutoff', seconds(queue.batchSettings?.cutoff)],
        ['visibility_timeout', seconds(queue.visibilityTimeout)],
      ],
    },
    { type: 'function', body: [...invoke, ['tag', queue.invokeFunction?.functionTag]] },
  ];
}

/**
 * The one binding deploy makes for `public`. A member, not a binding: a binding owns every member
 * of its role, and would take functions.functionInvoker from the triggers' service accounts.
 */
function publicBlock(): Block {
  const subject = PUBLIC_BINDING.subject;
  return {
    type: 'resource',
    labels: ['yandex_function_iam_member', 'public'],
    body: [
      ['function_id', expression(`${FUNCTION}.id`)],
      ['role', PUBLIC_BINDING.roleId],
      ['member', `${subject?.type}:${subject?.id}`],
    ],
  };
}

/**
 * The dashboard deploy makes when the function writes metrics, chart for chart. Its folder is
 * METRICS_FOLDER_ID's value, as the charts' queries name it: a variable could part them.
 */
function dashboardBlock(manifest: Manifest): Block | undefined {
  const want = wantedDashboard(manifest, 'terraform');
  if (want === undefined) return undefined;
  return {
    type: 'resource',
    labels: ['yandex_monitoring_dashboard', 'dashboard'],
    body: [
      ['name', want.name],
      ['folder_id', want.folderId],
      ['title', want.title],
      ['description', want.description],
      ...want.widgets.map(widgetBlock),
    ],
  };
}

function widgetBlock(widget: Widget): Block {
  const { position, text, chart } = widget;
  return {
    type: 'widgets',
    body: [
      position && {
        type: 'position',
        body: [
          ['x', Number(position.x)],
          ['y', Number(position.y)],
          ['w', Number(position.w)],
          ['h', Number(position.h)],
        ],
      },
      text && { type: 'text', body: [['text', text.text]] },
      chart && {
        type: 'chart',
        body: [
          ['chart_id', chart.id],
          ['title', chart.title],
          ['display_legend', expression(String(chart.displayLegend))],
          {
            type: 'queries',
            body: (chart.queries?.targets ?? []).map(
              (t): Block => ({
                type: 'target',
                body: [
                  ['query', t.query],
                  ['text_mode', expression(String(t.textMode))],
                ],
              }),
            ),
          },
        ],
      },
    ],
  };
}
