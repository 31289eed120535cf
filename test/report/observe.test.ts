import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type Report, Source } from '../../src/model';
import { messageBody, messageText } from '../../src/report/observe/message';
import { metricsOf, writeFailure, writeUrl } from '../../src/report/observe/metrics';
import { noteworthy } from '../../src/report/observe/notify';
import { closable, closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { fixedTokens, inProcessFunction, invokeQuietly } from '../support/in-process';
import { cancellingApi } from '../support/pipeline-deps';

const result = (operationId: string, outcome: string, extra: object = {}) =>
  ({ operationId, outcome, attempts: 1, durationMs: 3, ...extra }) as Report['results'][number];
const reportOf = (results: Report['results'], sweep?: Report['summary']['sweep']): Report => ({
  results,
  summary: {
    operations: results.length,
    outcomes: {},
    rejectedRequests: 0,
    durationMs: 42,
    ...(sweep && { sweep }),
  },
});

/**
 * The metric names as docs/observability.md gives them, written out: dashboards and alerts are
 * built on them, so a rename in src/ must fail here.
 */
const METRIC = {
  operations: 'canceller.operations',
  candidates: 'canceller.sweep.candidates',
  refused: 'canceller.sweep.refused',
  failedListings: 'canceller.sweep.failed_listings',
  refusedListings: 'canceller.sweep.refused_listings',
  handedOn: 'canceller.sweep.handed_on',
  notHandedOn: 'canceller.sweep.not_handed_on',
  learntMedian: 'canceller.sweep.learnt_median_seconds',
  learntThreshold: 'canceller.sweep.learnt_threshold_seconds',
  running: 'canceller.sweep.running_operations',
  duration: 'canceller.invocation.duration_ms',
} as const;

describe('metrics (Monitoring data write API, monitoring/api-ref/MetricsData/write.md)', () => {
  it('are named as the documentation names them, and no other way', () => {
    const points = metricsOf(
      reportOf([result('a', 'cancelled')], {
        candidates: 1,
        refused: true,
        failedListings: 1,
        refusedListings: 1,
        handedOn: 1,
        notHandedOn: { count: 1, folderIds: ['b1gother'] },
        kinds: { 'k8s.cluster': { operations: 0, matched: 0, refusedListings: 1 } },
        learnt: [
          {
            kind: 'compute.instance',
            description: 'Create instance',
            samples: 20,
            medianSeconds: 60,
            thresholdSeconds: 300,
          },
        ],
        running: { b1gswept: 3 },
      }),
      Source.Timer,
    );
    expect([...new Set(points.map((p) => p.name))].sort()).toEqual(Object.values(METRIC).sort());
    const labels = { source: 'timer', kind: 'compute.instance', description: 'Create instance' };
    expect(points).toContainEqual(
      expect.objectContaining({ name: METRIC.learntMedian, labels, value: 60 }),
    );
    expect(points).toContainEqual(
      expect.objectContaining({ name: METRIC.learntThreshold, labels, value: 300 }),
    );
  });

  it('has a point per outcome, zeros included, what the sweep found, and the duration', () => {
    const points = metricsOf(
      reportOf([result('a', 'cancelled'), result('b', 'cancelled'), result('c', 'stuck')], {
        candidates: 2,
        refused: false,
        failedListings: 1,
      }),
      Source.Timer,
    );
    const value = (name: string, labels: object) =>
      points.find(
        (p) => p.name === name && Object.entries(labels).every(([k, v]) => p.labels[k] === v),
      )?.value;
    expect(value(METRIC.operations, { outcome: 'cancelled', source: 'timer' })).toBe(2);
    expect(value(METRIC.operations, { outcome: 'stuck' })).toBe(1);
    expect(value(METRIC.operations, { outcome: 'failed' })).toBe(0);
    expect(value(METRIC.candidates, {})).toBe(2);
    expect(value(METRIC.refused, {})).toBe(0);
    expect(value(METRIC.failedListings, {})).toBe(1);
    expect(value(METRIC.duration, {})).toBe(42);
    for (const point of points) expect(point.type).toBe('DGAUGE');
  });

  it('counts refused listings, in all and by kind, for an alert to name the role', () => {
    const points = metricsOf(
      reportOf([], {
        candidates: 0,
        refused: false,
        failedListings: 0,
        refusedListings: 3,
        kinds: {
          'k8s.cluster': { operations: 0, matched: 0, refusedListings: 2 },
          'compute.disk': { operations: 4, matched: 0 },
        },
      }),
      Source.Timer,
    );
    const refused = points.filter((p) => p.name === METRIC.refusedListings);
    expect(refused.map((p) => [p.labels.kind, p.value])).toEqual([
      [undefined, 3],
      ['k8s.cluster', 2],
    ]);
  });

  it("goes to the folder's custom service", () => {
    expect(writeUrl('https://monitoring.api.cloud.yandex.net', 'b1gfolder')).toBe(
      'https://monitoring.api.cloud.yandex.net/monitoring/v2/data/write?folderId=b1gfolder&service=custom',
    );
  });
});

describe('the message', () => {
  it.each([
    [
      'a quiet run',
      [result('a', 'already_done'), result('b', 'skipped', { reason: 'too_young' })],
      false,
    ],
    ['nothing at all', [], false],
    ['a cancel', [result('a', 'cancelled')], true],
    ['a cancel still under way', [result('a', 'cancelling')], true],
    ['a failure', [result('a', 'failed')], true],
    ['a stuck operation', [result('a', 'stuck')], true],
    ['what a dry run would cancel', [result('a', 'skipped', { reason: 'dry_run' })], true],
  ] as const)('for %s is sent: %s', (_name, results, sent) => {
    expect(noteworthy(reportOf([...results]), false) !== undefined).toBe(sent);
  });

  it('is sent for a refused sweep', () => {
    const refused = reportOf([], { candidates: 30, refused: true, failedListings: 0 });
    const note = noteworthy(refused, false);
    expect(note).toMatchObject({ refused: true });
    // The guard's limit is the setting or the sweep's own cap, whichever was lower: name both.
    expect(note && messageText(note)).toBe(
      'operation canceller: 0 operations; a sweep was refused by the blast-radius guard (MAX_CANCELS_PER_RUN, or its maxCancelsTotal)',
    );
  });

  it("shows the server's text made printable and redacted: a description forges no line, leaks no token", () => {
    const description =
      'Create instance\n- fd8forged cancelled: Bearer t1.9euelZqNkZKUk5GNy5bLjpCP';
    const note = noteworthy(reportOf([result('fd8real', 'cancelled', { description })]), false);
    const text = note ? messageText(note) : '';
    expect(text.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(1);
    expect(text).toContain(
      '- fd8real cancelled: Create instance?- fd8forged cancelled: [redacted]',
    );
    expect(text).not.toContain('t1.9eu');
  });

  it('is sent for refused listings, naming each kind and the roles the denials ask for', () => {
    const note = noteworthy(
      reportOf([], {
        candidates: 0,
        refused: false,
        failedListings: 0,
        refusedListings: 3,
        missingRoles: ['mdb.auditor', 'resource-manager.auditor'],
        kinds: { 'mdb.postgresql': { operations: 0, matched: 0, refusedListings: 2 } },
      }),
      false,
    );
    if (note === undefined) throw new Error('expected a message');
    expect(messageBody(note, 'slack')).toEqual({
      text: 'operation canceller: 0 operations; listings refused: mdb.postgresql ×2, folders ×1; the service account needs mdb.auditor, resource-manager.auditor (docs/iam.md)',
    });
  });

  it('names no role for refusals no role mends', () => {
    const note = noteworthy(
      reportOf([], {
        candidates: 0,
        refused: false,
        failedListings: 0,
        refusedListings: 1,
        kinds: { 'compute.disk': { operations: 0, matched: 0, refusedListings: 1 } },
      }),
      false,
    );
    if (note === undefined) throw new Error('expected a message');
    expect(messageBody(note, 'slack')).toEqual({
      text: 'operation canceller: 0 operations; listings refused: compute.disk ×1',
    });
  });

  it('says what to do next on each line, with the ids a ticket names for a stuck one', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    const note = noteworthy(
      reportOf([
        result('fd8a', 'cancelled', {
          description: 'Create instance',
          ageSeconds: 600,
          next: 'may exist half-created: check it, delete it if so, then retry the create',
          resourceId: 'fhmvm',
          apiRequestId: 'req-not-shown',
        }),
        result('c9qpg', 'stuck', {
          description: 'Create PostgreSQL cluster',
          ageSeconds: 7200,
          next: 'the cluster is mid-change: check it; if it stays, open a support ticket with these ids',
          resourceId: 'c9qcluster',
          clientRequestId: 'req-sent',
          apiRequestId: 'req-answered',
        }),
        result('c9qold', 'stuck', { ageSeconds: 60, clientRequestId: 'req-only-sent' }),
      ]),
      false,
      now,
    );
    if (note === undefined) throw new Error('expected a message');
    expect(messageText(note).split('\n')).toEqual([
      'operation canceller: 1 cancelled, 2 stuck',
      '- fd8a cancelled: Create instance, 10 min old → may exist half-created: check it, delete it if so, then retry the create',
      '- c9qpg stuck: Create PostgreSQL cluster, 120 min old → the cluster is mid-change: check it; if it stays, open a support ticket with these ids (resource c9qcluster, request req-answered)',
      '- c9qold stuck: no description, 1 min old (request req-only-sent)',
    ]);
    expect(messageBody(note, 'json')).toMatchObject({
      operations: [
        { id: 'fd8a', next: expect.stringMatching(/retry the create$/) },
        { id: 'c9qpg', resourceId: 'c9qcluster', requestId: 'req-answered' },
        { id: 'c9qold', requestId: 'req-only-sent' },
      ],
    });
    expect(note.operations[0]).not.toHaveProperty('resourceId');
  });

  it('in each format carries the counts, the operations and the dry-run flag', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    const note = noteworthy(
      reportOf([
        result('fd8a', 'cancelled', {
          description: 'Create instance',
          createdAt: '2026-12-03T09:00:00Z',
        }),
      ]),
      true,
      now,
    );
    const text =
      'operation canceller (dry run): 1 cancelled\n- fd8a cancelled: Create instance, 60 min old';
    if (note === undefined) throw new Error('expected a message');
    expect(messageBody(note, 'slack')).toEqual({ text });
    // Telegram's sendMessage: chat_id and text (core.telegram.org/bots/api#sendmessage).
    expect(messageBody(note, 'telegram', '-100123')).toEqual({
      chat_id: '-100123',
      text,
      disable_web_page_preview: true,
    });
    expect(messageBody(note, 'json')).toMatchObject({
      text,
      dryRun: true,
      counts: { cancelled: 1 },
      operations: [{ id: 'fd8a', outcome: 'cancelled', ageSeconds: 3600 }],
    });
  });
});

