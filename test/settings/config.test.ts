import { describe, expect, it } from 'vitest';
import { ENDPOINT_SETTINGS, loadConfig, SETTING_NAMES } from '../../src/config';
import { ConfigError } from '../../src/errors';

describe('configuration', () => {
  it("has the defaults the README's configuration table gives", () => {
    expect(loadConfig({})).toEqual({
      endpoints: {
        operation: 'operation.api.cloud.yandex.net:443',
        resourceManager: 'resource-manager.api.cloud.yandex.net:443',
        compute: 'compute.api.cloud.yandex.net:443',
        vpc: 'vpc.api.cloud.yandex.net:443',
        k8s: 'mks.api.cloud.yandex.net:443',
        mdb: 'mdb.api.cloud.yandex.net:443',
        cic: 'cic.api.cloud.yandex.net:443',
        cloudrouter: 'cloudrouter.api.cloud.yandex.net:443',
      },
      metadataTokenUrl:
        'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token',
      maxOperations: 1000,
      concurrency: 16,
      maxCallsInFlight: 16,
      dryRun: false,
      httpApiKey: undefined,
      callTimeoutMs: 5000,
      retryAttempts: 2,
      retryBaseDelayMs: 200,
      timeMarginMs: 1000,
      minAgeSeconds: 0,
      waitSeconds: 0,
      maxCancelsPerRun: 20,
      functionsInvokeUrl: 'https://functions.yandexcloud.net',
      sweepFanoutFolders: 5,
      metricsFolderId: undefined,
      monitoringUrl: 'https://monitoring.api.cloud.yandex.net',
      notifyWebhookUrl: undefined,
      notifyFormat: 'json',
      notifyChatId: undefined,
      policy: { minOlderThanSeconds: 0, allowOldest: false },
      maxCancelsPerInvocation: 1000,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        YC_OPERATION_ENDPOINT: 'operation.private:8443',
        YC_METADATA_TOKEN_URL: 'http://127.0.0.1:1/token',
        MAX_OPERATIONS: '5',
        CONCURRENCY: '2',
        MAX_CALLS_IN_FLIGHT: '4',
        DRY_RUN: 'true',
        HTTP_API_KEY: 'k',
        CALL_TIMEOUT_MS: '1500',
        RETRY_ATTEMPTS: '0',
        RETRY_BASE_DELAY_MS: '10',
        TIME_MARGIN_MS: '500',
        MIN_AGE_SECONDS: '600',
        WAIT_SECONDS: '30',
        YC_COMPUTE_ENDPOINT: 'compute.private:8443',
        YC_VPC_ENDPOINT: 'vpc.private:8443',
        YC_K8S_ENDPOINT: 'mks.private:8443',
        YC_MDB_ENDPOINT: 'mdb.private:8443',
        YC_CIC_ENDPOINT: 'cic.private:8443',
        YC_CLOUDROUTER_ENDPOINT: 'cloudrouter.private:8443',
        MAX_CANCELS_PER_RUN: '5',
        YC_RESOURCE_MANAGER_ENDPOINT: 'rm.private:8443',
        YC_FUNCTIONS_INVOKE_URL: 'https://functions.private',
        SWEEP_FANOUT_FOLDERS: '50',
        METRICS_FOLDER_ID: 'b1gmetrics',
        YC_MONITORING_URL: 'https://monitoring.private',
        NOTIFY_WEBHOOK_URL: 'https://hooks.example/abc',
        NOTIFY_FORMAT: 'telegram',
        NOTIFY_TELEGRAM_CHAT_ID: '-100',
        ALLOWED_FOLDERS: 'b1gone, b1gtwo,b1gone',
        ALLOWED_CLOUDS: 'b1gcloud',
        MIN_OLDER_THAN: '30m',
        ALLOW_ONEXCESS_OLDEST: 'true',
        MAX_CANCELS_PER_INVOCATION: '7',
      }),
    ).toEqual({
      endpoints: {
        operation: 'operation.private:8443',
        resourceManager: 'rm.private:8443',
        compute: 'compute.private:8443',
        vpc: 'vpc.private:8443',
        k8s: 'mks.private:8443',
        mdb: 'mdb.private:8443',
        cic: 'cic.private:8443',
        cloudrouter: 'cloudrouter.private:8443',
      },
      metadataTokenUrl: 'http://127.0.0.1:1/token',
      maxOperations: 5,
      concurrency: 2,
      maxCallsInFlight: 4,
      dryRun: true,
      httpApiKey: 'k',
      callTimeoutMs: 1500,
      retryAttempts: 0,
      retryBaseDelayMs: 10,
      timeMarginMs: 500,
      minAgeSeconds: 600,
      waitSeconds: 30,
      maxCancelsPerRun: 5,
      functionsInvokeUrl: 'https://functions.private',
      sweepFanoutFolders: 50,
      metricsFolderId: 'b1gmetrics',
      monitoringUrl: 'https://monitoring.private',
      notifyWebhookUrl: 'https://hooks.example/abc',
      notifyFormat: 'telegram',
      notifyChatId: '-100',
      policy: {
        allowedFolders: ['b1gone', 'b1gtwo'],
        allowedClouds: ['b1gcloud'],
        minOlderThanSeconds: 1800,
        allowOldest: true,
      },
      maxCancelsPerInvocation: 7,
    });
  });

  it('caps an invocation at MAX_OPERATIONS Cancels unless told otherwise, so no batch is cut short', () => {
    expect(loadConfig({ MAX_OPERATIONS: '5000' }).maxCancelsPerInvocation).toBe(5000);
    expect(
      loadConfig({ MAX_OPERATIONS: '5000', MAX_CANCELS_PER_INVOCATION: '3' })
        .maxCancelsPerInvocation,
    ).toBe(3);
  });

  it('never shows the webhook URL, a secret, in its refusal', () => {
    const refuse = () => loadConfig({ NOTIFY_WEBHOOK_URL: 'ftp://bot:SECRET@host' });
    expect(refuse).toThrow(/NOTIFY_WEBHOOK_URL must be an https:\/\/ URL/);
    expect(refuse).not.toThrow(/SECRET/);
  });

  it('needs a chat for Telegram', () => {
    expect(() =>
      loadConfig({
        NOTIFY_WEBHOOK_URL: 'https://api.telegram.org/botX/sendMessage',
        NOTIFY_FORMAT: 'telegram',
      }),
    ).toThrow(/needs NOTIFY_TELEGRAM_CHAT_ID/);
  });

  it.each([
    ['MAX_OPERATIONS', '0', /MAX_OPERATIONS must be a whole number from 1/],
    ['CONCURRENCY', 'many', /CONCURRENCY must be a whole number/],
    ['MAX_CALLS_IN_FLIGHT', '257', /MAX_CALLS_IN_FLIGHT must be a whole number from 1 to 256/],
    ['MAX_CALLS_IN_FLIGHT', '0', /MAX_CALLS_IN_FLIGHT must be a whole number from 1 to 256/],
    ['CALL_TIMEOUT_MS', '1.5', /CALL_TIMEOUT_MS/],
    ['DRY_RUN', 'yes', /DRY_RUN must be true or false/],
    ['HTTP_API_KEY', '', /HTTP_API_KEY is set but empty/],
    ['HTTP_API_KEY', '  ', /HTTP_API_KEY is set but empty/],
    ['ALLOWED_FOLDERS', ' , ', /ALLOWED_FOLDERS is set but names no id/],
    ['ALLOWED_FOLDERS', 'b1g,B1G!', /ALLOWED_FOLDERS must be ids/],
    ['ALLOWED_CLOUDS', '', /ALLOWED_CLOUDS is set but names no id/],
    ['MIN_OLDER_THAN', '45', /MIN_OLDER_THAN must be a duration/],
    ['MIN_OLDER_THAN', '31d', /MIN_OLDER_THAN must be a duration/],
    ['ALLOW_ONEXCESS_OLDEST', 'maybe', /ALLOW_ONEXCESS_OLDEST must be true or false/],
    ['MAX_CANCELS_PER_INVOCATION', '0', /MAX_CANCELS_PER_INVOCATION must be a whole number from 1/],
    [
      'YC_MONITORING_URL',
      'http://monitoring.example',
      /YC_MONITORING_URL must be an https:\/\/ URL/,
    ],
    [
      'YC_FUNCTIONS_INVOKE_URL',
      'http://10.0.0.1:8080',
      /YC_FUNCTIONS_INVOKE_URL must be an https:\/\/ URL/,
    ],
    ['YC_METADATA_TOKEN_URL', 'https://x/token', /must be an http:\/\/ URL/],
    ['MIN_AGE_SECONDS', '-1', /MIN_AGE_SECONDS must be a whole number from 0/],
    ['WAIT_SECONDS', '3601', /WAIT_SECONDS must be a whole number from 0 to 3600/],
    ['SWEEP_FANOUT_FOLDERS', '0', /SWEEP_FANOUT_FOLDERS must be a whole number from 1/],
    ['METRICS_FOLDER_ID', 'B1G!', /METRICS_FOLDER_ID must be a folder id/],
    ['NOTIFY_FORMAT', 'discord', /NOTIFY_FORMAT must be one of json, slack, telegram/],
    ['YC_FUNCTIONS_INVOKE_URL', 'ftp://x', /YC_FUNCTIONS_INVOKE_URL must be an https:\/\/ URL/],
  ])('refuses %s=%s with a message naming it, and not its value', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
    const said = (() => {
      try {
        loadConfig({ [name]: value });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    if (value.trim().length > 1) expect(said).not.toContain(value);
  });

  it.each([
    ['YC_MONITORING_URL', 'http://127.0.0.1:9090'],
    ['YC_FUNCTIONS_INVOKE_URL', 'http://[::1]:8080'],
    ['YC_FUNCTIONS_INVOKE_URL', 'http://localhost:8080'],
  ])('takes %s=%s: http on this machine only', (name, value) => {
    expect(() => loadConfig({ [name]: value })).not.toThrow();
  });

  it.each([
    ['1', true],
    ['TRUE', true],
    ['false', false],
    ['0', false],
    ['', false],
  ])('reads DRY_RUN=%s as %s', (value, dryRun) => {
    expect(loadConfig({ DRY_RUN: value }).dryRun).toBe(dryRun);
  });
});

describe("the function's table of its settings", () => {
  it('names every setting loadConfig reads, and nothing it does not', () => {
    const read = new Set<string>();
    const env = new Proxy({} as NodeJS.ProcessEnv, {
      get: (_, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    });
    loadConfig(env);
    const named = [
      ...SETTING_NAMES.plain,
      ...SETTING_NAMES.secret,
      ...SETTING_NAMES.url,
      ...Object.values(ENDPOINT_SETTINGS),
    ];
    expect([...read].sort()).toEqual([...named].sort());
    expect(new Set(named).size).toBe(named.length);
  });
});
