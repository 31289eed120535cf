// The esbuild options the function is bundled with (build.mjs), which bench/build-baseline.ts
// also bundles the baseline with, so that the two compare like for like.
export const ESBUILD_COMMON = Object.freeze({
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
