import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** The variable through which the global setup tells workers where the bundled scripts are. */
export const SCRIPT_BUNDLES_ENV = 'TEST_SCRIPT_BUNDLES';

/** The scripts tests run as their npm scripts do, each bundled once per test run. */
export const BUNDLED_SCRIPTS = [
  'emulator/start.ts',
  'emulator/invoke.ts',
  'tools/deploy/src/main.ts',
] as const;

/**
 * Each module keeps the `import.meta` paths of its source file, so paths it finds beside itself
 * (the project root, the runtime's files) are the same bundled or not.
 */
const OWN_PATHS: Plugin = {
  name: 'own-import-meta-paths',
  setup(plugin) {
    plugin.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return {
        contents: source
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path)),
        loader: 'ts',
      };
    });
  },
};

/** Where `bundleScripts` put `script`. */
export function bundledPath(dir: string, script: string): string {
  return path.join(dir, `${script.replace(/\.ts$/, '').replaceAll('/', '__')}.mjs`);
}

/**
 * Bundles the scripts with their dependencies. tsx, as the npm scripts run them, resolves and
 * loads some 600 modules at every start, about two seconds on this machine; a test suite that
 * starts these scripts some sixty times spends most of its time there. The code is the same:
 * esbuild compiles it for tsx too.
 */
export async function bundleScripts(root: string, dir: string): Promise<void> {
  await build({
    entryPoints: BUNDLED_SCRIPTS.map((script) => ({
      in: path.join(root, script),
      out: path.basename(bundledPath(dir, script), '.mjs'),
    })),
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // The dependencies that are CommonJS ask for `require`, which an ES module has not.
    banner: {
      js: "import { createRequire as requireFrom } from 'node:module'; const require = requireFrom(import.meta.url);",
    },
    plugins: [OWN_PATHS],
    logLevel: 'warning',
  });
}
