import { strToU8, zipSync } from 'fflate';

/** A deflated zip of these files, as a version's code is uploaded. */
export const zip = (files: Record<string, string>): Buffer =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([n, t]) => [n, strToU8(t)]))));
