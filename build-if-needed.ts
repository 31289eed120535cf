import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('.', import.meta.url));
export const BUNDLE = path.join(ROOT, 'dist', 'index.js');

function newestInput(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((newest, entry) => {
      return Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }, 0);
}

/** Rebuilds dist/ when it is missing or older than the sources, so `npm start` runs what you see. */
export function buildIfNeeded(): void {
  const inputs = ['build.mjs', 'build-options.mjs', 'package-lock.json'].map((f) =>
    path.join(ROOT, f),
  );
  const stale =
    !existsSync(BUNDLE) ||
    Math.max(newestInput(path.join(ROOT, 'src')), ...inputs.map((f) => statSync(f).mtimeMs)) >
      statSync(BUNDLE).mtimeMs;
  if (!stale) return;
  // The build's own report goes to stderr: stdout is kept for replies and log lines.
  const build = spawnSync(process.execPath, [path.join(ROOT, 'build.mjs')], {
    cwd: ROOT,
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  if (build.status !== 0) throw new Error('the build failed; see the messages above');
}
