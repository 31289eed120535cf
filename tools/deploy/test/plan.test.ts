import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Manifest, validateManifest } from '../src/manifest';
import {
  type CurrentState,
  formatPlan,
  planDeployment,
  publicWarning,
  versionSpec,
} from '../src/plan';

/** The code's size after unpacking, as function.proto `Version.image_size` has it. */
const BYTES = 1_000_000;
const manifest = (extra: Record<string, unknown> = {}): Manifest =>
  validateManifest({
    name: 'operation-canceller',
    folderId: 'b1gfolder',
    description: 'cancels',
    runtime: 'nodejs22',
    entrypoint: 'index.handler',
    memory: '128m',
    timeout: '60s',
    serviceAccountId: 'ajesa',
    environment: { DRY_RUN: 'false' },
    triggers: [
      { type: 'timer', name: 'tick', cron: '0 * ? * * *', serviceAccountId: 'ajeinvoker' },
    ],
    ...extra,
  });

/** The cloud exactly as the manifest wants it. */
const deployed = (m: Manifest, extra: Partial<CurrentState> = {}): CurrentState => ({
  functionId: 'd4efunction',
  latestVersionId: 'd4eversion',
  description: m.description ?? '',
  latest: versionSpec(m, BYTES),
  public: m.public,
  accessBindings: [],
  triggers: m.triggers.map((spec, i) => ({ id: `a1strigger${i}`, spec })),
  ...extra,
});

const kinds = (m: Manifest, current?: CurrentState, bytes = BYTES) =>
  planDeployment(m, bytes, current).steps.map((s) => s.kind);

