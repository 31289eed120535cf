import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/run-script';
import { typeScriptFiles } from './sources';

/**
 * The code held to the limits, each with a function the parse must find there, so that a root
 * that moved or a parse that found nothing cannot pass for a root of short functions.
 */
const ROOTS = [
  { dir: 'src', holds: 'handler' },
  { dir: 'emulator', holds: 'paginate' },
  { dir: 'tools/deploy/src', holds: 'planDeployment' },
] as const;

/** Past these a function does more than one job, or asks for a context object. */
const LIMITS = { lines: 80, parameters: 5 } as const;

interface FunctionShape {
  /** `src/run.ts:41`: where the function starts. */
  readonly where: string;
  readonly name: string;
  /** Its lines, first to last: a function's length includes the functions nested in it. */
  readonly lines: number;
  readonly parameters: number;
}

function nameOf(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (node.name !== undefined) return node.name.getText(source);
  const { parent } = node;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
    return parent.name.getText(source);
  }
  return '(anonymous)';
}

/**
 * Every function of a file that has a body: declarations, methods, accessors, constructors,
 * arrows and function expressions. Overloads and signatures in types have none, and are left out.
 */
function functionsOf(file: string, text: string): FunctionShape[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const found: FunctionShape[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = lineOf(node.getStart(source));
      found.push({
        where: `${file}:${first}`,
        name: nameOf(node, source),
        lines: lineOf(node.getEnd()) - first + 1,
        parameters: node.parameters.length,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const tooLong = (functions: readonly FunctionShape[]) =>
  functions
    .filter((f) => f.lines > LIMITS.lines)
    .map((f) => `${f.where} ${f.name}: ${f.lines} lines`);

const tooWide = (functions: readonly FunctionShape[]) =>
  functions
    .filter((f) => f.parameters > LIMITS.parameters)
    .map((f) => `${f.where} ${f.name}: ${f.parameters} parameters`);

for (const { dir, holds } of ROOTS) {
  describe(`the functions of ${dir}/`, () => {
    const functions = typeScriptFiles(path.join(ROOT, dir)).flatMap((file) =>
      functionsOf(path.relative(ROOT, file), readFileSync(file, 'utf8')),
    );

    it(`are all measured: the parse finds ${holds}`, () => {
      expect(functions.map((f) => f.name)).toContain(holds);
    });

    it(`are at most ${LIMITS.lines} lines long, the functions nested in each counted in`, () => {
      expect(tooLong(functions)).toEqual([]);
    });

    it(`take at most ${LIMITS.parameters} parameters`, () => {
      expect(tooWide(functions)).toEqual([]);
    });
  });
}

describe('the function measure', () => {
  const body = (lines: number) => Array.from({ length: lines }, (_, i) => `  const a${i} = ${i};`);
  const text = [
    'export function outer(a: number, b: number, c: number, d: number, e: number, f: number) {',
    ...body(40),
    '  const inner = (x: number) => {',
    ...body(40),
    '  };',
    '  return inner;',
    '}',
    'class Box {',
    '  method(a: string) { return function named(b: string) { return a + b; }; }',
    '  overloaded(a: string): void;',
    '  overloaded(a: string, b?: string): void {}',
    '}',
  ].join('\n');
  const measured = functionsOf('src/x.ts', text);

  it('finds declarations, arrows, methods and function expressions, and leaves overloads out', () => {
    expect(measured.map((f) => f.name)).toEqual([
      'outer',
      'inner',
      'method',
      'named',
      'overloaded',
    ]);
  });

  it('counts a nested function into the length of the one around it', () => {
    expect(tooLong(measured)).toEqual(['src/x.ts:1 outer: 85 lines']);
  });

  it('names the functions with too many parameters, where they start', () => {
    expect(tooWide(measured)).toEqual(['src/x.ts:1 outer: 6 parameters']);
  });
});
