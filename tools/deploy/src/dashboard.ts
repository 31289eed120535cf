import type { Dashboard } from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard';
import { Widget } from '@yandex-cloud/nodejs-sdk/monitoring-v3/widget';
import { ACTIVE_OPERATIONS_QUOTA, METRIC } from '../../../deploy-api';
import type { Manifest } from './manifest';
import { type Change, changesOf, type Setting } from './settings';

/**
 * The `managed_by` of the dashboard deploy makes: the mark by which it knows its own, and leaves
 * alone one that someone else (the console, Terraform) manages.
 */
export const DASHBOARD = {
  managedBy: 'yc-operation-canceller',
  docs: 'docs/observability.md',
} as const;

/** dashboard_service.proto: CreateDashboardRequest.name. */
const NAME_LIMIT = 63;

/** The dashboard deploy makes for the function: the fields it sets, all of them. */
export interface WantedDashboard {
  readonly folderId: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly managedBy: string;
  readonly widgets: readonly Widget[];
}

/**
 * The charts, each a title and the labels of one metric the function writes (src/report/observe/
 * metrics.ts). There is no metric of a timer's last run: the timer's invocation durations stand
 * in for it, one point per run, so a gap in them is a run that did not happen.
 */
const CHARTS = [
  ['operations', 'Operations by outcome', METRIC.operations, 'outcome="*"'],
  ['stuck', 'Stuck operations', METRIC.operations, 'outcome="stuck"'],
  ['refused', 'Sweeps refused by the blast-radius guard', METRIC.refused, ''],
  ['unlistable', 'Listings refused, by kind', METRIC.refusedListings, 'kind="*"'],
  ['failed-listings', 'Listings failed for now', METRIC.failedListings, ''],
  ['duration', 'Invocation duration, ms', METRIC.duration, 'source="*"'],
  ['timer-runs', 'Timer runs (a gap is a missed run)', METRIC.duration, 'source="timer"'],
  [
    'running',
    `Running operations by folder (quota: ${ACTIVE_OPERATIONS_QUOTA.documented} a folder)`,
    METRIC.running,
    'folder="*"',
  ],
  // Written only by sweeps that `learn`: what each kind and method usually takes, made a threshold.
  [
    'learnt',
    'Learnt thresholds, s, by kind and description',
    METRIC.learntThreshold,
    'kind="*", description="*"',
  ],
] as const;

/** Charts two to a row, under the text; Monitoring's grid is 36 columns wide. */
const SIZE = { w: 18, h: 8, textH: 3 } as const;

/**
 * A dashboard name from the function's name, valid per `[a-z]([-a-z0-9]{0,61}[a-z0-9])?`:
 * lower case, anything else a dash, cut to 63 characters, starting with a letter.
 */
export function dashboardName(functionName: string): string {
  const dashed = functionName.toLowerCase().replace(/[^-a-z0-9]+/g, '-');
  const lettered = /^[a-z]/.test(dashed) ? dashed : `d-${dashed}`;
  return lettered.slice(0, NAME_LIMIT).replace(/-+$/, '');
}

function chart(index: number, folderId: string, row: (typeof CHARTS)[number]): Widget {
  const [id, title, metric, labels] = row;
  const selector = [`folderId="${folderId}"`, 'service="custom"', ...(labels ? [labels] : [])];
  return Widget.fromPartial({
    position: {
      x: (index % 2) * SIZE.w,
      y: SIZE.textH + Math.floor(index / 2) * SIZE.h,
      w: SIZE.w,
      h: SIZE.h,
    },
    chart: {
      id,
      title,
      displayLegend: true,
      queries: { targets: [{ query: `"${metric}"{${selector.join(', ')}}`, textMode: true }] },
    },
  });
}

/** Who keeps the dashboard, as its text tells whoever would edit it. */
export const KEPT_BY = {
  deploy: 'Made by npm run deploy; edits here are overwritten by the next deploy.',
  terraform: 'Made by Terraform from function.yaml; edits here are overwritten by the next apply.',
} as const;

/** The dashboard for the function when it writes metrics (METRICS_FOLDER_ID), else undefined. */
export function wantedDashboard(
  manifest: Manifest,
  keptBy: keyof typeof KEPT_BY = 'deploy',
): WantedDashboard | undefined {
  const folderId = manifest.environment.METRICS_FOLDER_ID;
  if (!folderId) return undefined;
  const text = Widget.fromPartial({
    position: { x: 0, y: 0, w: 2 * SIZE.w, h: SIZE.textH },
    text: {
      text: `Function ${manifest.name}: what each metric means, and the alerts to make, are in ${DASHBOARD.docs}. ${KEPT_BY[keptBy]}`,
    },
  });
  return {
    folderId,
    name: dashboardName(manifest.name),
    title: `Operation canceller: ${manifest.name}`,
    description: `The metrics function ${manifest.name} writes (${DASHBOARD.docs})`,
    managedBy: DASHBOARD.managedBy,
    widgets: [text, ...CHARTS.map((row, i) => chart(i, folderId, row))],
  };
}

const widgetsJson = (widgets: readonly Widget[]) =>
  JSON.stringify(widgets.map((w) => Widget.toJSON(w)));

/** The fields deploy sets that the dashboard found has otherwise; none when it matches. */
export function dashboardChanges(want: WantedDashboard, found: Dashboard): string[] {
  const changed: string[] = [];
  for (const field of ['title', 'description'] as const) {
    if (want[field] !== found[field]) changed.push(field);
  }
  if (widgetsJson(want.widgets) !== widgetsJson(found.widgets)) changed.push('widgets');
  return changed;
}

type Shown = Pick<Dashboard, 'title' | 'description'> & { readonly widgets: readonly Widget[] };

/** A dashboard as the plan shows it: its title, description, text, and each chart by its id. */
function dashboardSettings({ title, description, widgets }: Shown): Setting[] {
  return [
    { name: 'title', value: title },
    { name: 'description', value: description },
    ...widgets.flatMap(({ text, chart, position }): Setting[] => {
      if (text) return [{ name: 'text', value: text.text }];
      if (!chart) return [];
      const at = position ? `, at ${position.x},${position.y}` : '';
      const query = chart.queries?.targets.map((t) => t.query).join('; ') ?? '';
      return [{ name: `chart ${chart.id}`, value: `${chart.title}${at}: ${query}` }];
    }),
  ];
}

/** What a create or an update does to each part of the dashboard, for the printed plan. */
export const dashboardChangeList = (want: WantedDashboard, found?: Dashboard): Change[] =>
  changesOf(dashboardSettings(want), found && dashboardSettings(found));
