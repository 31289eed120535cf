import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/run-script';
import { typeScriptFiles } from './sources';

const SRC = path.join(ROOT, 'src');
const ERRORS = 'src/errors.ts';

interface ClassShape {
  readonly where: string;
  readonly name: string;
  /** Whether it extends another class: an error class does, and nothing else of ours does. */
  readonly extendsAnother: boolean;
  /** Whether its constructor sets `this.name`, which logs and the bundle seam read. */
  readonly setsName: boolean;
}

function classesOf(file: string, text: string): ClassShape[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: ClassShape[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassLike(node)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push({
        where: `${file}:${line}`,
        name: node.name?.getText(source) ?? '(anonymous)',
        extendsAnother: (node.heritageClauses ?? []).some(
          (clause) => clause.token === ts.SyntaxKind.ExtendsKeyword,
        ),
        setsName:
          /this\.name = '(\w+)'/.exec(node.getText(source))?.[1] === node.name?.getText(source),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the error classes of src/', () => {
  const classes = typeScriptFiles(SRC).flatMap((file) =>
    classesOf(path.relative(ROOT, file), readFileSync(file, 'utf8')),
  );
  const errors = classes.filter((c) => c.where.startsWith(`${ERRORS}:`));

  it(`are all in ${ERRORS}, which the parse finds`, () => {
    expect(errors.map((c) => c.name)).toContain('CancellerError');
    expect(classes.filter((c) => c.extendsAnother && !errors.includes(c))).toEqual([]);
  });

  it('each set their own name', () => {
    expect(errors.filter((c) => !c.setsName).map((c) => c.where)).toEqual([]);
  });
});

describe('the class check', () => {
  it('sees a class that extends another, and whether it names itself', () => {
    const text = [
      'class Odd extends Error {}',
      "class Named extends Error { constructor() { super('x'); this.name = 'Named'; } }",
      "class Misnamed extends Error { constructor() { super('x'); this.name = 'Other'; } }",
    ].join('\n');
    expect(classesOf('src/x.ts', text)).toEqual([
      { where: 'src/x.ts:1', name: 'Odd', extendsAnother: true, setsName: false },
      { where: 'src/x.ts:2', name: 'Named', extendsAnother: true, setsName: true },
      { where: 'src/x.ts:3', name: 'Misnamed', extendsAnother: true, setsName: false },
    ]);
  });
});
