import { Dashboard } from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard';
import { describe, expect, it } from 'vitest';
import { DASHBOARD, dashboardName, wantedDashboard } from '../src/dashboard';
import { withDashboard } from '../src/dashboard-plan';
import { type Manifest, validateManifest } from '../src/manifest';
import { formatPlan, planDeployment } from '../src/plan';
import { MINIMAL_MANIFEST } from './manifests';

const METRICS = 'b1gmetricsfolder';
const manifest = (environment: Record<string, string>, name = 'operation-canceller'): Manifest =>
  validateManifest({
    ...MINIMAL_MANIFEST,
    name,
    environment: { DRY_RUN: 'false', ...environment },
    triggers: [],
  });
const WITH_METRICS = manifest({ METRICS_FOLDER_ID: METRICS });
const want = wantedDashboard(WITH_METRICS);

/** The dashboard as the cloud holds it: deploy's own, as it wants it, unless `extra` says else. */
const found = (extra: Partial<Dashboard> = {}) =>
  Dashboard.fromPartial({
    id: 'fbedashboard',
    folderId: METRICS,
    etag: '4',
    ...want,
    widgets: [...(want?.widgets ?? [])],
    ...extra,
  });

const queries = (m: Manifest) =>
  wantedDashboard(m)?.widgets.flatMap((w) => w.chart?.queries?.targets.map((t) => t.query) ?? []);

describe("the function's dashboard", () => {
  it.each([
    ['operation-canceller', 'operation-canceller'],
    ['Canceller_Prod', 'canceller-prod'],
    ['9lives', 'd-9lives'],
    ['a'.repeat(70), 'a'.repeat(63)],
    [`${'b'.repeat(62)}-x`, 'b'.repeat(62)],
  ])('is named after function %j as %j, a valid dashboard name', (name, expected) => {
    const made = dashboardName(name);
    expect(made).toBe(expected);
    expect(made).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });

  it('is wanted only when the function writes metrics, in their folder', () => {
    expect(wantedDashboard(manifest({}))).toBeUndefined();
    expect(want).toMatchObject({
      folderId: METRICS,
      name: 'operation-canceller',
      managedBy: DASHBOARD.managedBy,
    });
  });

  it('points to the docs, and charts each metric the function writes, in its folder', () => {
    expect(want?.widgets[0]?.text?.text).toContain('docs/observability.md');
    const where = `folderId="${METRICS}", service="custom"`;
    expect(queries(WITH_METRICS)).toEqual([
      `"canceller.operations"{${where}, outcome="*"}`,
      `"canceller.operations"{${where}, outcome="stuck"}`,
      `"canceller.sweep.refused"{${where}}`,
      `"canceller.sweep.refused_listings"{${where}, kind="*"}`,
      `"canceller.sweep.failed_listings"{${where}}`,
      `"canceller.invocation.duration_ms"{${where}, source="*"}`,
      `"canceller.invocation.duration_ms"{${where}, source="timer"}`,
      `"canceller.sweep.running_operations"{${where}, folder="*"}`,
      `"canceller.sweep.learnt_threshold_seconds"{${where}, kind="*", description="*"}`,
    ]);
    // Every chart has a place of its own.
    const places = want?.widgets.map((w) => JSON.stringify(w.position));
    expect(new Set(places).size).toBe(want?.widgets.length);
  });
});

describe("the plan's dashboard", () => {
  const plan = (m: Manifest, dashboard?: Dashboard) =>
    withDashboard(planDeployment(m, 1000), m, dashboard);

  it.each([
    ['none', undefined, ['create-dashboard'], [], 'create dashboard operation-canceller'],
    ['ours, as wanted', found(), [], ['dashboard operation-canceller'], undefined],
    [
      'ours, edited',
      found({ title: 'Mine now', widgets: [] }),
      ['update-dashboard'],
      [],
      'update dashboard operation-canceller (title, widgets changed), with the etag 4 read now',
    ],
  ] as const)('with %s found: %j', (_, dashboard, steps, unchanged, line) => {
    const made = plan(WITH_METRICS, dashboard);
    const dashboardSteps = made.steps.filter((s) => s.kind.endsWith('-dashboard'));
    expect(dashboardSteps.map((s) => s.kind)).toEqual(steps);
    expect(made.unchanged.filter((u) => u.startsWith('dashboard'))).toEqual(unchanged);
    expect(made.refusals).toEqual([]);
    if (line !== undefined) expect(formatPlan(made, WITH_METRICS)).toContain(`+ ${line}`);
    // Last, after the function and its triggers.
    if (steps.length > 0) expect(made.steps.at(-1)?.kind).toBe(steps[0]);
  });

  it('updates with the etag read', () => {
    const made = plan(WITH_METRICS, found({ description: 'x' }));
    const [step] = made.steps.slice(-1);
    expect(step).toMatchObject({
      kind: 'update-dashboard',
      id: 'fbedashboard',
      etag: '4',
      name: 'operation-canceller',
      changed: ['description'],
    });
    // The plan says how: the description from what was found to what deploy sets, the rest kept.
    const changes = step && 'changes' in step ? step.changes : [];
    expect(changes.filter((c) => c.from !== c.to)).toEqual([
      { name: 'description', from: 'x', to: wantedDashboard(WITH_METRICS)?.description },
    ]);
    expect(changes.map((c) => c.name)).toContain('chart timer-runs');
    expect(formatPlan(made, WITH_METRICS)).toContain(
      `    ~ description: x → ${wantedDashboard(WITH_METRICS)?.description}`,
    );
  });

  it('shows each chart a new dashboard gets, with its query', () => {
    const [step] = plan(WITH_METRICS).steps.slice(-1);
    const changes = step && 'changes' in step ? step.changes : [];
    expect(changes.map((c) => c.name)).toEqual([
      'title',
      'description',
      'text',
      'chart operations',
      'chart stuck',
      'chart refused',
      'chart unlistable',
      'chart failed-listings',
      'chart duration',
      'chart timer-runs',
      'chart running',
      'chart learnt',
    ]);
    expect(changes.every((c) => c.from === undefined)).toBe(true);
    expect(formatPlan(plan(WITH_METRICS), WITH_METRICS)).toContain(
      `    + chart failed-listings: Listings failed for now, at 0,19: "canceller.sweep.failed_listings"{folderId="${METRICS}", service="custom"}`,
    );
  });

  it.each([
    ['terraform', '"terraform"'],
    ['', 'no tool (made by hand, in the console)'],
  ])('refuses one managed by %j, naming the owner and what to do', (managedBy, owner) => {
    const made = plan(WITH_METRICS, found({ managedBy }));
    expect(made.steps.some((s) => s.kind.endsWith('-dashboard'))).toBe(false);
    expect(made.refusals).toEqual([
      `dashboard operation-canceller in folder ${METRICS} is managed by ${owner}, not by yc-operation-canceller, so deploy leaves it alone: delete or rename it there for deploy to make its own, or leave it to its owner and unset METRICS_FOLDER_ID`,
    ]);
  });

  it('has none without metrics, whatever is found', () => {
    const m = manifest({});
    expect(plan(m, found({ managedBy: 'terraform' }))).toEqual(planDeployment(m, 1000));
  });
});
