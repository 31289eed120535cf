import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import LENT_TO_SWEEP from '../../src/select/lent.json';
import { LENT } from '../../src/select/load-sweep';
import { ROOT } from '../support/run-script';

/**
 * The seam between the bundles, read off what `npm run build` put in each (its metafiles): the
 * platform runs dist/, where a module of src/ copied into two bundles is two modules, and a class
 * of it two classes that `instanceof` tells apart.
 */
const DIST = path.join(ROOT, 'dist');
const BUNDLES = {
  'index.js': 'meta.json',
  'sweep.js': 'sweep-meta.json',
  'observe.js': 'observe-meta.json',
} as const;
type Bundle = keyof typeof BUNDLES;

function inputsOf(bundle: Bundle): string[] {
  const file = path.join(DIST, BUNDLES[bundle]);
  if (!existsSync(file)) throw new Error(`${file} does not exist: run npm run build first`);
  const { outputs } = JSON.parse(readFileSync(file, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  return Object.values(outputs).flatMap((output) => Object.keys(output.inputs));
}

const srcOf = (bundle: Bundle) => inputsOf(bundle).filter((input) => input.startsWith('src/'));

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Whether a file holds types alone: nothing of it is left in any bundle. */
const typesOnly = (file: string) => transformSync(read(file), { loader: 'ts' }).code.trim() === '';

/**
 * The files that break the `instanceof` rule, each with the class it tests: a file that several
 * bundles hold, or that dist/sweep.js holds (it is handed the host's objects), must not tell a
 * failure or an object by a class of src/, which may be another bundle's copy. It asks its name
 * or its fields instead.
 */
function instanceofCrossings(
  bundles: Readonly<Record<string, readonly string[]>>,
  seamSide: readonly string[],
  text: (file: string) => string,
  classes: ReadonlySet<string>,
): string[] {
  const held = new Map<string, number>();
  for (const files of Object.values(bundles)) {
    for (const file of files) held.set(file, (held.get(file) ?? 0) + 1);
  }
  const watched = [...held].filter(([, count]) => count > 1).map(([file]) => file);
  return [...new Set([...watched, ...seamSide])].flatMap((file) =>
    [...text(file).matchAll(/\binstanceof\s+([A-Za-z_$][\w$]*)/g)]
      .map(([, name]) => name as string)
      .filter((name) => classes.has(name))
      .map((name) => `${file}: instanceof ${name}`),
  );
}

const CLASSES = new Set(
  sourceFiles('src').flatMap((file) =>
    [...read(file).matchAll(/\bclass\s+([A-Za-z_$][\w$]*)/g)].map(([, name]) => name as string),
  ),
);

describe('dist/sweep.js', () => {
  it('holds of src/ only src/sweep/: the rest of src/ it uses, dist/index.js lends it', () => {
    expect(srcOf('sweep.js').filter((file) => !file.startsWith('src/sweep/'))).toEqual([]);
  });

  it('is all of src/sweep/ with code in it, and dist/index.js holds none of it', () => {
    const withCode = sourceFiles('src/sweep').filter((file) => !typesOnly(file));
    expect(srcOf('sweep.js').sort()).toEqual(withCode.sort());
    expect(srcOf('index.js').filter((file) => file.startsWith('src/sweep/'))).toEqual([]);
  });

  it('carries no package: it reaches grpc-js through what it borrows, so one set of channels serves both', () => {
    expect(inputsOf('sweep.js').filter((input) => input.includes('node_modules/'))).toEqual([]);
  });

  it('borrows exactly what the loader lends: lent.json is the one list for build and loader', () => {
    const borrowed = inputsOf('sweep.js')
      .filter((input) => input.startsWith('host:'))
      .map((input) => input.slice('host:'.length));
    expect(borrowed.sort()).toEqual([...LENT_TO_SWEEP.modules].sort());
    expect(Object.keys(LENT).sort()).toEqual([...LENT_TO_SWEEP.modules].sort());
    for (const name of LENT_TO_SWEEP.modules) expect(LENT[name], name).toBeDefined();
  });
});

describe('the instanceof rule', () => {
  it('holds: no file in two bundles, nor any of dist/sweep.js, tests for a class of src/', () => {
    const bundles = Object.fromEntries(
      (Object.keys(BUNDLES) as Bundle[]).map((bundle) => [bundle, srcOf(bundle)]),
    );
    expect(CLASSES).toContain('CallError');
    expect(instanceofCrossings(bundles, srcOf('sweep.js'), read, CLASSES)).toEqual([]);
  });

  it.each([
    ['a file in two bundles', { a: ['shared.ts'], b: ['shared.ts'] }, [], ['shared.ts']],
    ['a file on the sweep side', { a: ['own.ts'], b: ['sweep.ts'] }, ['sweep.ts'], ['sweep.ts']],
    ['a file in one bundle, off the seam', { a: ['own.ts'], b: [] }, [], []],
  ])('finds the crossings of %s', (_case, bundles, seamSide, flagged) => {
    const text = () => 'if (e instanceof CallError || e instanceof Error) throw e;';
    const found = instanceofCrossings(bundles, seamSide, text, new Set(['CallError']));
    expect(found).toEqual(flagged.map((file) => `${file}: instanceof CallError`));
  });
});
