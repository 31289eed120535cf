import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

const DIST = path.resolve(import.meta.dirname, '../../dist');
const KB = 1024;

/**
 * The budgets of issue 5: every byte of the cancel path is parsed at every cold start, so they
 * bound index.js, minified and zipped alone. The bundles loaded only when needed (issue 23) have
 * one budget together, and the zip one of its own: the upload, and what the platform unpacks.
 */
const BUDGET = { bundle: 400 * KB, zip: 120 * KB, lazy: 300 * KB, functionZip: 160 * KB } as const;
const LAZY = ['sweep.js', 'observe.js', 're2.js'] as const;

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
    expect(names.sort()).toEqual(['index.js', 'observe.js', 're2.js', 'sweep.js']);
  });

  it(`zips with its lazy bundles to at most ${BUDGET.functionZip / KB} KB`, () => {
    expect(statSync(built('function.zip')).size).toBeLessThanOrEqual(BUDGET.functionZip);
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
    // The SDK whole: the wire codec reads what the function needs of each answer.
    '@yandex-cloud/nodejs-sdk/',
    // The full protobufjs, as opposed to the minimal runtime the wire codec uses, and long.js.
    'protobufjs/src/root.js',
    'long/',
    // RE2JS, which dist/re2.js holds and only a sweep with a pattern loads.
    're2js/',
  ])('leaves out %s, which the cancel path never uses', (name) => {
    const { inputs } = JSON.parse(readFileSync(built('meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const files = Object.keys(inputs);
    expect(files.some((f) => f.includes('node_modules/@grpc/grpc-js/'))).toBe(true);
    expect(files.filter((f) => f.includes(`node_modules/${name}`))).toEqual([]);
  });
});

describe('the bundles loaded only when needed', () => {
  it(`are at most ${BUDGET.lazy / KB} KB minified together`, () => {
    const total = LAZY.reduce((sum, name) => sum + statSync(built(name)).size, 0);
    expect(total).toBeLessThanOrEqual(BUDGET.lazy);
  });

  it.each([
    ['@grpc/grpc-js/', 'borrowed from index.js'],
    ['protobufjs/', 'lent with the wire codec'],
    ['@yandex-cloud/nodejs-sdk/', 'the listings decode only the fields they read'],
    ['re2js/', 'in re2.js, loaded only for a pattern'],
  ])('leave %s out of sweep.js: %s', (name) => {
    const { inputs } = JSON.parse(readFileSync(built('sweep-meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const files = Object.keys(inputs);
    expect(files).toContain('src/sweep/listing/wire.ts');
    expect(files.filter((f) => f.includes(`node_modules/${name}`))).toEqual([]);
  });

  it('put RE2JS in re2.js, and nothing else', () => {
    const { inputs } = JSON.parse(readFileSync(built('re2-meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const others = Object.keys(inputs).filter(
      (f) => f !== '<stdin>' && !f.startsWith('node_modules/re2js/'),
    );
    expect(Object.keys(inputs)).toContain('node_modules/re2js/build/index.js');
    expect(others).toEqual([]);
  });
});
