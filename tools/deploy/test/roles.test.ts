import { describe, expect, it } from 'vitest';
import { validateManifest } from '../src/manifest';
import { checkRoles, Grant, includes, type NeededRole, neededRoles } from '../src/roles';

const base = {
  name: 'canceller',
  folderId: 'b1gfolder',
  runtime: 'nodejs22',
  entrypoint: 'index.handler',
  memory: '128m',
  timeout: '60s',
  serviceAccountId: 'ajefn',
};
const timer = (payload: string) => ({
  type: 'timer',
  name: 'sweep',
  cron: '0/15 * ? * * *',
  payload,
  serviceAccountId: 'ajeinvoker',
});
const roles = (extra: object) =>
  neededRoles(validateManifest({ ...base, ...extra })).map(({ account, role, on }) => [
    account,
    role,
    'id' in on ? `${on.kind} ${on.id}` : on.kind,
  ]);

describe('the roles a manifest calls for (docs/iam.md)', () => {
  it("lists a folder sweep's listing and cancelling roles, by its kinds, and the invoker's", () => {
    const payload =
      '{"sweep": {"folderId": "b1gswept", "kinds": ["compute.instance", "compute.disk", "k8s.cluster"]}}';
    expect(roles({ triggers: [timer(payload)] })).toEqual([
      ['ajefn', 'compute.auditor', 'folder b1gswept'],
      ['ajefn', 'k8s.viewer', 'folder b1gswept'],
      ['ajefn', 'compute.editor', 'folder b1gswept'],
      ['ajeinvoker', 'functions.functionInvoker', 'function'],
    ]);
  });

  it('leaves out cancelling for a dry run, by the payload or the environment', () => {
    const payload = '{"sweep": {"folderId": "b1gswept", "kinds": ["vpc.network"]}, "dryRun": true}';
    expect(roles({ triggers: [timer(payload)] }).map(([, role]) => role)).toEqual([
      'vpc.auditor',
      'functions.functionInvoker',
    ]);
    const plain = '{"sweep": {"folderId": "b1gswept", "kinds": ["vpc.network"]}}';
    const dry = roles({ environment: { DRY_RUN: ' TRUE' }, triggers: [timer(plain)] });
    expect(dry.map(([, role]) => role)).not.toContain('vpc.privateAdmin');
  });

  it("lists a cloud sweep's folder listing, its hand-offs, and asyncInvocation's accounts", () => {
    const found = roles({
      triggers: [timer('{"sweep": {"cloudId": "b1gcloud", "kinds": ["vpc.securityGroup"]}}')],
      asyncInvocation: {
        retries: 1,
        serviceAccountId: 'ajeasync',
        failureTarget: {
          queueId: 'yrn:yc:ymq:ru-central1:b1gcloud:dlq',
          serviceAccountId: 'ajedlq',
        },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        ['ajefn', 'vpc.auditor', 'cloud b1gcloud'],
        ['ajefn', 'vpc.securityGroups.admin', 'cloud b1gcloud'],
        ['ajefn', 'resource-manager.auditor', 'cloud b1gcloud'],
        ['ajefn', 'functions.functionInvoker', 'function'],
        ['ajeasync', 'functions.functionInvoker', 'function'],
        ['ajedlq', 'ymq.writer', 'elsewhere'],
      ]),
    );
  });

  it('lists metrics, secrets, and a queue: its reader, and every cancelling role for its ids', () => {
    const found = roles({
      environment: { METRICS_FOLDER_ID: 'b1gmetrics' },
      secrets: [
        { environmentVariable: 'HTTP_API_KEY', id: 'e6qsecret', versionId: 'e6qversion', key: 'k' },
      ],
      triggers: [
        {
          type: 'message-queue',
          name: 'queue',
          queueId: 'yrn:yc:ymq:ru-central1:b1gfolder:stuck',
          queueServiceAccountId: 'ajereader',
          serviceAccountId: 'ajeinvoker',
        },
      ],
    });
    expect(found).toEqual(
      expect.arrayContaining([
        ['ajefn', 'monitoring.editor', 'folder b1gmetrics'],
        ['ajefn', 'lockbox.payloadViewer', 'elsewhere'],
        ['ajereader', 'ymq.reader', 'elsewhere'],
        ['ajefn', 'compute.editor', 'elsewhere'],
        ['ajefn', 'cloud-router.editor', 'elsewhere'],
      ]),
    );
  });
  it('asks nothing of a blank payload, and every cancelling role of one naming ids', () => {
    expect(roles({ triggers: [timer('   ')] }).map(([, role]) => role)).toEqual([
      'functions.functionInvoker',
    ]);
    const named = roles({ triggers: [timer('{"operationIds": ["fd8op1"]}')] });
    expect(named).toEqual(
      expect.arrayContaining([
        ['ajefn', 'compute.editor', 'elsewhere'],
        ['ajefn', 'vpc.securityGroups.admin', 'elsewhere'],
      ]),
    );
    expect(named.map(([, role]) => role)).not.toContain('compute.auditor');
  });
});

