// Bundles the function into one CommonJS file and zips it for upload. The zip holds index.js
// alone: with a package.json in it the platform would run `npm ci` at deploy time.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { parse } from 'acorn';
import { simple } from 'acorn-walk';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { ESBUILD_COMMON } from './build-options.mjs';

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

/**
 * dist/sweep.js takes these from dist/index.js (src/cancel/load-sweep.ts hands them over) rather
 * than carrying copies: a second grpc-js would mean a second set of channels and classes, and
 * some 60 KB more in the zip.
 */
const SHARED = /^(@grpc\/grpc-js|long|protobufjs\/minimal)$/;
const fromHost = {
  name: 'from-host',
  setup(build) {
    build.onResolve({ filter: SHARED }, (args) => ({ path: args.path, namespace: 'host' }));
    build.onLoad({ filter: /.*/, namespace: 'host' }, (args) => ({
      contents: `const shared = globalThis[Symbol.for('yc-operation-canceller.shared-modules')];
        if (!shared) throw new Error('dist/sweep.js is loaded by dist/index.js, which lends it ${args.path}');
        module.exports = shared[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};

/** Methods of the SDK's generated messages that nothing here calls: JSON mapping is unused. */
const UNUSED_METHODS = new Set(['fromJSON', 'toJSON']);

/**
 * Drops the unused methods from the SDK's generated code, a third of its size, through acorn's
 * syntax tree rather than text patterns, so nothing else can be cut by mistake.
 */
function withoutUnusedMethods(code) {
  const cuts = [];
  simple(parse(code, { ecmaVersion: 'latest', sourceType: 'script' }), {
    ObjectExpression(node) {
      node.properties.forEach((property, index) => {
        const { type, computed, key } = property;
        if (type !== 'Property' || computed || !UNUSED_METHODS.has(key.name)) return;
        const next = node.properties[index + 1];
        cuts.push([property.start, next ? next.start : property.end]);
      });
    },
  });
  return cuts
    .sort((a, b) => b[0] - a[0])
    .reduce((text, [start, end]) => text.slice(0, start) + text.slice(end), code);
}

const trimGenerated = {
  name: 'trim-generated',
  setup(build) {
    build.onLoad({ filter: /nodejs-sdk[\\/]dist[\\/]generated[\\/].*\.js$/ }, async (args) => ({
      contents: withoutUnusedMethods(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

const common = { ...ESBUILD_COMMON, metafile: true };
const source = (file) => new URL(`./src/${file}`, import.meta.url).pathname;
const output = (file) => new URL(file, outdir).pathname;

const [main, sweep] = await Promise.all([
  build({
    ...common,
    entryPoints: [source('index.ts')],
    outfile: output('index.js'),
    plugins: [leaveOut, sweepApart, trimGenerated],
  }),
  build({
    ...common,
    entryPoints: [source('sweep/index.ts')],
    outfile: output('sweep.js'),
    plugins: [leaveOut, fromHost, trimGenerated],
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
