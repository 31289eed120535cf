import { ConfigError } from './errors';

/** Where each API the function calls is served (YC_*_ENDPOINT), by the API's name. */
export interface Endpoints {
  readonly operation: string;
  readonly resourceManager: string;
  readonly compute: string;
  readonly vpc: string;
  readonly k8s: string;
  readonly mdb: string;
  readonly cic: string;
  readonly cloudrouter: string;
}

/** The setting that says where each API is served: the function's, the emulator's and deploy's. */
export const ENDPOINT_SETTINGS = {
  operation: 'YC_OPERATION_ENDPOINT',
  resourceManager: 'YC_RESOURCE_MANAGER_ENDPOINT',
  compute: 'YC_COMPUTE_ENDPOINT',
  vpc: 'YC_VPC_ENDPOINT',
  k8s: 'YC_K8S_ENDPOINT',
  mdb: 'YC_MDB_ENDPOINT',
  cic: 'YC_CIC_ENDPOINT',
  cloudrouter: 'YC_CLOUDROUTER_ENDPOINT',
} as const satisfies Record<keyof Endpoints, string>;

export type EndpointSetting = (typeof ENDPOINT_SETTINGS)[keyof Endpoints];

/**
 * Every other setting the function reads (README, Configuration), by how a tool may show it:
 * `plain` in full (numbers, switches, ids: a reviewer must see how far a sweep reaches), `secret`
 * never, and `url` never either, since a URL can carry a password. The emulator passes on the
 * plain and secret ones from function.yaml; deploy's plan shows the plain ones. A test holds the
 * table to what loadConfig reads.
 */
export const SETTING_NAMES = {
  plain: [
    'MAX_OPERATIONS',
    'CONCURRENCY',
    'MAX_CALLS_IN_FLIGHT',
    'DRY_RUN',
    'CALL_TIMEOUT_MS',
    'RETRY_ATTEMPTS',
    'RETRY_BASE_DELAY_MS',
    'TIME_MARGIN_MS',
    'MIN_AGE_SECONDS',
    'WAIT_SECONDS',
    'MAX_CANCELS_PER_RUN',
    'MAX_CANCELS_PER_INVOCATION',
    'SWEEP_FANOUT_FOLDERS',
    'ALLOWED_FOLDERS',
    'ALLOWED_CLOUDS',
    'MIN_OLDER_THAN',
    'ALLOW_ONEXCESS_OLDEST',
    'METRICS_FOLDER_ID',
    'NOTIFY_FORMAT',
    'NOTIFY_TELEGRAM_CHAT_ID',
  ],
  secret: ['HTTP_API_KEY', 'NOTIFY_WEBHOOK_URL'],
  url: ['YC_METADATA_TOKEN_URL', 'YC_FUNCTIONS_INVOKE_URL', 'YC_MONITORING_URL'],
} as const;

export interface Config {
  readonly endpoints: Endpoints;
  readonly metadataTokenUrl: string;
  readonly maxOperations: number;
  readonly concurrency: number;
  /** API calls in flight at once across every invocation the instance runs. */
  readonly maxCallsInFlight: number;
  readonly dryRun: boolean;
  readonly httpApiKey: string | undefined;
  readonly callTimeoutMs: number;
  readonly retryAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly timeMarginMs: number;
  readonly minAgeSeconds: number;
  readonly waitSeconds: number;
  readonly maxCancelsPerRun: number;
  /** Where a sweep of more folders than `sweepFanoutFolders` hands each on, as an async call. */
  readonly functionsInvokeUrl: string;
  readonly sweepFanoutFolders: number;
  /** Set, each invocation writes its metrics to this folder's Monitoring. */
  readonly metricsFolderId: string | undefined;
  readonly monitoringUrl: string;
  /** A secret (it may carry a bot token): never in a log line, an error or a reply. */
  readonly notifyWebhookUrl: string | undefined;
  readonly notifyFormat: NotifyFormat;
  readonly notifyChatId: string | undefined;
  /** What every request is held to, whoever sends it (docs/requests.md, "The policy"). */
  readonly policy: Policy;
  /** Cancels one invocation sends at most: named ids and sweep candidates together. */
  readonly maxCancelsPerInvocation: number;
}

/**
 * What the deployment lets any request do. A request can only narrow it: invoking the function
 * means holding its service account's power, within this.
 */
export interface Policy {
  /** The folders a request may reach; with `allowedClouds`, also any folder of those clouds. */
  readonly allowedFolders?: readonly string[];
  readonly allowedClouds?: readonly string[];
  /** The floor under every threshold a sweep asks for (MIN_OLDER_THAN). */
  readonly minOlderThanSeconds: number;
  /** Whether a sweep may ask `onExcess: "oldest"` (ALLOW_ONEXCESS_OLDEST). */
  readonly allowOldest: boolean;
}