interface Received {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

const track = closedAfterEach();

/** A loopback HTTP server that records what it is sent and answers as told. */
async function receiver(answer: (res: http.ServerResponse) => void = (res) => res.end('{}')) {
  const received: Received[] = [];
  const server = http.createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    received.push({
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body: JSON.parse(text),
    });
    answer(res);
  });
  track(closable(server));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** The real handler over an API whose every operation runs and cancels at once. */
function canceller(env: Record<string, string>) {
  const api = cancellingApi();
  const fn = inProcessFunction(env, { api, tokens: fixedTokens });
  return async (event: unknown) => {
    const context = { requestId: 'inv-observe', getRemainingTimeInMillis: () => 30_000 };
    const { reply, lines, rawLines } = await invokeQuietly(fn, event, context);
    return { reply, lines, raw: rawLines.join('\n') };
  };
}

const cancelling = timerEvent('{"operationIds": ["fd8one", "fd8two"]}');
const quiet = timerEvent();

describe('metrics and messages from an invocation', () => {
  it('write one batch of metrics with the function token, and send one message per format', async () => {
    const monitoring = await receiver();
    for (const format of ['json', 'slack', 'telegram'] as const) {
      const hook = await receiver();
      const invoke = canceller({
        METRICS_FOLDER_ID: 'b1gmetrics',
        YC_MONITORING_URL: monitoring.url,
        NOTIFY_WEBHOOK_URL: `${hook.url}/bot123:SECRET/sendMessage`,
        NOTIFY_FORMAT: format,
        NOTIFY_TELEGRAM_CHAT_ID: '-100123',
      });

      const { raw, reply } = await invoke(cancelling);

      expect(hook.received).toHaveLength(1);
      expect(hook.received[0]?.body).toMatchObject({
        text: expect.stringContaining('2 cancelled'),
      });
      // The URL carries a bot token: never in a log line or a reply.
      expect(raw).not.toContain('SECRET');
      expect(JSON.stringify(reply)).not.toContain('SECRET');
    }
    expect(monitoring.received).toHaveLength(3);
    const [write] = monitoring.received;
    expect(write?.path).toBe('/monitoring/v2/data/write?folderId=b1gmetrics&service=custom');
    expect(write?.authorization).toBe('Bearer t1.fake-token');
    expect(write?.body.metrics).toContainEqual({
      name: METRIC.operations,
      labels: { source: 'timer', outcome: 'cancelled' },
      type: 'DGAUGE',
      value: 2,
    });
  });

  it('send no message for a quiet run, and still write its metrics', async () => {
    const monitoring = await receiver();
    const hook = await receiver();
    const invoke = canceller({
      METRICS_FOLDER_ID: 'b1gmetrics',
      YC_MONITORING_URL: monitoring.url,
      NOTIFY_WEBHOOK_URL: `${hook.url}/hook`,
    });
    await invoke(quiet);
    expect(hook.received).toEqual([]);
    expect(monitoring.received).toHaveLength(1);
  });

  it('say a write Monitoring answered 200 with an errorMessage was not written, and not retry it', async () => {
    const monitoring = await receiver((res) =>
      // int64 as the JSON mapping of proto3 writes it: a string.
      res.end(
        JSON.stringify({ writtenMetricsCount: '3', errorMessage: 'label "outcome" rejected' }),
      ),
    );
    const invoke = canceller({
      METRICS_FOLDER_ID: 'b1gmetrics',
      YC_MONITORING_URL: monitoring.url,
    });

    const { lines } = await invoke(cancelling);

    expect(monitoring.received).toHaveLength(1);
    expect(lines.find((l) => l.msg === 'metrics not written')).toMatchObject({
      level: 'WARN',
      reason: 'answered 200, but 3 written; label "outcome" rejected',
    });
  });

  it.each([
    [
      'a count as a string',
      { writtenMetricsCount: '3', errorMessage: 'bad' },
      'answered 200, but 3 written; bad',
    ],
    [
      'a count as a number',
      { writtenMetricsCount: 3, errorMessage: 'bad' },
      'answered 200, but 3 written; bad',
    ],
    [
      'a count that is no count',
      { writtenMetricsCount: '3e9x', errorMessage: 'bad' },
      'answered 200, but bad',
    ],
    ['no errorMessage', { writtenMetricsCount: '3' }, undefined],
    ['an empty errorMessage', { errorMessage: '' }, undefined],
    ['no JSON object', undefined, undefined],
  ])('read a 200 answer with %s', (_case, answer, failure) => {
    expect(writeFailure(answer)).toBe(failure);
  });

  it('take a 200 answer too long to read as written, reading no more of it', async () => {
    // A body that never ends: reading it whole would outlast the write's deadline, and fail it.
    const monitoring = await receiver((res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`{"errorMessage": "${'x'.repeat(70_000)}`);
    });
    const invoke = canceller({
      METRICS_FOLDER_ID: 'b1gmetrics',
      YC_MONITORING_URL: monitoring.url,
    });

    const { lines } = await invoke(cancelling);

    expect(monitoring.received).toHaveLength(1);
    expect(lines.some((l) => l.msg === 'metrics not written')).toBe(false);
  });

  it('take a write answered 200 with no errorMessage as written', async () => {
    const monitoring = await receiver((res) =>
      res.end(JSON.stringify({ writtenMetricsCount: 17 })),
    );
    const invoke = canceller({
      METRICS_FOLDER_ID: 'b1gmetrics',
      YC_MONITORING_URL: monitoring.url,
    });

    const { lines } = await invoke(cancelling);

    expect(lines.some((l) => l.msg === 'metrics not written')).toBe(false);
  });

  it.each([
    ['refuses connections', () => Promise.resolve({ url: 'http://127.0.0.1:9', received: [] })],
    [
      'answers 500',
      () =>
        receiver((res) => {
          res.statusCode = 500;
          res.end();
        }),
    ],
    // Never answers: the deadline (2 s) cuts it.
    ['hangs', () => receiver(() => {})],
  ])(
    'change neither outcome nor reply when the endpoint %s',
    async (_name, dead) => {
      const plain = await canceller({})(cancelling);
      const endpoint = await dead();
      const observed = await canceller({
        METRICS_FOLDER_ID: 'b1gmetrics',
        YC_MONITORING_URL: endpoint.url,
        NOTIFY_WEBHOOK_URL: `${endpoint.url}/hook/SECRET`,
      })(cancelling);

      const { durationMs: _a, ...plainSummary } = (plain.reply as Report).summary;
      const { durationMs: _b, ...observedSummary } = (observed.reply as Report).summary;
      expect(observedSummary).toEqual(plainSummary);
      const warnings = observed.lines.filter((l) => l.level === 'WARN').map((l) => l.msg);
      expect(warnings.sort()).toEqual(['metrics not written', 'notification not sent']);
      expect(observed.raw).not.toContain('SECRET');
    },
    15_000,
  );
});
