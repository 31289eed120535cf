import { describe, expect, it } from 'vitest';
import { type Manifest, validateManifest } from '../../deploy/manifest';
import {
  type CurrentState,
  formatPlan,
  PUBLIC_WARNING,
  planDeployment,
  versionSpec,
} from '../../deploy/plan';

const SHA = 'a'.repeat(64);
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
  description: m.description ?? '',
  latest: versionSpec(m, SHA),
  public: m.public,
  triggers: m.triggers.map((spec, i) => ({ id: `a1strigger${i}`, spec })),
  ...extra,
});

const kinds = (m: Manifest, current?: CurrentState, sha = SHA) =>
  planDeployment(m, sha, current).steps.map((s) => s.kind);

describe('the deployment plan', () => {
  it('from nothing creates the function, a version and every trigger, and keeps it private', () => {
    const plan = planDeployment(manifest(), SHA);
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
    const plan = planDeployment(m, SHA, deployed(m));
    expect(plan.steps).toEqual([]);
    expect(formatPlan(plan, m)).toMatch(/^nothing to do\n/);
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
    ['new code', (m: Manifest) => kinds(m, deployed(m), 'b'.repeat(64)), ['create-version']],
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

  it('says which version settings changed', () => {
    const m = manifest();
    const plan = planDeployment(manifest({ memory: '256m', timeout: '30s' }), SHA, deployed(m));
    expect(plan.steps).toEqual([{ kind: 'create-version', reasons: ['memoryBytes', 'timeoutMs'] }]);
  });

  it('replaces a trigger whose settings changed, and creates a new one', () => {
    const m = manifest();
    const changed = manifest({
      triggers: [
        { type: 'timer', name: 'tick', cron: '0/5 * ? * * *', serviceAccountId: 'ajeinvoker' },
        { type: 'timer', name: 'tock', cron: '0 0 ? * * *', serviceAccountId: 'ajeinvoker' },
      ],
    });
    const plan = planDeployment(changed, SHA, deployed(m));
    expect(plan.steps).toEqual([
      {
        kind: 'replace-trigger',
        id: 'a1strigger0',
        trigger: changed.triggers[0],
        fields: ['cron'],
      },
      { kind: 'create-trigger', trigger: changed.triggers[1] },
    ]);
  });

  it('makes a function public only when the manifest asks, with a warning', () => {
    const m = manifest({ public: true });
    const plan = planDeployment(m, SHA, deployed(manifest()));
    expect(plan.steps.map((s) => s.kind)).toEqual(['make-public']);
    expect(plan.warnings).toEqual([PUBLIC_WARNING]);
    expect(formatPlan(plan, m)).toMatch(
      /^WARNING: the function will be public: anyone can call it/,
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