export const NotifyFormat = { Json: 'json', Slack: 'slack', Telegram: 'telegram' } as const;
export type NotifyFormat = (typeof NotifyFormat)[keyof typeof NotifyFormat];

const DEFAULTS = {
  operationEndpoint: 'operation.api.cloud.yandex.net:443',
  metadataTokenUrl:
    'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token',
  maxOperations: 1000,
  concurrency: 16,
  maxCallsInFlight: 16,
  callTimeoutMs: 5000,
  retryAttempts: 2,
  retryBaseDelayMs: 200,
  timeMarginMs: 1000,
  minAgeSeconds: 0,
  waitSeconds: 0,
  computeEndpoint: 'compute.api.cloud.yandex.net:443',
  vpcEndpoint: 'vpc.api.cloud.yandex.net:443',
  // The SDK's service-endpoints-map.json: yandex.cloud.k8s.v1.* and yandex.cloud.mdb.*.v1.ClusterService.
  k8sEndpoint: 'mks.api.cloud.yandex.net:443',
  mdbEndpoint: 'mdb.api.cloud.yandex.net:443',
  // The same map: yandex.cloud.cic.v1.* and yandex.cloud.cloudrouter.v1.RoutingInstanceService.
  cicEndpoint: 'cic.api.cloud.yandex.net:443',
  cloudrouterEndpoint: 'cloudrouter.api.cloud.yandex.net:443',
  maxCancelsPerRun: 20,
  resourceManagerEndpoint: 'resource-manager.api.cloud.yandex.net:443',
  functionsInvokeUrl: 'https://functions.yandexcloud.net',
  // A folder's sweep is a few dozen listings; past a handful, one invocation per folder spreads
  // them over instances and gives each folder the whole time budget.
  sweepFanoutFolders: 5,
  monitoringUrl: 'https://monitoring.api.cloud.yandex.net',
} as const;

const FOLDER_ID = /^[a-z0-9]{1,50}$/;
const DURATION = /^(\d{1,7})([smhd])$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function boolean(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false`);
}

function httpUrl(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim() || fallback;
  if (!URL.canParse(raw) || new URL(raw).protocol !== 'http:') {
    throw new ConfigError(`${name} must be an http:// URL`);
  }
  return raw;
}

/** A URL the function's IAM token is sent to: https, or http on this machine only (tests). */
function tokenUrl(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim() || fallback;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  const safe =
    url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!safe) {
    throw new ConfigError(
      `${name} must be an https:// URL (http:// only on 127.0.0.1): the function's IAM token is sent to it`,
    );
  }
  return raw;
}

function folderId(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!FOLDER_ID.test(raw)) {
    throw new ConfigError(`${name} must be a folder id (lowercase letters and digits)`);
  }
  return raw;
}

/**
 * Ids separated by commas or spaces; unset is undefined. Set but empty is refused: a scope meant
 * to narrow must not silently widen to everything.
 */
function idList(env: Env, name: string): readonly string[] | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const ids = raw.split(/[\s,]+/).filter(Boolean);
  if (ids.length === 0) {
    throw new ConfigError(
      `${name} is set but names no id: name the ids, or remove it to allow any the service account can see`,
    );
  }
  if (!ids.every((id) => FOLDER_ID.test(id))) {
    throw new ConfigError(`${name} must be ids of lowercase letters and digits, comma-separated`);
  }
  return [...new Set(ids)];
}

/** "30m", "2h", "1d": a duration in seconds; unset is 0. */
function durationSeconds(env: Env, name: string): number {
  const raw = env[name]?.trim();
  if (!raw) return 0;
  const match = DURATION.exec(raw);
  const seconds = match
    ? Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS]
    : 0;
  if (!(seconds >= 60 && seconds <= 30 * 86_400)) {
    throw new ConfigError(`${name} must be a duration such as "30m" or "2h", from 1m to 30d`);
  }
  return seconds;
}

/** The key HTTP callers must send; set but empty would mean none, so it is refused. */
function apiKey(env: Env): string | undefined {
  const raw = env.HTTP_API_KEY;
  if (raw === undefined) return undefined;
  if (raw.trim() === '') {
    throw new ConfigError(
      'HTTP_API_KEY is set but empty, which would let any HTTP caller in: give it a value, or remove it',
    );
  }
  return raw;
}

/** The webhook URL is a secret, so no message ever shows it. */
function secretUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!URL.canParse(raw) || !['https:', 'http:'].includes(new URL(raw).protocol)) {
    throw new ConfigError(
      `${name} must be an https:// URL (its value is not shown: it is a secret)`,
    );
  }
  return raw;
}

