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

/**
 * The sweep (src/sweep/) is a bundle of its own, required by dist/index.js only when a sweep
 * runs: the plain cancel path never loads the listing clients.
 */
const sweepApart = {
  name: 'sweep-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/sweep\/index$/ }, () => ({
      path: './sweep.js',
      external: true,
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};
const source = (file) => new URL(`./src/${file}`, import.meta.url).pathname;
const output = (file) => new URL(file, outdir).pathname;

const [main, sweep] = await Promise.all([
  build({
    ...common,
    entryPoints: [source('index.ts')],
    outfile: output('index.js'),
    plugins: [leaveOut, sweepApart],
  }),
  build({
    ...common,
    entryPoints: [source('sweep/index.ts')],
    outfile: output('sweep.js'),
    plugins: [leaveOut],
  }),
]);
// What went into each bundle, for the size guard in the tests and for anyone asking why it grew.
await writeFile(new URL('meta.json', outdir), JSON.stringify(main.metafile));
await writeFile(new URL('sweep-meta.json', outdir), JSON.stringify(sweep.metafile));

const files = Object.fromEntries(
  await Promise.all(
    ['index.js', 'sweep.js'].map(async (name) => [name, await readFile(output(name))]),
  ),
);
// A fixed timestamp keeps the zip identical for identical code.
const mtime = new Date('2000-01-01T00:00:00Z');
const zip = zipSync(
  Object.fromEntries(
    Object.entries(files).map(([name, code]) => [name, [code, { level: 9, mtime }]]),
  ),
);
await writeFile(new URL('function.zip', outdir), zip);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `dist/index.js ${kb(files['index.js'].length)}, dist/sweep.js ${kb(files['sweep.js'].length)}, dist/function.zip ${kb(zip.length)}`,
);
