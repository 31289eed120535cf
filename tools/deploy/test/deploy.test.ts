import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { credentials as grpcCredentials } from '@grpc/grpc-js';
import {
  CreateFunctionVersionRequest,
  FunctionServiceClient,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  bearer,
  ROOT,
  runScript,
  startMetadataServer,
  testPki,
  unary,
  WITHOUT_CREDENTIALS,
  zip,
} from '../../../test/support/index';
import { type DeployApiServer, startDeployApiServer } from '../fake/server';
import { formatAlerts, wantedAlerts } from '../src/alerts';
import { codeOf } from '../src/code';
import { validateManifest } from '../src/manifest';

const TOKEN = 't1.deployer-token';
const FOLDER = 'b1gdeployfolder';
const CLOUD = 'b1gdeploycloud';
let server: DeployApiServer;
let dir: string;

beforeAll(async () => {
  const pki = testPki();
  server = await startDeployApiServer({ pki });
  dir = mkdtempSync(path.join(tmpdir(), 'deploy-'));
});

beforeEach(() => {
  server.reset();
  server.placeFolder(FOLDER, CLOUD);
  server.setResourceBindings('folder', FOLDER, []);
  server.setResourceBindings('cloud', CLOUD, []);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const manifest = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  folderId: FOLDER,
  description: 'cancels',
  runtime: 'nodejs22',
  entrypoint: 'index.handler',
  memory: '128m',
  timeout: '60s',
  serviceAccountId: 'ajefunctionsa',
  environment: { DRY_RUN: 'false' },
  triggers: [
    { type: 'timer', name: `${name}-tick`, cron: '0/15 * ? * * *', serviceAccountId: 'ajeinvoker' },
    {
      type: 'message-queue',
      name: `${name}-queue`,
      queueId: 'yrn:yc:ymq:ru-central1:b1g:stuck',
      queueServiceAccountId: 'ajereader',
      serviceAccountId: 'ajeinvoker',
      batch: { size: 10, cutoff: '10s' },
    },
  ],
  ...extra,
});

function deploy(data: object, ...args: string[]) {
  return deployWith({ YC_IAM_TOKEN: TOKEN }, data, ...args);
}

function deployWith(credentials: Record<string, string>, data: object, ...args: string[]) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(data));
  return runScript('tools/deploy/src/main.ts', ['--manifest', file, ...args], {
    ...WITHOUT_CREDENTIALS,
    ...credentials,
    YC_IAM_ENDPOINT: server.address,
    YC_FUNCTIONS_ENDPOINT: server.address,
    YC_TRIGGERS_ENDPOINT: server.address,
    YC_OPERATION_ENDPOINT: server.address,
    YC_RESOURCE_MANAGER_ENDPOINT: server.address,
    YC_MONITORING_ENDPOINT: server.address,
    NODE_EXTRA_CA_CERTS: testPki().caFile,
    // grpc-js trusts NODE_EXTRA_CA_CERTS only while this is unset.
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: undefined,
  });
}

const mutations = () =>
  server.calls.filter((c) =>
    /Service\/(Create|Update|Delete|CreateVersion|SetAccessBindings|UpdateAccessBindings)$/.test(
      c.method,
    ),
  );
const fn = (name: string) => server.functions().find((f) => f.name === name);
const BUNDLE = () => readFileSync(path.join(ROOT, 'dist/function.zip'));