function notifyFormat(env: Env): NotifyFormat {
  const raw = env.NOTIFY_FORMAT?.trim().toLowerCase() || NotifyFormat.Json;
  const formats: readonly string[] = Object.values(NotifyFormat);
  if (!formats.includes(raw)) {
    throw new ConfigError(`NOTIFY_FORMAT must be one of ${formats.join(', ')}`);
  }
  return raw as NotifyFormat;
}

function policy(env: Env): Policy {
  const allowedFolders = idList(env, 'ALLOWED_FOLDERS');
  const allowedClouds = idList(env, 'ALLOWED_CLOUDS');
  return {
    ...(allowedFolders && { allowedFolders }),
    ...(allowedClouds && { allowedClouds }),
    minOlderThanSeconds: durationSeconds(env, 'MIN_OLDER_THAN'),
    allowOldest: boolean(env, 'ALLOW_ONEXCESS_OLDEST'),
  };
}

function endpointsOf(env: Env): Endpoints {
  const at = (api: keyof Endpoints) =>
    env[ENDPOINT_SETTINGS[api]]?.trim() || DEFAULTS[`${api}Endpoint`];
  return {
    operation: at('operation'),
    resourceManager: at('resourceManager'),
    compute: at('compute'),
    vpc: at('vpc'),
    k8s: at('k8s'),
    mdb: at('mdb'),
    cic: at('cic'),
    cloudrouter: at('cloudrouter'),
  };
}

/** Reads and checks the environment; called once per instance, so a typo fails the first call loudly. */
export function loadConfig(env: Env): Config {
  const maxOperations = integer(env, 'MAX_OPERATIONS', DEFAULTS.maxOperations, 1, 100_000);
  const config: Config = {
    endpoints: endpointsOf(env),
    metadataTokenUrl: httpUrl(env, 'YC_METADATA_TOKEN_URL', DEFAULTS.metadataTokenUrl),
    maxOperations,
    concurrency: integer(env, 'CONCURRENCY', DEFAULTS.concurrency, 1, 256),
    maxCallsInFlight: integer(env, 'MAX_CALLS_IN_FLIGHT', DEFAULTS.maxCallsInFlight, 1, 256),
    dryRun: boolean(env, 'DRY_RUN'),
    httpApiKey: apiKey(env),
    callTimeoutMs: integer(env, 'CALL_TIMEOUT_MS', DEFAULTS.callTimeoutMs, 100, 600_000),
    retryAttempts: integer(env, 'RETRY_ATTEMPTS', DEFAULTS.retryAttempts, 0, 10),
    retryBaseDelayMs: integer(env, 'RETRY_BASE_DELAY_MS', DEFAULTS.retryBaseDelayMs, 1, 60_000),
    timeMarginMs: integer(env, 'TIME_MARGIN_MS', DEFAULTS.timeMarginMs, 0, 600_000),
    minAgeSeconds: integer(env, 'MIN_AGE_SECONDS', DEFAULTS.minAgeSeconds, 0, 31_536_000),
    waitSeconds: integer(env, 'WAIT_SECONDS', DEFAULTS.waitSeconds, 0, 3600),
    maxCancelsPerRun: integer(env, 'MAX_CANCELS_PER_RUN', DEFAULTS.maxCancelsPerRun, 1, 1000),
    functionsInvokeUrl: tokenUrl(env, 'YC_FUNCTIONS_INVOKE_URL', DEFAULTS.functionsInvokeUrl),
    sweepFanoutFolders: integer(
      env,
      'SWEEP_FANOUT_FOLDERS',
      DEFAULTS.sweepFanoutFolders,
      1,
      10_000,
    ),
    metricsFolderId: folderId(env, 'METRICS_FOLDER_ID'),
    monitoringUrl: tokenUrl(env, 'YC_MONITORING_URL', DEFAULTS.monitoringUrl),
    notifyWebhookUrl: secretUrl(env, 'NOTIFY_WEBHOOK_URL'),
    notifyFormat: notifyFormat(env),
    notifyChatId: env.NOTIFY_TELEGRAM_CHAT_ID?.trim() || undefined,
    policy: policy(env),
    // Unset, as many as an invocation may name (MAX_OPERATIONS): no alerting batch is cut short.
    maxCancelsPerInvocation: integer(env, 'MAX_CANCELS_PER_INVOCATION', maxOperations, 1, 100_000),
  };
  if (
    config.notifyWebhookUrl !== undefined &&
    config.notifyFormat === NotifyFormat.Telegram &&
    config.notifyChatId === undefined
  ) {
    throw new ConfigError(
      'NOTIFY_FORMAT=telegram needs NOTIFY_TELEGRAM_CHAT_ID, the chat to send to',
    );
  }
  return config;
}
