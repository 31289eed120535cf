import { ACTIVE_OPERATIONS_QUOTA, METRIC } from '../../../deploy-api';
import { longestGapMinutes } from './cron-period';
import type { Manifest } from './manifest';

/**
 * The alerts to make by hand for a function that writes metrics: Monitoring has no alert API and
 * Terraform no alert resource (terraform-provider-yandex #166, #427), so deploy prints each as a
 * spec to copy into the console. The fields, their values and their order are the console's, as
 * yandex-cloud/docs gives them: en/monitoring/operations/alert/create-alert.md (the steps) and
 * en/monitoring/concepts/alerting/alert.md (aggregation functions, thresholds, evaluation window
 * and delay, and the two no-data policies, whose values are Default, OK, Warning, Alarm, No data
 * and Manual).
 */

/** Where the evaluation window comes from the timer trigger's cron (timerWindow). */
const FROM_TIMER = 'from the timer';

/**
 * One entry an alert. Every metric but the timer's is written only by invocations that have
 * something to say (sweeps for the sweep metrics), so no points is no news, and OK; no timer
 * points is the missed run itself. A threshold left out is one the alert does not use.
 */
const ALERTS = [
  {
    name: 'operations failed',
    metric: METRIC.operations,
    labels: 'outcome="failed"',
    aggregation: 'Sum',
    window: '1h',
    comparison: 'Greater than',
    warn: undefined,
    alarm: 0,
    noData: 'OK',
    why: 'any operation the function failed to cancel in an hour: its log line (operation failed) says why',
  },
  {
    name: 'sweeps refused',
    metric: METRIC.refused,
    labels: '',
    aggregation: 'Sum',
    window: '1h',
    comparison: 'Greater than',
    warn: undefined,
    alarm: 0,
    noData: 'OK',
    why: 'any sweep in an hour the blast-radius guard refused: it cancelled nothing (MAX_CANCELS_PER_RUN)',
  },
  {
    name: 'operations stuck',
    metric: METRIC.operations,
    labels: 'outcome="stuck"',
    aggregation: 'Sum',
    window: '1h',
    comparison: 'Greater than',
    warn: 0,
    alarm: undefined,
    noData: 'OK',
    why: 'any operation found stuck in an hour that the API cannot cancel, so the function only reports it (docs/sweep.md): someone must see to it',
  },
  {
    name: 'a kind cannot be listed',
    metric: METRIC.refusedListings,
    labels: 'kind="*"',
    aggregation: 'Sum',
    window: '1h',
    comparison: 'Greater than',
    warn: 0,
    alarm: undefined,
    noData: 'OK',
    why: 'sweeps cannot see a kind (the kind label): its service account lacks the role to list it (docs/iam.md)',
  },
  {
    name: 'listings failed',
    metric: METRIC.failedListings,
    labels: '',
    aggregation: 'Sum',
    window: '1h',
    comparison: 'Greater than',
    warn: 0,
    alarm: undefined,
    noData: 'OK',
    why: 'listings that failed for now, after their retries: that part of the sweep waits for its next run',
  },
  {
    name: 'folders not handed on',
    metric: METRIC.notHandedOn,
    labels: '',
    aggregation: 'Sum',
    window: '1h',
    comparison: 'Greater than',
    warn: undefined,
    alarm: 0,
    noData: 'OK',
    why: 'folders a sweep could not hand on to invocations of their own: not swept by that run',
  },
  {
    name: 'a folder near its active-operations quota',
    metric: METRIC.running,
    labels: 'folder="*"',
    // The console's "max" (alert.md, threshold-type.max): the busiest a sweep saw a folder.
    aggregation: 'Maximum',
    window: '1h',
    comparison: 'Greater than',
    // Warned with a fifth of the documented quota left; the alarm at one below it, when the next
    // operation may be refused.
    warn: Math.floor(ACTIVE_OPERATIONS_QUOTA.documented * 0.8) - 1,
    alarm: ACTIVE_OPERATIONS_QUOTA.documented - 2,
    noData: 'OK',
    why: `a folder's running operations near the quota of ${ACTIVE_OPERATIONS_QUOTA.documented} (${ACTIVE_OPERATIONS_QUOTA.docs}; a cloud may have had it raised): new operations there will be refused (docs/observability.md)`,
  },
  {
    name: 'no timer run',
    metric: METRIC.duration,
    labels: 'source="timer"',
    aggregation: 'Count',
    window: FROM_TIMER,
    comparison: 'Less than',
    warn: undefined,
    alarm: 1,
    noData: 'Alarm',
    why: 'no timer invocation for twice the timer period, at least an hour: the sweeps have stopped',
  },
] as const;

