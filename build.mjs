// Bundles the function into one CommonJS file and zips it for upload. The zip holds index.js
// alone: with a package.json in it the platform would run `npm ci` at deploy time.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const outdir = new URL('./dist/', import.meta.url);
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

/** Modules the bundle replaces with a stub that throws if ever used, and why. */
const LEFT_OUT = [
  // grpc-js loads @grpc/proto-loader, and with it the whole of protobufjs, only for channelz and
  // ORCA; the generated code needs only protobufjs/minimal.
  { filter: /^@grpc\/proto-loader$/, importer: /@grpc\/grpc-js/, what: '@grpc/proto-loader' },
  // grpc-js's server side, which its index loads eagerly and a client never starts.
  {
    filter: /^\.\/(server|server-interceptors|orca)$/,
    importer: /@grpc\/grpc-js\/build\/src/,
    what: 'the grpc-js server',
  },
];

/** Every byte left out here is a byte not parsed and run at each cold start. */
const leaveOut = {
  name: 'leave-out',
  setup(build) {
    for (const { filter, importer, what } of LEFT_OUT) {
      build.onResolve({ filter }, (args) =>
        importer.test(args.importer)
          ? { path: args.path, namespace: 'left-out', pluginData: what }
          : undefined,
      );
    }
    // Requiring a left-out module succeeds (grpc-js's index requires its server eagerly, to
    // re-export it through getters); using anything from it throws and says why.
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get(_, key) {
        if (typeof key === 'symbol' || key === '__esModule') return undefined;
        throw new Error(${JSON.stringify(`${args.pluginData} is left out of this bundle`)} + ': ' + String(key));
      } });`,
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
  plugins: [leaveOut],
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
