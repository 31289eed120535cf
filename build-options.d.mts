import type { BuildOptions } from 'esbuild';

export declare const ESBUILD_COMMON: Readonly<BuildOptions>;
