import { describe, expect, it } from 'vitest';
import { RESOURCE_KINDS, type Report, Source } from '../../src/model';
import { metricsOf } from '../../src/report/observe/metrics';

/**
 * What both Monitoring and Monium take, so that the metrics survive the move (docs/monium.md).
 * Label names: Monitoring's rule (a letter, then letters, digits, `.` and `_`, at most 32) met with
 * Monium's `^[a-zA-Z][0-9a-zA-Z_.]{1,32}$`. Label values and the metric name (a label in Monium):
 * Monium's 1 to 200 printable ASCII characters without `|*?"'\` and the backquote, which its
 * regular expression also leaves out; ASCII meets Monitoring's "no non-Latin letters".
 */
const LABEL_NAME = /^[a-zA-Z][0-9a-zA-Z_.]{1,31}$/;
const LABEL_VALUE = /^[ !#-&(-)+->@-[\]-_a-{}~]{1,200}$/;
/** Set from the write's URL or the Monium project, never from a point's own labels. */
const RESERVED = ['cloudId', 'folderId', 'project', 'cluster', 'service', 'name'];
const RESERVED_PREFIX = /^(labels\.|meta\.|trace\.|span\.|_)/;
/** Monitoring's 16 labels a metric, less its three mandatory ones. */
const OWN_LABELS = 16 - 3;

/** An invocation that writes every metric and every label value the function has. */
const everything: Report = {
  results: [],
  summary: {
    operations: 0,
    outcomes: {},
    rejectedRequests: 0,
    durationMs: 1,
    sweep: {
      candidates: 1,
      refused: true,
      failedListings: 1,
      refusedListings: RESOURCE_KINDS.length,
      handedOn: 1,
      notHandedOn: { count: 1, folderIds: ['b1gother'] },
      kinds: Object.fromEntries(
        RESOURCE_KINDS.map((kind) => [kind, { operations: 1, matched: 0, refusedListings: 1 }]),
      ),
      // Descriptions are the server's text: any language, quotes, and length.
      learnt: ['Create instance', 'Создание "вм" | * ? \\ `x`', '', 'x'.repeat(300)].map(
        (description) => ({
          kind: 'compute.instance' as const,
          description,
          samples: 5,
          medianSeconds: 60,
          thresholdSeconds: 300,
        }),
      ),
      // A folder id as long as the API allows (50), of the letters and digits it is made of.
      running: { [`b1g${'a0'.repeat(23)}z`]: 15 },
    },
  },
};

const points = Object.values(Source).flatMap((source) => metricsOf(everything, source));

describe('metric names and labels that Monitoring and Monium both take', () => {
  it('label every kind, so every value below is checked', () => {
    const kinds = new Set(points.map((p) => p.labels.kind).filter(Boolean));
    expect([...kinds].sort()).toEqual([...RESOURCE_KINDS].sort());
  });

  it('name each metric as a label value may be written', () => {
    const bad = points.map((p) => p.name).filter((name) => !LABEL_VALUE.test(name));
    expect(bad).toEqual([]);
  });

  it('use label names both allow, none reserved, few enough for Monitoring', () => {
    const names = [...new Set(points.flatMap((p) => Object.keys(p.labels)))];
    const bad = names.filter(
      (name) => !LABEL_NAME.test(name) || RESERVED.includes(name) || RESERVED_PREFIX.test(name),
    );
    expect(bad).toEqual([]);
    expect(Math.max(...points.map((p) => Object.keys(p.labels).length))).toBeLessThanOrEqual(
      OWN_LABELS,
    );
  });

  it('use label values both allow', () => {
    const values = [...new Set(points.flatMap((p) => Object.values(p.labels)))];
    expect(values.filter((value) => !LABEL_VALUE.test(value))).toEqual([]);
  });
});
