import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/cloud/operation-api';
import { loadConfig } from '../../src/config';
import { CANCELLABLE_KINDS, REPORTED_KINDS, RESOURCE_KINDS } from '../../src/model';
import { latestOf } from '../../src/sweep/listing/log-records';
import { KINDS } from '../../src/sweep/listing/resources';
import { type Sighting, stuckResult } from '../../src/sweep/listing/stuck';
import { ROOT } from '../support/run-script';

/** The SDK's own table of each service's default host, which its Session would connect to. */
const SDK_ENDPOINTS: Record<string, string> = JSON.parse(
  readFileSync(
    path.join(ROOT, 'node_modules/@yandex-cloud/nodejs-sdk/dist/service-endpoints-map.json'),
    'utf8',
  ),
);
const DEFAULTS: Record<string, unknown> = { ...loadConfig({}).endpoints };

const now = Date.parse('2026-11-27T12:00:00Z');
const ids = { clientTraceId: 'ct1', clientRequestId: 'cr1', apiRequestId: 'ar1' };

const sighting = (operation: Partial<Operation>): Sighting => {
  const full: Operation = { id: 'op1', description: '', createdBy: '', done: false, ...operation };
  return {
    operation: full,
    operationId: full.id,
    createdAt: full.createdAt as Date,
    resource: { kind: 'k8s.cluster', id: 'cat1' },
    reported: true,
    attempts: 2,
    ids,
  };
};

describe('the kinds a sweep may name', () => {
  it('are the cancellable ones and the report-only ones, each in one of the two', () => {
    expect(RESOURCE_KINDS).toEqual([...CANCELLABLE_KINDS, ...REPORTED_KINDS]);
    expect(new Set(RESOURCE_KINDS).size).toBe(RESOURCE_KINDS.length);
  });

  it.each(RESOURCE_KINDS.map((kind) => [kind]))(
    '%s: is listed at the host the SDK names for its service',
    (kind) => {
      const { list, api } = KINDS[kind];
      expect(SDK_ENDPOINTS[list.service]).toBe(DEFAULTS[api]);
    },
  );
});

describe('a stuck operation of a report-only kind, as a result', () => {
  it.each([
    [
      'described in full',
      {
        description: 'Update Kubernetes cluster',
        createdBy: 'ajeuser',
        createdAt: new Date(now - 5400_500),
      },
      {
        description: 'Update Kubernetes cluster',
        createdBy: 'ajeuser',
        createdAt: '2026-11-27T10:29:59.500Z',
        ageSeconds: 5400,
      },
    ],
    [
      'with no description or author, which are left out',
      { createdAt: new Date(now - 3600_000) },
      { createdAt: '2026-11-27T11:00:00.000Z', ageSeconds: 3600 },
    ],
  ])('%s', (_, operation, fields) => {
    expect(stuckResult(sighting(operation), now)).toEqual({
      operationId: 'op1',
      outcome: 'stuck',
      ...fields,
      resourceKind: 'k8s.cluster',
      resourceId: 'cat1',
      attempts: 2,
      durationMs: 0,
      ...ids,
    });
  });
});

describe("an instance group's latest log record", () => {
  const at = (iso: string, message: string) => ({ timestamp: new Date(iso), message });
  const never = { timestamp: new Date(Number.NaN), message: 'no time' };
  const pastTimestamp = { timestamp: new Date('+010000-01-01T00:00:00Z'), message: 'year 10000' };
  it.each([
    ['none listed', [], undefined, undefined],
    [
      'the latest, in any order',
      [at('2026-11-27T10:00:00Z', 'b'), at('2026-11-27T09:00:00Z', 'a')],
      undefined,
      'b',
    ],
    [
      'the last of equals',
      [at('2026-11-27T10:00:00Z', 'a'), at('2026-11-27T10:00:00Z', 'b')],
      undefined,
      'b',
    ],
    ['not one with a time no Date holds', [never, at('2026-11-27T09:00:00Z', 'a')], undefined, 'a'],
    [
      'not one past what a Timestamp holds',
      [pastTimestamp, at('2026-11-27T09:00:00Z', 'a')],
      undefined,
      'a',
    ],
    ['one of no time, when no other', [{ message: 'bare' }], undefined, 'bare'],
    [
      "an earlier page's, when later",
      [at('2026-11-27T09:00:00Z', 'a')],
      at('2026-11-27T11:00:00Z', 'kept'),
      'kept',
    ],
  ])('is %s', (_case, records, earlier, message) => {
    expect(latestOf(records, earlier)?.message).toBe(message);
  });
});
