import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/support/index';
import { formatAlerts, wantedAlerts } from '../src/alerts';
import { longestGapMinutes } from '../src/cron-period';
import { loadManifest, type Manifest, validateManifest } from '../src/manifest';
import { MINIMAL_MANIFEST } from './manifests';

const METRICS = 'b1gmetricsfolder';
const timer = (cron: string, name = 'tick') => ({
  type: 'timer',
  name,
  cron,
  serviceAccountId: 'ajeinvoker',
});
const manifest = (environment: Record<string, string>, triggers: object[] = []): Manifest =>
  validateManifest({
    ...MINIMAL_MANIFEST,
    environment: { DRY_RUN: 'false', ...environment },
    triggers,
  });
const withMetrics = (...triggers: object[]) => manifest({ METRICS_FOLDER_ID: METRICS }, triggers);
const named = (m: Manifest, name: string) =>
  wantedAlerts(m)?.alerts.find((a) => a.name === `operation-canceller: ${name}`);

describe('the longest gap between runs of a cron', () => {
  it.each([
    ['0/15 * ? * * *', 15],
    ['*/5 * * * ?', 5],
    ['0 * * * ?', 60],
    ['0 3 * * ?', 24 * 60],
    ['0 0,18 * * ?', 18 * 60],
    ['10,40 9-17 ? * * *', 15 * 60 + 30],
    ['0 0/6 * * ? *', 6 * 60],
  ])('of %j is %i minutes', (cron, gap) => {
    expect(longestGapMinutes(cron)).toBe(gap);
  });

  it.each([
    '0 3 ? * MON-FRI',
    '0 3 L * ?',
    '0 3 1 * ?',
    '0 3 * JAN ?',
    '0 3 * * ? 2030',
    '0 22-2 * * ?',
  ])('of %j, which does not run every day alike, is none', (cron) => {
    expect(longestGapMinutes(cron)).toBeUndefined();
  });
});

describe("the alerts for the function's metrics", () => {
  it('are wanted only when the function writes metrics', () => {
    expect(wantedAlerts(manifest({}, [timer('0/15 * ? * * *')]))).toBeUndefined();
    expect(wantedAlerts(withMetrics())?.alerts.length).toBeGreaterThan(0);
  });

  it.each([
    ['operations failed', 'canceller.operations', ', outcome="failed"', 'Sum', 0, undefined],
    ['sweeps refused', 'canceller.sweep.refused', '', 'Sum', 0, undefined],
    ['operations stuck', 'canceller.operations', ', outcome="stuck"', 'Sum', undefined, 0],
    [
      'a kind cannot be listed',
      'canceller.sweep.refused_listings',
      ', kind="*"',
      'Sum',
      undefined,
      0,
    ],
    ['listings failed', 'canceller.sweep.failed_listings', '', 'Sum', undefined, 0],
    ['folders not handed on', 'canceller.sweep.not_handed_on', '', 'Sum', 0, undefined],
  ])(
    '%s: any in an hour, on %s in the metrics folder',
    (name, metric, labels, aggregation, alarm, warn) => {
      expect(named(withMetrics(), name)).toEqual({
        name: `operation-canceller: ${name}`,
        description: expect.any(String),
        query: `"${metric}"{folderId="${METRICS}", service="custom"${labels}}`,
        aggregation,
        comparison: 'Greater than',
        warn,
        alarm,
        window: '1h',
        noData: 'OK',
      });
    },
  );

  it("warns as a folder's busiest hour nears the active-operations quota of 15, and alarms one below it", () => {
    expect(named(withMetrics(), 'a folder near its active-operations quota')).toEqual({
      name: 'operation-canceller: a folder near its active-operations quota',
      description: expect.stringContaining('https://yandex.cloud/en/docs/compute/concepts/limits'),
      query: `"canceller.sweep.running_operations"{folderId="${METRICS}", service="custom", folder="*"}`,
      aggregation: 'Maximum',
      comparison: 'Greater than',
      warn: 11,
      alarm: 13,
      window: '1h',
      noData: 'OK',
    });
  });

  it.each([
    ['0/15 * ? * * *', '1h'],
    ['0 * * * ?', '2h'],
    ['0 0/6 * * ? *', '12h'],
    ['0 3 * * ?', '48h'],
  ])('alarm when no timer ran for twice the period of %j, at least an hour: %s', (cron, window) => {
    expect(named(withMetrics(timer(cron)), 'no timer run')).toMatchObject({
      query: `"canceller.invocation.duration_ms"{folderId="${METRICS}", service="custom", source="timer"}`,
      aggregation: 'Count',
      comparison: 'Less than',
      alarm: 1,
      window,
      noData: 'Alarm',
    });
  });

  it('take the window of a missed run from the most frequent timer', () => {
    const m = withMetrics(timer('0 3 * * ?', 'daily'), timer('0 * * * ?', 'hourly'));
    expect(named(m, 'no timer run')?.window).toBe('2h');
  });

  it.each([
    [[], 'function.yaml has no timer trigger'],
    [[timer('0 3 ? * MON-FRI')], 'the cron of tick ("0 3 ? * MON-FRI") does not run every day'],
  ])('leave the missed-run alert out, with a note, for triggers %j', (triggers, note) => {
    const alerts = wantedAlerts(withMetrics(...triggers));
    expect(alerts?.alerts.map((a) => a.name)).not.toContain('operation-canceller: no timer run');
    expect(alerts?.notes).toEqual([expect.stringContaining(note)]);
    expect(alerts && formatAlerts(alerts)).toContain(`NOTE: no alert on a missed timer run: `);
  });

  it("print each alert as a block of the console's fields, in its order", () => {
    const alerts = wantedAlerts(withMetrics(timer('0/15 * ? * * *')));
    if (!alerts) throw new Error('no alerts');
    const text = formatAlerts(alerts);
    const [heading, ...rest] = text.split('\n');
    expect(heading).toBe(
      'alerts to make in the console (no API exists: terraform-provider-yandex #166, #427):',
    );
    const blocks = rest.join('\n').split('\n\n');
    expect(blocks).toHaveLength(alerts.alerts.length);
    const labels = (block: string) => block.split('\n').map((l) => l.trim().split(':')[0]);
    for (const block of blocks) {
      expect(labels(block)).toEqual([
        'Name',
        'Description',
        'Query A',
        'Test query',
        'Aggregation function',
        'Comparison function',
        'Warning',
        'Alarm',
        'Evaluation window',
        'Evaluation delay',
        'No metrics by selector',
        'No points in evaluation window',
      ]);
    }
    expect(blocks[0]).toContain('  Warning:                        (leave empty)\n');
    expect(blocks[0]).toContain('  Alarm:                          0\n');
    expect(blocks.at(-1)).toContain('  Evaluation window:              1h\n');
    expect(blocks.at(-1)).toMatch(/ {2}No points in evaluation window: Alarm$/);
  });
});

describe('docs/observability.md', () => {
  it('shows the alerts deploy prints for function.yaml, so they cannot drift', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/observability.md'), 'utf8');
    const block = /```text\n(alerts to make in the console[\s\S]*?)\n```/.exec(doc)?.[1];
    const m = loadManifest(path.join(ROOT, 'function.yaml'));
    const alerts = wantedAlerts({
      ...m,
      environment: { ...m.environment, METRICS_FOLDER_ID: '<id>' },
    });
    if (!alerts) throw new Error('no alerts');
    expect(block).toBe(formatAlerts(alerts));
  });
});
