import {
  type LearntDuration,
  type OperationResult,
  Outcome,
  type Report,
  type Source,
} from '../../model';
import { redacted, serverText, shortened } from '../../printable';

/** A point as the Monitoring data write API takes it (monitoring/api-ref/MetricsData/write.md). */
export interface MetricPoint {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly type: 'DGAUGE';
  readonly value: number;
}

/** The metric names, stable: dashboards and alerts are built on them. */
export const METRIC = {
  operations: 'canceller.operations',
  candidates: 'canceller.sweep.candidates',
  refused: 'canceller.sweep.refused',
  failedListings: 'canceller.sweep.failed_listings',
  refusedListings: 'canceller.sweep.refused_listings',
  handedOn: 'canceller.sweep.handed_on',
  notHandedOn: 'canceller.sweep.not_handed_on',
  /** Under `learn`, by kind and description: the usual duration, and the threshold made of it. */
  learntMedian: 'canceller.sweep.learnt_median_seconds',
  learntThreshold: 'canceller.sweep.learnt_threshold_seconds',
  running: 'canceller.sweep.running_operations',
  duration: 'canceller.invocation.duration_ms',
} as const;

/** What a label value of a description is cut to: Monitoring's names stay short. */
const LABEL_CHARS = 64;
/**
 * What Monium takes in a label value as well as Monitoring (docs/monium.md): printable ASCII but
 * for these. A description is the server's text, in any language, so the rest becomes `_`.
 */
const NOT_IN_LABEL = /[^ !#-&(-)+->@-[\]-_a-{}~]/g;

/** A description as a label value: 1 to LABEL_CHARS characters both take, any secret redacted. */
function labelValue(description: string): string {
  const value = shortened(redacted(description), LABEL_CHARS).replace(NOT_IN_LABEL, '_');
  return value === '' ? '(none)' : value;
}

const count = (results: readonly OperationResult[], outcome: Outcome) =>
  results.filter((r) => r.outcome === outcome).length;

/**
 * One invocation's metrics: operations per outcome (every outcome, zeros included, so a chart
 * has no gaps), what its sweeps found and refused, and its duration; labelled by source.
 */
export function metricsOf(report: Report, source: Source): MetricPoint[] {
  const labels = { source };
  const point = (name: string, value: number, extra: Record<string, string> = {}) => ({
    name,
    labels: { ...labels, ...extra },
    type: 'DGAUGE' as const,
    value,
  });
  const { summary, results } = report;
  return [
    ...Object.values(Outcome).map((outcome) =>
      point(METRIC.operations, count(results, outcome), { outcome }),
    ),
    ...(summary.sweep
      ? [
          point(METRIC.candidates, summary.sweep.candidates),
          point(METRIC.refused, summary.sweep.refused ? 1 : 0),
          point(METRIC.failedListings, summary.sweep.failedListings),
          point(METRIC.refusedListings, summary.sweep.refusedListings ?? 0),
          // By kind too, for the kinds refused, so an alert can say which role is missing.
          ...Object.entries(summary.sweep.kinds ?? {}).flatMap(([kind, tally]) =>
            tally?.refusedListings
              ? [point(METRIC.refusedListings, tally.refusedListings, { kind })]
              : [],
          ),
          ...learntPoints(summary.sweep.learnt ?? [], point),
          point(METRIC.handedOn, summary.sweep.handedOn ?? 0),
          point(METRIC.notHandedOn, summary.sweep.notHandedOn?.count ?? 0),
          // By folder, to chart against the active-operations quota (ACTIVE_OPERATIONS_QUOTA).
          ...Object.entries(summary.sweep.running ?? {}).map(([folder, running]) =>
            point(METRIC.running, running, { folder }),
          ),
        ]
      : []),
    point(METRIC.duration, summary.durationMs),
  ];
}

/**
 * Why a write Monitoring answered 200 failed all the same: its answer's `errorMessage`, which it
 * sets when some metrics were not written, with `writtenMetricsCount` of how many were
 * (monitoring/api-ref/MetricsData/write.md); undefined for a write that went through.
 */
export function writeFailure(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { errorMessage, writtenMetricsCount } = answer as Record<string, unknown>;
  if (typeof errorMessage !== 'string' || errorMessage === '') return undefined;
  // An int64, which the JSON mapping of proto3 writes as a string; a number is taken too.
  const count =
    typeof writtenMetricsCount === 'string' && /^\d{1,19}$/.test(writtenMetricsCount)
      ? writtenMetricsCount
      : typeof writtenMetricsCount === 'number' && Number.isSafeInteger(writtenMetricsCount)
        ? String(writtenMetricsCount)
        : undefined;
  const written = count === undefined ? '' : `${count} written; `;
  return `answered 200, but ${written}${serverText(errorMessage, 200)}`;
}

/** The write request's URL: the folder's custom metrics. */
export function writeUrl(monitoringUrl: string, folderId: string): string {
  const url = new URL('/monitoring/v2/data/write', monitoringUrl);
  url.searchParams.set('folderId', folderId);
  url.searchParams.set('service', 'custom');
  return url.toString();
}

/**
 * Two points per learnt pair, of the most samples first. Descriptions that become one label value
 * (cut, or another script's letters made `_`) are written once, as the first of them: a write must
 * not hold two series of the same labels.
 */
function learntPoints(
  learnt: readonly LearntDuration[],
  point: (name: string, value: number, extra: Record<string, string>) => MetricPoint,
): MetricPoint[] {
  const written = new Set<string>();
  return learnt.flatMap(({ kind, description, medianSeconds, thresholdSeconds }) => {
    const pair = { kind, description: labelValue(description) };
    const key = `${kind}\n${pair.description}`;
    if (written.has(key)) return [];
    written.add(key);
    return [
      point(METRIC.learntMedian, medianSeconds, pair),
      point(METRIC.learntThreshold, thresholdSeconds, pair),
    ];
  });
}
