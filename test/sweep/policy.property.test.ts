import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors';
import { FilterName, RESOURCE_KINDS, type SweepSpec } from '../../src/model';
import { parseSweep } from '../../src/request/sweep';
import { compileFilters } from '../../src/sweep/filters';
import { anyValue, expectReadable } from '../requests/corpus';

const RUNS = { numRuns: 300 } as const;

// Near misses as well as garbage: the vocabulary of the real syntax, put together at random.
const word = fc.constantFrom(
  'default',
  'include',
  'exclude',
  'labels',
  'createdBy',
  'description',
  'regex',
  'contains',
  ...RESOURCE_KINDS,
);
const duration = fc.oneof(
  fc.constantFrom('30m', '1m', '59s', '31d', '0m', '1h', '', 'm', '9999999d'),
  fc.stringMatching(/^\d{0,8}[smhdx]?$/),
);
/** Patterns of RE2's syntax and beyond it: groups, classes, repeats, lookarounds, backrefs. */
const pattern = fc.stringMatching(/^[a-z(){}[\]|*+?^$\\.<=!:,0-9 -]{0,40}$/);
const leaf = fc.oneof(duration, pattern, anyValue, fc.string({ maxLength: 300 }));
const near = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(word, tie('value'), { maxKeys: 4 }),
    fc.record({ regex: pattern }),
  ),
})).value;

function attempt(sweep: object): { spec: SweepSpec } | { error: unknown } {
  try {
    return { spec: parseSweep(sweep) };
  } catch (error) {
    return { error };
  }
}

function expectRefusal(error: unknown) {
  expect(error).toBeInstanceOf(RequestError);
  expectReadable((error as RequestError).message);
}

const FILTER_NAMES: ReadonlyArray<string | undefined> = [...Object.values(FilterName), undefined];

describe('hostile thresholds and filters', () => {
  it('are a sweep, or a readable refusal; a sweep filters any operation without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(
        near,
        near,
        fc.string({ maxLength: 2000 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        async (olderThan, filters, description, labels) => {
          const result = attempt({ folderId: 'b1gfolder', olderThan, filters });
          if ('error' in result) return expectRefusal(result.error);
          for (const seconds of Object.values(result.spec.olderThanSeconds)) {
            expect(seconds).toBeGreaterThanOrEqual(60);
            expect(seconds).toBeLessThanOrEqual(30 * 86_400);
          }
          const compiled = await compileFilters(result.spec.filters);
          if (compiled.kind === 'rejected') return expectReadable(compiled.message);
          const { check } = compiled;
          for (const subject of [
            { createdBy: 'aje1', description, labels },
            { createdBy: '', description: '', labels: undefined },
          ]) {
            expect(FILTER_NAMES).toContain(check(subject));
          }
        },
      ),
      RUNS,
    );
  });

  it('compile any RE2-shaped pattern, or refuse it readably', async () => {
    await fc.assert(
      fc.asyncProperty(
        pattern.filter((p) => p.length > 0),
        fc.string({ maxLength: 5000 }),
        async (regex, text) => {
          const result = attempt({
            folderId: 'b1gfolder',
            filters: { description: { exclude: [{ regex }] } },
          });
          if ('error' in result) return expectRefusal(result.error);
          const compiled = await compileFilters(result.spec.filters);
          if (compiled.kind === 'rejected') return expectReadable(compiled.message);
          expect(FILTER_NAMES).toContain(
            compiled.check({ createdBy: '', description: text, labels: {} }),
          );
        },
      ),
      RUNS,
    );
  });
});