describe('the deployment plan', () => {
  it('from nothing creates the function, a version and every trigger, and keeps it private', () => {
    const plan = planDeployment(manifest(), BYTES);
    expect(plan.steps.map((s) => s.kind)).toEqual([
      'create-function',
      'create-version',
      'create-trigger',
    ]);
    expect(plan.unchanged).toEqual(['private access']);
    expect(plan.warnings).toEqual([]);
  });

  it('with nothing changed does nothing', () => {
    const m = manifest();
    const plan = planDeployment(m, BYTES, deployed(m));
    expect(plan.steps).toEqual([]);
    expect(formatPlan(plan, m)).toMatch(
      /^scope: any folder the service account can see\nnothing to do\n/,
    );
    expect(formatPlan(plan, m)).toContain('= function operation-canceller');
  });

  it('does not count key order as a change', () => {
    const m = manifest({ environment: { A: '1', B: '2' } });
    const current = deployed(m);
    const reordered = {
      ...current,
      latest: {
        ...(current.latest as NonNullable<CurrentState['latest']>),
        environment: { B: '2', A: '1' },
      },
    };
    expect(kinds(m, reordered)).toEqual([]);
  });

  it.each([
    ['code of another size', (m: Manifest) => kinds(m, deployed(m), BYTES + 1), ['create-version']],
    [
      'more memory',
      (m: Manifest) => kinds(manifest({ memory: '256m' }), deployed(m)),
      ['create-version'],
    ],
    [
      'another environment',
      (m: Manifest) => kinds(manifest({ environment: { DRY_RUN: 'true' } }), deployed(m)),
      ['create-version'],
    ],
    [
      'a new description',
      (m: Manifest) => kinds(manifest({ description: 'other' }), deployed(m)),
      ['update-function'],
    ],
    [
      'no version yet',
      (m: Manifest) => kinds(m, deployed(m, { latest: undefined })),
      ['create-version'],
    ],
  ])('with %s: %s', (_name, run, steps) => {
    expect(run(manifest())).toEqual(steps);
  });

  it('says which version settings changed, old → new, and which stay', () => {
    const m = manifest();
    const wanted = manifest({ memory: '256m', timeout: '30s' });
    const plan = planDeployment(wanted, BYTES, deployed(m));
    const [step] = plan.steps;
    expect(step?.kind).toBe('create-version');
    const text = formatPlan(plan, wanted);
    expect(text).toContain('    ~ memory: 128 MB → 256 MB');
    expect(text).toContain('    ~ timeout: 60 s → 30 s');
    expect(text).toContain('    = runtime: nodejs22');
    expect(text).toContain('    = environment DRY_RUN: false');
  });

  it('from nothing shows every setting of the version and of each trigger', () => {
    const m = manifest({
      secrets: [
        { environmentVariable: 'HTTP_API_KEY', id: 'e6qsecret', versionId: 'e6qv1', key: 'k' },
      ],
      triggers: [
        {
          type: 'timer',
          name: 'tick',
          cron: '0 * ? * * *',
          payload: '{"sweep": {"folderId": "b1gfolder", "olderThan": "30m"}}',
          serviceAccountId: 'ajeinvoker',
          retry: { attempts: 2, interval: '10s' },
        },
        {
          type: 'message-queue',
          name: 'queue',
          queueId: 'yrn:yc:ymq:ru-central1:b1g:q',
          queueServiceAccountId: 'ajereader',
          serviceAccountId: 'ajeinvoker',
        },
      ],
    });
    const text = formatPlan(planDeployment(m, BYTES), m);
    for (const line of [
      '+ create function operation-canceller in folder b1gfolder ("cancels")',
      '    + runtime: nodejs22',
      '    + entrypoint: index.handler',
      '    + memory: 128 MB',
      '    + timeout: 60 s',
      '    + concurrency: 1',
      '    + service account: ajesa',
      '    + environment DRY_RUN: false',
      '    + secret HTTP_API_KEY: Lockbox e6qsecret version e6qv1, key k',
      '+ create timer trigger tick',
      '    + schedule: 0 * ? * * * (UTC)',
      '    + payload: {"sweep": {"folderId": "b1gfolder", "olderThan": "30m"}}',
      '    + retry: 2 attempt(s), 10 s apart',
      '+ create message-queue trigger queue',
      '    + batch: up to 1 message(s), or what came within 10 s',
      '    + visibility timeout: 90 s',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('judges the code by the size the API reports after unpacking, not by anything written', () => {
    const m = manifest();
    const text = formatPlan(planDeployment(m, BYTES + 1, deployed(m)), m);
    expect(text).toContain('    ~ code size: 1000000 bytes unpacked → 1000001 bytes unpacked');
    const unmeasured = deployed(m, { latest: { ...versionSpec(m, 0) } });
    expect(formatPlan(planDeployment(m, BYTES, unmeasured), m)).toContain(
      '    ~ code size: unknown → 1000000 bytes unpacked',
    );
  });

  it('shows the known plain settings in full, and any other environment value by a fingerprint', () => {
    const fingerprint = (value: string) =>
      `not shown, sha256 ${createHash('sha256').update(value).digest('hex').slice(0, 16)}…`;
    const m = manifest({ environment: { DRY_RUN: 'true', CUSTOM: 'hunter2', KEPT: 'same' } });
    const before = manifest({ environment: { DRY_RUN: 'false', CUSTOM: 'letmein', KEPT: 'same' } });
    const plan = planDeployment(m, BYTES, deployed(before));
    const text = formatPlan(plan, m);
    expect(text).toContain('    ~ environment DRY_RUN: false → true');
    expect(text).toContain(
      `    ~ environment CUSTOM: ${fingerprint('letmein')} → ${fingerprint('hunter2')}`,
    );
    expect(text).toContain(`    = environment KEPT: ${fingerprint('same')}`);
    for (const secret of ['hunter2', 'letmein']) {
      expect(text).not.toContain(secret);
      expect(JSON.stringify(plan)).not.toContain(secret);
    }
  });

  it('sees a change of a value it does not show', () => {
    const m = manifest({ environment: { CUSTOM: 'b' } });
    expect(kinds(m, deployed(manifest({ environment: { CUSTOM: 'a' } })))).toEqual([
      'create-version',
    ]);
  });

  it('says how far the sweeps may reach, from ALLOWED_FOLDERS and ALLOWED_CLOUDS', () => {
    const bounded = manifest({ environment: { ALLOWED_FOLDERS: 'b1ga,b1gb' } });
    const plan = planDeployment(bounded, BYTES);
    expect(plan.scope).toBe('scope: folders b1ga, b1gb');
    expect(formatPlan(plan, bounded)).toMatch(/^scope: folders b1ga, b1gb\n/);
    expect(planDeployment(manifest(), BYTES).scope).toBe(
      'scope: any folder the service account can see',
    );
  });

  it('refuses a scope the function would refuse, which would fail its every invocation', () => {
    const blank = manifest({ environment: { ALLOWED_FOLDERS: ' ' } });
    expect(planDeployment(blank, BYTES).refusals).toEqual([
      expect.stringMatching(/^environment: ALLOWED_FOLDERS is set but names no id/),
    ]);
  });

  it('updates a trigger whose settings changed in place, and creates a new one', () => {
    const m = manifest();
    const changed = manifest({
      triggers: [
        { type: 'timer', name: 'tick', cron: '0/5 * ? * * *', serviceAccountId: 'ajeinvoker' },
        { type: 'timer', name: 'tock', cron: '0 0 ? * * *', serviceAccountId: 'ajeinvoker' },
      ],
    });
    const plan = planDeployment(changed, BYTES, deployed(m));
    expect(plan.steps.map((s) => s.kind)).toEqual(['update-trigger', 'create-trigger']);
    expect(plan.steps[0]).toMatchObject({ id: 'a1strigger0', trigger: changed.triggers[0] });
    expect(formatPlan(plan, changed)).toContain(
      '    ~ schedule: 0 * ? * * * (UTC) → 0/5 * ? * * * (UTC)',
    );
  });

  it('replaces a trigger only when its type changes, which an update cannot do', () => {
    const m = manifest();
    const changed = manifest({
      triggers: [
        {
          type: 'message-queue',
          name: 'tick',
          queueId: 'yrn:yc:ymq:ru-central1:b1g:q',
          queueServiceAccountId: 'ajereader',
          serviceAccountId: 'ajeinvoker',
        },
      ],
    });
    expect(kinds(changed, deployed(m))).toEqual(['replace-trigger']);
  });

  it('refuses, naming the binding, when the folder makes every function public', () => {
    const m = manifest();
    const binding = 'folder b1gfolder: the binding of functions.functionInvoker to system:allUsers';
    const inherited = { publicFromAbove: [binding], unreadBindings: [] };
    const plan = planDeployment(m, BYTES, deployed(m), inherited);
    expect(plan.refusals).toEqual([expect.stringContaining(binding)]);
    expect(formatPlan(plan, m)).toMatch(/^REFUSED: folder b1gfolder: the binding of/);
    // A function not made yet is refused too: the binding would make it public at once.
    expect(planDeployment(m, BYTES, undefined, inherited).refusals).toHaveLength(1);
    // Asking for a public function is what such a binding gives anyway.
    const open = manifest({ public: { reason: 'a webhook calls it' } });
    expect(planDeployment(open, BYTES, deployed(open), inherited).refusals).toEqual([]);
  });

  it('warns when the folder bindings could not be read', () => {
    const m = manifest();
    const plan = planDeployment(m, BYTES, deployed(m), {
      publicFromAbove: [],
      unreadBindings: ['cloud b1gcloud'],
    });
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^the access bindings of cloud b1gcloud could not be read/),
    ]);
  });

  it('makes a function public only when the manifest asks, with a warning that gives its reason', () => {
    const m = manifest({ public: { reason: 'a webhook calls it' } });
    const plan = planDeployment(m, BYTES, deployed(manifest()));
    expect(plan.steps.map((s) => s.kind)).toEqual(['make-public']);
    expect(plan.warnings).toEqual([publicWarning('a webhook calls it')]);
    expect(formatPlan(plan, m)).toMatch(
      /^WARNING: the function will be public: anyone can call it.*; the reason function\.yaml gives: "a webhook calls it"\n/,
    );
  });

  it('makes a function that was made public by hand private again, before anything else', () => {
    const m = manifest();
    expect(kinds(manifest({ memory: '256m' }), deployed(m, { public: true }))).toEqual([
      'make-private',
      'create-version',
    ]);
  });

  it('takes an empty timer payload for none, as the API does', () => {
    const m = manifest({
      triggers: [
        {
          type: 'timer',
          name: 'tick',
          cron: '0 * ? * * *',
          payload: '',
          serviceAccountId: 'ajeinvoker',
        },
      ],
    });
    const { payload: _, ...asRead } = m.triggers[0] as Record<string, unknown>;
    const current = deployed(m, {
      triggers: [{ id: 'a1s', spec: asRead as Manifest['triggers'][number] }],
    });
    expect(kinds(m, current)).toEqual([]);
  });
});