/** Writes a file in the test's folder, and gives its path. */
function put(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** A version made by someone other than deploy, through the API, like the latest but for `change`. */
async function versionByHand(functionId: string, change: Partial<CreateFunctionVersionRequest>) {
  const latest = server.versions(functionId).find((v) => v.tags.includes('$latest'));
  if (!latest) throw new Error(`function ${functionId} has no version to copy`);
  // What the API sets, not the caller.
  const { id, createdAt, status, tags, imageSize, contentSha256, ...settings } = latest;
  const client = new FunctionServiceClient(server.address, grpcCredentials.createSsl());
  try {
    await unary(
      client.createVersion.bind(client),
      CreateFunctionVersionRequest.fromPartial({ ...settings, functionId, ...change }),
      bearer(),
    );
  } finally {
    client.close();
  }
}

describe('npm run deploy against the API', () => {
  it('creates the function, its version and its triggers from nothing, privately', async () => {
    const { code, stdout, stderr } = await deploy(manifest('fresh'));

    expect(code, stderr).toBe(0);
    expect(stdout).toContain('fresh does not exist yet; plan:');
    expect(stdout).toContain('+ create function fresh');
    const created = fn('fresh');
    expect(created).toBeDefined();
    const [version] = server.versions(created?.id as string);
    const zipSha = createHash('sha256')
      .update(readFileSync(path.join(ROOT, 'dist/function.zip')))
      .digest('hex');
    expect(version).toMatchObject({
      runtime: 'nodejs22',
      entrypoint: 'index.handler',
      tags: ['$latest'],
      contentSha256: zipSha,
    });
    const triggers = server.triggers().filter((t) => t.name.startsWith('fresh-'));
    expect(triggers.map((t) => t.name).sort()).toEqual(['fresh-queue', 'fresh-tick']);
    expect(
      triggers.find((t) => t.name === 'fresh-tick')?.rule?.timer?.invokeFunctionWithRetry
        ?.functionId,
    ).toBe(created?.id);
    expect(server.accessBindings(created?.id as string)).toEqual([]);
    for (const call of server.calls) expect(call.authorization).toBe(`Bearer ${TOKEN}`);
    expect(stdout + stderr).not.toContain(TOKEN);
  });

  it('a second run with nothing changed changes nothing', async () => {
    await deploy(manifest('steady'));
    server.reset();

    const { code, stdout } = await deploy(manifest('steady'));

    expect(code).toBe(0);
    expect(stdout).toContain('nothing to do');
    expect(mutations()).toEqual([]);
  });

  it('uploads a new version when a setting changed, and updates a changed trigger in place', async () => {
    await deploy(manifest('changing'));
    const before = server.triggers().find((t) => t.name === 'changing-tick');
    server.reset();
    const changed = manifest('changing', { memory: '256m' });
    (changed.triggers[0] as { cron: string }).cron = '0/5 * ? * * *';

    const { code, stdout } = await deploy(changed);

    expect(code).toBe(0);
    expect(stdout).toContain('+ upload dist/function.zip as a new version of changing');
    expect(stdout).toContain('    ~ memory: 128 MB → 256 MB');
    expect(stdout).toContain('+ update timer trigger changing-tick in place');
    expect(stdout).toContain('    ~ schedule: 0/15 * ? * * * (UTC) → 0/5 * ? * * * (UTC)');
    // Never deleted: a trigger made again would miss what happens in between (audit 7.8).
    expect(mutations().map((c) => c.method)).toEqual([
      'FunctionService/CreateVersion',
      'TriggerService/Update',
    ]);
    const after = server.triggers().find((t) => t.name === 'changing-tick');
    expect(after?.id).toBe(before?.id);
    expect(after?.rule?.timer?.cronExpression).toBe('0/5 * ? * * *');
    expect(server.versions(fn('changing')?.id as string)).toHaveLength(2);
  });

  it('deploys a queue trigger without batch settings with the defaults, shown in the plan', async () => {
    const data = manifest('batchless');
    delete (data.triggers[1] as { batch?: unknown }).batch;

    const { code, stdout, stderr } = await deploy(data);

    expect(code, stderr).toBe(0);
    expect(stdout).toContain('    + batch: up to 1 message(s), or what came within 10 s');
    expect(stdout).toContain('    + visibility timeout: 90 s');
    const queue = server.triggers().find((t) => t.name === 'batchless-queue')?.rule?.messageQueue;
    // trigger.proto requires batch_settings; the emulator refuses a rule without them.
    expect(queue?.batchSettings).toEqual({ size: 1, cutoff: { seconds: 10, nanos: 0 } });
    expect(queue?.visibilityTimeout).toEqual({ seconds: 90, nanos: 0 });
  });

  it.each([
    ['folder', FOLDER, 'functions.functionInvoker', 'allUsers'],
    ['cloud', CLOUD, 'serverless.functions.invoker', 'allAuthenticatedUsers'],
  ] as const)(
    'refuses, naming it, when a %s binding lets anyone invoke every function there',
    async (kind, id, roleId, subject) => {
      server.setResourceBindings(kind, id, [{ roleId, subject: { id: subject, type: 'system' } }]);

      const { code, stdout, stderr } = await deploy(manifest(`shut-${kind}`));

      expect(code).toBe(1);
      expect(stdout).toContain(
        `REFUSED: ${kind} ${id}: the binding of ${roleId} to system:${subject} lets anyone invoke every function there`,
      );
      expect(stderr).toContain('refused; nothing was changed');
      expect(mutations()).toEqual([]);
    },
  );

  it('warns when it may not read the folder bindings, and goes on', async () => {
    server.setResourceBindings('folder', FOLDER, 'permission-denied');

    const { code, stdout } = await deploy(manifest('unread'));

    expect(code).toBe(0);
    expect(stdout).toContain(
      `WARNING: the access bindings of folder ${FOLDER} could not be read (PERMISSION_DENIED)`,
    );
  });

  it('sends one idempotency key per change, the same on its retries', async () => {
    server.failNext('TriggerService/Create', { code: 14, times: 1 });

    const { code, stderr } = await deploy(manifest('keyed'));

    expect(code, stderr).toBe(0);
    const creates = server.calls.filter((c) => c.method === 'TriggerService/Create');
    expect(creates).toHaveLength(3);
    const [first, retry, other] = creates.map((c) => c.idempotencyKey);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(retry).toBe(first);
    expect(other).not.toBe(first);
    // The retry returned the first operation: one trigger each, not a second.
    expect(server.triggers().filter((t) => t.name.startsWith('keyed-'))).toHaveLength(2);
  });

  it("waits through a new operation's first NOT_FOUNDs, as the go-sdk does", async () => {
    server.notFoundAfterCreate(2);
    try {
      const { code, stderr } = await deploy(manifest('lagging'));
      expect(code, stderr).toBe(0);
      expect(fn('lagging')).toBeDefined();
    } finally {
      server.notFoundAfterCreate(0);
    }
  });

  it('makes a function private by removing only the public binding', async () => {
    await deploy(manifest('closing', { public: { reason: 'for a while' } }));
    const id = fn('closing')?.id as string;
    server.reset();

    const { code } = await deploy(manifest('closing'));

    expect(code).toBe(0);
    expect(mutations().map((c) => c.method)).toEqual(['FunctionService/UpdateAccessBindings']);
    expect(server.accessBindings(id)).toEqual([]);
  });

  it('with --dry-run prints the real plan and changes nothing', async () => {
    await deploy(manifest('dryrun'));
    server.reset();

    const { code, stdout } = await deploy(
      manifest('dryrun', { description: 'new words' }),
      '--dry-run',
    );

    expect(code).toBe(0);
    expect(stdout).toContain('plan for dryrun:');
    expect(stdout).toContain('+ update function dryrun');
    expect(stdout).toContain('    ~ description: cancels → new words');
    expect(mutations()).toEqual([]);
  });

  it('with --dry-run lists the roles the manifest calls for, marked by the bindings it read', async () => {
    server.setResourceBindings('folder', FOLDER, [
      { roleId: 'compute.auditor', subject: { id: 'ajefunctionsa', type: 'serviceAccount' } },
    ]);
    const payload = JSON.stringify({
      sweep: { folderId: FOLDER, kinds: ['compute.instance', 'vpc.network'] },
    });
    const data = manifest('roles', {
      triggers: [
        {
          type: 'timer',
          name: 'roles-tick',
          cron: '0/15 * ? * * *',
          payload,
          serviceAccountId: 'ajeinvoker',
        },
        {
          type: 'message-queue',
          name: 'roles-queue',
          queueId: 'yrn:yc:ymq:ru-central1:b1g:stuck',
          queueServiceAccountId: 'ajereader',
          serviceAccountId: 'ajeinvoker',
          batch: { size: 1000, cutoff: '10s' },
        },
      ],
    });

    const { code, stdout, stderr } = await deploy(data, '--dry-run');

    expect(code, stderr).toBe(0);
    expect(stdout).toContain('roles the manifest calls for (docs/iam.md):');
    expect(stdout).toContain(
      `  granted compute.auditor for ajefunctionsa on folder ${FOLDER}: to list compute.instance`,
    );
    expect(stdout).toContain(
      `  missing vpc.auditor for ajefunctionsa on folder ${FOLDER}: to list vpc.network`,
    );
    expect(stdout).toMatch(/ {2}unknown ymq\.reader for ajereader on the folder or cloud of queue/);
    expect(stdout).toContain('batch: up to 1000 message(s)');
    expect(mutations()).toEqual([]);
  });

  it('refuses public: true without a reason, and says what to add', async () => {
    const { code, stderr } = await deploy(manifest('reasonless', { public: true }));

    expect(code).toBe(2);
    expect(stderr).toContain('public: expected false, or {reason: "<why anyone may call it>"}');
    expect(mutations()).toEqual([]);
    expect(fn('reasonless')).toBeUndefined();
  });

  it('makes a function public only when asked with a reason, and warns with it', async () => {
    const { code, stdout } = await deploy(
      manifest('opened', { public: { reason: 'the billing webhook calls it' } }),
    );

    expect(code).toBe(0);
    expect(stdout).toMatch(/WARNING: the function will be public: anyone can call it/);
    expect(stdout).toContain('the reason function.yaml gives: "the billing webhook calls it"');
    expect(server.accessBindings(fn('opened')?.id as string)).toContainEqual(
      expect.objectContaining({
        roleId: 'functions.functionInvoker',
        subject: { id: 'allUsers', type: 'system' },
      }),
    );
  });

  it('judges the code by the size the API measured, not by what a description claims', async () => {
    await deploy(manifest('claimed'));
    const id = fn('claimed')?.id as string;
    const ours = codeOf(BUNDLE());
    // Other code, in a version that says it is ours, as the description once was trusted to.
    await versionByHand(id, {
      content: zip({ 'index.js': 'exports.handler = () => 0;' }),
      description: `yc-operation-canceller sha256:${ours.sha256}`,
    });
    server.reset();

    const { code, stdout, stderr } = await deploy(manifest('claimed'), '--dry-run');

    expect(code, stderr).toBe(0);
    expect(stdout).toContain('+ upload dist/function.zip as a new version of claimed');
    expect(stdout).toContain(
      `    ~ code size: ${'exports.handler = () => 0;'.length} bytes unpacked → ${ours.unpackedBytes} bytes unpacked`,
    );
    expect(stdout).toContain('    = memory: 128 MB');
  });

  it('refuses a secret-looking name in the environment, pointing to Lockbox, and repeats no value', async () => {
    const { code, stderr } = await deploy(
      manifest('leaky', { environment: { DRY_RUN: 'false', SLACK_TOKEN: 'xoxb-1234-abcd' } }),
    );

    expect(code).toBe(2);
    expect(stderr).toContain('environment.SLACK_TOKEN: expected no secret here');
    expect(stderr).toContain('put it in Lockbox and list it under secrets');
    expect(stderr).not.toContain('xoxb');
    expect(mutations()).toEqual([]);
  });

  it('deploys an environment value it does not know, and prints only its fingerprint', async () => {
    const value = 'not-for-the-screen-42';
    const data = manifest('masked', { environment: { DRY_RUN: 'false', CUSTOM_SETTING: value } });

    const asJson = await deploy(data, '--dry-run', '--json');
    const { code, stdout, stderr } = await deploy(data);

    expect(code, stderr).toBe(0);
    const fingerprint = createHash('sha256').update(value).digest('hex').slice(0, 16);
    expect(stdout).toContain(`    + environment CUSTOM_SETTING: not shown, sha256 ${fingerprint}…`);
    expect(stdout).toContain('    + environment DRY_RUN: false');
    expect(stdout + stderr + asJson.stdout + asJson.stderr).not.toContain(value);
    expect(asJson.stdout).toContain(`"to": "not shown, sha256 ${fingerprint}…"`);
    const [version] = server.versions(fn('masked')?.id as string);
    expect(version?.environment).toEqual({ DRY_RUN: 'false', CUSTOM_SETTING: value });
  });

  it('says how far the sweeps may reach', async () => {
    const open = await deploy(manifest('reach'), '--dry-run');
    const bounded = await deploy(
      manifest('reach', { environment: { ALLOWED_FOLDERS: `${FOLDER},b1gother` } }),
      '--dry-run',
    );

    expect(open.stdout).toContain('\nscope: any folder the service account can see\n');
    expect(bounded.stdout).toContain(`\nscope: folders ${FOLDER}, b1gother\n`);
  });

  it('stops and says so when an operation fails', async () => {
    server.failOperation('FunctionService/CreateVersion', { code: 8, message: 'quota exceeded' });

    const { code, stderr } = await deploy(manifest('unlucky'));

    expect(code).toBe(2);
    expect(stderr).toMatch(/uploading a version failed: quota exceeded \(code 8, operation \w+\)/);
    expect(server.triggers().filter((t) => t.name.startsWith('unlucky-'))).toEqual([]);
  });
});

/** A function writing metrics to a folder of its own, so no test sees another's dashboard. */
const withMetrics = (name: string) =>
  manifest(name, { environment: { DRY_RUN: 'false', METRICS_FOLDER_ID: `b1gmetrics${name}` } });

describe("npm run deploy and the function's dashboard", () => {
  const OWNER = 'yc-operation-canceller';
  const dashboardsOf = (name: string) =>
    server.dashboards().filter((d) => d.folderId === `b1gmetrics${name}`);
  const dashboardCalls = () => server.calls.filter((c) => c.method.startsWith('DashboardService/'));
  const dashboardChanges = () => dashboardCalls().filter((c) => !/\/(List|Get)$/.test(c.method));

  it('makes it on the first deploy, shown first by a dry run, and leaves it be on the next', async () => {
    const dry = await deploy(withMetrics('dashfresh'), '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+ create dashboard dashfresh in folder b1gmetricsdashfresh');
    expect(dashboardChanges()).toEqual([]);
    expect(dashboardsOf('dashfresh')).toEqual([]);

    const first = await deploy(withMetrics('dashfresh'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('created dashboard dashfresh in folder b1gmetricsdashfresh');
    const [made] = dashboardsOf('dashfresh');
    expect(made).toMatchObject({ name: 'dashfresh', managedBy: OWNER, managedLink: '' });
    const queries = made?.widgets.flatMap((w) => w.chart?.queries?.targets ?? []);
    expect(queries?.map((q) => q.query.split('{')[0])).toEqual([
      '"canceller.operations"',
      '"canceller.operations"',
      '"canceller.sweep.refused"',
      '"canceller.sweep.refused_listings"',
      '"canceller.sweep.failed_listings"',
      '"canceller.invocation.duration_ms"',
      '"canceller.invocation.duration_ms"',
      '"canceller.sweep.running_operations"',
      '"canceller.sweep.learnt_threshold_seconds"',
    ]);

    server.reset();
    const second = await deploy(withMetrics('dashfresh'));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('= dashboard dashfresh');
    expect(dashboardCalls().map((c) => c.method)).toEqual(['DashboardService/List']);
    expect(dashboardsOf('dashfresh')).toEqual([made]);
  });

  it('puts back an edit by hand, updating with the etag it read', async () => {
    await deploy(withMetrics('dashedited'));
    const [made] = dashboardsOf('dashedited');
    if (!made) throw new Error('no dashboard made');
    server.seedDashboards({ ...made, folderId: made.folderId ?? '', title: 'Mine', etag: '7' });

    const dry = await deploy(withMetrics('dashedited'), '--dry-run');
    expect(dry.stdout).toContain(
      '+ update dashboard dashedited (title changed), with the etag 7 read now',
    );
    expect(dry.stdout).toContain(`    ~ title: Mine → ${made.title}`);
    expect(dry.stdout).toContain('    = chart stuck: Stuck operations');
    server.reset();
    const { code, stdout, stderr } = await deploy(withMetrics('dashedited'));
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('updated dashboard dashedited (title)');
    expect(
      server.requestsOf('DashboardService/Update').map((r) => [r.dashboardId, r.etag]),
    ).toEqual([[made.id, '7']]);
    expect(dashboardsOf('dashedited')).toEqual([
      expect.objectContaining({ title: made.title, etag: '8', managedBy: OWNER }),
    ]);
  });

  it('says re-plan when the dashboard changed between the plan and the update', async () => {
    await deploy(withMetrics('dashraced'));
    const [made] = dashboardsOf('dashraced');
    if (!made) throw new Error('no dashboard made');
    server.seedDashboards({ ...made, folderId: made.folderId ?? '', title: 'Mine' });
    // What the API ends an update in when the etag sent is no longer the dashboard's.
    const message = `ALREADY_EXISTS: dashboard '${made.id}' with etag '0' is out of date`;
    server.failOperation('DashboardService/Update', { code: 6, message });

    const { code, stderr } = await deploy(withMetrics('dashraced'));
    expect(code).toBe(2);
    expect(stderr).toContain('dashboard dashraced changed since the plan was made');
    expect(stderr).toContain('re-plan');
    expect(dashboardsOf('dashraced')).toEqual([expect.objectContaining({ title: 'Mine' })]);
  });

  it('refuses, changing nothing, when someone else manages a dashboard of its name', async () => {
    server.seedDashboards({
      id: 'fbeterraform00000001',
      folderId: 'b1gmetricsdashtaken',
      name: 'dashtaken',
      managedBy: 'terraform',
    });
    const { code, stdout, stderr } = await deploy(withMetrics('dashtaken'));
    expect(code).toBe(1);
    expect(stdout).toContain(
      'REFUSED: dashboard dashtaken in folder b1gmetricsdashtaken is managed by "terraform", not by yc-operation-canceller',
    );
    expect(stderr).toContain('refused; nothing was changed');
    expect(mutations()).toEqual([]);
    expect(fn('dashtaken')).toBeUndefined();
    expect(dashboardsOf('dashtaken')).toEqual([
      expect.objectContaining({ managedBy: 'terraform', etag: '0' }),
    ]);
  });

  it('makes none, and calls Monitoring not at all, without METRICS_FOLDER_ID', async () => {
    const { code, stdout, stderr } = await deploy(manifest('dashnone'));
    expect(code, stderr).toBe(0);
    expect(stdout).not.toContain('dashboard');
    expect(dashboardCalls()).toEqual([]);
  });
});

describe('npm run deploy and the alerts to make by hand', () => {
  const HEADING =
    'alerts to make in the console (no API exists: terraform-provider-yandex #166, #427):';

  it('prints them after the plan of a dry run, as deploy would for the manifest', async () => {
    const data = withMetrics('alertsdry');
    const { code, stdout, stderr } = await deploy(data, '--dry-run');
    expect(code, stderr).toBe(0);
    const alerts = wantedAlerts(validateManifest(data));
    if (!alerts) throw new Error('no alerts');
    expect(stdout).toContain(`\n${formatAlerts(alerts)}`);
    expect(stdout.indexOf(HEADING)).toBeGreaterThan(stdout.indexOf('+ create dashboard alertsdry'));
    expect(stdout).toContain(
      '  Query A:                        "canceller.invocation.duration_ms"{folderId="b1gmetricsalertsdry", service="custom", source="timer"}\n  Test query:                     A\n  Aggregation function:           Count',
    );
    expect(mutations()).toEqual([]);
  });

  it('prints them with the plan of a real run too, and none without METRICS_FOLDER_ID', async () => {
    const real = await deploy(withMetrics('alertsreal'));
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain(HEADING);
    expect(real.stdout).toContain(
      '  Name:                           alertsreal: operations failed',
    );

    const none = await deploy(manifest('alertsnone'), '--dry-run');
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).not.toContain('alerts to make');
    expect(none.stdout).not.toContain('Evaluation window');
  });
});

describe('npm run deploy with a saved plan', () => {
  /** Deploys `name` as `manifest` has it, then saves the plan for `changed`; gives the plan's path. */
  async function savedPlan(name: string, changed: object) {
    await deploy(manifest(name));
    const file = path.join(dir, `${name}-plan.json`);
    const { code, stderr } = await deploy(changed, '--dry-run', '--out', file);
    expect(code, stderr).toBe(0);
    server.reset();
    return file;
  }

  it('--dry-run --out saves the plan with the state it was made against; --plan applies exactly it', async () => {
    const changed = manifest('saved', { memory: '256m' });
    const file = await savedPlan('saved', changed);
    const id = fn('saved')?.id as string;
    const [version] = server.versions(id);

    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toMatchObject({
      format: 'yc-operation-canceller deploy plan, v1',
      code: {
        source: 'dist/function.zip',
        sha256: codeOf(BUNDLE()).sha256,
        unpackedBytes: codeOf(BUNDLE()).unpackedBytes,
      },
      state: { functionId: id, latestVersionId: version?.id },
      plan: { refusals: [], scope: 'scope: any folder the service account can see' },
    });
    expect(saved.manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.state.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.state.triggerIds).toHaveLength(2);
    expect(saved.plan.steps.map((s: { kind: string }) => s.kind)).toEqual(['create-version']);

    const { code, stdout, stderr } = await deploy(changed, '--plan', file);

    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`applying the plan saved in ${file}, for saved:`);
    expect(stdout).toContain('    ~ memory: 128 MB → 256 MB');
    expect(mutations().map((c) => c.method)).toEqual(['FunctionService/CreateVersion']);
    expect(server.versions(id).at(-1)?.resources?.memory).toBe(256 * 1024 * 1024);
  });

  it.each([
    [
      'a version made by hand',
      (id: string) => versionByHand(id, { content: zip({ 'index.js': 'other' }) }),
      /the function's latest version is now \w+; the plan was made against \w+/,
    ],
    [
      'the function made public by hand',
      async (id: string) => {
        server.seedServerless({
          accessBindings: {
            [id]: [
              { roleId: 'functions.functionInvoker', subject: { id: 'allUsers', type: 'system' } },
            ],
          },
        });
      },
      /the cloud changed since the plan was made \(state fingerprint \w+…, the plan's \w+…\)/,
    ],
    [
      'a folder binding that makes every function public',
      async () => {
        server.setResourceBindings('folder', FOLDER, [
          { roleId: 'functions.functionInvoker', subject: { id: 'allUsers', type: 'system' } },
        ]);
      },
      /the cloud changed since the plan was made/,
    ],
  ])('refuses a saved plan after %s, and changes nothing', async (_what, change, reason) => {
    const changed = manifest('drifted', { memory: '256m' });
    const file = await savedPlan('drifted', changed);
    await change(fn('drifted')?.id as string);
    server.reset();

    const { code, stderr } = await deploy(changed, '--plan', file);

    expect(code).toBe(1);
    expect(stderr).toContain(`refused to apply ${file}; nothing was changed`);
    expect(stderr).toMatch(reason);
    expect(mutations()).toEqual([]);
  });

  it('refuses a saved plan when function.yaml or the code is not what it was made from', async () => {
    const source = put('code.zip', zip({ 'index.js': 'exports.handler = () => 1;' }));
    const planned = manifest('moved', { source });
    await deploy(planned);
    const file = path.join(dir, 'moved-plan.json');
    const saving = await deploy({ ...planned, memory: '256m' }, '--dry-run', '--out', file);
    expect(saving.code, saving.stderr).toBe(0);
    put('code.zip', zip({ 'index.js': 'exports.handler = () => 2;' }));
    server.reset();

    const { code, stderr } = await deploy({ ...planned, memory: '512m' }, '--plan', file);

    expect(code).toBe(1);
    expect(stderr).toMatch(/\.yaml is not the manifest the plan was made from \(.*\.yaml\)/);
    expect(stderr).toContain(`${source} is not the code the plan was made with`);
    expect(mutations()).toEqual([]);
  });

  it('refuses a saved plan after its dashboard was edited by hand, naming the etags', async () => {
    await deploy(withMetrics('dashsaved'));
    const file = path.join(dir, 'dashsaved-plan.json');
    const saving = await deploy(withMetrics('dashsaved'), '--dry-run', '--out', file);
    expect(saving.code, saving.stderr).toBe(0);
    const [made] = server.dashboards().filter((d) => d.name === 'dashsaved');
    if (!made) throw new Error('no dashboard made');
    server.seedDashboards({ ...made, folderId: made.folderId ?? '', title: 'Mine', etag: '9' });
    server.reset();

    const { code, stderr } = await deploy(withMetrics('dashsaved'), '--plan', file);

    expect(code).toBe(1);
    expect(stderr).toContain(
      `the function's dashboard is now ${made.id} with etag 9; the plan was made against ${made.id} with etag ${made.etag}`,
    );
    expect(mutations()).toEqual([]);
  });

  it('refuses a saved plan whose steps were edited', async () => {
    const changed = manifest('edited', { memory: '256m' });
    const file = await savedPlan('edited', changed);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    saved.plan.steps.push({ kind: 'make-public' });
    writeFileSync(file, JSON.stringify(saved));

    const { code, stderr } = await deploy(changed, '--plan', file);

    expect(code).toBe(1);
    expect(stderr).toContain('the plan is not what deploy makes of that same manifest');
    expect(mutations()).toEqual([]);
  });

  it('refuses to save a plan with refusals', async () => {
    server.setResourceBindings('folder', FOLDER, [
      { roleId: 'functions.functionInvoker', subject: { id: 'allUsers', type: 'system' } },
    ]);
    const file = path.join(dir, 'refused-plan.json');

    const { code } = await deploy(manifest('refused'), '--dry-run', '--out', file);

    expect(code).toBe(1);
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });
});

describe('npm run deploy credentials', () => {
  it('exchanges a service-account key file for an IAM token', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    server.trustServiceAccountKey({
      keyId: 'ajekey',
      serviceAccountId: 'ajedeployer',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const keyFile = path.join(dir, 'key.json');
    writeFileSync(
      keyFile,
      JSON.stringify({
        id: 'ajekey',
        service_account_id: 'ajedeployer',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      }),
    );

    const { code, stderr } = await deployWith(
      { YC_SERVICE_ACCOUNT_KEY_FILE: keyFile },
      manifest('keyed'),
      '--dry-run',
    );

    expect(code, stderr).toBe(0);
    const listing = server.calls.find((c) => c.method === 'FunctionService/List');
    expect(listing?.authorization).toBe(`Bearer ${server.iamTokenFor('ajedeployer')}`);
  });

  it('says so when IAM refuses the key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = path.join(dir, 'stranger.json');
    writeFileSync(
      keyFile,
      JSON.stringify({
        id: 'ajeunknown',
        service_account_id: 'ajestranger',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      }),
    );

    const { code, stderr } = await deployWith(
      { YC_SERVICE_ACCOUNT_KEY_FILE: keyFile },
      manifest('stranger'),
      '--dry-run',
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(/IAM refused the key in .*stranger\.json: .*UNAUTHENTICATED/);
  });

  it.each([
    ['a line break', 't1.first-half\nsecond-half'],
    ['a space', 't1.first-half second-half'],
    ['a letter outside ASCII', 't1.first-half\u00e9second-half'],
  ])('names a YC_IAM_TOKEN with %s, and shows none of it', async (_what, token) => {
    const { code, stderr } = await deployWith(
      { YC_IAM_TOKEN: token },
      manifest('badtoken'),
      '--dry-run',
    );

    expect(code).toBe(2);
    expect(stderr).toContain('YC_IAM_TOKEN is not a token');
    expect(stderr).not.toMatch(/first-half|second-half/);
    expect(server.calls).toEqual([]);
  });

  it('names a key file that is no JSON, without quoting it', async () => {
    const keyFile = put('broken.json', '{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIB');

    const { code, stderr } = await deployWith(
      { YC_SERVICE_ACCOUNT_KEY_FILE: keyFile },
      manifest('brokenkey'),
      '--dry-run',
    );

    expect(code).toBe(2);
    expect(stderr).toContain('broken.json is not a readable key file (not JSON)');
    expect(stderr).not.toMatch(/PRIVATE|MIIE/);
  });

  it('names a token from IAM that could not go into a header, and shows none of it', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // The emulator's IAM makes the token of the account id: this one gives a token with a space.
    server.trustServiceAccountKey({
      keyId: 'ajeodd',
      serviceAccountId: 'aje odd',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const keyFile = put(
      'odd.json',
      JSON.stringify({
        id: 'ajeodd',
        service_account_id: 'aje odd',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      }),
    );

    const { code, stderr } = await deployWith(
      { YC_SERVICE_ACCOUNT_KEY_FILE: keyFile },
      manifest('oddtoken'),
      '--dry-run',
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(/what IAM answered for the key in .*odd\.json is not a token/);
    expect(stderr).not.toContain(server.iamTokenFor('aje odd'));
  });

  it('takes the metadata service token where YC_METADATA_TOKEN_URL names one', async () => {
    const metadata = await startMetadataServer({ token: 't1.vm-token' });
    try {
      const { code, stderr } = await deployWith(
        { YC_METADATA_TOKEN_URL: metadata.url },
        manifest('onvm'),
        '--dry-run',
      );
      expect(code, stderr).toBe(0);
      expect(server.calls.find((c) => c.method === 'FunctionService/List')?.authorization).toBe(
        'Bearer t1.vm-token',
      );
    } finally {
      await metadata.close();
    }
  });
});
