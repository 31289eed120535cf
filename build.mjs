// Bundles the function into CommonJS files and zips them for upload: index.js, and the bundles it
// loads only when needed. The zip holds no package.json: with one the platform would run
// `npm ci` at deploy time.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { ESBUILD_COMMON } from './build-options.mjs';
import LENT_TO_SWEEP from './src/select/lent.json' with { type: 'json' };

const outdir = new URL('./dist/', import.meta.url);
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

/** Modules the bundle replaces with a stub that throws if ever used, and why. */
const LEFT_OUT = [
  // grpc-js loads @grpc/proto-loader, and with it the whole of protobufjs, only for channelz and
  // ORCA; the wire codec needs only protobufjs/minimal.
  { filter: /^@grpc\/proto-loader$/, importer: /@grpc\/grpc-js/, what: '@grpc/proto-loader' },
  // protobufjs gives int64s as long.js's Longs where it finds the package; the one int64 the
  // function reads, a Timestamp's seconds, it takes as a number (src/cloud/wire.ts).
  { filter: /^long$/, importer: /protobufjs/, what: 'long' },
  // grpc-js's server side, which its index loads eagerly and a client never starts.
  {
    filter: /^\.\/(server|server-interceptors|orca)$/,
    importer: /@grpc\/grpc-js\/build\/src/,
    what: 'the grpc-js server',
  },
];

/**
 * Each rule that leaves out or trims code counts what it matched; one that matched nothing fails
 * the build, since a dependency that moved its files would otherwise quietly grow the bundle.
 */
function counted(rules) {
  const matches = new Map(rules.map((rule) => [rule, 0]));
  return {
    hit: (rule) => matches.set(rule, matches.get(rule) + 1),
    check(build, bundle) {
      build.onEnd((result) => {
        for (const [rule, count] of matches) {
          if (count > 0 || result.errors.length > 0) continue;
          result.errors.push({
            text: `build rule "${rule}" matched nothing in ${bundle}: has the layout of what it trims changed?`,
          });
        }
      });
    },
  };
}

