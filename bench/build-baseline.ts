import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { ESBUILD_COMMON } from '../build-options.mjs';

const ENTRY = fileURLToPath(new URL('./baseline/handler.ts', import.meta.url));
const NAIVE_SWEEP_ENTRY = fileURLToPath(new URL('./naive/handler.ts', import.meta.url));

export interface Artifact {
  bundlePath: string;
  zipPath: string;
}

/**
 * Bundles and zips the baseline with build.mjs's options (build-options.mjs), so sizes and load
 * times compare like for like. build.mjs's proto-loader stub is left out on purpose: it is one of
 * the project's own savings, and a docs-style function bundled with esbuild would not have it.
 */
export async function buildBaseline(outDir: string): Promise<Artifact> {
  const bundlePath = await bundle(ENTRY, outDir);
  const code = await readFile(bundlePath);
  const zip = zipSync({
    'index.js': [code, { level: 9, mtime: new Date('2000-01-01T00:00:00Z') }],
  });
  const zipPath = path.join(outDir, 'function.zip');
  await writeFile(zipPath, zip);
  return { bundlePath, zipPath };
}

/** The naive sweep (bench/naive/handler.ts), bundled alike; only its bundle is used. */
export function buildNaiveSweep(outDir: string): Promise<string> {
  return bundle(NAIVE_SWEEP_ENTRY, outDir);
}

async function bundle(entry: string, outDir: string): Promise<string> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const bundlePath = path.join(outDir, 'index.js');
  await build({ entryPoints: [entry], outfile: bundlePath, ...ESBUILD_COMMON });
  return bundlePath;
}
