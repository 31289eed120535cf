// Bundles the function into one CommonJS file and zips it for upload. The zip holds index.js
// alone: with a package.json in it the platform would run `npm ci` at deploy time.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const outdir = new URL('./dist/', import.meta.url);
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

/**
 * grpc-js loads @grpc/proto-loader, and with it the whole of protobufjs, only for channelz and
 * ORCA, server-side features a client never starts. Bundled, they would add about 100 KB to
 * every cold start; this stub fails loudly should that ever change.
 */
const withoutProtoLoader = {
  name: 'without-proto-loader',
  setup(build) {
    build.onResolve({ filter: /^@grpc\/proto-loader$/ }, () => ({
      path: 'proto-loader',
      namespace: 'stub',
    }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents:
        "throw new Error('@grpc/proto-loader is left out of this bundle: channelz and ORCA are not supported');",
      loader: 'js',
    }));
  },
};

const bundle = new URL('index.js', outdir);
const { metafile } = await build({
  entryPoints: [new URL('./src/index.ts', import.meta.url).pathname],
  outfile: bundle.pathname,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [withoutProtoLoader],
  metafile: true,
});
// What went into the bundle, for the size guard in the tests and for anyone asking why it grew.
await writeFile(new URL('meta.json', outdir), JSON.stringify(metafile));

const code = await readFile(bundle);
// A fixed timestamp keeps the zip identical for identical code.
const zip = zipSync({ 'index.js': [code, { level: 9, mtime: new Date('2000-01-01T00:00:00Z') }] });
await writeFile(new URL('function.zip', outdir), zip);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`dist/index.js ${kb(code.length)}, dist/function.zip ${kb(zip.length)}`);
