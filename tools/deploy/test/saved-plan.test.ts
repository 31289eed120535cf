import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/fingerprint';
import { validateManifest } from '../src/manifest';
import { planDeployment } from '../src/plan';
import {
  type Now,
  PLAN_FORMAT,
  plannedState,
  readSavedPlan,
  type SavedPlan,
  staleReasons,
} from '../src/saved-plan';
import { MINIMAL_MANIFEST } from './manifests';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const manifest = validateManifest(MINIMAL_MANIFEST);
const plan = planDeployment(manifest, 1000);
const state = {
  functionId: 'd4efn',
  latestVersionId: 'd4ev1',
  triggerIds: ['a1s1'],
  fingerprint: A,
  dashboard: { id: 'fbedash', etag: '3' },
};
const saved: SavedPlan = {
  format: PLAN_FORMAT,
  manifest: { file: '/plans/function.yaml', sha256: A },
  code: { source: 'dist/function.zip', sha256: A, unpackedBytes: 1000 },
  state,
  plan,
};
const now: Now = {
  manifestFile: '/work/function.yaml',
  manifestSha256: A,
  code: { sha256: A, unpackedBytes: 1000 },
  state,
  plan,
};

describe('a saved plan', () => {
  it.each<[string, Partial<Now>, string[]]>([
    ['nothing changed', {}, []],
    [
      'another manifest',
      { manifestSha256: B },
      [
        "/work/function.yaml is not the manifest the plan was made from (/plans/function.yaml): its sha256 is bbbbbbbbbbbb…, the plan's aaaaaaaaaaaa…",
      ],
    ],
    [
      'other code',
      { code: { sha256: B, unpackedBytes: 1000 } },
      [
        "dist/function.zip is not the code the plan was made with: its sha256 is bbbbbbbbbbbb…, the plan's aaaaaaaaaaaa…",
      ],
    ],
    [
      'a function made since',
      { state: { ...state, functionId: 'd4eother' } },
      ['the function is now d4eother; the plan was made when it was d4efn'],
    ],
    [
      'the function gone',
      { state: { ...state, functionId: null } },
      ['the function is now none; the plan was made when it was d4efn'],
    ],
    [
      'a version made since',
      { state: { ...state, latestVersionId: 'd4ev2' } },
      ["the function's latest version is now d4ev2; the plan was made against d4ev1"],
    ],
    [
      'a trigger made since',
      { state: { ...state, triggerIds: ['a1s1', 'a1s2'] } },
      ["the function's triggers are now [a1s1, a1s2]; the plan was made against [a1s1]"],
    ],
    [
      'anything else read changed',
      { state: { ...state, fingerprint: B } },
      [
        "the cloud changed since the plan was made (state fingerprint bbbbbbbbbbbb…, the plan's aaaaaaaaaaaa…): the function's description or access, a trigger's settings, or the folder's or cloud's bindings",
      ],
    ],
    [
      'the dashboard edited since',
      { state: { ...state, dashboard: { id: 'fbedash', etag: '4' } } },
      [
        "the function's dashboard is now fbedash with etag 4; the plan was made against fbedash with etag 3 (someone changed it since)",
      ],
    ],
    [
      'the dashboard deleted since',
      { state: { ...state, dashboard: null } },
      [
        "the function's dashboard is now none; the plan was made against fbedash with etag 3 (someone changed it since)",
      ],
    ],
    [
      'another plan made of the same',
      { plan: { ...plan, steps: [] } },
      [
        'the plan is not what deploy makes of that same manifest, code and cloud: the file was edited, or deploy itself changed',
      ],
    ],
  ])('with %s is refused for %j', (_name, change, reasons) => {
    expect(staleReasons(saved, { ...now, ...change })).toEqual(reasons);
  });

  it('made before deploy made dashboards is not checked for one', () => {
    const { dashboard: _, ...older } = state;
    expect(staleReasons({ ...saved, state: older }, now)).toEqual([]);
  });

  it('is refused for every input that differs, at once', () => {
    const reasons = staleReasons(saved, {
      ...now,
      manifestSha256: B,
      code: { sha256: B, unpackedBytes: 1 },
      state: { ...state, latestVersionId: 'd4ev2' },
    });
    expect(reasons).toHaveLength(3);
  });

  it('fingerprints what was read, whatever order its maps came in', () => {
    const inherited = { publicFromAbove: [], unreadBindings: [] };
    const current = {
      functionId: 'd4efn',
      latestVersionId: 'd4ev1',
      description: '',
      latest: undefined,
      public: false,
      accessBindings: [],
      triggers: [],
    };
    const reordered = Object.fromEntries(Object.entries(current).reverse()) as typeof current;
    expect(plannedState(reordered, inherited)).toEqual(plannedState(current, inherited));
    expect(plannedState({ ...current, description: 'x' }, inherited).fingerprint).not.toBe(
      plannedState(current, inherited).fingerprint,
    );
    expect(plannedState(undefined, inherited)).toMatchObject({
      functionId: null,
      latestVersionId: null,
      triggerIds: [],
    });
  });

  it('is canonical JSON: keys in order at every depth, arrays kept as they are', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } })).toBe('{"a":{"d":[2,1]},"b":1}');
  });

  describe('read from a file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'saved-plan-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    it('is what was saved', () => {
      expect(readSavedPlan(write('good.json', JSON.stringify(saved)))).toEqual(saved);
    });

    it.each([
      ['missing.json', undefined, /missing\.json is not a readable plan \(ENOENT\)/],
      ['text.json', 'not json', /text\.json is not a readable plan \(not JSON\)/],
      [
        'other.json',
        JSON.stringify({ ...saved, format: 'something else' }),
        /other\.json is not a plan npm run deploy saved \(format: /,
      ],
      [
        'short.json',
        JSON.stringify({ ...saved, state: { ...state, fingerprint: 'abc' } }),
        /short\.json is not a plan npm run deploy saved \(state\.fingerprint: expected a SHA-256 in hex\)/,
      ],
    ])('is refused when %s holds %s', (name, text, message) => {
      const file = text === undefined ? path.join(dir, name) : write(name, text);
      expect(() => readSavedPlan(file)).toThrow(message);
    });
  });
});
