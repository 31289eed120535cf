import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCloudApiServer } from '../emulator/cloud-api-server';
import { endpointsAt } from '../emulator/endpoints';
import { startObserveSink } from '../emulator/observe-sink';
import { readTestPki } from '../emulator/pki';
import { buildBaseline, buildNaiveSweep } from './build-baseline';
import type { ColdSample } from './cold-start';
import { functionEnv } from './function-env';
import { describeMachine, machine } from './machine';
import {
  describeMeasure,
  FUNCTION_MB,
  type MemoryResults,
  memoryRuns,
  PEAK_BUDGET_MB,
} from './memory';
import { formatTable, type Row, ratioOf, verdictOf } from './report';
import { type ByContender, type ColdResults, type Contender, coldRounds, warmRuns } from './rounds';
import { median } from './stats';
import {
  describeFanOut,
  FULL_SWEEP,
  fanOutEstimate,
  QUICK_SWEEP,
  type SweepResults,
  type SweepSample,
  type SweepScale,
  sweepRuns,
} from './sweep';
import type { WarmSample } from './warm';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = path.join(ROOT, 'bench', '.out');
const KB = 1024;
const MB = 1024 * 1024;
const LATENCY_MS = 20;
const FULL_OPS = 1000;
const QUICK_OPS = 200;

const scaleText = (s: SweepScale) =>
  `${s.folders} folders, ${s.resources} resources, ${s.operations} operations`;

const USAGE = `usage: npm run bench [-- --runs N] [-- --quick]
  --runs N   cold starts per contender (default 11)
  --quick    3 cold starts each, ${QUICK_OPS} operations instead of ${FULL_OPS}, and a sweep of
             ${scaleText(QUICK_SWEEP)} instead of ${scaleText(FULL_SWEEP)}, to try it fast`;

