import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/run-script';
import { STAGES } from './stages';

const LAYOUT = readFileSync(path.join(ROOT, 'docs/layout.md'), 'utf8');

/** The rooms the page describes; their folders, and folders within them, must all be named. */
const ROOMS = ['src', 'emulator', 'tools/deploy', 'test', 'bench'] as const;

function foldersUnder(dir: string): string[] {
  return (
    readdirSync(path.join(ROOT, dir), { withFileTypes: true })
      // Dot folders are what tools make (bench/.out), and node_modules is npm's.
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .filter((entry) => entry.name !== 'node_modules')
      .flatMap((entry) => {
        const folder = `${dir}/${entry.name}`;
        return [folder, ...foldersUnder(folder)];
      })
  );
}

/** Every `code` span of the page. */
const spans = [...LAYOUT.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');

describe('docs/layout.md', () => {
  it('names every folder of the function, the emulator, the deployer, the tests and the bench', () => {
    const named = new Set(spans);
    const unnamed = ROOMS.flatMap((room) => [room, ...foldersUnder(room)]).filter(
      (folder) => !named.has(`${folder}/`),
    );
    expect(unnamed).toEqual([]);
  });

  it('names no folder or file that is not there', () => {
    // dist/ is the build's, and not there before it runs.
    const paths = spans.filter(
      (span) =>
        /^[\w.-]+(\/[\w.-]+)*\/?$/.test(span) && /[/.]/.test(span) && !span.startsWith('dist/'),
    );
    const files = new Set(
      ['.', ...ROOMS.flatMap((room) => [room, ...foldersUnder(room)])].flatMap((dir) =>
        readdirSync(path.join(ROOT, dir)),
      ),
    );
    // The import rule's table names folders and files from src/.
    const exists = (span: string) =>
      existsSync(path.join(ROOT, span)) || existsSync(path.join(ROOT, 'src', span));
    const missing = paths.filter((span) => (span.includes('/') ? !exists(span) : !files.has(span)));
    expect(missing).toEqual([]);
  });

  it("shows the import rule's stages as the import test enforces them", () => {
    const rows = [...LAYOUT.matchAll(/^\| (\w+) +\| (.+?) +\|$/gm)]
      .map((m) => [m[1], [...(m[2] ?? '').matchAll(/`([^`]+)`/g)].map((f) => f[1])])
      .filter(([stage]) => stage !== 'Stage');
    expect(rows).toEqual(STAGES.map(([stage, prefixes]) => [stage, [...prefixes]]));
  });
});