/** One alert as it goes into the console, its query in the folder the metrics are written to. */
export interface AlertSpec {
  readonly name: string;
  readonly description: string;
  readonly query: string;
  readonly aggregation: (typeof ALERTS)[number]['aggregation'];
  readonly comparison: (typeof ALERTS)[number]['comparison'];
  readonly warn: number | undefined;
  readonly alarm: number | undefined;
  readonly window: string;
  readonly noData: (typeof ALERTS)[number]['noData'];
}

/** The alerts, and why any is left out. */
export interface WantedAlerts {
  readonly alerts: readonly AlertSpec[];
  readonly notes: readonly string[];
}

/**
 * The timer alert's window: twice the shortest longest-gap of the manifest's timers, in whole
 * hours, at least one; any timer's run writes the points, so the most frequent one sets it.
 */
function timerWindow(manifest: Manifest): { window?: string; note?: string } {
  const timers = manifest.triggers.flatMap((t) => (t.type === 'timer' ? [t] : []));
  if (timers.length === 0) {
    return { note: 'no alert on a missed timer run: function.yaml has no timer trigger' };
  }
  const gaps = timers.flatMap((t) => longestGapMinutes(t.cron) ?? []);
  if (gaps.length === 0) {
    return {
      note: `no alert on a missed timer run: the cron of ${timers.map((t) => `${t.name} ("${t.cron}")`).join(', ')} does not run every day, so no one window fits its gaps; make it by hand, its window a little over twice the longest gap`,
    };
  }
  return { window: `${Math.max(1, Math.ceil((2 * Math.min(...gaps)) / 60))}h` };
}

/** The alerts for the function when it writes metrics (METRICS_FOLDER_ID), else undefined. */
export function wantedAlerts(manifest: Manifest): WantedAlerts | undefined {
  const folderId = manifest.environment.METRICS_FOLDER_ID;
  if (!folderId) return undefined;
  const timer = timerWindow(manifest);
  const alerts = ALERTS.flatMap((row): AlertSpec[] => {
    const window = row.window === FROM_TIMER ? timer.window : row.window;
    if (window === undefined) return [];
    const selector = [
      `folderId="${folderId}"`,
      'service="custom"',
      ...(row.labels ? [row.labels] : []),
    ];
    return [
      {
        name: `${manifest.name}: ${row.name}`,
        description: row.why,
        query: `"${row.metric}"{${selector.join(', ')}}`,
        aggregation: row.aggregation,
        comparison: row.comparison,
        warn: row.warn,
        alarm: row.alarm,
        window,
        noData: row.noData,
      },
    ];
  });
  return { alerts, notes: timer.note ? [timer.note] : [] };
}

const threshold = (value: number | undefined) =>
  value === undefined ? '(leave empty)' : `${value}`;

/** One alert, field by field in the console's order, each value as it is typed or picked there. */
function alertBlock(alert: AlertSpec): string[] {
  const fields: Array<[string, string]> = [
    ['Name', alert.name],
    ['Description', alert.description],
    ['Query A', alert.query],
    ['Test query', 'A'],
    ['Aggregation function', alert.aggregation],
    ['Comparison function', alert.comparison],
    ['Warning', threshold(alert.warn)],
    ['Alarm', threshold(alert.alarm)],
    ['Evaluation window', alert.window],
    ['Evaluation delay', '0'],
    ['No metrics by selector', alert.noData],
    ['No points in evaluation window', alert.noData],
  ];
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${value}`);
}

/** The alerts as printed with the plan and in docs/observability.md: blocks to copy, one an alert. */
export function formatAlerts({ alerts, notes }: WantedAlerts): string {
  return [
    'alerts to make in the console (no API exists: terraform-provider-yandex #166, #427):',
    ...alerts.flatMap((alert, i) => [...(i > 0 ? [''] : []), ...alertBlock(alert)]),
    ...notes.map((note) => `NOTE: ${note}`),
  ].join('\n');
}
