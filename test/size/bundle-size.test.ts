import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

const DIST = path.resolve(import.meta.dirname, '../../dist');
const KB = 1024;

/** The budgets of issue 5: every byte of the bundle is parsed at every cold start. */
const BUDGET = { bundle: 400 * KB, zip: 120 * KB } as const;

function built(name: string): string {
  const file = path.join(DIST, name);
  if (!existsSync(file)) throw new Error(`${file} does not exist: run npm run build first`);
  return file;
}

describe('the deployed bundle', () => {
  it(`is at most ${BUDGET.bundle / KB} KB minified`, () => {
    expect(statSync(built('index.js')).size).toBeLessThanOrEqual(BUDGET.bundle);
  });

  it(`zips to at most ${BUDGET.zip / KB} KB, with index.js alone at its root`, () => {
    const zip = readFileSync(built('function.zip'));
    expect(zip.length).toBeLessThanOrEqual(BUDGET.zip);
    expect(Object.keys(unzipSync(zip))).toEqual(['index.js']);
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
