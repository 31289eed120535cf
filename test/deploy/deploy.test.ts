import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ROOT } from '../../emulator/build-if-needed';
import { type CloudApiServer, startCloudApiServer } from '../../emulator/cloud-api-server';
import { startMetadataServer } from '../support/metadata-server';
import { runScript, WITHOUT_CREDENTIALS } from '../support/run-script';
import { testPki } from '../support/test-pki';

const TOKEN = 't1.deployer-token';
const FOLDER = 'b1gdeployfolder';
let server: CloudApiServer;
let dir: string;

beforeAll(async () => {
  const pki = testPki();
  server = await startCloudApiServer({ pki });
  dir = mkdtempSync(path.join(tmpdir(), 'deploy-'));
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
  return runScript('deploy/main.ts', ['--manifest', file, ...args], {
    ...WITHOUT_CREDENTIALS,
    ...credentials,
    YC_IAM_ENDPOINT: server.address,
    YC_FUNCTIONS_ENDPOINT: server.address,
    YC_TRIGGERS_ENDPOINT: server.address,
    YC_OPERATION_ENDPOINT: server.address,
    NODE_EXTRA_CA_CERTS: testPki().caFile,
    // grpc-js trusts NODE_EXTRA_CA_CERTS only while this is unset.
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: undefined,
  });
}

const mutations = () =>
  server.calls.filter((c) =>
    /Service\/(Create|Update|Delete|CreateVersion|SetAccessBindings)$/.test(c.method),
  );
const fn = (name: string) => server.functions().find((f) => f.name === name);

beforeEach(() => server.reset());

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

  it('uploads a new version when a setting changed, and replaces a changed trigger', async () => {
    await deploy(manifest('changing'));
    server.reset();
    const changed = manifest('changing', { memory: '256m' });
    (changed.triggers[0] as { cron: string }).cron = '0/5 * ? * * *';

    const { code, stdout } = await deploy(changed);

    expect(code).toBe(0);
    expect(stdout).toContain('+ upload dist/function.zip as a new version (memoryBytes)');
    expect(stdout).toContain('+ replace timer trigger changing-tick (cron changed)');
    expect(mutations().map((c) => c.method)).toEqual([
      'FunctionService/CreateVersion',
      'TriggerService/Delete',
      'TriggerService/Create',
    ]);
    expect(server.versions(fn('changing')?.id as string)).toHaveLength(2);
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
    expect(stdout).toContain('+ update function dryrun: description');
    expect(mutations()).toEqual([]);
  });

  it('makes a function public only when asked, and warns', async () => {
    const { code, stdout } = await deploy(manifest('opened', { public: true }));

    expect(code).toBe(0);
    expect(stdout).toMatch(/WARNING: the function will be public: anyone can call it/);
    expect(server.accessBindings(fn('opened')?.id as string)).toContainEqual(
      expect.objectContaining({
        roleId: 'functions.functionInvoker',
        subject: { id: 'allUsers', type: 'system' },
      }),
    );
  });

  it('stops and says so when an operation fails', async () => {
    server.failOperation('FunctionService/CreateVersion', { code: 8, message: 'quota exceeded' });

    const { code, stderr } = await deploy(manifest('unlucky'));

    expect(code).toBe(2);
    expect(stderr).toMatch(/uploading a version failed: quota exceeded \(code 8, operation \w+\)/);
    expect(server.triggers().filter((t) => t.name.startsWith('unlucky-'))).toEqual([]);
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
