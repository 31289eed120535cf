import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/run-script';
import { STAGES } from './stages';

const SRC = path.join(ROOT, 'src');

type Graph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|json)$/.test(entry.name) ? [path.relative(SRC, full)] : [];
  });
}

const SUBPATH_IMPORTS: Record<string, string> = JSON.parse(
  readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
).imports;

/** The src files `file` imports, statically or lazily; packages are left out. */
function importsOf(file: string, files: ReadonlySet<string>): string[] {
  if (file.endsWith('.json')) return [];
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map(
    (m) => m[1] ?? '',
  );
  return specifiers.flatMap((specifier) => {
    // A subpath import maps to a file of ours (`./src/…`) or to a package, which is left out.
    const mapped = SUBPATH_IMPORTS[specifier];
    const target = mapped?.startsWith('./')
      ? path.relative(SRC, path.join(ROOT, mapped))
      : mapped === undefined && specifier.startsWith('.')
        ? path.join(path.dirname(file), specifier)
        : undefined;
    if (target === undefined) return [];
    const found = [target, `${target}.ts`, path.join(target, 'index.ts')].find((f) => files.has(f));
    if (found === undefined) throw new Error(`${file} imports ${specifier}, which is not in src/`);
    return [found];
  });
}

function graphOfSrc(): Graph {
  const files = sourceFiles(SRC);
  const known = new Set(files);
  return new Map(files.map((file) => [file, importsOf(file, known)]));
}

/** One cycle in the graph, as the path that closes it, or undefined when there is none. */
function findCycle(graph: Graph): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, trail: string[]): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'visiting');
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...trail, node]);
      if (cycle) return cycle;
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The graph between folders: a file at the top of src/ is a node of its own. */
function folderGraph(graph: Graph): Graph {
  const folder = (file: string) => file.split(path.sep)[0] ?? file;
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    const from = folder(file);
    const set = edges.get(from) ?? new Set();
    for (const target of imports) if (folder(target) !== from) set.add(folder(target));
    edges.set(from, set);
  }
  return new Map([...edges].map(([node, set]) => [node, [...set]]));
}

function stageOf(file: string): number {
  let best: { rank: number; length: number } | undefined;
  STAGES.forEach(([, prefixes], rank) => {
    for (const prefix of prefixes) {
      const matches = prefix.endsWith('/') ? file.startsWith(prefix) : file === prefix;
      if (matches && (best === undefined || prefix.length > best.length)) {
        best = { rank, length: prefix.length };
      }
    }
  });
  if (best === undefined) throw new Error(`src/${file} is in no stage: add it to STAGES`);
  return best.rank;
}

describe('the import graph of src/', () => {
  const graph = graphOfSrc();

  it('has no cycle between files', () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it('has no cycle between folders', () => {
    expect(findCycle(folderGraph(graph))).toBeUndefined();
  });

  it('imports only along the flow: from the same stage or an earlier one', () => {
    const backwards = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => stageOf(target) > stageOf(file))
        .map(
          (target) =>
            `${file} (${STAGES[stageOf(file)]?.[0]}) imports ${target} (${STAGES[stageOf(target)]?.[0]})`,
        ),
    );
    expect(backwards).toEqual([]);
  });

  it('sees the imports it checks, the lazy #sweep one too', () => {
    expect(graph.get('run.ts')).toEqual(
      expect.arrayContaining(['act/cancel-operation.ts', 'select/invocation.ts']),
    );
    expect(graph.get('select/load-sweep.ts')).toContain('sweep/select.ts');
  });
});

/** The files under `dir` (from the project root) that hold code, as paths from the root. */
function codeFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|cjs|mjs)$/.test(entry.name))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

/** The files of ours that `file` imports by a relative path, from the project root. */
function relativeImportsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.[^']*)'/g)].map((m) => {
    const target = path.join(path.dirname(file), m[1] ?? '');
    const found = [target, `${target}.ts`, path.join(target, 'index.ts')].find((f) =>
      statSync(path.join(ROOT, f), { throwIfNoEntry: false })?.isFile(),
    );
    if (found === undefined) throw new Error(`${file} imports ${m[1]}, which is not a file`);
    return found;
  });
}

/** Every import from `dirs` that lands outside `allowed`, as "file imports target". */
function importsOutside(dirs: readonly string[], allowed: (target: string) => boolean): string[] {
  return dirs.flatMap((dir) =>
    codeFiles(dir).flatMap((file) =>
      relativeImportsOf(file)
        .filter((target) => !allowed(target))
        .map((target) => `${file} imports ${target}`),
    ),
  );
}

const DEPLOY = 'tools/deploy/';

describe('the import rule around tools/deploy', () => {
  it('uses the function only through deploy-api.ts, and the emulator through its index', () => {
    const publicEntry = (target: string) =>
      target.startsWith(DEPLOY) || ['deploy-api.ts', 'emulator/index.ts'].includes(target);
    expect(importsOutside([`${DEPLOY}src`, `${DEPLOY}fake`], publicEntry)).toEqual([]);
    expect(
      importsOutside(
        [`${DEPLOY}test`],
        (target) => publicEntry(target) || target === 'test/support/index.ts',
      ),
    ).toEqual([]);
  });

  it('is not imported by the function or the emulator', () => {
    const notTools = (target: string) => !target.startsWith('tools/');
    expect(importsOutside(['src', 'emulator'], notTools)).toEqual([]);
  });

  it('sees the imports it checks', () => {
    expect(relativeImportsOf(`${DEPLOY}src/main.ts`)).toContain('deploy-api.ts');
    expect(relativeImportsOf(`${DEPLOY}fake/server.ts`)).toContain('emulator/index.ts');
    expect(relativeImportsOf('emulator/session.ts')).toContain('emulator/cloud-api-server.ts');
  });
});

describe('the cycle finder', () => {
  it.each([
    ['a chain', { a: ['b'], b: ['c'], c: [] }, undefined],
    ['a loop of two', { a: ['b'], b: ['a'] }, ['a', 'b', 'a']],
    ['a loop behind a chain', { a: ['b'], b: ['c'], c: ['d'], d: ['b'] }, ['b', 'c', 'd', 'b']],
    ['a diamond', { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, undefined],
  ])('%s', (_, edges, cycle) => {
    expect(findCycle(new Map(Object.entries(edges)))).toEqual(cycle);
  });
});