function settings() {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, quick: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const runs = Number(values.runs ?? (quick ? 3 : 11));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number >= 1`);
  return {
    quick,
    runs,
    ops: quick ? QUICK_OPS : FULL_OPS,
    scale: quick ? QUICK_SWEEP : FULL_SWEEP,
  };
}

function coldRows(cold: ColdResults): Row[] {
  const of = (pick: (s: ColdSample) => number, scale = 1) => ({
    project: median(cold.samples.project.map(pick)) / scale,
    baseline: median(cold.samples.baseline.map(pick)) / scale,
  });
  const bare = median(cold.bareNodeMs);
  return [
    {
      metric: 'cold start, spawn to result',
      unit: 'ms',
      ...of((s) => s.wallMs),
      budget: { kind: 'ratio', max: 0.55 },
    },
    { metric: '  above bare node', unit: 'ms', ...of((s) => s.wallMs - bare) },
    { metric: '  node boot (in child)', unit: 'ms', ...of((s) => s.bootMs) },
    { metric: '  require', unit: 'ms', ...of((s) => s.requireMs) },
    { metric: '  first invocation', unit: 'ms', ...of((s) => s.invokeMs) },
    {
      metric: 'cold start sweeping one folder (vs cancelling one id)',
      unit: 'ms',
      project: median(cold.sweeps.map((s) => s.wallMs)),
      baseline: median(cold.samples.project.map((s) => s.wallMs)),
      budget: { kind: 'above', max: 60 },
    },
    {
      metric: '  require',
      unit: 'ms',
      project: median(cold.sweeps.map((s) => s.requireMs)),
      baseline: median(cold.samples.project.map((s) => s.requireMs)),
    },
    {
      metric: '  first invocation',
      unit: 'ms',
      project: median(cold.sweeps.map((s) => s.invokeMs)),
      baseline: median(cold.samples.project.map((s) => s.invokeMs)),
    },
    {
      metric: 'cold start peak RSS',
      unit: 'MB',
      ...of((s) => s.maxRssBytes, MB),
      budget: { kind: 'absolute', max: 64 },
    },
  ];
}

/** The bundles dist/index.js loads only when needed, and the upload that holds them all. */
const LAZY_BUNDLES = ['sweep.js', 'observe.js', 're2.js'] as const;

function sizeRows(contenders: readonly Contender[]): Row[] {
  const bytes = (name: Contender['name'], file: 'bundlePath' | 'zipPath') => {
    const c = contenders.find((candidate) => candidate.name === name);
    if (c === undefined) throw new Error(`no contender named ${name}`);
    return statSync(c[file]).size / KB;
  };
  const dist = (file: string) => statSync(path.join(ROOT, 'dist', file)).size / KB;
  return [
    {
      metric: 'bundle (minified)',
      unit: 'KB',
      project: bytes('project', 'bundlePath'),
      baseline: bytes('baseline', 'bundlePath'),
      budget: { kind: 'absolute', max: 400 },
    },
    {
      metric: 'zip',
      unit: 'KB',
      project: bytes('project', 'zipPath'),
      baseline: bytes('baseline', 'zipPath'),
      budget: { kind: 'absolute', max: 120 },
    },
    {
      metric: `lazy bundles together, minified (${LAZY_BUNDLES.join(', ')})`,
      unit: 'KB',
      project: LAZY_BUNDLES.reduce((sum, file) => sum + dist(file), 0),
      budget: { kind: 'absolute', max: 300 },
    },
    {
      metric: 'dist/function.zip, all four bundles',
      unit: 'KB',
      project: dist('function.zip'),
      budget: { kind: 'absolute', max: 160 },
    },
  ];
}

function warmRows(warm: ByContender<WarmSample[]>, ops: number): Row[] {
  const of = (pick: (s: WarmSample) => number, scale = 1) => ({
    project: median(warm.project.map(pick)) / scale,
    baseline: median(warm.baseline.map(pick)) / scale,
  });
  return [
    {
      metric: `warm, ${ops} operations at ${LATENCY_MS} ms`,
      unit: 'ms',
      ...of((s) => s.durationMs),
      budget: { kind: 'ratio', max: 0.15 },
    },
    {
      metric: `warm peak RSS, ${ops} operations`,
      unit: 'MB',
      ...of((s) => s.maxRssBytes, MB),
      budget: { kind: 'absolute', max: 100 },
    },
  ];
}

/**
 * What metrics and a message cost: the same warm run with METRICS_FOLDER_ID and NOTIFY_WEBHOOK_URL
 * pointing at a loopback sink, against the project's runs without them.
 */
function observeRows(plain: WarmSample[], observed: WarmSample[], ops: number): Row[] {
  const of = (pick: (s: WarmSample) => number, scale = 1) => ({
    project: median(observed.map(pick)) / scale,
    baseline: median(plain.map(pick)) / scale,
  });
  return [
    {
      metric: `warm, ${ops} operations, with metrics and a message (vs without)`,
      unit: 'ms',
      ...of((s) => s.durationMs),
    },
    {
      metric: 'the same, peak RSS (vs without)',
      unit: 'MB',
      ...of((s) => s.maxRssBytes, MB),
      budget: { kind: 'absolute', max: 100 },
    },
  ];
}

function sweepRows(sweep: SweepResults): Row[] {
  const { project, naive, learn } = sweep.samples;
  const of = (pick: (s: (typeof project)[number]) => number, scale = 1) => ({
    project: median(project.map(pick)) / scale,
    baseline: median(naive.map(pick)) / scale,
  });
  const { folders, resources, operations } = sweep.scale;
  return [
    {
      metric: `sweep, ${folders} folders/${resources} instances/${operations} ops at ${LATENCY_MS} ms (baseline: naive)`,
      unit: 'ms',
      ...of((s) => s.durationMs),
    },
    { metric: '  per folder', unit: 'ms', ...of((s) => s.durationMs / folders) },
    { metric: '  calls made', unit: 'calls', ...of((s) => s.calls) },
    { metric: '  of them listings', unit: 'calls', ...of((s) => s.listingCalls) },
    { metric: '  emulator CPU meanwhile', unit: 'ms', ...of((s) => s.emulatorCpuMs) },
    {
      metric: 'sweep peak RSS',
      unit: 'MB',
      ...of((s) => s.maxRssBytes, MB),
      budget: { kind: 'absolute', max: 128 },
    },
    ...learnRows(project, learn),
  ];
}

/** Issue 28: what learning the thresholds costs, against the same sweep without it. */
function learnRows(fixed: readonly SweepSample[], learnt: readonly SweepSample[]): Row[] {
  if (learnt.length === 0) return [];
  const of = (pick: (s: SweepSample) => number, scale = 1) => ({
    project: median(learnt.map(pick)) / scale,
    baseline: median(fixed.map(pick)) / scale,
  });
  return [
    {
      metric: 'the same sweep with learn (baseline: without)',
      unit: 'ms',
      ...of((s) => s.durationMs),
    },
    { metric: '  its calls (vs without)', unit: 'calls', ...of((s) => s.calls) },
    {
      metric: '  its peak RSS (vs without)',
      unit: 'MB',
      ...of((s) => s.maxRssBytes, MB),
      budget: { kind: 'absolute', max: 128 },
    },
  ];
}

/** Issue 23: each scenario's peak in a cgroup of the function's memory, and whether it held. */
function memoryRows(memory: MemoryResults): Row[] {
  const where = 'cgroup' in memory.measure ? `in a ${FUNCTION_MB} MB cgroup` : 'peak RSS';
  return memory.results.map((result) => ({
    metric: `peak ${where}, ${result.name}`,
    unit: 'MB',
    project: result.peakMb,
    budget: { kind: 'absolute', max: PEAK_BUDGET_MB },
    ...(result.killed > 0 && {
      failed: `the kernel killed ${result.killed} of ${result.runs} runs at ${FUNCTION_MB} MB`,
    }),
  }));
}

/** Samples without the replies, which only served to check the contenders' answers. */
function bareSamples<T extends { result: unknown }>(samples: ByContender<T[]>) {
  const strip = (list: T[]) => list.map(({ result: _result, ...rest }) => rest);
  return { project: strip(samples.project), baseline: strip(samples.baseline) };
}

async function main(): Promise<void> {
  const { quick, runs, ops, scale } = settings();
  const host = machine();
  const baseline = await buildBaseline(path.join(OUT, 'baseline'));
  const naiveSweep = await buildNaiveSweep(path.join(OUT, 'naive-sweep'));
  const contenders: Contender[] = [
    {
      name: 'project',
      bundlePath: path.join(ROOT, 'dist', 'index.js'),
      // The cancel path's zip: function.zip also holds the bundles loaded only when needed.
      zipPath: path.join(ROOT, 'dist', 'cancel-path.zip'),
    },
    { name: 'baseline', ...baseline },
  ];

  const pki = readTestPki();
  const server = await startCloudApiServer({ pki });
  try {
    // Every API at the emulator, so that the cold sweep's listings reach it too.
    const env = { ...functionEnv(server.address, pki.caFile), ...endpointsAt(server.address) };
    const cold = await coldRounds(contenders, server, env, runs);
    const warm = await warmRuns(
      contenders,
      ['project', 'baseline', 'project', 'project'],
      server,
      env,
      ops,
      LATENCY_MS,
    );
    const sink = await startObserveSink(() => {});
    const observed = await warmRuns(
      contenders,
      ['project', 'project', 'project'],
      server,
      { ...env, ...sink.env },
      ops,
      LATENCY_MS,
    ).finally(() => sink.close());
    const sweep = await sweepRuns({
      pki,
      bundles: { project: path.join(ROOT, 'dist', 'index.js'), naive: naiveSweep },
      // The naive sweep is the long one, so it runs once, between the project's runs; the
      // sweep with learn alternates with the one without, so that both see the same machine.
      pattern: ['project', 'learn', 'naive', 'project', 'learn', 'project', 'learn'],
      scale,
      latencyMs: LATENCY_MS,
    });
    const fanOut = fanOutEstimate(sweep, median(cold.samples.project.map((s) => s.wallMs)));
    const memory = await memoryRuns({
      pki,
      bundlePath: path.join(ROOT, 'dist', 'index.js'),
      runs: quick ? 1 : 3,
    });
    const rows = [
      ...coldRows(cold),
      ...sizeRows(contenders),
      ...warmRows(warm, ops),
      ...observeRows(warm.project, observed.project, ops),
      ...sweepRows(sweep),
      ...memoryRows(memory),
    ];

    console.log(describeMachine(host));
    console.log(
      `cold starts: ${runs} per contender, interleaved; bare \`node -e 0\` spawn to exit: ` +
        `${median(cold.bareNodeMs).toFixed(1)} ms (median)`,
    );
    console.log(
      `warm: project ${warm.project.length} runs (median), baseline ${warm.baseline.length}` +
        (quick ? `; --quick: ${ops} operations, the budgets are set for ${FULL_OPS}` : ''),
    );
    console.log(
      `sweep: project ${sweep.samples.project.length} runs (median), naive ` +
        `${sweep.samples.naive.length}; ${quick ? '--quick' : 'full'} scale, ${scaleText(scale)}` +
        (quick ? ` (full: ${scaleText(FULL_SWEEP)})` : ' (the scale the issue states)') +
        `, ${LATENCY_MS} ms per listing; one invocation, dry run, compute.instance only`,
    );
    console.log(`baseline: bench/baseline/handler.ts (docs-style SDK v3: Session, one await)`);
    console.log(
      `  for the sweep rows: bench/naive/handler.ts (generated clients, one call at a time);\n` +
        `  for the learn rows: the same sweep without learn\n`,
    );
    console.log(`${describeMeasure(memory.measure)}\n`);
    console.log(formatTable(rows));
    if (fanOut !== undefined) console.log(`\n${describeFanOut(fanOut, LATENCY_MS)}`);

    mkdirSync(OUT, { recursive: true });
    const json = {
      machine: host,
      settings: { quick, runs, ops, latencyMs: LATENCY_MS, sweepScale: scale },
      rows: rows.map((row) => ({ ...row, ratio: ratioOf(row), verdict: verdictOf(row) })),
      samples: {
        bareNodeMs: cold.bareNodeMs,
        cold: bareSamples(cold.samples),
        warm: bareSamples(warm),
        observed: observed.project.map(({ result: _r, ...rest }) => rest),
        sweep: {
          project: sweep.samples.project.map(({ result: _r, ...rest }) => rest),
          naive: sweep.samples.naive.map(({ result: _r, ...rest }) => rest),
          learn: sweep.samples.learn.map(({ result: _r, ...rest }) => rest),
        },
        coldSweeps: cold.sweeps.map(({ result: _r, ...rest }) => rest),
      },
      memory,
      fanOutEstimate: fanOut,
    };
    writeFileSync(path.join(OUT, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
    console.log(`\nresults: ${path.relative(process.cwd(), path.join(OUT, 'results.json'))}`);
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  // A contender that does not do the job has no numbers worth printing.
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
