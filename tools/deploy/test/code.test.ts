import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ROOT, zip } from '../../../test/support/index';
import { codeOf } from '../src/code';

describe('the code deploy uploads', () => {
  it("is known by its zip's sha256 and by its size unpacked, as image_size counts it", () => {
    const source = 'x'.repeat(50_000);
    const bytes = zip({ 'index.js': source, 'sweep.js': 'y' });
    expect(codeOf(bytes)).toEqual({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      unpackedBytes: 50_001,
    });
    expect(bytes.length).toBeLessThan(50_001);
  });

  it('is, for the bundle, the sum of what its files unpack to', () => {
    const bundle = readFileSync(path.join(ROOT, 'dist/function.zip'));
    const files = Object.values(unzipSync(bundle));
    expect(files.length).toBeGreaterThan(1);
    expect(codeOf(bundle).unpackedBytes).toBe(files.reduce((sum, f) => sum + f.length, 0));
  });
});
