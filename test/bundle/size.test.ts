import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import BORROWED from '../../src/sweep/borrowed.json';
import { LENT } from '../../src/sweep/load';

const DIST = path.resolve(import.meta.dirname, '../../dist');
const KB = 1024;

/**
 * The budgets of issue 5: every byte of the cancel path is parsed at every cold start, so they
 * bound index.js, minified and zipped alone. dist/sweep.js is parsed only by an invocation that
 * sweeps; its budget (issue 13) leaves room for the managed databases' generated clients, whose
 * message types (PostgreSQL's settings of every version above all) make most of it, and (issue
 * 16) for four more kinds' clients and RE2JS, the linear-time engine of the description filters.
 */
const BUDGET = { bundle: 400 * KB, zip: 120 * KB, sweep: 4096 * KB } as const;

function built(name: string): string {
  const file = path.join(DIST, name);
  if (!existsSync(file)) throw new Error(`${file} does not exist: run npm run build first`);
  return file;
}

describe('the deployed bundle', () => {
  it(`is at most ${BUDGET.bundle / KB} KB minified`, () => {
    expect(statSync(built('index.js')).size).toBeLessThanOrEqual(BUDGET.bundle);
  });

  it(`zips alone to at most ${BUDGET.zip / KB} KB: what the cancel path loads`, () => {
    expect(statSync(built('cancel-path.zip')).size).toBeLessThanOrEqual(BUDGET.zip);
    const zipped = unzipSync(readFileSync(built('cancel-path.zip')));
    expect(Object.keys(zipped)).toEqual(['index.js']);
    expect(
      Buffer.from(zipped['index.js'] as Uint8Array).equals(readFileSync(built('index.js'))),
    ).toBe(true);
  });

  it('ships in a zip holding index.js and its lazy bundles, and nothing that makes the platform run npm ci', () => {
    const names = Object.keys(unzipSync(readFileSync(built('function.zip'))));
    expect(names.sort()).toEqual(['index.js', 'observe.js', 'sweep.js']);
  });

  it('keeps the metrics and messages out of the cancel path: they load only when set', () => {
    const index = readFileSync(built('index.js'), 'utf8');
    expect(index).not.toContain('canceller.operations');
    expect(index).not.toContain('/monitoring/v2/data/write');
    expect(readFileSync(built('observe.js'), 'utf8')).toContain('/monitoring/v2/data/write');
  });

  it.each([
    'log4js/',
    'axios/',
    'jsonwebtoken/',
    'luxon/',
    '@grpc/proto-loader/',
    // Middleware the function does not use: grpc-js's own client does unary calls.
    'nice-grpc/',
    // grpc-js's server side.
    '@grpc/grpc-js/build/src/server.js',
    // The sweep's listing clients, which dist/sweep.js holds and only a sweep loads.
    '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/compute/',
    '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/vpc/',
    '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/k8s/',
    '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/mdb/',
    // The full protobufjs, as opposed to the minimal runtime the generated code uses.
    'protobufjs/src/root.js',
  ])('leaves out %s, which only the SDK Session and features a client never uses need', (name) => {
    const { inputs } = JSON.parse(readFileSync(built('meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const files = Object.keys(inputs);
    expect(files.some((f) => f.includes('node_modules/@grpc/grpc-js/'))).toBe(true);
    expect(files.filter((f) => f.includes(`node_modules/${name}`))).toEqual([]);
  });
});

describe('the sweep bundle', () => {
  it(`is at most ${BUDGET.sweep / KB} KB minified`, () => {
    expect(statSync(built('sweep.js')).size).toBeLessThanOrEqual(BUDGET.sweep);
  });

  it.each(['@grpc/grpc-js/', 'protobufjs/', 'long/'])(
    'borrows %s from index.js instead of carrying a copy',
    (name) => {
      const { inputs } = JSON.parse(readFileSync(built('sweep-meta.json'), 'utf8')) as {
        inputs: Record<string, unknown>;
      };
      const files = Object.keys(inputs);
      expect(files.some((f) => f.includes('generated/yandex/cloud/compute/'))).toBe(true);
      expect(files.filter((f) => f.includes(`node_modules/${name}`))).toEqual([]);
    },
  );

  it('borrows exactly what the loader lends: borrowed.json is the one list for both', () => {
    expect(Object.keys(LENT).sort()).toEqual([...BORROWED.modules].sort());
    for (const name of BORROWED.modules) expect(LENT[name], name).toBeDefined();
    const code = readFileSync(built('sweep.js'), 'utf8');
    expect(code).toContain(JSON.stringify(BORROWED.global));
  });

  it('leaves out the JSON mapping of the generated messages, which nothing calls', () => {
    const code = readFileSync(built('sweep.js'), 'utf8');
    expect(code).toContain('fromPartial');
    expect(code).not.toMatch(/fromJSON|toJSON\(/);
  });
});