/** Every byte left out here is a byte not parsed and run at each cold start. */
const leaveOut = (bundle) => ({
  name: 'leave-out',
  setup(build) {
    const rules = counted(LEFT_OUT.map(({ what }) => `leave out ${what}`));
    rules.check(build, bundle);
    for (const { filter, importer, what } of LEFT_OUT) {
      build.onResolve({ filter }, (args) => {
        if (!importer.test(args.importer)) return undefined;
        rules.hit(`leave out ${what}`);
        return { path: args.path, namespace: 'left-out', pluginData: what };
      });
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
});

/**
 * Bundles of their own, required only when needed: by dist/index.js, the sweep (the `#sweep`
 * import, src/sweep/) and the metrics and messages (`#observe`, src/report/observe/); by
 * dist/sweep.js, RE2JS (`#re2`), for a sweep whose filters have a pattern.
 */
const LAZY = {
  'index.js': [
    { specifier: '#sweep', file: 'sweep.js' },
    { specifier: '#observe', file: 'observe.js' },
  ],
  'sweep.js': [{ specifier: '#re2', file: 're2.js' }],
};

const lazyApart = (bundle) => ({
  name: 'lazy-apart',
  setup(build) {
    const rules = counted(LAZY[bundle].map(({ specifier, file }) => `${specifier} as ./${file}`));
    rules.check(build, bundle);
    for (const { specifier, file } of LAZY[bundle]) {
      build.onResolve({ filter: new RegExp(`^${specifier}$`) }, () => {
        rules.hit(`${specifier} as ./${file}`);
        return { path: `./${file}`, external: true };
      });
    }
  },
});

const ROOT = fileURLToPath(new URL('./', import.meta.url));
const RESOLVING = Symbol('resolving');

/**
 * dist/sweep.js takes the modules src/select/lent.json names from dist/index.js (which
 * src/select/load-sweep.ts lends them) rather than carrying copies: a second grpc-js would mean
 * a second set of channels, and a second copy of a module of src/ a second set of its classes,
 * which the host would not recognise. An import of src/ outside src/sweep/ that is not lent fails
 * the build: src/sweep/ is what dist/sweep.js holds, and nothing more.
 */
const fromHost = {
  name: 'from-host',
  setup(build) {
    const rules = counted(LENT_TO_SWEEP.modules.map((name) => `borrow ${name}`));
    rules.check(build, 'sweep.js');
    const lent = new Set(LENT_TO_SWEEP.modules);
    const borrow = (name) => {
      rules.hit(`borrow ${name}`);
      return { path: name, namespace: 'host' };
    };
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === RESOLVING || args.kind === 'entry-point') return undefined;
      if (lent.has(args.path)) return borrow(args.path);
      if (!args.path.startsWith('.')) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: RESOLVING,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const file = path.relative(ROOT, resolved.path);
      if (!file.startsWith('src/') || file.startsWith('src/sweep/')) return resolved;
      if (lent.has(file)) return borrow(file);
      return {
        errors: [
          {
            text: `${path.relative(ROOT, args.importer)} imports ${file}, which dist/sweep.js would carry a copy of: lend it (src/select/lent.json and load-sweep.ts) or move it into src/sweep/`,
          },
        ],
      };
    });
    build.onLoad({ filter: /.*/, namespace: 'host' }, (args) => ({
      contents: `const lent = globalThis[Symbol.for(${JSON.stringify(LENT_TO_SWEEP.global)})];
        if (!lent) throw new Error('dist/sweep.js is loaded by dist/index.js, which lends it ${args.path}');
        module.exports = lent[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};

/**
 * grpc-js requires its whole package.json (some 2.7 KB minified) for one field, the version it
 * puts in its user agent and log lines; the bundle carries that field alone.
 */
const versionOnly = (bundle) => ({
  name: 'version-only',
  setup(build) {
    const rules = counted(["grpc-js's package.json as its version"]);
    rules.check(build, bundle);
    build.onLoad({ filter: /@grpc[\\/]grpc-js[\\/]package\.json$/ }, async (args) => {
      rules.hit("grpc-js's package.json as its version");
      const { version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
});

/**
 * The lazy bundles are loaded with require, not import(): an import() of a CommonJS file starts
 * Node's ESM loader, which lexes the whole file for its exports, some 10 ms of a cold sweep.
 * esbuild writes each `import('./sweep.js')` as a require in a resolved promise.
 */
const common = { ...ESBUILD_COMMON, metafile: true, supported: { 'dynamic-import': false } };
const source = (file) => new URL(`./src/${file}`, import.meta.url).pathname;
const output = (file) => new URL(file, outdir).pathname;

const [main, sweep, observe, re2] = await Promise.all([
  build({
    ...common,
    entryPoints: [source('index.ts')],
    outfile: output('index.js'),
    plugins: [leaveOut('index.js'), lazyApart('index.js'), versionOnly('index.js')],
  }),
  build({
    ...common,
    entryPoints: [source('sweep/select.ts')],
    outfile: output('sweep.js'),
    plugins: [fromHost, lazyApart('sweep.js')],
  }),
  // Plain fetch and our own code: it borrows nothing, and nothing of the SDK goes in.
  build({
    ...common,
    entryPoints: [source('report/observe/index.ts')],
    outfile: output('observe.js'),
  }),
  // The library alone, as the `#re2` import names it.
  build({
    ...common,
    stdin: { contents: "export * from 're2js';", resolveDir: ROOT, loader: 'js' },
    outfile: output('re2.js'),
  }),
]);
// What went into each bundle, for the tests' guards and for anyone asking why one grew.
const metas = {
  'meta.json': main,
  'sweep-meta.json': sweep,
  'observe-meta.json': observe,
  're2-meta.json': re2,
};
for (const [name, result] of Object.entries(metas)) {
  await writeFile(new URL(name, outdir), JSON.stringify(result.metafile));
}

const BUNDLES = ['index.js', 'sweep.js', 'observe.js', 're2.js'];
const files = Object.fromEntries(
  await Promise.all(BUNDLES.map(async (name) => [name, await readFile(output(name))])),
);
// A fixed timestamp keeps the zip identical for identical code.
const mtime = new Date('2000-01-01T00:00:00Z');
const zipped = (names) =>
  zipSync(Object.fromEntries(names.map((name) => [name, [files[name], { level: 9, mtime }]])));
const zip = zipped(BUNDLES);
await writeFile(new URL('function.zip', outdir), zip);
// Not deployed: index.js zipped alone, as function.zip zips it, is what the cancel path's budget
// measures; the lazy bundles, loaded only when needed, have budgets of their own.
const cancelPath = zipped(['index.js']);
await writeFile(new URL('cancel-path.zip', outdir), cancelPath);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const lazy = BUNDLES.slice(1).map((name) => `${name} ${kb(files[name].length)}`);
console.log(
  `cancel path: dist/index.js ${kb(files['index.js'].length)}, ${kb(cancelPath.length)} zipped; ` +
    `loaded when needed: ${lazy.join(', ')}; dist/function.zip ${kb(zip.length)}`,
);