describe('a role held that includes the one needed (the role reference)', () => {
  it.each([
    ['compute.auditor', 'compute.auditor', true],
    ['admin', 'vpc.privateAdmin', true],
    ['resource-manager.clouds.owner', 'lockbox.payloadViewer', true],
    ['editor', 'compute.editor', true],
    ['editor', 'vpc.privateAdmin', true],
    ['editor', 'functions.functionInvoker', true],
    ['editor', 'mdb.auditor', true],
    ['editor', 'lockbox.payloadViewer', false],
    ['viewer', 'mdb.auditor', true],
    ['viewer', 'k8s.viewer', true],
    ['viewer', 'compute.editor', false],
    ['auditor', 'resource-manager.auditor', true],
    ['auditor', 'k8s.viewer', false],
    ['compute.admin', 'compute.auditor', true],
    ['compute.editor', 'vpc.auditor', true],
    ['compute.auditor', 'compute.editor', false],
    ['vpc.privateAdmin', 'vpc.auditor', true],
    ['vpc.admin', 'vpc.securityGroups.admin', true],
    ['vpc.admin', 'compute.auditor', false],
    ['vpc.securityGroups.admin', 'vpc.privateAdmin', false],
    ['lockbox.editor', 'lockbox.payloadViewer', false],
    ['functions.admin', 'functions.functionInvoker', true],
    ['mdb.admin', 'vpc.auditor', true],
    ['__proto__', 'compute.auditor', false],
  ])('%s gives %s: %s', (held, needed, gives) => {
    expect(includes(held, needed)).toBe(gives);
  });
});

describe('checking the roles against the bindings read', () => {
  const need = (role: string, on: NeededRole['on']): NeededRole => ({
    account: 'ajefn',
    role,
    on,
    why: '',
  });
  const sa = (roleId: string, id = 'ajefn') => ({
    roleId,
    subject: { id, type: 'serviceAccount' },
  });
  const read = {
    folder: {
      id: 'b1gfolder',
      bindings: [sa('compute.auditor'), sa('compute.editor', 'ajeother')],
    },
    cloud: { id: 'b1gcloud', bindings: [sa('k8s.viewer')] },
    fn: [],
  };

  it.each([
    [
      'a role granted on the folder',
      need('compute.auditor', { kind: 'folder', id: 'b1gfolder' }),
      Grant.Granted,
    ],
    [
      'one granted on the cloud, inherited',
      need('k8s.viewer', { kind: 'folder', id: 'b1gfolder' }),
      Grant.Granted,
    ],
    [
      'one granted to another account only',
      need('compute.editor', { kind: 'folder', id: 'b1gfolder' }),
      Grant.Missing,
    ],
    [
      'one on a folder never read',
      need('compute.auditor', { kind: 'folder', id: 'b1gother' }),
      Grant.Unknown,
    ],
    [
      'one on a secret, which deploy does not read',
      need('lockbox.payloadViewer', { kind: 'elsewhere', text: 'secret' }),
      Grant.Unknown,
    ],
    [
      'the invoker role on the function, not held',
      need('functions.functionInvoker', { kind: 'function' }),
      Grant.Missing,
    ],
  ])('%s', (_case, role, grant) => {
    expect(checkRoles([role], read)[0]?.grant).toBe(grant);
  });

  it('takes an owner of the cloud, or a service admin, as holding the roles below it', () => {
    const owned = {
      folder: { id: 'b1gfolder', bindings: [sa('vpc.admin')] },
      cloud: { id: 'b1gcloud', bindings: [sa('resource-manager.clouds.owner', 'ajeowner')] },
      fn: [],
    };
    const sgAdmin = need('vpc.securityGroups.admin', { kind: 'folder', id: 'b1gfolder' });
    expect(checkRoles([sgAdmin], owned)[0]?.grant).toBe(Grant.Granted);
    const asOwner = {
      ...need('compute.editor', { kind: 'cloud', id: 'b1gcloud' }),
      account: 'ajeowner',
    };
    expect(checkRoles([asOwner], owned)[0]?.grant).toBe(Grant.Granted);
  });
});
